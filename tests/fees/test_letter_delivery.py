"""The appeal deadline counts from the day the decision reached the person (forvaltningsloven § 29), taken from the
decision letters' dispatch; until then the letter names no date, the case cannot become final and nothing goes to
collection. A no-show whose summons has no proof of dispatch cannot start a fee case."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from counselling.attendance.services import AttendanceDetails, attendance_record
from fees import services
from fees.models import FeeCase, FeeCaseStatus, FeeLetter
from fees.selectors import fee_case_next_steps
from referrals.models import LetterPolicy
from tests.counselling.conftest import pdf_text
from tests.factories import MeetingFactory

from .conftest import REASONS, decision_posted

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def test_a_no_show_whose_summons_was_never_sent_starts_no_fee_case(order_referral, counsellor, fee_policy):
    start = timezone.now() - datetime.timedelta(hours=2)
    meeting = MeetingFactory(referral=order_referral, counsellor=counsellor, starts_at=start, booked_by=counsellor)
    with pytest.raises(ValidationError, match="no proof that the summons was sent"):
        attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    assert not FeeCase.objects.exists()


def test_the_decision_letter_counts_the_appeal_period_from_the_day_the_person_got_it(imposed_not_sent):
    letter = FeeLetter.objects.get(fee_case=imposed_not_sent, kind="decision")
    text = " ".join(pdf_text(letter.pdf).replace("\xa0", " ").split())
    assert "Klagefristen er tre uker fra den dagen du fikk dette brevet." in text
    assert (imposed_not_sent.notified_on, imposed_not_sent.appeal_deadline) == (None, None)


def test_a_decision_not_known_to_have_reached_the_person_cannot_become_final(imposed_not_sent, fee_officer):
    FeeCase.objects.filter(pk=imposed_not_sent.pk).update(decided_at=timezone.now() - datetime.timedelta(days=60))
    with pytest.raises(ValidationError, match="not known yet when the decision reached the person"):
        services.fee_case_make_final(actor=fee_officer, fee_case=imposed_not_sent)
    assert "final" not in fee_case_next_steps(FeeCase.objects.get(pk=imposed_not_sent.pk))


def test_the_appeal_deadline_is_three_weeks_after_the_presumed_arrival_moved_to_a_working_day(
    imposed_not_sent, fee_officer, service
):
    LetterPolicy.objects.create(service=service, posted_arrival_working_days=3)
    # Posted Wednesday 30 December: the 31st, then (past New Year's Day and the weekend) 4 and 5 January.
    letter = FeeLetter.objects.get(fee_case=imposed_not_sent, kind="decision")
    FeeLetter.objects.filter(pk=letter.pk).update(created_at=datetime.datetime(2026, 12, 30, 9, tzinfo=OSLO))
    with time_machine.travel(datetime.datetime(2026, 12, 30, 12, tzinfo=OSLO), tick=False):
        fee_case = decision_posted(imposed_not_sent, fee_officer, on=datetime.date(2026, 12, 30))
    assert fee_case.notified_on == datetime.date(2027, 1, 5)
    assert fee_case.appeal_deadline == datetime.date(2027, 1, 26)
    assert fee_case.referral.events.filter(kind="fee_case.decision_reached").count() == 1


def test_a_decision_is_never_final_before_its_deadline_and_only_after_it(imposed, fee_officer):
    deadline = imposed.appeal_deadline
    on_the_last_day = datetime.datetime.combine(deadline, datetime.time(15), OSLO)
    with time_machine.travel(on_the_last_day, tick=False), pytest.raises(ValidationError, match="may appeal until"):
        services.fee_case_make_final(actor=fee_officer, fee_case=imposed)
    day_after = deadline + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(day_after, datetime.time(9), OSLO), tick=False):
        assert services.fee_case_make_final(actor=fee_officer, fee_case=imposed).status == FeeCaseStatus.FINAL


def test_digital_post_starts_the_appeal_period_only_with_its_receipt(imposed_not_sent, fee_officer):
    today = timezone.localdate()
    letter = FeeLetter.objects.get(fee_case=imposed_not_sent, kind="decision")
    services.fee_letter_mark_sent(actor=fee_officer, letter=letter, method="digital", sent_on=today)
    assert FeeCase.objects.get(pk=imposed_not_sent.pk).appeal_deadline is None
    services.fee_letter_mark_received(actor=fee_officer, letter=letter, delivered_on=today, receipt="SvarUt 7")
    fee_case = FeeCase.objects.get(pk=imposed_not_sent.pk)
    assert fee_case.notified_on == today
    assert fee_case.appeal_deadline == services.appeal_deadline(today)


def test_an_emailed_decision_reaches_the_person_the_day_it_was_sent(imposed_not_sent, fee_officer):
    person = imposed_not_sent.referral.person
    person.email = "ola@example.org"
    person.save()
    today = timezone.localdate()
    letter = FeeLetter.objects.get(fee_case=imposed_not_sent, kind="decision")
    services.fee_letter_mark_sent(actor=fee_officer, letter=letter, method="emailed", sent_on=today)
    assert FeeCase.objects.get(pk=imposed_not_sent.pk).notified_on == today


def test_a_final_fee_whose_appeal_period_has_not_run_out_goes_to_no_collection(imposed, fee_officer, service):
    # Written directly, as a stand-in for any path that made the case final too soon: the export still waits.
    FeeCase.objects.filter(pk=imposed.pk).update(status=FeeCaseStatus.FINAL, final_at=timezone.now())
    content = services.fee_collection_export(
        actor=fee_officer, service=service, period_start=timezone.localdate(), period_end=timezone.localdate()
    )
    assert content.decode().count("\n") == 1  # the header only
    assert FeeCase.objects.get(pk=imposed.pk).status == FeeCaseStatus.FINAL


def test_the_decision_form_no_longer_asks_when_the_decision_reaches_the_person(client, assessed, lead, service):
    client.force_login(lead)
    page = client.get(reverse("fees:case", args=[service.slug, assessed.pk])).content.decode()
    assert "decide-notified_on" not in page


def test_the_fee_case_page_says_the_appeal_deadline_is_not_known_until_the_letter_is_sent(
    client, imposed_not_sent, fee_officer, service
):
    client.force_login(fee_officer)
    client.cookies["portal_language"] = "en"
    page = client.get(reverse("fees:case", args=[service.slug, imposed_not_sent.pk])).content.decode()
    assert "not known yet" in page
    letter = FeeLetter.objects.get(fee_case=imposed_not_sent, kind="decision")
    assert f'data-testid="letter-dispatch-{letter.pk}"' in page


def test_a_waived_fee_is_decided_without_a_deadline_to_wait_for(answered, fee_officer, lead):
    from .conftest import assessment

    services.fee_case_assess_hardship(
        actor=fee_officer, fee_case=answered, assessment=assessment(burdensome=True, reasoning="Uføretrygd.")
    )
    fee_case = services.fee_case_decide(actor=lead, fee_case=answered, outcome="waived_hardship", reasons=REASONS)
    assert services.fee_case_make_final(actor=lead, fee_case=fee_case).status == FeeCaseStatus.FINAL


def test_with_a_guardians_copy_the_decision_reached_them_when_the_last_letter_arrived(imposed_not_sent, fee_officer):
    from referrals.models import Guardian
    from tests.fees.factories import FeeLetterFactory

    guardian = Guardian.objects.create(
        referral=imposed_not_sent.referral,
        name="Kari Nordmann",
        relation="mor",
        street_address="Gata 2",
        postal_code="0150",
        postal_town="Oslo",
    )
    copy = FeeLetterFactory(
        fee_case=imposed_not_sent, kind="decision", recipient_kind="guardian", guardian=guardian, recipient_name="Kari"
    )
    today = timezone.localdate()
    persons = FeeLetter.objects.get(fee_case=imposed_not_sent, kind="decision", recipient_kind="person")
    services.fee_letter_mark_sent(
        actor=fee_officer, letter=persons, method="digital", sent_on=today, delivered_on=today
    )
    assert FeeCase.objects.get(pk=imposed_not_sent.pk).appeal_deadline is None  # the guardian's copy has not left
    services.fee_letter_mark_sent(actor=fee_officer, letter=copy, method="posted", sent_on=today)
    copy.refresh_from_db()
    fee_case = FeeCase.objects.get(pk=imposed_not_sent.pk)
    assert fee_case.notified_on == copy.delivered_on > today
    assert fee_case.appeal_deadline == services.appeal_deadline(copy.delivered_on)
