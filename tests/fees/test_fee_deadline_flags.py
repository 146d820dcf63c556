"""The fee deadlines sweep flags a case whose answer or appeal period is over, once, and the step that follows
resolves the flag."""

from counselling.scheduling.models import Flag
from fees import services
from fees.sweeps import fee_deadlines_flag
from tests.fees.conftest import pass_answer_deadline, pass_appeal_deadline


def test_an_answer_period_that_is_over_is_flagged_once_and_resolved_by_recording_no_answer(noticed, fee_officer):
    assert fee_deadlines_flag() == 0  # the person may still answer
    pass_answer_deadline(noticed)
    assert fee_deadlines_flag() == 1
    assert fee_deadlines_flag() == 0
    flag = Flag.objects.get(kind="fee_answer_period_over")
    assert flag.referral == noticed.referral and flag.resolved_at is None
    services.fee_case_answer_period_passed(actor=fee_officer, fee_case=noticed)
    flag.refresh_from_db()
    assert flag.resolved_by == fee_officer


def test_an_appeal_period_that_is_over_is_flagged_and_resolved_when_the_decision_is_made_final(imposed, fee_officer):
    assert fee_deadlines_flag() == 0
    pass_appeal_deadline(imposed)
    assert fee_deadlines_flag() == 1
    services.fee_case_make_final(actor=fee_officer, fee_case=imposed)
    assert Flag.objects.get(kind="fee_appeal_period_over").resolved_at is not None


def test_an_appealed_case_is_not_flagged_for_its_appeal_period(appealed):
    pass_appeal_deadline(appealed)
    assert fee_deadlines_flag() == 0


def test_the_case_closes_when_a_waived_fee_is_final(assessed, lead, fee_officer):
    decided = services.fee_case_decide(
        actor=lead,
        fee_case=assessed,
        outcome="waived_hardship",
        reasons="Et gebyr vil være urimelig tyngende: personen har ingen inntekt og stor gjeld.",
    )
    services.fee_case_make_final(actor=fee_officer, fee_case=decided)
    decided.referral.refresh_from_db()
    assert decided.referral.status == "closed"


def test_a_valid_reason_found_sends_the_case_back_to_booking(assessed, lead, fee_officer):
    decided = services.fee_case_decide(
        actor=lead,
        fee_case=assessed,
        outcome="dropped_valid_reason",
        reasons="Personen var dokumentert syk; et gebyr ville uansett ikke vært rimelig.",
    )
    services.fee_case_make_final(actor=fee_officer, fee_case=decided)
    decided.referral.refresh_from_db()
    assert decided.referral.status == "valid_absence"


def test_a_fee_letter_is_recorded_as_sent_once_with_who_and_when(client, noticed, fee_officer, lead, service):
    from django.urls import reverse
    from django.utils import timezone

    letter = noticed.letters.get(recipient_kind="person")
    client.force_login(fee_officer)
    client.post(
        reverse("fees:letter_sent", args=[service.slug, letter.pk]),
        {"dispatch-method": "posted", "dispatch-sent_on": timezone.localdate()},
    )
    letter.refresh_from_db()
    assert (letter.sent_on, letter.sent_by, letter.dispatch_method) == (timezone.localdate(), fee_officer, "posted")
    services.fee_letter_mark_sent(actor=lead, letter=letter, sent_on=timezone.localdate())
    letter.refresh_from_db()
    assert letter.sent_by == fee_officer
    assert noticed.referral.events.filter(kind="fee_case.letter.dispatched").count() == 1


def test_a_letter_cannot_be_sent_in_the_future(noticed, fee_officer):
    import datetime

    import pytest
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    letter = noticed.letters.get(recipient_kind="person")
    with pytest.raises(ValidationError):
        services.fee_letter_mark_sent(
            actor=fee_officer, letter=letter, sent_on=timezone.localdate() + datetime.timedelta(days=1)
        )


