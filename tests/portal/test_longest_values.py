"""The longest values the forms accept fit everywhere they are copied: letters, reminders, police reports, fee
letters, the collection file, the timeline and the audit log.

A person whose name is as long as the intake form allows is registered with a guardian whose every field is as
long as allowed, and walked through two cases: one attended under the condition route (reported to the police),
one missed under the order route (reported on request, then the whole fee case to collection). Afterwards every
text column of every table is searched for the typed values: wherever one landed, it is whole.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from counselling.attendance.models import PoliceReport
from counselling.scheduling.models import Letter, Meeting, Reminder, ReminderRule
from counselling.scheduling.services.letters import letter_email_send
from counselling.scheduling.services.reminders import reminders_send_due
from fees.models import FeeCase, FeeCaseStatus, FeeLetter
from portal.models import AuditEvent, Role
from referrals.forms import GuardianForm, IntakeForm
from referrals.identity import example_national_id
from referrals.models import Guardian, Person, Referral, ReferralEvent
from tests.conftest import default_reminders_install
from tests.factories import StaffMembershipFactory, open_every_day
from tests.fees.factories import FeePolicyFactory

pytestmark = pytest.mark.usefixtures("thresholds_2021", "court_fee_rates")


def longest(word: str, length: int) -> str:
    """`word` repeated to exactly `length` characters, with no space at either end to be stripped."""
    text = (word * (length // len(word) + 1))[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def form_length(form_class, name: str) -> int:
    return form_class.base_fields[name].max_length


def email_of(length: int, local: str, domain: str) -> str:
    """A valid address of exactly `length` characters: a 64-character local part, 63-character domain labels."""
    address = f"{local * 64}@{domain * 63}.{domain * 63}."
    address += domain * (length - len(address) - 3) + ".no"
    assert len(address) == length
    return address


EMAIL_LENGTH = Person._meta.get_field("email").max_length
FIRST_NAME = longest("Førstenavn-", form_length(IntakeForm, "first_name"))
LAST_NAME = longest("Etternavnsen-", form_length(IntakeForm, "last_name"))
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"
PERSON = {
    "first_name": FIRST_NAME,
    "last_name": LAST_NAME,
    # 30 characters as typed; kept in E.164.
    "phone": "+47" + " " * 7 + "912" + " " * 6 + "34" + " " * 6 + "567",
    "email": email_of(EMAIL_LENGTH, "p", "e"),
    "street_address": longest("Personens gateadresse ", form_length(IntakeForm, "street_address")),
    "postal_code": "0155",
    "postal_town": longest("Personens poststed ", form_length(IntakeForm, "postal_town")),
}
GUARDIAN = {
    "name": longest("Verge Vergesen-", form_length(GuardianForm, "name")),
    "relation": longest("Oppnevnt verge ", form_length(GuardianForm, "relation")),
    "phone": "+47" + " " * 7 + "912" + " " * 6 + "34" + " " * 6 + "568",
    "email": email_of(EMAIL_LENGTH, "v", "f"),
    "street_address": longest("Vergens gateadresse ", form_length(GuardianForm, "street_address")),
    "postal_code": "0150",
    "postal_town": longest("Vergens poststed ", form_length(GuardianForm, "postal_town")),
}
REFERENCE_LENGTH = form_length(IntakeForm, "police_reference")
CONDITION_REFERENCE = longest("2026-123456-", REFERENCE_LENGTH)
ORDER_REFERENCE = longest("2026-654321-", REFERENCE_LENGTH)

# What was typed (or, for the name, put together from it), to be found whole wherever it was copied.
TYPED = {
    "the person's full name": FULL_NAME,
    "the person's street address": PERSON["street_address"],
    "the person's postal town": PERSON["postal_town"],
    "the person's email": PERSON["email"],
    "the guardian's name": GUARDIAN["name"],
    "the guardian's relation": GUARDIAN["relation"],
    "the guardian's street address": GUARDIAN["street_address"],
    "the guardian's postal town": GUARDIAN["postal_town"],
    "the guardian's email": GUARDIAN["email"],
    "the police reference (condition)": CONDITION_REFERENCE,
    "the police reference (order)": ORDER_REFERENCE,
}


def test_the_values_are_as_long_as_the_forms_allow():
    assert len(FIRST_NAME) == 100 and len(LAST_NAME) == 100 and len(FULL_NAME) == 201
    assert len(GUARDIAN["name"]) == 200 and len(PERSON["phone"]) == form_length(IntakeForm, "phone")


def rows(prefix, items):
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ok(response, *expected):
    assert response.status_code in (expected or (200, 302)), response.status_code
    return response


def page(name, service, **kwargs):
    return reverse(name, kwargs={"service_slug": service.slug, **kwargs})


@pytest.fixture
def reminder_rules(db):
    """The shipped rules and texts (browser tests may have flushed them)."""
    for channel in ("email", "sms"):
        ReminderRule.objects.get_or_create(days_before=1, channel=channel, defaults={"send_at": datetime.time(10)})
    default_reminders_install()


@pytest.fixture
def fee_officer(service):
    return StaffMembershipFactory(service=service, role=Role.FEE_OFFICER, user__username="fee_officer").user


def register(counsellor, service, *, route, reference, born, today):
    data = {
        "national_id": example_national_id(born, 600),
        **PERSON,
        "preferred_language": "nb",
        "service": str(service.pk),
        "route": route,
        "police_district": "oslo",
        "police_reference": reference,
        "incident_date": (today - datetime.timedelta(days=20)).isoformat(),
        "decision_date": (today - datetime.timedelta(days=10)).isoformat(),
        "attendance_deadline": (today + datetime.timedelta(days=30)).isoformat(),
    }
    if route == "order":
        data.update(rows("seized", [{"substance": "cannabis", "quantity": "4", "unit": "g"}]))
    else:
        data.update({"seizure_unknown": "on", **rows("seized", [])})
    data.update(rows("guardians", [GUARDIAN]))
    response = ok(signed_in(counsellor).post(page("referrals:create", service), data), 302)
    return Referral.objects.get(police_reference=reference), response


def book_and_hold(counsellor, service, referral, location, *, hours_ago):
    """Book through the page, send the letters and reminders, then let the meeting take place."""
    client = signed_in(counsellor)
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=3)).replace(
        hour=13, minute=0, second=0, microsecond=0
    )
    ok(
        client.post(
            page("scheduling:book", service, referral_pk=referral.pk),
            {
                "counsellor": counsellor.pk,
                "length_minutes": "45",
                "other_time": f"{starts:%Y-%m-%dT%H:%M}",
                "location": location.pk,
                "late_reason": "",
            },
        ),
        302,
    )
    meeting = referral.meetings.get()
    letters = list(meeting.letters.order_by("recipient_kind"))
    assert sorted(letter.recipient_name for letter in letters) == sorted([FULL_NAME, GUARDIAN["name"]])
    for letter in letters:
        letter_email_send(letter_id=letter.pk)
        ok(client.get(page("scheduling:letter_pdf", service, letter_pk=letter.pk)))
    reminders = list(meeting.reminders.all())
    assert {r.address for r in reminders} >= {PERSON["email"], GUARDIAN["email"]}
    reminders_send_due(now=max(r.due_at for r in reminders) + datetime.timedelta(minutes=1))
    assert {r.state for r in Reminder.objects.filter(meeting=meeting)} == {"sent"}
    # Time passes: the meeting took place.
    starts = timezone.now() - datetime.timedelta(hours=hours_ago)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts, ends_at=starts + datetime.timedelta(minutes=45))
    ok(client.get(page("attendance:meeting", service, meeting_pk=meeting.pk)), 200)
    return meeting


def fee_step(client, service, fee_case, name, **fields):
    data = {f"{name}-{key}": value for key, value in fields.items()}
    response = ok(client.post(page(f"fees:case_{name}", service, fee_case_pk=fee_case.pk), data), 302)
    return response


def test_a_person_and_guardian_with_the_longest_values_go_through_every_step(
    service, counsellor, lead, fee_officer, reminder_rules
):
    FeePolicyFactory(service=service)
    location = open_every_day(service=service, counsellor=counsellor)
    today = timezone.localdate()
    born = today.replace(year=today.year - 16) - datetime.timedelta(days=60)
    mail.outbox.clear()

    # Attended, under the condition route: the attendance confirmation to the police.
    attended, _response = register(
        counsellor, service, route="condition", reference=CONDITION_REFERENCE, born=born, today=today
    )
    person = attended.person
    assert (person.full_name, attended.guardians.get().name) == (FULL_NAME, GUARDIAN["name"])
    meeting = book_and_hold(counsellor, service, attended, location, hours_ago=3)
    client = signed_in(counsellor)
    ok(
        client.post(
            page("attendance:attendance", service, meeting_pk=meeting.pk),
            {"outcome": "attended", "risk_information_given": "on", "consent": "no"},
        ),
        302,
    )
    report = PoliceReport.objects.get(meeting=meeting)
    assert (report.person_name, report.police_reference) == (FULL_NAME, CONDITION_REFERENCE)
    ok(client.get(page("attendance:police_reports", service)), 200)
    ok(client.get(page("attendance:police_report_pdf", service, report_pk=report.pk)), 200)
    ok(client.post(page("attendance:police_report_sent", service, report_pk=report.pk)), 302)

    # Missed, under the order route: a report the lead chooses to make, and the fee case.
    missed, _response = register(counsellor, service, route="order", reference=ORDER_REFERENCE, born=born, today=today)
    meeting = book_and_hold(counsellor, service, missed, location, hours_ago=1)
    ok(client.post(page("attendance:attendance", service, meeting_pk=meeting.pk), {"outcome": "no_show"}), 302)
    lead_client, officer = signed_in(lead), signed_in(fee_officer)
    basis = {"legal_basis": "Samtykke fra personen."}
    ok(lead_client.post(page("attendance:police_report_create", service, meeting_pk=meeting.pk), basis), 302)
    assert PoliceReport.objects.get(meeting=meeting).person_name == FULL_NAME

    fee_case = FeeCase.objects.get(meeting=meeting)
    fee_step(officer, service, fee_case, "notice")
    for letter in fee_case.letters.all():
        sent = {"dispatch-method": "posted", "dispatch-sent_on": today.isoformat()}
        ok(officer.post(page("fees:letter_sent", service, fee_letter_pk=letter.pk), sent))
        ok(officer.get(page("fees:letter_pdf", service, fee_letter_pk=letter.pk)), 200)
    fee_step(officer, service, fee_case, "answer", received_on=today.isoformat(), valid_reason="Glemte avtalen.")
    fee_step(
        officer,
        service,
        fee_case,
        "assess",
        financial_situation="Deltidsjobb.",
        life_situation="Bor hjemme.",
        reasoning="Gebyret er ikke urimelig tyngende.",
        unreasonably_burdensome="no",
    )
    fee_step(
        lead_client,
        service,
        fee_case,
        "decide",
        outcome="imposed",
        reasons="Møtte ikke.",
    )
    fee_step(officer, service, fee_case, "appeal", received_on=today.isoformat(), grounds="Var syk.")
    fee_step(officer, service, fee_case, "forward")
    fee_step(officer, service, fee_case, "appeal_outcome", outcome="upheld", decided_on=today.isoformat())
    fee_step(officer, service, fee_case, "final")
    export = ok(
        officer.post(
            page("fees:collection", service), {"period_start": today.isoformat(), "period_end": today.isoformat()}
        ),
        200,
    )
    assert FULL_NAME in export.content.decode("utf-8")
    fee_step(officer, service, fee_case, "paid", paid_on=today.isoformat())
    fee_case.refresh_from_db()
    assert fee_case.status == FeeCaseStatus.PAID
    assert {letter.recipient_name for letter in FeeLetter.objects.filter(fee_case=fee_case)} == {
        FULL_NAME,
        GUARDIAN["name"],
    }

    # Every page that shows them, and the lead's look-ups and exports.
    ok(client.get(page("referrals:detail", service, referral_pk=missed.pk)), 200)
    ok(client.get(page("referrals:caseload", service), {"q": FULL_NAME}), 200)
    ok(client.post(page("referrals:person_lookup", service), {"national_id": person.national_id}), 200)
    ok(officer.get(page("fees:case", service, fee_case_pk=fee_case.pk)), 200)
    ok(officer.get(page("fees:worklist", service)), 200)
    ok(lead_client.get(page("privacy:access_log", service), {"person": FULL_NAME}), 200)
    for name in ("access_log_person_csv", "access_log_person_pdf", "person_data_json", "person_data_pdf"):
        ok(lead_client.get(page(f"privacy:{name}", service, person_pk=person.pk)), 200)
    assert any(FULL_NAME in message.body for message in mail.outbox)
    assert ReferralEvent.objects.filter(kind="fee_case.letter.dispatched", params__name=FULL_NAME).exists()

    _every_copy_is_whole()


def _text_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                yield model, field


def _every_copy_is_whole():
    """Wherever a typed value landed, the whole value is there: nothing was cut to fit a column."""
    landed = set()
    for what, value in TYPED.items():
        # The name's own start is also the first name's: look for where first and last name meet.
        start = f"{FIRST_NAME[-20:]} {LAST_NAME[:20]}" if value == FULL_NAME else value[:40]
        for model, field in _text_columns():
            for stored in model._default_manager.filter(**{f"{field.name}__contains": start}).values_list(
                field.name, flat=True
            ):
                assert value in stored, f"{what} is cut short in {model.__name__}.{field.name}"
                landed.add(f"{model.__name__}.{field.name}")
    # Every column a value was copied into is in the table the generic test checks, and the walk went through
    # the copies it is about.
    copies = landed - {label for label in landed if label.split(".")[0] in {"Person", "Guardian", "Referral"}}
    assert copies <= {f"{model.__name__}.{name}" for model, name in COPIES}, copies
    assert {
        "Letter.recipient_name",
        "FeeLetter.recipient_name",
        "PoliceReport.person_name",
        "PoliceReport.police_reference",
        "Reminder.address",
        "Letter.email",
        "AuditEvent.object_repr",
    } <= landed, landed


# Each field a value is copied into, and where the value comes from. The generic test below checks the copy's
# column is as long as the longest value the sources can hold.

User = get_user_model()


def _length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def full_name_length() -> int:
    return _length(Person, "first_name") + 1 + _length(Person, "last_name")  # Person.full_name


def guardian_label_length() -> int:
    return _length(Guardian, "name") + len(" ()") + _length(Guardian, "relation")  # str(guardian)


COPIES = {
    (Letter, "recipient_name"): lambda: max(full_name_length(), _length(Guardian, "name")),
    (FeeLetter, "recipient_name"): lambda: max(full_name_length(), _length(Guardian, "name")),
    (Letter, "email"): lambda: max(_length(Person, "email"), _length(Guardian, "email")),
    (Reminder, "address"): lambda: max(
        _length(Person, "email"), _length(Person, "phone"), _length(Guardian, "email"), _length(Guardian, "phone")
    ),
    (PoliceReport, "person_name"): full_name_length,
    (PoliceReport, "national_id"): lambda: _length(Person, "national_id"),
    (PoliceReport, "police_reference"): lambda: _length(Referral, "police_reference"),
    (PoliceReport, "police_district"): lambda: _length(Referral, "police_district"),
    (PoliceReport, "service_name"): lambda: _length(apps.get_model("portal", "CounsellingService"), "name"),
    (AuditEvent, "actor_label"): lambda: _length(User, User.USERNAME_FIELD),
    (AuditEvent, "reason"): lambda: max(
        _length(Referral, "legal_hold_reason"), _length(apps.get_model("privacy", "BreakTheGlassAccess"), "reason")
    ),
    # str() of the objects the log names: a person, a guardian "name (relation)", a letter "kind – name"...
    (AuditEvent, "object_repr"): lambda: max(full_name_length(), guardian_label_length()) + len("Summons – "),
}


@pytest.mark.parametrize(("model", "name"), list(COPIES), ids=[f"{m.__name__}.{n}" for m, n in COPIES])
def test_a_copy_is_as_long_as_the_longest_value_it_is_copied_from(model, name):
    field = model._meta.get_field(name)
    needed = COPIES[(model, name)]()
    # A text column has no limit.
    assert isinstance(field, models.TextField) or field.max_length >= needed, (
        f"{model.__name__}.{name} holds {field.max_length} characters, its source up to {needed}"
    )


def test_the_forms_accept_no_longer_values_than_the_records_hold():
    for form_class, model, names in [
        (IntakeForm, Person, ["first_name", "last_name", "street_address", "postal_code", "postal_town"]),
        (IntakeForm, Referral, ["police_reference"]),
        (GuardianForm, Guardian, ["name", "relation", "street_address", "postal_code", "postal_town"]),
    ]:
        for name in names:
            assert form_length(form_class, name) <= _length(model, name), f"{form_class.__name__}.{name}"
