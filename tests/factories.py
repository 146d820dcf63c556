import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from counselling.attendance.models import (
    DrugTest,
    DrugTestKind,
    DrugTestStatus,
    PoliceReport,
    SampleType,
    TestingProgramme,
)
from counselling.scheduling.models import (
    AvailabilityException,
    Flag,
    Letter,
    Location,
    LocationKind,
    Meeting,
    OpeningHours,
    SummonsPolicy,
)
from portal.memberships import membership_grant
from portal.models import CounsellingService, Municipality, Role, StaffMembership
from referrals.identity import example_national_id
from referrals.models import Person, PoliceDistrict, Referral, Route


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality

    number = factory.Sequence(lambda n: f"{(n % 9000) + 1000:04d}")
    name = factory.Faker("city", locale="no_NO")
    valid_from = datetime.date(2020, 1, 1)


class CounsellingServiceFactory(DjangoModelFactory):
    class Meta:
        model = CounsellingService
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Rådgivende enhet {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    street_address = "Storgata 1"
    postal_code = "0155"
    postal_town = "Oslo"

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create:
            self.municipalities.set(extracted if extracted is not None else [MunicipalityFactory()])

    @factory.post_generation
    def minimum_notice_days(self, create, extracted, **kwargs):
        """Test services summon at any notice unless a test asks for one (`minimum_notice_days=7`): the tests of
        booking, reminders and letters book meetings a few days ahead. A real service without a SummonsPolicy row
        gets the default of seven days (tests/counselling/scheduling/test_summons_notice.py)."""
        if create:
            SummonsPolicy.objects.create(service=self, minimum_notice_days=extracted or 0)


class StaffMembershipFactory(DjangoModelFactory):
    """Goes through portal.memberships.membership_grant, as every real membership does."""

    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    service = factory.SubFactory(CounsellingServiceFactory)
    role = Role.COUNSELLOR

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return membership_grant(actor=None, **kwargs)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    service = factory.SubFactory(CounsellingServiceFactory)
    # A distinct birth date per person keeps the numbers unique.
    date_of_birth = factory.Sequence(lambda n: datetime.date(1980, 1, 1) + datetime.timedelta(days=n))
    national_id = factory.LazyAttribute(lambda person: example_national_id(person.date_of_birth))
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")


class ReferralFactory(DjangoModelFactory):
    """A condition-route referral whose seizure the service does not know: valid with no seized rows."""

    class Meta:
        model = Referral

    service = factory.SubFactory(CounsellingServiceFactory)
    # The service's own record of the person (a referral's person always belongs to the referral's service).
    person = factory.SubFactory(PersonFactory, service=factory.SelfAttribute("..service"))
    route = Route.CONDITION
    police_district = PoliceDistrict.OSLO
    police_reference = factory.Sequence(lambda n: f"2026-{n:06d}")
    incident_date = datetime.date(2026, 9, 1)
    decision_date = datetime.date(2026, 9, 15)
    attendance_deadline = datetime.date(2026, 12, 15)
    seizure_unknown = True
    created_by = factory.SubFactory(UserFactory)


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    service = factory.SubFactory(CounsellingServiceFactory)
    name = factory.Sequence(lambda n: f"Kontoret {n}")
    kind = LocationKind.OFFICE
    street_address = "Storgata 1"
    postal_code = "0155"
    postal_town = "Oslo"


class OpeningHoursFactory(DjangoModelFactory):
    class Meta:
        model = OpeningHours

    location = factory.SubFactory(LocationFactory)
    service = factory.SelfAttribute("location.service")
    counsellor = factory.SubFactory(UserFactory)
    weekday = 0
    starts = datetime.time(9, 0)
    ends = datetime.time(15, 0)


def open_every_day(*, service, counsellor, location=None, starts=datetime.time(0, 0), ends=datetime.time(23, 45)):
    """Opening hours on every weekday, so that free times exist whenever a test runs."""
    location = location or LocationFactory(service=service)
    for weekday in range(7):
        OpeningHoursFactory(
            service=service, counsellor=counsellor, location=location, weekday=weekday, starts=starts, ends=ends
        )
    return location


class MeetingFactory(DjangoModelFactory):
    """A booked meeting written directly, for setting the scene (e.g. one that has already taken place);
    bookings under test go through counselling.scheduling.services.meeting_book."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    referral = factory.SubFactory(ReferralFactory)
    location = factory.LazyAttribute(lambda m: LocationFactory(service=m.referral.service))
    counsellor = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda m: m.starts_at + datetime.timedelta(minutes=45))
    booked_by = factory.SelfAttribute("counsellor")

    @factory.post_generation
    def summons_posted(self, create, extracted, **kwargs):
        """`summons_posted=True`: the scene's summons to the person, posted a week before, its proof of dispatch
        (which a no-show needs before it leads to a fee case or a report to the police)."""
        if create and extracted:
            posted = timezone.localdate() - datetime.timedelta(days=7)
            LetterFactory(
                meeting=self, dispatch_method="posted", sent_on=posted, delivered_on=posted + datetime.timedelta(days=3)
            )


class LetterFactory(DjangoModelFactory):
    class Meta:
        model = Letter

    meeting = factory.SubFactory(MeetingFactory)
    kind = "summons"
    recipient_kind = "person"
    recipient_name = factory.LazyAttribute(lambda letter: letter.meeting.referral.person.full_name)
    pdf = factory.django.FileField(filename="innkalling.pdf", data=b"%PDF-1.4 test")


class PoliceReportFactory(DjangoModelFactory):
    class Meta:
        model = PoliceReport

    meeting = factory.SubFactory(MeetingFactory)
    referral = factory.SelfAttribute("meeting.referral")
    kind = "attended"
    police_district = factory.SelfAttribute("referral.police_district")
    police_reference = factory.SelfAttribute("referral.police_reference")
    person_name = factory.LazyAttribute(lambda report: report.referral.person.full_name)
    national_id = factory.LazyAttribute(lambda report: report.referral.person.national_id)
    service_name = factory.LazyAttribute(lambda report: report.referral.service.name)
    meeting_date = factory.LazyAttribute(lambda report: report.meeting.starts_at.date())
    pdf = factory.django.FileField(filename="politimelding.pdf", data=b"%PDF-1.4 test")
    created_by = factory.SelfAttribute("meeting.counsellor")


class FlagFactory(DjangoModelFactory):
    """A failed letter's flag: the kind a person resolves by hand."""

    class Meta:
        model = Flag

    kind = "letter_failed"
    letter = factory.SubFactory(LetterFactory, email="ola@example.org", email_error="SMTP 550")
    referral = factory.SelfAttribute("letter.meeting.referral")


class AbsenceFactory(DjangoModelFactory):
    class Meta:
        model = AvailabilityException

    service = factory.SubFactory(CounsellingServiceFactory)
    counsellor = factory.SubFactory(UserFactory)
    kind = "sick"
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + datetime.timedelta(hours=8))


