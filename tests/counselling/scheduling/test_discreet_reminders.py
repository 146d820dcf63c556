"""Discretion: what shows on a locked phone or in a calendar never says what the meeting is about.

A text message, an e-mail's subject and sender, and the invitation's title name neither drugs nor the unit. They
read as an ordinary appointment with the municipality ("Påminnelse: time hos Oslo kommune 3. desember kl. 10:00"),
and each service can set its own neutral name, SMS sender and reminder texts.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from counselling.scheduling.calendar import meeting_invitation
from counselling.scheduling.models import Channel, LetterKind, LetterTemplate, Reminder, ReminderRule, ReminderText
from counselling.scheduling.services import letter_email_send, meeting_book
from counselling.scheduling.services.reminders import reminders_send_due
from portal import sms
from portal.models import CounsellingService
from tests.conftest import default_reminders_install
from tests.counselling.conftest import pdf_text
from tests.factories import LocationFactory, MunicipalityFactory, ReferralFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
TODAY = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=OSLO)
MEETING = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=OSLO)

# What must never show on a locked screen: drugs, in either language, and the unit, by any of its names.
GIVES_AWAY = ["rus", "narkotika", "drug", "rådgivende enhet", "radgivende", "counselling service"]


def given_away(text: str, service: CounsellingService) -> list[str]:
    lowered = text.casefold()
    return [word for word in [*GIVES_AWAY, service.name, service.unit_name] if word.casefold() in lowered]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def rules(db):
    """The shipped rules and texts (browser tests may have flushed them)."""
    ReminderRule.objects.all().delete()
    for days in (3, 1):
        for channel in ("email", "sms"):
            ReminderRule.objects.create(days_before=days, channel=channel, send_at=datetime.time(10))
    default_reminders_install()


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def oslo(service):
    """The service as the tests of the whole suite have it ("Rådgivende enhet Oslo"), serving Oslo kommune."""
    service.municipalities.set([MunicipalityFactory(number="0301", name="Oslo")])
    return service


def book(service, counsellor, *, language="nb", location_name="Kontoret", starts_at=MEETING):
    referral = ReferralFactory(
        service=service,
        created_by=counsellor,
        person__first_name="Ola",
        person__email="ola@example.org",
        person__phone="+4791234567",
        person__preferred_language=language,
        attendance_deadline=datetime.date(2026, 12, 20),
    )
    location = LocationFactory(service=service, name=location_name, street_address="Storgata 1")
    meeting = meeting_book(
        actor=counsellor, referral=referral, counsellor=counsellor, location=location, starts_at=starts_at
    )
    Reminder.objects.filter(meeting=meeting).update(due_at=TODAY - datetime.timedelta(minutes=1))
    return meeting


@pytest.mark.parametrize("language", ["nb", "en"])
def test_no_text_message_email_subject_or_sender_names_drugs_or_the_unit(oslo, counsellor, outbox, language):
    book(oslo, counsellor, language=language)
    assert reminders_send_due() == 4
    assert len(outbox) == 2 and len(mail.outbox) == 2
    for message in outbox:
        assert given_away(message.body, oslo) == [], message.body
        assert given_away(message.sender, oslo) == [], message.sender
    for email in mail.outbox:
        assert given_away(email.subject, oslo) == [], email.subject
        assert given_away(email.from_email, oslo) == [], email.from_email


def test_the_text_message_reads_as_an_appointment_with_the_municipality(oslo, counsellor, outbox):
    book(oslo, counsellor)
    reminders_send_due()
    assert outbox[0].body.startswith("Påminnelse: time hos Oslo kommune 3. desember kl. 10:00, Kontoret, Storgata 1.")
    subjects = {email.subject for email in mail.outbox}
    assert subjects == {"Påminnelse: time hos Oslo kommune 3. desember kl. 10:00"}
    assert {email.from_email.split(" <")[0] for email in mail.outbox} == {"Oslo kommune"}


def test_in_english_too(oslo, counsellor, outbox):
    book(oslo, counsellor, language="en")
    reminders_send_due()
    assert outbox[0].body.startswith("Reminder: appointment with Oslo kommune on 3 December at 10:00, Kontoret")


def test_the_services_own_neutral_name_and_sms_sender_are_used(oslo, counsellor, outbox):
    oslo.neutral_name, oslo.sms_sender = "Bydel Grünerløkka", "Grunerlokka"
    oslo.save()
    book(oslo, counsellor)
    reminders_send_due()
    assert {message.sender for message in outbox} == {"Grunerlokka"}
    assert outbox[0].body.startswith("Påminnelse: time hos Bydel Grünerløkka 3. desember kl. 10:00")
    assert {email.from_email.split(" <")[0] for email in mail.outbox} == {"Bydel Grünerløkka"}


def test_a_service_has_its_own_reminder_text_and_the_others_keep_the_default(
    oslo, other_service, counsellor, stranger, outbox
):
    ReminderText.objects.create(
        service=oslo,
        channel=Channel.SMS,
        language="nb",
        body="Hei {{ person.first_name }}! Du har time {{ meeting.starts_at|date:'j. F' }} hos {{ sender_name }}.",
    )
    other_service.municipalities.set([MunicipalityFactory(number="4601", name="Bergen")])
    book(oslo, counsellor)
    book(other_service, stranger)
    reminders_send_due()
    bodies = sorted({message.body for message in outbox})  # 3 days and 1 day before: the same words
    assert bodies == [
        "Hei Ola! Du har time 3. desember hos Oslo kommune.",
        "Påminnelse: time hos Bergen kommune 3. desember kl. 10:00, Kontoret, Storgata 1.",
    ]


def test_a_text_that_would_give_the_case_away_is_sent_as_the_plain_neutral_one(oslo, counsellor, outbox):
    """An administrator's old text with the service's name, or a place named after the unit: the sender checks
    what it renders and sends the neutral reminder instead."""
    ReminderText.objects.filter(service=None, channel=Channel.SMS, language="nb").update(
        body="Påminnelse: samtale hos {{ service.name }} {{ meeting.starts_at|date:'j. F' }}."
    )
    ReminderText.objects.filter(service=None, channel=Channel.EMAIL, language="nb").update(
        subject="Samtale hos {{ location.name }}"
    )
    book(oslo, counsellor, location_name="Ruskontoret")
    reminders_send_due()
    assert {message.body for message in outbox} == {"Påminnelse: time hos Oslo kommune 3. desember kl. 10:00"}
    assert {email.subject for email in mail.outbox} == {"Påminnelse: time hos Oslo kommune 3. desember kl. 10:00"}


def test_the_admin_refuses_a_reminder_text_or_neutral_name_that_gives_the_case_away(oslo):
    text = ReminderText(
        service=oslo, channel=Channel.SMS, language="nb", body="Påminnelse om samtale hos rådgivende enhet for russaker"
    )
    with pytest.raises(ValidationError) as refused:
        text.full_clean()
    assert set(refused.value.message_dict) == {"body"}
    subject = ReminderText(service=oslo, channel=Channel.EMAIL, language="en", subject="Your drug case", body="x")
    with pytest.raises(ValidationError) as refused:
        subject.full_clean()
    assert set(refused.value.message_dict) == {"subject"}
    oslo.neutral_name, oslo.sms_sender = "Rusteamet i Oslo", "Narkoenhet"
    with pytest.raises(ValidationError) as refused:
        oslo.full_clean()
    assert set(refused.value.message_dict) == {"neutral_name", "sms_sender"}
    # The neutral texts themselves pass.
    ReminderText(
        service=oslo, channel=Channel.SMS, language="nb", body="Påminnelse: time hos {{ sender_name }}"
    ).full_clean()


def test_the_summons_email_has_a_neutral_subject_and_sender(oslo, counsellor):
    meeting = book(oslo, counsellor)
    mail.outbox.clear()
    letter = meeting.letters.get()
    letter_email_send(letter_id=letter.pk)
    (email,) = mail.outbox
    assert email.subject == "Innkalling til samtale hos Oslo kommune"
    assert email.from_email.startswith("Oslo kommune <")
    assert given_away(email.subject + email.from_email, oslo) == []
    # The body's opening lines, which a phone previews, too.
    assert given_away(email.body.split("\n\n")[1], oslo) == []


def test_an_old_letter_subject_with_the_services_name_is_replaced_by_the_neutral_one(oslo, counsellor):
    meeting = book(oslo, counsellor)
    LetterTemplate.objects.filter(kind=LetterKind.SUMMONS).update(subject="Innkalling til {{ service.name }}")
    mail.outbox.clear()
    letter_email_send(letter_id=meeting.letters.get().pk)
    assert mail.outbox[0].subject == "Innkalling til samtale hos Oslo kommune"


def test_the_calendar_invitation_title_is_neutral(oslo, counsellor):
    meeting = book(oslo, counsellor)
    invitation = meeting_invitation(meeting).decode()
    assert "SUMMARY:Samtale hos Oslo kommune" in invitation
    assert given_away(invitation.replace("radgivende-enhet", "").replace("Radgivende enhet", ""), oslo) == []


def read(letter) -> str:
    return " ".join(pdf_text(letter.pdf).split())


def test_the_summons_names_the_unit_as_the_service_configures_it(oslo, counsellor):
    text = read(book(oslo, counsellor).letters.get())
    assert "henvist til rådgivende enhet for russaker i Oslo kommune av politiet" in text  # the law's name
    oslo.unit_name = "rådgivende enhet for russaker i Bydel Gamle Oslo"
    oslo.save()
    text = read(book(oslo, counsellor, starts_at=MEETING + datetime.timedelta(hours=2)).letters.get())
    assert "Rådgivende enhet for russaker i Bydel Gamle Oslo" in text  # in the letterhead
    assert "narkotikasaker" not in text


def test_the_admin_adds_a_services_own_text_and_refuses_one_that_gives_the_case_away(client, oslo):
    from django.urls import reverse

    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies["portal_language"] = "nb"
    url = reverse("admin:scheduling_remindertext_add")
    form = {"service": oslo.pk, "channel": "sms", "language": "nb", "subject": ""}
    refused = client.post(url, {**form, "body": "Påminnelse: samtale hos {{ service.unit_name }}, rusenheten."})
    assert refused.status_code == 200
    assert "vises på en låst telefon" in refused.content.decode()
    assert not ReminderText.objects.filter(service=oslo).exists()
    added = client.post(url, {**form, "body": "Påminnelse: time hos {{ sender_name }}."})
    assert added.status_code == 302
    assert ReminderText.objects.get(service=oslo).body == "Påminnelse: time hos {{ sender_name }}."
    assert (
        client.get(reverse("admin:scheduling_remindertext_changelist"), {"service__id__exact": oslo.pk}).status_code
        == 200
    )
