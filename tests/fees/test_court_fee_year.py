"""A new year's court fee: the court fee changes every 1 January, so a fee for a meeting in a year whose rate is
not in the admin yet is held, flagged "add the court fee for <year>", and reckoned again once the rate is added,
never silently with the previous year's rate."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.scheduling.models import Flag, FlagKind
from fees import services
from fees.models import CourtFeeRate, FeeCase, FeeCaseStatus
from tests.factories import UserFactory

from .conftest import missed_meeting

# After New Year 2027, with the newest rate in the admin from 1 January 2026 (1 345 kr).
AFTER_NEW_YEAR = datetime.datetime(2027, 1, 5, 14, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
HYPOTHETICAL_2027_RATE = 1380


@pytest.fixture
def held(order_referral, counsellor, fee_policy, court_fee_rates):
    # The scene is New Year 2027 before its rate is added, whatever year the suite runs in.
    CourtFeeRate.objects.filter(valid_from__gte=datetime.date(2027, 1, 1)).delete()
    with time_machine.travel(AFTER_NEW_YEAR, tick=False):
        meeting = missed_meeting(order_referral, counsellor)
        attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    return FeeCase.objects.get(meeting=meeting)


def test_a_fee_for_a_meeting_after_the_newest_court_fees_year_is_held_with_a_flag(held):
    assert held.status == FeeCaseStatus.PROPOSED
    assert held.court_fee_missing_for == 2027
    assert held.awaits_court_fee
    assert held.referral.events.filter(kind="fee_case.court_fee_missing").exists()


def test_a_fee_in_a_year_with_its_court_fee_is_not_held(proposed):
    assert proposed.court_fee_missing_for is None
    assert not proposed.awaits_court_fee


def test_no_advance_notice_goes_out_with_last_years_court_fee(held, fee_officer):
    with time_machine.travel(AFTER_NEW_YEAR, tick=False), pytest.raises(ValidationError) as raised:
        services.fee_case_send_notice(actor=fee_officer, fee_case=held)

    assert "Add the court fee for 2027." in raised.value.messages[0]
    held.refresh_from_db()
    assert held.status == FeeCaseStatus.PROPOSED
    assert not held.letters.exists()


def test_the_message_is_in_bokmal_for_the_lead(held, fee_officer):
    with (
        translation.override("nb"),
        time_machine.travel(AFTER_NEW_YEAR, tick=False),
        pytest.raises(ValidationError) as raised,
    ):
        services.fee_case_send_notice(actor=fee_officer, fee_case=held)
    assert "Legg inn rettsgebyret for 2027." in raised.value.messages[0]


def test_the_fee_is_reckoned_with_the_new_rate_once_an_administrator_adds_it(client, held, fee_officer):
    with time_machine.travel(AFTER_NEW_YEAR, tick=False):
        client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
        response = client.post(
            reverse("admin:fees_courtfeerate_add"), {"valid_from": "2027-01-01", "amount": HYPOTHETICAL_2027_RATE}
        )
    assert response.status_code == 302
    assert CourtFeeRate.objects.filter(valid_from="2027-01-01").exists()

    held.refresh_from_db()
    assert (held.amount, held.court_fee_missing_for) == (2 * HYPOTHETICAL_2027_RATE, None)
    assert held.referral.events.filter(kind="fee_case.amount_reckoned").exists()
    with time_machine.travel(AFTER_NEW_YEAR + datetime.timedelta(hours=1), tick=False):
        services.fee_case_send_notice(actor=fee_officer, fee_case=held)
    assert FeeCase.objects.get(pk=held.pk).status == FeeCaseStatus.NOTICE_SENT


def test_the_notice_reckons_the_fee_when_the_rate_was_added_another_way(held, fee_officer):
    CourtFeeRate.objects.create(valid_from=datetime.date(2027, 1, 1), amount=HYPOTHETICAL_2027_RATE)

    with time_machine.travel(AFTER_NEW_YEAR, tick=False):
        services.fee_case_send_notice(actor=fee_officer, fee_case=held)

    held.refresh_from_db()
    assert (held.status, held.amount, held.court_fee_missing_for) == ("notice_sent", 2760, None)


def test_the_case_page_and_the_work_list_say_which_court_fee_to_add(client, service, fee_officer, held):
    with time_machine.travel(AFTER_NEW_YEAR, tick=False):
        client.force_login(fee_officer)
        case_page = client.get(
            reverse("fees:case", kwargs={"service_slug": service.slug, "fee_case_pk": held.pk})
        ).content.decode()
        worklist = client.get(reverse("fees:worklist", kwargs={"service_slug": service.slug})).content.decode()

    for page in (case_page, worklist):  # in Bokmål, the portal's language
        assert "legg inn rettsgebyret for 2027" in page
    assert timezone.localdate(held.meeting.starts_at).year == 2027


def test_a_held_fee_raises_a_flag_that_adding_the_rate_resolves(held, fee_officer):
    (flag,) = Flag.objects.filter(kind=FlagKind.FEE_COURT_FEE_MISSING, meeting=held.meeting)
    assert flag.resolved_at is None
    with translation.override("nb"):
        assert str(FlagKind(flag.kind).label) == "Gebyrsak: legg inn rettsgebyret for året samtalen var i"

    CourtFeeRate.objects.create(valid_from=datetime.date(2027, 1, 1), amount=HYPOTHETICAL_2027_RATE)
    with time_machine.travel(AFTER_NEW_YEAR, tick=False):
        services.fee_case_send_notice(actor=fee_officer, fee_case=held)

    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by == fee_officer


def test_a_fee_in_a_year_with_its_court_fee_raises_no_flag(proposed):
    assert not Flag.objects.filter(kind=FlagKind.FEE_COURT_FEE_MISSING).exists()