class SampleTypeFactory(DjangoModelFactory):
    class Meta:
        model = SampleType
        django_get_or_create = ("name",)

    name = "Urin"


class TestingProgrammeFactory(DjangoModelFactory):
    """A running drug-testing programme of four weeks from tomorrow, registered directly for setting the scene;
    registrations under test go through counselling.attendance.services.testing.programme_register."""

    __test__ = False  # not a test class, whatever pytest makes of the name

    class Meta:
        model = TestingProgramme

    referral = factory.SubFactory(ReferralFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    ends_on = factory.LazyAttribute(lambda p: p.starts_on + datetime.timedelta(days=27))
    planned_tests = 4
    sample_type = factory.SubFactory(SampleTypeFactory)
    requester = "Oslo politidistrikt, påtaleenheten"
    police_district = factory.SelfAttribute("referral.police_district")
    prosecution_reference = factory.Sequence(lambda n: f"PÅT-{n:05d}")
    registered_by = factory.SelfAttribute("referral.created_by")


class DrugTestFactory(DjangoModelFactory):
    """A planned call-in for tomorrow."""

    class Meta:
        model = DrugTest

    programme = factory.SubFactory(TestingProgrammeFactory)
    kind = DrugTestKind.CALL_IN
    status = DrugTestStatus.PLANNED
    day = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    starts_at = factory.LazyAttribute(
        lambda t: datetime.datetime.combine(t.day, datetime.time(8, 0), timezone.get_current_timezone())
    )
    ends_at = factory.LazyAttribute(
        lambda t: datetime.datetime.combine(t.day, datetime.time(15, 0), timezone.get_current_timezone())
    )
