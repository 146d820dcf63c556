"""A person known to two counselling services: each service sees only what it entered itself.

Each service is the data controller for its own cases (README, "Each service is its own controller"): the same
national ID in two services is two person records, each with the contact details its own service entered. Here
Kari Nordmann is known to Oslo and to Bergen, with a full case in each, and every page of the URL matrix
(tests/portal/test_permission_matrix.py) is opened in one service on that service's objects: nothing Bergen entered
may show in Oslo, and the other way round. A new page joins the walk the way it joins the matrix, by being
decorated with `service_view`.

A walk that finds nothing proves little when nothing is shown at all, so the pages that show the person's details
are checked to show the service's own; and the Django admin is walked too.
"""

import datetime
import functools
import html
import io
import itertools
import json
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from pypdf import PdfReader

from counselling.attendance.models import Attendance, NeedsAssessment
from counselling.scheduling.models import Reminder
from fees.models import CollectionExport, FeeCaseStatus
from fees.services import fee_collection_export
from portal.admin_scoping import ServiceScopedAdmin
from portal.audit import audit_read
from portal.models import Role
from portal.pdf import html_to_pdf
from privacy.break_glass import break_the_glass_open
from privacy.retention import legal_hold_set
from referrals.identity import example_national_id
from referrals.models import PoliceDistrict, Referral, ReferralStatus
from referrals.services import referral_assign
from tests.factories import (
    FlagFactory,
    LetterFactory,
    LocationFactory,
    MeetingFactory,
    PersonFactory,
    PoliceReportFactory,
    ReferralFactory,
    StaffMembershipFactory,
)
from tests.fees.factories import FeeCaseFactory, FeeLetterFactory, FeePolicyFactory, OrderReferralFactory
from tests.portal.test_permission_matrix import SCOPED, _url, _visit

KARI_BORN = datetime.date(1990, 3, 14)
KARI_ID = example_national_id(KARI_BORN)


@dataclass(frozen=True)
class Entered:
    """What one service entered about Kari and her cases: every text here is found in no other service."""

    city: str
    phone: str  # stored in E.164
    email: str
    street: str
    postal_code: str
    police_district: str
    police_reference: str  # this year's case: a police order
    earlier_reference: str  # last year's case: a condition of waived prosecution
    counsellor: tuple[str, str]
    colleague: tuple[str, str]
    lead: tuple[str, str]
    fee_officer: tuple[str, str]
    location: str
    confidential_note: str
    persons_account: str  # her answer to the advance notice of the fee
    break_glass_reason: str
    legal_hold_reason: str
    read_before_the_split: str  # the reason of a read logged when one record was shared by every service

    @property
    def phone_written(self) -> list[str]:
        """The number as a page might print it: +4792222222, 92222222, 922 22 222, 92 22 22 22."""
        digits = self.phone.removeprefix("+47")
        pairs = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
        return [self.phone, digits, f"{digits[:3]} {digits[3:5]} {digits[5:]}", pairs]

    @property
    def markers(self) -> list[str]:
        names = [" ".join(name) for name in (self.counsellor, self.colleague, self.lead, self.fee_officer)]
        return [
            *self.phone_written,
            self.email,
            self.street,
            self.police_reference,
            self.earlier_reference,
            *names,
            self.location,
            self.confidential_note,
            self.persons_account,
            self.break_glass_reason,
            self.legal_hold_reason,
            self.read_before_the_split,
        ]


