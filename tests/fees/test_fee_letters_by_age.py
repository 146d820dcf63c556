"""Fee letters go by the person's age on the day of the letter: the guardians get a copy while the person is under
18 that day, nothing from the 18th birthday on; a 16- or 17-year-old's letters say that consent to health care is
their own and what the guardians are told. The clock is fixed, so each birthday falls where it is meant to."""

import datetime
import zoneinfo

import pytest
import time_machine

from counselling.attendance.services import AttendanceDetails, attendance_record
from fees import services
from fees.models import FeeCase
from tests.counselling.conftest import pdf_text
from tests.factories import ReferralFactory

from .conftest import missed_meeting

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
TODAY = datetime.date(2026, 6, 10)  # a Wednesday: the advance notice is made today


@pytest.fixture(autouse=True)
def wednesday_afternoon():
    with time_machine.travel(datetime.datetime(2026, 6, 10, 14, tzinfo=OSLO), tick=False):
        yield


def _notice_letters(service, counsellor, fee_officer, *, born):
    referral = ReferralFactory(
        service=service,
        route="order",
        seizure_unknown=False,
        classification="exempt",
        person__first_name="Lars",
        person__date_of_birth=born,
        incident_date=datetime.date(2026, 3, 1),
        decision_date=datetime.date(2026, 3, 10),
        attendance_deadline=datetime.date(2026, 7, 1),
    )
    referral.guardians.create(name="Kari Mor", relation="mor")
    meeting = missed_meeting(referral, counsellor)
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    letters = services.fee_case_send_notice(actor=fee_officer, fee_case=FeeCase.objects.get(meeting=meeting))
    return {letter.recipient_kind: " ".join(pdf_text(letter.pdf).split()) for letter in letters}


def test_the_day_before_the_18th_birthday_the_guardian_gets_the_advance_notice_too(
    service, counsellor, fee_officer, fee_policy, court_fee_rates
):
    letters = _notice_letters(service, counsellor, fee_officer, born=datetime.date(2008, 6, 11))
    assert sorted(letters) == ["guardian", "person"]
    assert "Kari Mor" in letters["guardian"]


def test_on_the_18th_birthday_the_advance_notice_goes_to_the_person_alone(
    service, counsellor, fee_officer, fee_policy, court_fee_rates
):
    letters = _notice_letters(service, counsellor, fee_officer, born=datetime.date(2008, 6, 10))
    assert list(letters) == ["person"]
    assert "Kari Mor" not in letters["person"] and "foresatt" not in letters["person"]
    assert "§ 4-3" not in letters["person"]


@pytest.mark.parametrize(
    ("born", "young_person"),
    [
        (datetime.date(2010, 6, 11), False),  # 15 today: notified from 15, but the guardians consent
        (datetime.date(2010, 6, 10), True),  # 16 today
        (datetime.date(2008, 6, 11), True),  # 17 until tomorrow
    ],
)
def test_a_16_or_17_year_olds_fee_letters_say_that_consent_is_their_own(
    service, counsellor, fee_officer, fee_policy, court_fee_rates, born, young_person
):
    letters = _notice_letters(service, counsellor, fee_officer, born=born)
    for text in letters.values():
        assert ("pasient- og brukerrettighetsloven § 4-3" in text) is young_person
        assert ("pasient- og brukerrettighetsloven § 3-4" in text) is young_person
    if young_person:
        assert "Du har fylt 16 år og bestemmer selv" in letters["person"]
        assert "De får ikke vite hva du har fortalt oss i samtaler" in letters["person"]
        assert "Du får ikke vite hva Lars har fortalt oss i samtaler" in letters["guardian"]


def test_the_guardians_notice_writes_the_genitive_of_a_name_in_s_and_dates_and_amounts_as_every_letter(
    service, counsellor, fee_officer, fee_policy, court_fee_rates
):
    letters = _notice_letters(service, counsellor, fee_officer, born=datetime.date(2009, 6, 1))
    to_guardian = letters["guardian"].replace("\xa0", " ")
    assert "ut fra Lars' økonomi" in to_guardian and "Larss" not in to_guardian
    assert "født 1. juni 2009" in to_guardian and "01.06.2009" not in to_guardian
    assert "2 690 kr" in to_guardian
    assert "to ganger rettsgebyret (1 345 kr)" in to_guardian  # as the summons writes it, not "2 ganger"
