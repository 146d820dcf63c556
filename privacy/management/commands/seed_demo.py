"""Demo data for a first look: two services in two municipalities, a lead and two counsellors each, with an
office and weekday opening hours so meetings can be booked.

Idempotent: running it again changes nothing but resetting the demo passwords.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from counselling.attendance.models import (
    CallInChannel,
    CallInMessage,
    CallInPurpose,
    CallInState,
    DrugTest,
    DrugTestKind,
    DrugTestOutcome,
    DrugTestStatus,
    SampleType,
    TestingProgramme,
)
from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.attendance.services.testing import (
    OutcomeDetails,
    ProgrammeDetails,
    call_in_location,
    call_in_sent_at,
    drug_test_outcome_record,
    programme_register,
)
from counselling.scheduling.models import Letter, Location, LocationKind, Meeting, OpeningHours
from counselling.scheduling.services import summons_letters_make
from fees.models import FeePolicy
from portal.memberships import membership_grant
from portal.models import CounsellingService, Municipality, Role, StaffMembership
from portal.workdays import is_working_day, next_working_day
from referrals.identity import example_national_id
from referrals.letters import presumed_arrival
from referrals.models import DispatchMethod, Person, Referral
from referrals.services import GuardianDetails, PersonDetails, ReferralDetails, referral_assign, referral_register

# The demo's fee basis: the proposal of 2021, plainly not law in force (the Storting rejected the fee regime).
DEMO_LEGAL_BASIS_CITATION = "lovforslaget i Prop. 92 L (2020–2021), som aldri ble lov (demonstrasjon)"
DEMO_LEGAL_BASIS_TEXT = (
    "Dette er en demonstrasjon av portalen, ikke et ekte vedtak. Regjeringen foreslo i 2021 at den som ikke møter "
    "uten gyldig grunn, kan få et gebyr på to ganger rettsgebyret, men ikke når gebyret vil være urimelig tyngende. "
    "Stortinget vedtok ikke forslaget (3. juni 2021), og ingen lov gir i dag grunnlag for et slikt gebyr."
)
DEMO_PASSWORD = "demo-passord"  # noqa: S105  (printed on purpose: demo logins only)

SERVICES = [
    {
        "municipality": ("0301", "Oslo"),
        "service": {
            "slug": "oslo",
            "name": "Rådgivende enhet for russaker, Oslo",
            "street_address": "Storgata 1",
            "postal_code": "0155",
            "postal_town": "Oslo",
            "phone": "+47 21 80 21 80",
            "email": "radgivende.enhet@oslo.example",
        },
        "staff": [
            ("oslo-leder", "Ingrid", "Lie", Role.SERVICE_LEAD),
            ("oslo-radgiver1", "Ola", "Nordmann", Role.COUNSELLOR),
            ("oslo-radgiver2", "Kari", "Hansen", Role.COUNSELLOR),
        ],
    },
    {
        "municipality": ("4601", "Bergen"),
        "service": {
            "slug": "bergen",
            "name": "Rådgivende enhet for russaker, Bergen",
            "street_address": "Rådhusgaten 10",
            "postal_code": "5014",
            "postal_town": "Bergen",
            "phone": "+47 55 56 55 56",
            "email": "radgivende.enhet@bergen.example",
        },
        "staff": [
            ("bergen-leder", "Jon", "Berg", Role.SERVICE_LEAD),
            ("bergen-radgiver1", "Sigrid", "Dahl", Role.COUNSELLOR),
            ("bergen-radgiver2", "Emil", "Haugen", Role.COUNSELLOR),
        ],
    },
]


class Command(BaseCommand):
    help = "Create demo services, staff and an administrator, and print the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        admin, _ = User.objects.get_or_create(
            username="admin",
            defaults={"first_name": "Demo", "last_name": "Administrator", "email": "admin@example.org"},
        )
        admin.is_staff = admin.is_superuser = True
        admin.set_password(DEMO_PASSWORD)
        admin.save()

        logins = [("admin", "Administrator (Django admin)", "")]
        for entry in SERVICES:
            number, name = entry["municipality"]
            municipality, _ = Municipality.objects.get_or_create(
                number=number, valid_from=datetime.date(2020, 1, 1), defaults={"name": name}
            )
            # Made-up cases: every letter of a demo service says it is a demonstration (templates/letters).
            service_fields = {**entry["service"], "is_demonstration": True}
            service, _ = CounsellingService.objects.update_or_create(
                slug=service_fields.pop("slug"), defaults=service_fields
            )
            service.municipalities.add(municipality)
            office, _ = Location.objects.get_or_create(
                service=service,
                name="Kontoret",
                defaults={
                    "kind": LocationKind.OFFICE,
                    "street_address": service.street_address,
                    "postal_code": service.postal_code,
                    "postal_town": service.postal_town,
                    "instructions": "Meld deg i resepsjonen i første etasje.",
                },
            )
            for username, first_name, last_name, role in entry["staff"]:
                user, _ = User.objects.get_or_create(
                    username=username,
                    defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.org"},
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                membership_grant(actor=admin, user=user, service=service, role=role)
                for weekday in range(5):  # Monday to Friday, 9 to 15
                    OpeningHours.objects.get_or_create(
                        service=service,
                        counsellor=user,
                        location=office,
                        weekday=weekday,
                        defaults={"starts": datetime.time(9), "ends": datetime.time(15)},
                    )
                logins.append((username, Role(role).label, service.name))

        self._demo_referrals(admin)
        self._demo_meetings_held(admin)
        self._demo_person_known_to_both(admin)
        self._demo_drug_testing()

        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Logins (password for all: {DEMO_PASSWORD}):"))
        for username, role, service_name in logins:
            self.stdout.write(f"  {username:<18} {role}{' – ' + service_name if service_name else ''}")

    def _demo_referrals(self, admin):
        """A few cases per service, registered through the same service a counsellor uses."""
        User = get_user_model()
        today = timezone.localdate()
        cases = [
            # (reference suffix, born, first, last, route, seized, guardians)
            ("0001", datetime.date(1998, 3, 14), "Jonas", "Berg", "order", [("cannabis", "4", "g")], []),
            (
                "0002",
                today - datetime.timedelta(days=16 * 365 + 30),  # 16 years old
                "Sara",
                "Lunde",
                "condition",
                [("mdma", "0.8", "g"), ("cannabis", "3", "g")],
                [GuardianDetails(name="Hilde Lunde", relation="mor", phone="+4791234567")],
            ),
            ("0003", datetime.date(1987, 11, 2), "Ali", "Hassan", "condition", [("heroin", "7", "g")], []),
        ]
        for slug, district in (("oslo", "oslo"), ("bergen", "vest")):
            service = CounsellingService.objects.get(slug=slug)
            counsellor = User.objects.get(username=f"{slug}-radgiver1")
            for number, (suffix, born, first, last, route, seized, guardians) in enumerate(cases):
                reference = f"{today.year}-{slug}-{suffix}"
                if Referral.objects.filter(police_district=district, police_reference=reference).exists():
                    continue
                referral = referral_register(
                    actor=admin,
                    service=service,
                    person_details=PersonDetails(
                        national_id=example_national_id(born, 100 + number * 7 + (50 if slug == "bergen" else 0)),
                        first_name=first,
                        last_name=last,
                    ),
                    details=ReferralDetails(
                        route=route,
                        police_district=district,
                        police_reference=reference,
                        incident_date=today - datetime.timedelta(days=14),
                        decision_date=today - datetime.timedelta(days=7),
                        attendance_deadline=today + datetime.timedelta(days=21 + number * 7),
                        seized=seized,
                        guardians=guardians,
                    ),
                )
                referral_assign(actor=admin, referral=referral, counsellor=counsellor)

    def _demo_person_known_to_both(self, admin):
        """One person with a case in each service: each service has its own record of her, with the contact details
        it entered, and neither sees the other's (README, "Each service is its own controller")."""
        today = timezone.localdate()
        national_id = example_national_id(datetime.date(1993, 5, 17), 420)
        both = [
            ("oslo", "oslo", "+4791111111", "kari.oslo@example.org", "Osloveien 1", "0150", "Oslo"),
            ("bergen", "vest", "+4792222222", "kari.bergen@example.org", "Bergensgaten 2", "5003", "Bergen"),
        ]
        for slug, district, phone, email, street, postal_code, town in both:
            reference = f"{today.year}-{slug}-0009"
            if Referral.objects.filter(police_district=district, police_reference=reference).exists():
                continue
            referral_register(
                actor=admin,
                service=CounsellingService.objects.get(slug=slug),
                person_details=PersonDetails(
                    national_id=national_id,
                    first_name="Kari",
                    last_name="Delt",
                    phone=phone,
                    email=email,
                    street_address=street,
                    postal_code=postal_code,
                    postal_town=town,
                ),
                details=ReferralDetails(
                    route="condition",
                    police_district=district,
                    police_reference=reference,
                    incident_date=today - datetime.timedelta(days=10),
                    decision_date=today - datetime.timedelta(days=5),
                    attendance_deadline=today + datetime.timedelta(days=45),
                    seizure_unknown=True,
                ),
            )

    def _demo_meetings_held(self, admin):
        """Two Oslo cases whose meeting took place on the last working day, so the fee work list and the police
        reports have something in them: a no-show under the order route (fees are on in Oslo) and an attended
        condition."""

        service = CounsellingService.objects.get(slug="oslo")
        # Fees on to show the flow, on a basis that says what it is: the 2021 proposal, which never became law.
        # Set again on every run, so an older demo database gets the basis too.
        FeePolicy.objects.update_or_create(
            service=service,
            defaults={
                "fees_enabled": True,
                "legal_basis_citation": DEMO_LEGAL_BASIS_CITATION,
                "legal_basis_text": DEMO_LEGAL_BASIS_TEXT,
            },
            create_defaults={
                "fees_enabled": True,
                "legal_basis_citation": DEMO_LEGAL_BASIS_CITATION,
                "legal_basis_text": DEMO_LEGAL_BASIS_TEXT,
                "appeal_body": "klagenemnda i Oslo kommune",
                "payment_instructions": "Betal til kontonummer 1234.56.78903 og merk betalingen med saksnummeret.",
            },
        )
        counsellor = get_user_model().objects.get(username="oslo-radgiver2")
        place = Location.objects.get(service=service, name="Kontoret")
        today = timezone.localdate()
        # The last working day before today: a service holds no meetings at weekends or on public holidays.
        yesterday = timezone.localtime() - datetime.timedelta(days=1)
        while not is_working_day(yesterday.date()):
            yesterday -= datetime.timedelta(days=1)
        held = [
            ("0004", datetime.date(1995, 6, 1), "Lars", "Moe", "order", [("cannabis", "6", "g")], "no_show"),
            ("0005", datetime.date(1991, 2, 9), "Nina", "Aas", "condition", [("cocaine", "3", "g")], "attended"),
        ]
        for number, (suffix, born, first, last, route, seized, outcome) in enumerate(held):
            reference = f"{today.year}-oslo-{suffix}"
            if Referral.objects.filter(police_district="oslo", police_reference=reference).exists():
                continue
            referral = referral_register(
                actor=admin,
                service=service,
                person_details=PersonDetails(
                    national_id=example_national_id(born, 300 + number * 7), first_name=first, last_name=last
                ),
                details=ReferralDetails(
                    route=route,
                    police_district="oslo",
                    police_reference=reference,
                    incident_date=today - datetime.timedelta(days=30),
                    decision_date=today - datetime.timedelta(days=21),
                    attendance_deadline=today + datetime.timedelta(days=14),
                    seized=seized,
                ),
            )
            referral_assign(actor=admin, referral=referral, counsellor=counsellor)
            # Written directly: booking refuses a time in the past, and this meeting is the demo's history.
            starts_at = yesterday.replace(hour=10 + number, minute=0, second=0, microsecond=0)
            meeting = Meeting.objects.create(
                referral=referral,
                counsellor=counsellor,
                location=place,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=45),
                booked_by=counsellor,
            )
            # Its summons, posted a week before: without that proof of dispatch a no-show leads to nothing.
            posted = yesterday.date() - datetime.timedelta(days=7)
            try:
                letters = summons_letters_make(actor=counsellor, meeting=meeting)
            except OSError as error:  # the PDF needs Pango (make system-deps)
                self.stderr.write(f"Skipped the demo summons: {error}")
            else:
                Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(
                    dispatch_method=DispatchMethod.POSTED,
                    sent_on=posted,
                    delivered_on=presumed_arrival(service, posted),
                )
            details = AttendanceDetails(outcome=outcome)
            if outcome == "attended":
                details = AttendanceDetails(outcome=outcome, risk_information_given=True, consent=False)
            try:
                attendance_record(actor=counsellor, meeting=meeting, details=details)
            except OSError as error:  # the police report's PDF needs Pango (make system-deps)
                self.stderr.write(f"Skipped the demo police report: {error}")

    def _demo_drug_testing(self):
        """Ali Hassan's Oslo case (condition route) gets the prosecution's drug-testing condition, three weeks into
        its eight: a sample taken two weeks ago by a counsellor other than his own, a no-show last week, and a
        call-in confirmed for today, its SMS and e-mail waiting for the morning's send. The unit holds no tests on a
        day it is closed, so at a weekend or on a public holiday that call-in is on the next working day instead."""
        today = timezone.localdate()
        referral = (
            Referral.objects.select_related("person", "service", "assigned_counsellor")
            .filter(police_district="oslo", police_reference=f"{today.year}-oslo-0003")
            .first()
        )
        if referral is None or TestingProgramme.objects.filter(referral=referral).exists():
            return
        service, own_counsellor = referral.service, referral.assigned_counsellor
        collector = get_user_model().objects.get(username="oslo-radgiver2")  # not his own counsellor, as the rule is
        collector_membership = StaffMembership.objects.get(user=collector, service=service, is_active=True)
        # A call-in reaches the person by SMS or e-mail: the demo person gets made-up contact details.
        person = referral.person
        if not (person.phone or person.email):
            Person.objects.filter(pk=person.pk).update(phone="+4793333333", email="ali.hassan@example.org")
            person.refresh_from_db()
        urine, _ = SampleType.objects.get_or_create(name="Urin")
        programme = programme_register(
            actor=own_counsellor,
            referral=referral,
            details=ProgrammeDetails(
                starts_on=today - datetime.timedelta(days=21),
                ends_on=today + datetime.timedelta(days=35),
                planned_tests=6,
                announced=True,
                unannounced=True,
                sample_type_id=urine.pk,
                requester="Oslo politidistrikt, påtaleenheten",
                police_district="oslo",
                prosecution_reference=f"{today.year}-PÅT-0003",
            ),
        )
        place = call_in_location(service)
        zone = timezone.get_current_timezone()

        def call_in(day: datetime.date) -> DrugTest:
            """A confirmed call-in with its messages, written directly as the demo's held meetings are: confirming
            one through the service refuses a day already begun."""
            test = DrugTest(
                programme=programme,
                kind=DrugTestKind.CALL_IN,
                status=DrugTestStatus.PLANNED,
                day=day,
                location=place,
                planned_by=own_counsellor,
            )
            test.starts_at = call_in_sent_at(test)
            test.ends_at = datetime.datetime.combine(day, programme.call_in_by, zone)
            test.save()
            past = day < today
            CallInMessage.objects.bulk_create(
                CallInMessage(
                    test=test,
                    purpose=CallInPurpose.CALL_IN,
                    channel=channel,
                    address=address,
                    language=person.preferred_language or "nb",
                    due_at=test.starts_at,
                    state=CallInState.SENT if past else CallInState.PENDING,
                    attempts=1 if past else 0,
                    sent_at=test.starts_at if past else None,
                )
                for channel, address in ((CallInChannel.SMS, person.phone), (CallInChannel.EMAIL, person.email))
                if address
            )
            return test

        def last_working_day_from(day: datetime.date) -> datetime.date:
            while not is_working_day(day):
                day -= datetime.timedelta(days=1)
            return day

        # The past call-ins' outcomes, recorded through the same service the collector uses.
        taken_day = last_working_day_from(today - datetime.timedelta(days=14))
        drug_test_outcome_record(
            actor=collector,
            actor_membership=collector_membership,
            test=call_in(taken_day),
            details=OutcomeDetails(
                outcome=DrugTestOutcome.TAKEN,
                collector_id=collector.pk,
                outcome_at=datetime.datetime.combine(taken_day, datetime.time(10, 20), zone),
                identity_checked=True,
                sampling_observed=True,
                sample_sealed=True,
                sample_number=f"DEMO-{taken_day:%Y%m%d}-01",
            ),
        )
        missed_day = last_working_day_from(today - datetime.timedelta(days=7))
        drug_test_outcome_record(
            actor=collector,
            actor_membership=collector_membership,
            test=call_in(missed_day),
            details=OutcomeDetails(
                outcome=DrugTestOutcome.NO_SHOW,
                outcome_at=datetime.datetime.combine(missed_day, programme.call_in_by, zone),
            ),
        )
        call_in(next_working_day(today))