OSLO = Entered(
    city="Oslo",
    phone="+4791111111",
    email="kari.oslo@example.org",
    street="Osloveien 1",
    postal_code="0150",
    police_district=PoliceDistrict.OSLO,
    police_reference="2026-OSLO-1",
    earlier_reference="2025-OSLO-7",
    counsellor=("Olav", "Oslosen"),
    colleague=("Oda", "Østbyen"),
    lead=("Lise", "Lindern"),
    fee_officer=("Frode", "Frognerseter"),
    location="Grønland rådgivning",
    confidential_note="Sover hos en venn på Tøyen.",
    persons_account="Jobber nattskift på Alnabru.",
    break_glass_reason="Olav er syk; Kari ringte Oslo om timen.",
    legal_hold_reason="Klage til Statsforvalteren i Oslo og Viken.",
    read_before_the_split="Vakt i Oslo før skillet.",
)
BERGEN = Entered(
    city="Bergen",
    phone="+4792222222",
    email="kari.bergen@example.org",
    street="Bergensgaten 2",
    postal_code="5003",
    police_district=PoliceDistrict.VEST,
    police_reference="2026-BERGEN-1",
    earlier_reference="2025-BERGEN-7",
    counsellor=("Berit", "Bergesen"),
    colleague=("Bjørn", "Brattland"),
    lead=("Lars", "Laksevåg"),
    fee_officer=("Frida", "Fyllingsdalen"),
    location="Bryggen rådgivning",
    confidential_note="Bor på hybel ved Nygårdsparken.",
    persons_account="Studerer på Høyden og har lite penger.",
    break_glass_reason="Berit er på kurs; Kari ringte Bergen om timen.",
    legal_hold_reason="Klage til Statsforvalteren i Vestland.",
    read_before_the_split="Vakt i Bergen før skillet.",
)


@dataclass
class Known:
    """Kari as one service knows her: its record of her, its case and its staff on it."""

    entered: Entered
    service: object
    staff: dict  # role -> the user of the service in that role who works on Kari's case
    person: object
    objects: dict  # URL kwarg -> the ids of the service's objects about Kari, this year's case first

    @property
    def markers(self) -> list[str]:
        """What the service entered, and its name: a page of another service that named it would tell that Kari
        has a case here."""
        return [*self.entered.markers, self.service.name]

    def urls(self, name: str, user) -> list[str]:
        """The page's URL on each of the service's objects about Kari it can name; other kwargs (an absence, a
        membership, a staff member) get an object of the service through the matrix's OBJECT_KWARGS, made for
        `user` where the object is the visitor's own (an absence)."""
        pattern = SCOPED[name]
        keys = [key for key in pattern.pattern.converters if key in self.objects]
        return [
            _url(name, pattern, self.service, user, dict(zip(keys, ids, strict=True)))
            for ids in itertools.product(*(self.objects[key] for key in keys))
        ]

    def url(self, name: str, user, **which: int) -> str:
        """The page's URL on the first of the service's objects of each kind, or the one `which` numbers."""
        pattern = SCOPED[name]
        chosen = {key: ids[which.get(key, 0)] for key, ids in self.objects.items() if key in pattern.pattern.converters}
        return _url(name, pattern, self.service, user, chosen)


@functools.cache
def _document(entered: Entered) -> bytes:
    """A stored letter or report, made as the portal makes them (WeasyPrint), addressed to the service's record of
    Kari: a page that served another service's document would show its details. Made once per test run."""
    return html_to_pdf(
        f"<p>Kari Nordmann<br>{entered.street}<br>{entered.postal_code} {entered.city}</p>"
        f"<p>Telefon {entered.phone_written[2]}, e-post {entered.email}</p><p>Saken {entered.police_reference}</p>"
    )


def _staff(service, role, name: tuple[str, str]):
    first, last = name
    return StaffMembershipFactory(
        service=service,
        role=role,
        user__username=f"{service.slug}-{last.lower()}",
        user__first_name=first,
        user__last_name=last,
    ).user


