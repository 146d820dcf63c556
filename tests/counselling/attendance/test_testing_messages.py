"""Call-ins and the other messages about a drug test, as the sweep sends them: the call-in once, by SMS and e-mail,
on the morning of its day and never after the time to meet by; nothing for a cancelled test or an ended programme;
a discreet text; retried, then failed visibly; in the person's language.

Every test fixes the clock (the suite also runs with it moved): staff confirm the call-in on Thursday afternoon,
and the sweep runs on Friday, the call-in's day.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext

from counselling.attendance.models import (
    CallInChannel,
    CallInMessage,
    CallInPurpose,
    CallInState,
    DrugTest,
    DrugTestKind,
    DrugTestStatus,
    ProgrammeStatus,
)
from counselling.attendance.models import TestingProgramme as Programme  # not collected as a test class
from counselling.attendance.services.testing import call_in_confirm, drug_test_cancel, programme_end
from counselling.attendance.services.testing_messages import (
    MAX_ATTEMPTS,
    RETRY_MINUTES,
    drug_test_messages_send_due,
)
from counselling.attendance.tasks import drug_test_messages_send
from counselling.scheduling.models import Flag, Location
from portal import sms
from portal.discretion import is_discreet
from portal.sms import SmsError
from portal.sms.backends.base import BaseSmsBackend
from tests.counselling.scheduling.test_discreet_reminders import given_away
from tests.factories import (
    DrugTestFactory,
    LocationFactory,
    MunicipalityFactory,
    ReferralFactory,
    TestingProgrammeFactory,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
CONFIRMED = datetime.datetime(2026, 11, 19, 14, 0, tzinfo=OSLO)  # a Thursday afternoon: staff confirm the call-in
DAY = datetime.date(2026, 11, 20)  # the Friday after: the call-in's day
PHONE = "+4791234567"
EMAIL = "ola@example.org"


def at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), OSLO)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(CONFIRMED, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def oslo(service):
    """The service as the suite has it ("Rådgivende enhet Oslo"), serving Oslo kommune, with one meeting place."""
    service.municipalities.set([MunicipalityFactory(number="0301", name="Oslo")])
    LocationFactory(service=service, name="Kontoret", street_address="Storgata 1", postal_town="Oslo")
    return service


def call_in(
    service,
    counsellor,
    *,
    language="nb",
    phone=PHONE,
    email=EMAIL,
    call_in_by=datetime.time(15, 0),
) -> DrugTest:
    """A call-in on DAY, drawn and then confirmed by staff the day before, as the portal makes them."""
    referral = ReferralFactory(
        service=service,
        created_by=counsellor,
        person__first_name="Ola",
        person__phone=phone,
        person__email=email,
        person__preferred_language=language,
    )
    programme = TestingProgrammeFactory(referral=referral, call_in_by=call_in_by)
    suggested = DrugTestFactory(
        programme=programme, status=DrugTestStatus.SUGGESTED, day=DAY, starts_at=None, ends_at=None
    )
    return call_in_confirm(actor=counsellor, test=suggested)


def states(test: DrugTest) -> dict[str, str]:
    return dict(CallInMessage.objects.filter(test=test).values_list("channel", "state"))


def sent_sms_body(outbox) -> str:
    (message,) = outbox
    return message.body


# Once, at 08:00 on its day.


def test_a_call_in_is_sent_once_at_eight_on_its_day_by_sms_and_email(oslo, counsellor, outbox, mailoutbox, clock):
    test = call_in(oslo, counsellor)
    rows = {row.channel: row for row in test.messages.all()}
    assert set(rows) == {CallInChannel.SMS, CallInChannel.EMAIL}
    assert {row.due_at for row in rows.values()} == {at(DAY, 8)}
    assert {row.purpose for row in rows.values()} == {CallInPurpose.CALL_IN}

    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 2
    assert drug_test_messages_send_due() == 0  # the sweep again: nothing more
    clock.move_to(at(DAY, 8, 1))
    assert drug_test_messages_send() == 0  # and the beat task a minute later

    (text,) = outbox
    assert text.to == PHONE
    assert text.reference == f"drugtest-{rows[CallInChannel.SMS].pk}"  # the gateway drops a resend by it
    (email,) = mailoutbox
    assert email.to == [EMAIL]
    assert email.extra_headers["Message-ID"] == f"<drugtest-{rows[CallInChannel.EMAIL].pk}@radgivende-enhet>"
    for row in test.messages.all():
        assert row.state == CallInState.SENT
        assert row.attempts == 1
        assert row.sent_at == at(DAY, 8)
        assert row.provider_message_id


def test_a_call_in_is_not_sent_before_its_time(oslo, counsellor, outbox, mailoutbox, clock):
    test = call_in(oslo, counsellor)
    for moment in (CONFIRMED, at(DAY, 0, 5), at(DAY, 7, 59, 59)):
        clock.move_to(moment)
        assert drug_test_messages_send_due() == 0
    assert outbox == [] and mailoutbox == []
    assert states(test) == {"sms": CallInState.PENDING, "email": CallInState.PENDING}
    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 2


# Too late: the time to meet by has passed, or the day.


@pytest.mark.parametrize(
    ("call_in_by", "swept_at"),
    [
        (datetime.time(15, 0), at(DAY, 15, 0)),  # the time to meet by itself
        (datetime.time(15, 0), at(DAY, 18, 30)),
        (datetime.time(12, 0), at(DAY, 12, 0)),  # the programme's own time, not a fixed 15:00
        (datetime.time(15, 0), at(DAY + datetime.timedelta(days=1), 8, 30)),  # the morning after
        (datetime.time(15, 0), at(DAY + datetime.timedelta(days=3), 9, 0)),  # after the weekend
    ],
)
def test_a_call_in_whose_time_has_passed_is_cancelled_not_sent(
    oslo, counsellor, outbox, mailoutbox, clock, call_in_by, swept_at
):
    """The sweep was held up (the worker down since the morning): "meet today before 15:00" is never sent late. The
    test still stands and the person was never called in, so staff are told before anyone records a no-show."""
    test = call_in(oslo, counsellor, call_in_by=call_in_by)
    clock.move_to(swept_at)
    assert drug_test_messages_send_due() == 2
    assert outbox == [] and mailoutbox == []
    assert states(test) == {"sms": CallInState.CANCELLED, "email": CallInState.CANCELLED}
    assert drug_test_messages_send_due() == 0
    flags = Flag.objects.filter(kind="test_message_failed", referral=test.programme.referral)
    assert sorted(flags.values_list("about", flat=True)) == sorted(f"testmessage:{m.pk}" for m in test.messages.all())


def test_a_call_in_held_up_until_just_before_the_time_to_meet_by_is_still_sent(oslo, counsellor, outbox, clock):
    test = call_in(oslo, counsellor)
    clock.move_to(at(DAY, 14, 59))
    assert drug_test_messages_send_due() == 2
    assert states(test) == {"sms": CallInState.SENT, "email": CallInState.SENT}
    assert "15:00" in sent_sms_body(outbox)


# Nothing for a cancelled test or an ended programme.


def test_a_call_in_cancelled_the_day_before_sends_nothing(oslo, counsellor, outbox, mailoutbox, clock):
    test = call_in(oslo, counsellor)
    drug_test_cancel(actor=counsellor, test=test, reason="Innlagt på sykehus.")
    assert states(test) == {"sms": CallInState.CANCELLED, "email": CallInState.CANCELLED}
    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 0
    assert outbox == [] and mailoutbox == []
    assert not Flag.objects.filter(kind="test_message_failed").exists()  # nothing to tell: no test to miss


def test_a_programme_ended_the_day_before_sends_nothing(oslo, counsellor, outbox, mailoutbox, clock):
    test = call_in(oslo, counsellor)
    programme_end(actor=counsellor, programme=test.programme)
    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 0
    assert outbox == [] and mailoutbox == []
    assert states(test) == {"sms": CallInState.CANCELLED, "email": CallInState.CANCELLED}
    assert not Flag.objects.filter(kind="test_message_failed").exists()  # nothing to tell: no test to miss


@pytest.mark.parametrize("change", ["test cancelled", "programme ended"])
def test_the_test_and_programme_are_checked_again_when_the_call_in_is_sent(
    oslo, counsellor, outbox, mailoutbox, clock, change
):
    """Rows left pending however the test or programme came to an end (an import, a fix in the database)."""
    test = call_in(oslo, counsellor)
    if change == "test cancelled":
        DrugTest.objects.filter(pk=test.pk).update(status=DrugTestStatus.CANCELLED, cancel_reason="x")
    else:
        Programme.objects.filter(pk=test.programme_id).update(status=ProgrammeStatus.ENDED, ended_at=timezone.now())
    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 2
    assert outbox == [] and mailoutbox == []
    assert states(test) == {"sms": CallInState.CANCELLED, "email": CallInState.CANCELLED}
    assert not Flag.objects.filter(kind="test_message_failed").exists()  # nothing to tell: no test to miss


# Discretion.


@pytest.mark.parametrize("language", ["nb", "en"])
def test_neither_the_text_nor_the_email_names_drugs_or_the_unit(oslo, counsellor, outbox, mailoutbox, clock, language):
    call_in(oslo, counsellor, language=language, call_in_by=datetime.time(14, 30))
    clock.move_to(at(DAY, 8))
    drug_test_messages_send_due()
    (text,) = outbox
    (email,) = mailoutbox
    for shown in (text.body, text.sender, email.subject, email.from_email, email.body):
        assert given_away(shown, oslo) == [], shown
        assert is_discreet(shown, unit_name=oslo.unit_name), shown
    for shown in (text.body, email.body):
        assert "Oslo kommune" in shown and "14:30" in shown
    assert email.subject.endswith("Oslo kommune")
    assert email.from_email.startswith("Oslo kommune <")


def test_the_text_names_the_neutral_sender_the_time_and_the_address(oslo, counsellor, outbox, mailoutbox, clock):
    call_in(oslo, counsellor, language="en", call_in_by=datetime.time(14, 30))
    clock.move_to(at(DAY, 8))
    drug_test_messages_send_due()
    expected = "You are asked to come to Oslo kommune today before 14:30. Bring ID. Address: Storgata 1, Oslo."
    assert sent_sms_body(outbox) == expected
    (email,) = mailoutbox
    assert email.body == expected
    assert email.subject == "Appointment with Oslo kommune"


def test_the_services_own_neutral_name_and_sms_sender_are_used(oslo, counsellor, outbox, mailoutbox, clock):
    oslo.neutral_name, oslo.sms_sender = "Bydel Grünerløkka", "Grunerlokka"
    oslo.save()
    call_in(oslo, counsellor, language="en")
    clock.move_to(at(DAY, 8))
    drug_test_messages_send_due()
    (text,) = outbox
    assert text.sender == "Grunerlokka"
    assert text.body.startswith("You are asked to come to Bydel Grünerløkka today before 15:00.")
    assert mailoutbox[0].from_email.startswith("Bydel Grünerløkka <")


@pytest.mark.parametrize(
    ("name", "street_address", "place_shown"),
    [
        # The place's name is never in the text: only its address.
        ("Ruspoliklinikken", "Storgata 1", True),
        ("Rådgivende enhet for russaker", "Storgata 1", True),
        # An address that gives the case away is left out, and the rest of the text is sent.
        ("Kontoret", "Rusteamet, Storgata 1", False),
        ("Kontoret", "Rådgivende enhet, Storgata 1", False),
        ("Kontoret", "c/o rådgivende enhet for russaker i Oslo kommune", False),
    ],
)
def test_a_place_that_would_give_the_case_away_is_left_out(
    service, counsellor, outbox, mailoutbox, clock, name, street_address, place_shown
):
    service.municipalities.set([MunicipalityFactory(number="0301", name="Oslo")])
    LocationFactory(service=service, name=name, street_address=street_address, postal_town="Oslo")
    call_in(service, counsellor, language="en")
    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 2
    body = sent_sms_body(outbox)
    assert mailoutbox[0].body == body
    assert given_away(body, service) == [], body
    assert name not in body
    if place_shown:
        assert body.endswith("Address: Storgata 1, Oslo.")
    else:
        assert body == "You are asked to come to Oslo kommune today before 15:00. Bring ID."


# Retried, then failed visibly.


class RefusingSmsBackend(BaseSmsBackend):
    """A gateway that refuses the message for good, as it does a number that cannot take SMS."""

    def send(self, *, to, body, reference="", sender=""):
        raise SmsError("The SMS gateway answered HTTP 400.", retryable=False)


def test_a_gateway_that_is_down_is_retried_later_then_the_call_in_fails_visibly(oslo, counsellor, clock, settings):
    settings.SMS_BACKEND = "portal.sms.backends.http.SmsBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # the discard port: nothing answers
    settings.SMS_GATEWAY_TOKEN = "x"
    test = call_in(oslo, counsellor, email="")
    message = test.messages.get()
    moment = at(DAY, 8)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        clock.move_to(moment)
        assert drug_test_messages_send_due() == 1
        message.refresh_from_db()
        assert message.attempts == attempt
        assert message.last_error
        if attempt == MAX_ATTEMPTS:
            break
        assert message.state == CallInState.PENDING
        # Tried again by the sweep, later: not before.
        assert message.due_at == moment + datetime.timedelta(minutes=RETRY_MINUTES[attempt - 1])
        clock.move_to(message.due_at - datetime.timedelta(seconds=1))
        assert drug_test_messages_send_due() == 0
        moment = message.due_at
    assert message.state == CallInState.FAILED
    assert timezone.localtime(timezone.now()).time() < datetime.time(15)  # all tried while the call-in held
    flag = Flag.objects.get(kind="test_message_failed")
    assert flag.referral == test.programme.referral
    assert flag.about == f"testmessage:{message.pk}"
    clock.move_to(at(DAY, 12))
    assert drug_test_messages_send_due() == 0
    assert Flag.objects.filter(kind="test_message_failed").count() == 1


def test_retries_that_run_past_the_time_to_meet_by_end_the_call_in_with_a_flag(oslo, counsellor, clock, settings):
    """The gateway down all morning and the person to meet before 09:00: the fifth try would come at 09:21."""
    settings.SMS_BACKEND = "portal.sms.backends.http.SmsBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    settings.SMS_GATEWAY_TOKEN = "x"
    test = call_in(oslo, counsellor, email="", call_in_by=datetime.time(9, 0))
    message = test.messages.get()
    for attempt, moment in enumerate([at(DAY, 8), at(DAY, 8, 1), at(DAY, 8, 6), at(DAY, 8, 21)], start=1):
        clock.move_to(moment)
        assert drug_test_messages_send_due() == 1
        message.refresh_from_db()
        assert (message.state, message.attempts) == (CallInState.PENDING, attempt)
    assert message.due_at == at(DAY, 9, 21)
    assert not Flag.objects.exists()
    clock.move_to(message.due_at)
    assert drug_test_messages_send_due() == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (CallInState.CANCELLED, 4)  # not sent at 09:21 "before 09:00"
    (flag,) = Flag.objects.filter(kind="test_message_failed")
    assert flag.about == f"testmessage:{message.pk}"


def test_a_refused_sms_fails_at_once_with_one_flag_and_the_email_still_goes(
    oslo, counsellor, mailoutbox, clock, settings
):
    settings.SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    test = call_in(oslo, counsellor)
    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 2
    assert states(test) == {"sms": CallInState.FAILED, "email": CallInState.SENT}
    sms_row = test.messages.get(channel=CallInChannel.SMS)
    assert sms_row.attempts == 1
    assert sms_row.last_error == "The SMS gateway answered HTTP 400."
    assert len(mailoutbox) == 1
    for later in (at(DAY, 8, 1), at(DAY, 10)):
        clock.move_to(later)
        assert drug_test_messages_send_due() == 0
    (flag,) = Flag.objects.filter(kind="test_message_failed")
    assert flag.referral == test.programme.referral
    assert flag.about == f"testmessage:{sms_row.pk}"


def test_a_broken_address_never_stops_the_batch(oslo, counsellor, outbox, clock):
    broken = call_in(oslo, counsellor, email="")
    fine = call_in(oslo, counsellor, email="")
    CallInMessage.objects.filter(test=broken).update(address="not a number")
    clock.move_to(at(DAY, 8))
    assert drug_test_messages_send_due() == 2
    assert states(broken) == {"sms": CallInState.FAILED}
    assert states(fine) == {"sms": CallInState.SENT}
    assert Flag.objects.filter(kind="test_message_failed").count() == 1


# The person's language.


def test_in_english_the_call_in_is_in_english(oslo, counsellor, outbox, clock):
    call_in(oslo, counsellor, language="en")
    clock.move_to(at(DAY, 8))
    drug_test_messages_send_due()
    assert sent_sms_body(outbox) == (
        "You are asked to come to Oslo kommune today before 15:00. Bring ID. Address: Storgata 1, Oslo."
    )


def test_in_bokmal_the_call_in_is_in_bokmal(oslo, counsellor, outbox, mailoutbox, clock):
    call_in_text = "You are asked to come to %(sender)s today before %(time)s. Bring ID."
    with translation.override("nb"):
        if gettext(call_in_text) == call_in_text:
            # tests/portal/test_translations.py fails on the missing entries too; this runs in full once they are in.
            pytest.xfail("locale/nb has no Bokmål for the call-in yet: a person whose language is nb gets English")
    call_in(oslo, counsellor, language="nb")
    clock.move_to(at(DAY, 8))
    drug_test_messages_send_due()
    body = sent_sms_body(outbox)
    assert "Oslo kommune" in body and "15:00" in body and "Storgata 1, Oslo" in body
    for english in ("You are asked", "today before", "Bring ID", "Address:"):
        assert english not in body
    assert not mailoutbox[0].subject.startswith("Appointment")


@pytest.mark.parametrize(
    ("language", "date"),
    [("en", "on 23 November at 10:00"), ("nb", "23. november")],
)
def test_the_notice_of_an_announced_test_gives_the_date_in_the_persons_language(
    oslo, counsellor, outbox, clock, language, date
):
    referral = ReferralFactory(service=oslo, person__phone=PHONE, person__preferred_language=language)
    monday = datetime.date(2026, 11, 23)
    test = DrugTestFactory(
        programme=TestingProgrammeFactory(referral=referral),
        kind=DrugTestKind.ANNOUNCED,
        day=monday,
        starts_at=at(monday, 10),
        ends_at=at(monday, 10, 15),
        location=Location.objects.get(service=oslo),
    )
    CallInMessage.objects.create(
        test=test,
        purpose=CallInPurpose.NOTICE,
        channel=CallInChannel.SMS,
        address=PHONE,
        language=language,
        due_at=timezone.now(),
    )
    assert drug_test_messages_send_due() == 1
    body = sent_sms_body(outbox)
    assert date in body and "Oslo kommune" in body
    assert given_away(body, oslo) == []