def test_an_advance_notice_posted_late_gives_the_full_answer_period_from_its_arrival(noticed, fee_officer):
    import datetime

    from django.utils import timezone

    from fees.models import FeeCase
    from portal.workdays import add_working_days, next_working_day

    first_deadline = noticed.answer_deadline
    letter = noticed.letters.get(recipient_kind="person")
    # Made three days ago, posted today.
    type(letter).objects.filter(pk=letter.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    FeeCase.objects.filter(pk=noticed.pk).update(answer_deadline=first_deadline - datetime.timedelta(days=3))
    services.fee_letter_mark_sent(actor=fee_officer, letter=letter, sent_on=timezone.localdate())
    noticed.refresh_from_db()
    arrived = add_working_days(timezone.localdate(), 3)  # posted today; the default presumption of arrival
    assert noticed.answer_deadline == next_working_day(arrived + datetime.timedelta(days=14))


def test_an_answer_after_the_deadline_resolves_the_answer_period_flag(noticed, fee_officer):
    from django.utils import timezone

    pass_answer_deadline(noticed)
    fee_deadlines_flag()
    services.fee_case_register_answer(
        actor=fee_officer, fee_case=noticed, received_on=timezone.localdate(), valid_reason="Var syk."
    )
    assert Flag.objects.get(kind="fee_answer_period_over").resolved_by == fee_officer


def test_an_appeal_after_the_deadline_resolves_the_appeal_period_flag(imposed, fee_officer):
    from django.utils import timezone

    pass_appeal_deadline(imposed)
    fee_deadlines_flag()
    services.fee_case_register_late_appeal(
        actor=fee_officer, fee_case=imposed, received_on=timezone.localdate(), grounds="Jeg var syk."
    )
    assert Flag.objects.get(kind="fee_appeal_period_over").resolved_by == fee_officer


def test_cancelling_the_fee_case_resolves_its_deadline_flag_and_closes_the_case(noticed, fee_officer):
    pass_answer_deadline(noticed)
    fee_deadlines_flag()
    services.fee_case_cancel(actor=fee_officer, fee_case=noticed, reason="Feilregistrert oppmøte.")
    assert Flag.objects.get(kind="fee_answer_period_over").resolved_by == fee_officer
    noticed.referral.refresh_from_db()
    assert noticed.referral.status == "closed"
    closed = noticed.referral.events.get(kind="referral.status")
    assert (closed.message, closed.actor) == ("Case closed.", fee_officer)


def test_the_case_closes_when_the_fee_is_paid(imposed, fee_officer, service):
    from django.utils import timezone

    pass_appeal_deadline(imposed)
    services.fee_case_make_final(actor=fee_officer, fee_case=imposed)
    imposed.referral.refresh_from_db()
    assert imposed.referral.status == "missed"  # the fee is still to be collected
    today = timezone.localdate()
    services.fee_collection_export(actor=fee_officer, service=service, period_start=today, period_end=today)
    services.fee_case_mark_paid(actor=fee_officer, fee_case=imposed, paid_on=today)
    imposed.referral.refresh_from_db()
    assert imposed.referral.status == "closed"


def _booked_again(assessed, lead, fee_officer, counsellor):
    """A valid reason found, the decision final, and the new meeting booked."""
    from counselling.scheduling.services import meeting_book
    from tests.counselling.conftest import soon
    from tests.factories import LocationFactory

    decided = services.fee_case_decide(
        actor=lead, fee_case=assessed, outcome="dropped_valid_reason", reasons="Personen var dokumentert syk."
    )
    services.fee_case_make_final(actor=fee_officer, fee_case=decided)
    meeting = meeting_book(
        actor=counsellor,
        referral=decided.referral,
        counsellor=counsellor,
        location=LocationFactory(service=decided.referral.service),
        starts_at=soon(),
        late_reason="Ny time etter gyldig fravær.",
    )
    decided.referral.refresh_from_db()
    assert decided.referral.status == "booked"
    return decided, meeting


def test_recording_a_fee_letter_as_sent_leaves_the_case_where_it_is(assessed, lead, fee_officer, counsellor):
    from django.utils import timezone

    decided, _meeting = _booked_again(assessed, lead, fee_officer, counsellor)
    letter = decided.letters.get(kind="decision")
    services.fee_letter_mark_sent(actor=fee_officer, letter=letter, sent_on=timezone.localdate())
    decided.referral.refresh_from_db()
    assert decided.referral.status == "booked"


def test_a_closed_case_stays_closed_when_its_booked_meeting_is_cancelled(assessed, lead, fee_officer, counsellor):
    from counselling.scheduling.services import meeting_cancel

    decided, meeting = _booked_again(assessed, lead, fee_officer, counsellor)
    services.fee_case_cancel(actor=fee_officer, fee_case=decided, reason="Saken ble registrert ved en feil.")
    decided.referral.refresh_from_db()
    assert decided.referral.status == "closed"
    meeting_cancel(actor=counsellor, meeting=meeting, requested_by="service", reason="Saken er avsluttet.")
    decided.referral.refresh_from_db()
    assert decided.referral.status == "closed"


def test_a_valid_reason_found_on_a_case_closed_meanwhile_leaves_it_closed(assessed, lead, fee_officer):
    from referrals.models import Referral

    decided = services.fee_case_decide(
        actor=lead, fee_case=assessed, outcome="dropped_valid_reason", reasons="Personen var dokumentert syk."
    )
    # As the end of an earlier fee case of the same case would close it.
    Referral.objects.filter(pk=decided.referral_id).update(status="closed")
    services.fee_case_make_final(actor=fee_officer, fee_case=decided)
    decided.referral.refresh_from_db()
    assert decided.referral.status == "closed"