def _known_to(service, entered: Entered, *, shared_record_id=None) -> Known:
    """Kari in `service`, with a case of every kind the portal keeps, each object hung on the service's record of
    her (the factories' SubFactory paths are given the referral, so nothing lands on a stray person)."""
    lead = _staff(service, Role.SERVICE_LEAD, entered.lead)
    counsellor = _staff(service, Role.COUNSELLOR, entered.counsellor)
    colleague = _staff(service, Role.COUNSELLOR, entered.colleague)
    fee_officer = _staff(service, Role.FEE_OFFICER, entered.fee_officer)
    FeePolicyFactory(service=service)
    now, today = timezone.now(), timezone.localdate()
    document = _document(entered)

    person = PersonFactory(
        service=service,
        national_id=KARI_ID,
        date_of_birth=KARI_BORN,
        first_name="Kari",
        last_name="Nordmann",
        phone=entered.phone,
        email=entered.email,
        street_address=entered.street,
        postal_code=entered.postal_code,
        postal_town=entered.city,
        shared_record_id=shared_record_id,
    )
    location = LocationFactory(service=service, name=entered.location)

    # Last year's case: a condition of waived prosecution; she came, was assessed, and the police were told.
    earlier = ReferralFactory(
        service=service,
        person=person,
        police_district=entered.police_district,
        police_reference=entered.earlier_reference,
        incident_date=datetime.date(2025, 2, 1),
        decision_date=datetime.date(2025, 2, 20),
        attendance_deadline=datetime.date(2025, 5, 20),
        assigned_counsellor=counsellor,
        created_by=lead,
        status=ReferralStatus.CLOSED,
    )
    attended = MeetingFactory(
        referral=earlier,
        counsellor=counsellor,
        location=location,
        starts_at=now - datetime.timedelta(days=300),
        status="held",
    )
    attendance = Attendance.objects.create(
        meeting=attended, outcome="attended", person_present=True, consent=True, recorded_by=counsellor
    )
    NeedsAssessment.objects.create(
        attendance=attendance, needs=["housing"], confidential_note=entered.confidential_note
    )
    report = PoliceReportFactory(meeting=attended, kind="attended", pdf=ContentFile(document, "politimelding.pdf"))
    legal_hold_set(actor=lead, referral=earlier, hold=True, reason=entered.legal_hold_reason)

    # This year's case: a police order. She missed the first meeting; the fee was imposed, became final and went to
    # collection. A new meeting is booked, its summons e-mailed and bounced (the flag), its reminders waiting.
    referral = OrderReferralFactory(
        service=service,
        person=person,
        police_district=entered.police_district,
        police_reference=entered.police_reference,
        created_by=lead,
    )
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)
    missed = MeetingFactory(
        referral=referral,
        counsellor=counsellor,
        location=location,
        starts_at=now - datetime.timedelta(days=40),
        status="held",
    )
    Attendance.objects.create(meeting=missed, outcome="no_show", recorded_by=counsellor)
    fee_case = FeeCaseFactory(
        referral=referral,
        meeting=missed,
        proposed_by=counsellor,
        proposed_at=now - datetime.timedelta(days=40),
        answer_received_on=today - datetime.timedelta(days=30),
        answer_situation=entered.persons_account,
        hardship_persons_account=entered.persons_account,
        hardship_reasoning="Et gebyr er ikke urimelig tyngende.",
        hardship_unreasonably_burdensome=False,
        hardship_assessed_by=fee_officer,
        hardship_assessed_at=now - datetime.timedelta(days=25),
        outcome="imposed",
        decided_amount=2690,
        reasons="Hun møtte ikke og har ikke gitt en gyldig grunn.",
        decided_by=fee_officer,
        decided_at=now - datetime.timedelta(days=25),
        notified_on=today - datetime.timedelta(days=24),
        appeal_deadline=today - datetime.timedelta(days=3),
        status=FeeCaseStatus.FINAL,
        final_at=now - datetime.timedelta(days=2),
    )
    fee_letter = FeeLetterFactory(
        fee_case=fee_case, kind="decision", created_by=fee_officer, pdf=ContentFile(document, "vedtak.pdf")
    )
    # The real export, made by the product code: the file holds the address of the service's record.
    fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
    export = CollectionExport.objects.get(service=service)

    upcoming = MeetingFactory(
        referral=referral, counsellor=counsellor, location=location, starts_at=now + datetime.timedelta(days=3)
    )
    for channel, address in (("sms", entered.phone), ("email", entered.email)):
        Reminder.objects.create(
            meeting=upcoming,
            days_before=1,
            channel=channel,
            recipient_kind="person",
            address=address,
            due_at=upcoming.starts_at - datetime.timedelta(days=1),
        )
    letter = LetterFactory(
        meeting=upcoming,
        email=entered.email,
        email_error=f"SMTP 550 <{entered.email}>: mailbox unavailable",
        pdf=ContentFile(document, "innkalling.pdf"),
    )
    flag = FlagFactory(letter=letter)
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.BOOKED)

    # Reads in the access log: a colleague opening the case with a reason, and an older read, which for a record split
    # from the one the services shared is logged under the shared record's id (the audit log is append-only).
    break_glass = break_the_glass_open(actor=colleague, referral=referral, reason=entered.break_glass_reason)
    audit_read(
        actor=colleague,
        action="referral.break_the_glass",
        obj=earlier,
        person_id=shared_record_id or person.pk,
        reason=entered.read_before_the_split,
    )

    return Known(
        entered=entered,
        service=service,
        staff={Role.SERVICE_LEAD: lead, Role.COUNSELLOR: counsellor, Role.FEE_OFFICER: fee_officer},
        person=person,
        objects={
            "person_pk": [person.pk],
            "referral_pk": [referral.pk, earlier.pk],
            "meeting_pk": [upcoming.pk, missed.pk, attended.pk],
            "letter_pk": [letter.pk],
            "report_pk": [report.pk],
            "flag_pk": [flag.pk],
            "fee_case_pk": [fee_case.pk],
            "fee_letter_pk": [fee_letter.pk],
            "export_pk": [export.pk],
            # About Kari's case, so the service's own (the matrix's factory would open somebody else's).
            "break_glass_pk": [break_glass.pk],
        },
    )


REGISTERED_TWICE, SPLIT = "registered-by-each-service", "split-from-the-shared-record"


@pytest.fixture(params=[REGISTERED_TWICE, SPLIT])
def kari(request, service, other_service) -> dict[str, Known]:
    """Kari known to Oslo and to Bergen: registered by each (two records that share only her identity), or split,
    as referrals 0013 left a person both knew before records were per service: Oslo kept the shared row and Bergen
    has a copy that remembers its id (Person.shared_record_id). Then Bergen's reads from before the split carry the
    id of Oslo's record, and only the service tells them apart: the harder of the two for every page that reads the
    audit log."""
    oslo = _known_to(service, OSLO)
    shared = oslo.person.pk if request.param == SPLIT else None
    bergen = _known_to(other_service, BERGEN, shared_record_id=shared)
    return {"oslo": oslo, "bergen": bergen}


# What some pages need to show Kari at all: the intake look-up asks by national ID, the lists are searched for her.
POSTED = {"referrals:person_lookup": {"national_id": KARI_ID}}
SEARCHED = {"referrals:caseload": {"q": KARI_ID}, "privacy:access_log": {"person": KARI_ID}}


def _text(response) -> str:
    """The body as text, whitespace collapsed: HTML unescaped, JSON decoded (so "å" is not "\\u00e5"), CSV as is, a
    PDF's text extracted."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"%PDF"):
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    else:
        text = body.decode("utf-8-sig")
        if "json" in response.get("Content-Type", ""):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        else:
            text = html.unescape(text)
    return " ".join(text.split())


def _read(client, name: str, url: str) -> str:
    """The page as its visitor sees it: GET, or POST where the endpoint takes only that (the matrix's `_visit`),
    redirects followed so that the page an action lands on, with its message, is read too."""
    if name in SEARCHED:
        url = f"{url}?{urlencode(SEARCHED[name])}"
    response = _visit(client, url, POSTED.get(name), follow=True)
    landed = [to for to, _status in response.redirect_chain]
    assert response.status_code == 200, f"{url}: {response.status_code} after {landed}"
    # Turned away (to log in again, or to state a reason) would be a page that shows nothing: the walk needs a way in.
    assert not any(to.startswith((reverse("login"), reverse("portal:reauth"))) for to in landed), landed
    assert not any(resolve(to.split("?")[0]).url_name == "break_glass" for to in landed), landed
    return _text(response)


def _found(markers, text: str) -> list[str]:
    return [marker for marker in markers if " ".join(marker.split()) in text]


DIRECTIONS = {"oslo-shows-nothing-of-bergen": ("oslo", "bergen"), "bergen-shows-nothing-of-oslo": ("bergen", "oslo")}


@pytest.mark.parametrize(("own", "other"), DIRECTIONS.values(), ids=DIRECTIONS.keys())
@pytest.mark.parametrize("name", sorted(SCOPED))
# Pages read by foreign key are alike in both histories; the split one also tests every read of the audit log, and
# walking it alone keeps the walk's time down.
@pytest.mark.parametrize("kari", [SPLIT], indirect=True)
def test_a_page_of_one_service_shows_nothing_another_service_entered_about_the_same_person(
    client, kari, name, own, other
):
    mine, theirs = kari[own], kari[other]
    # Every role the page lets in: what a page shows can depend on who looks (a counsellor starts from their own
    # cases, a fee officer from the fees). Each works on Kari's case, so none is asked for a break-the-glass reason.
    for role in sorted(SCOPED[name].callback.allowed_roles):
        user = mine.staff[role]
        client.force_login(user)
        for url in mine.urls(name, user):
            leaked = _found(theirs.markers, _read(client, name, url))
            assert leaked == [], f"{url}, read by the {role} of {own}, shows what {other} entered: {leaked}"


# The pages that show Kari's details, which of the service's own each must show, and on which of its objects (the
# index into Known.objects, the first by default: this year's case).
OWN_DETAILS = {
    "referrals:detail": (("phone", "email", "street", "police_reference"), {}),
    "referrals:person_lookup": (("phone", "email", "street", "police_reference", "earlier_reference"), {}),
    "privacy:person_data_json": (
        ("phone", "email", "street", "police_reference", "earlier_reference", "confidential_note", "colleague"),
        {},
    ),
    "privacy:person_data_pdf": (("phone", "email", "street", "police_reference", "earlier_reference"), {}),
    # The person's own access log: the service's reads, those from before the split under the shared record's id too.
    "privacy:access_log_person_csv": (("colleague", "break_glass_reason", "read_before_the_split"), {}),
    "privacy:access_log_person_pdf": (("colleague", "break_glass_reason", "read_before_the_split"), {}),
    "fees:collection_csv": (("street", "police_reference"), {}),
    "attendance:meeting": (("confidential_note", "location"), {"meeting_pk": 2}),  # last year's, assessed
    # The stored documents, read as PDF text like the exports.
    "scheduling:letter_pdf": (("street", "email", "police_reference"), {}),
    "attendance:police_report_pdf": (("street", "email", "police_reference"), {}),
    "fees:letter_pdf": (("street", "email", "police_reference"), {}),
}


def _entered(entered: Entered, what: str) -> str:
    value = getattr(entered, what)
    return " ".join(value) if isinstance(value, tuple) else value  # a staff member's name


@pytest.mark.parametrize("own", ["oslo", "bergen"])
def test_the_pages_about_the_person_show_the_details_the_service_entered_itself(client, kari, own):
    """The walk's other half: where it finds none of the other service's details, these pages do show the service's
    own, so an empty page cannot pass for a separated one. (One test for all of them: the scene is built once.)"""
    mine = kari[own]
    lead = mine.staff[Role.SERVICE_LEAD]
    client.force_login(lead)  # a fresh login: the exports ask for the password to have been checked recently
    missing = {}
    for name, (expected, which) in OWN_DETAILS.items():
        text = _read(client, name, mine.url(name, lead, **which))
        missing[name] = [what for what in expected if _entered(mine.entered, what) not in text]
    assert {name: what for name, what in missing.items() if what} == {}


# Every changelist of a model that belongs to a service (the admin scopes it to the administrator's services).
SERVICE_ADMIN = {
    model: f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ServiceScopedAdmin)
}


def _administrator(known: Known):
    """A staff member who administers the one service: its lead, with the admin's view permission on every model
    of the service's records, and no superuser."""
    user = StaffMembershipFactory(
        service=known.service, role=Role.SERVICE_LEAD, user__username=f"{known.service.slug}-admin", user__is_staff=True
    ).user
    codenames = [f"view_{model._meta.model_name}" for model in SERVICE_ADMIN]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize(("own", "other"), DIRECTIONS.values(), ids=DIRECTIONS.keys())
def test_the_admin_lists_only_the_services_own_record_of_the_person_and_its_cases(client, kari, own, other):
    mine, theirs = kari[own], kari[other]
    client.force_login(_administrator(mine))

    persons = client.get(reverse("admin:referrals_person_changelist"), {"q": KARI_ID})
    assert [(person.service.slug, person.phone) for person in persons.context["cl"].result_list] == [
        (own, mine.entered.phone)
    ]
    referrals = client.get(reverse("admin:referrals_referral_changelist"))
    assert {r.police_reference for r in referrals.context["cl"].result_list} == {
        mine.entered.police_reference,
        mine.entered.earlier_reference,
    }
    for page in (persons, referrals):
        assert _found(theirs.entered.markers, _text(page)) == []

    # The record itself: the service's own details; the other service's record is not found at all.
    record = client.get(reverse("admin:referrals_person_change", args=[mine.person.pk]))
    assert _found([mine.entered.phone, mine.entered.email, mine.entered.street], _text(record)) == [
        mine.entered.phone,
        mine.entered.email,
        mine.entered.street,
    ]
    assert _found(theirs.entered.markers, _text(record)) == []
    other_record = client.get(reverse("admin:referrals_person_change", args=[theirs.person.pk]))
    assert other_record.status_code == 302 and other_record.url == reverse("admin:index")

    # Nor does the referral's person field offer it, looked up by her national ID.
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "referrals", "model_name": "referral", "field_name": "person", "term": KARI_ID},
    )
    assert [result["id"] for result in found.json()["results"]] == [str(mine.person.pk)]


@pytest.mark.parametrize(("own", "other"), DIRECTIONS.values(), ids=DIRECTIONS.keys())
@pytest.mark.parametrize("kari", [SPLIT], indirect=True)
def test_no_admin_list_of_one_service_shows_what_another_service_entered_about_the_same_person(
    client, kari, own, other
):
    mine, theirs = kari[own], kari[other]
    client.force_login(_administrator(mine))
    leaks = {}
    for model, changelist in SERVICE_ADMIN.items():
        response = client.get(reverse(changelist))
        assert response.status_code == 200, changelist
        leaks[model._meta.label] = _found(theirs.entered.markers, _text(response))
    assert {label: found for label, found in leaks.items() if found} == {}


@pytest.mark.parametrize("kari", [SPLIT], indirect=True)
def test_the_admins_filters_offer_only_the_services_own_places_and_services(client, kari):
    """Django's filter by a related row lists every row of that model; the scoped admin's lists only those its rows
    refer to (portal.admin_scoping.ServiceScopedAdmin.get_list_filter)."""
    client.force_login(_administrator(kari["oslo"]))
    response = client.get(reverse("admin:scheduling_openinghours_changelist"))
    assert _found([BERGEN.location], _text(response)) == []
    persons = client.get(reverse("admin:referrals_person_changelist"))
    assert kari["bergen"].service.name not in _text(persons)
