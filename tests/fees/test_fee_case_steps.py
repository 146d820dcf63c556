"""The fee case step by step: each step from the one before it, and every step out of order refused with a
message that says what must happen first."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from counselling.attendance.services import AttendanceDetails, attendance_record
from fees import services
from fees.models import FeeCase, FeeCaseStatus, FeeLetter
from portal.models import AuditEvent, Role
from portal.workdays import add_working_days
from referrals.models import ReferralStatus
from tests.counselling.conftest import pdf_text
from tests.factories import ReferralFactory, StaffMembershipFactory

from .conftest import REASONS, assessment, days_ago, missed_meeting, pass_answer_deadline, pass_appeal_deadline


def test_a_no_show_under_the_order_route_proposes_twice_the_court_fee_of_the_meeting_day(proposed, counsellor):
    court_fee = 1345  # 2026's, and in force until a newer rate is added
    assert proposed.status == FeeCaseStatus.PROPOSED
    assert proposed.amount == 2 * court_fee
    assert proposed.proposed_by == counsellor
    assert proposed.referral.status == ReferralStatus.MISSED
    assert proposed.referral.events.filter(kind="fee_case.proposed").exists()
    assert AuditEvent.objects.filter(action="fee_case.proposed", person_id=proposed.referral.person_id).exists()


def test_the_services_multiplier_sets_the_fee(order_referral, counsellor, fee_policy, court_fee_rates):
    fee_policy.multiplier = 3
    fee_policy.save()
    meeting = missed_meeting(order_referral, counsellor)
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    assert FeeCase.objects.get().amount == 3 * 1345


def test_no_fee_when_the_service_charges_none(order_referral, counsellor, court_fee_rates):
    meeting = missed_meeting(order_referral, counsellor)
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    order_referral.refresh_from_db()
    assert order_referral.status == ReferralStatus.MISSED
    assert not FeeCase.objects.exists()


def test_no_fee_under_the_condition_route_or_for_a_valid_absence(service, counsellor, fee_policy, court_fee_rates):
    condition = ReferralFactory(service=service)
    attendance_record(
        actor=counsellor, meeting=missed_meeting(condition, counsellor), details=AttendanceDetails(outcome="no_show")
    )
    order = ReferralFactory(service=service, route="order", seizure_unknown=False, classification="exempt")
    excused = missed_meeting(order, counsellor, hours_ago=4)
    attendance_record(
        actor=counsellor,
        meeting=excused,
        details=AttendanceDetails(outcome="valid_absence", absence_reason="Innlagt på sykehus."),
    )
    assert not FeeCase.objects.exists()
    with pytest.raises(ValidationError, match="did not attend"):
        services.fee_case_propose(actor=counsellor, meeting=excused)


def test_a_second_fee_for_the_same_meeting_is_impossible(proposed, counsellor):
    with pytest.raises(ValidationError, match="already a fee case"):
        services.fee_case_propose(actor=counsellor, meeting=proposed.meeting)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeCase.objects.create(
            referral=proposed.referral,
            meeting=proposed.meeting,
            amount=100,
            proposed_by=counsellor,
            proposed_at=timezone.now(),
        )
    assert FeeCase.objects.count() == 1


def test_the_advance_notice_gives_the_answer_deadline_on_a_working_day_and_a_letter(noticed, fee_officer):
    today = timezone.localdate()
    assert noticed.status == FeeCaseStatus.NOTICE_SENT
    assert noticed.answer_deadline >= today + datetime.timedelta(days=14)
    assert noticed.answer_deadline.weekday() < 5
    letter = FeeLetter.objects.get(fee_case=noticed)
    assert (letter.kind, letter.recipient_kind) == ("advance_notice", "person")
    text = " ".join(pdf_text(letter.pdf).replace("\xa0", " ").split())
    assert "Forhåndsvarsel om gebyr" in text
    assert "2 690 kr" in text
    assert noticed.answer_deadline.strftime("%Y") in text
    assert "gyldig grunn" in text and "urimelig tyngende" in text
    assert "forvaltningsloven § 16" in text


def test_a_minor_of_15_and_each_guardian_get_the_advance_notice(
    service, counsellor, fee_officer, fee_policy, court_fee_rates
):
    from referrals.models import Guardian

    today = timezone.localdate()
    referral = ReferralFactory(
        service=service,
        route="order",
        seizure_unknown=False,
        classification="exempt",
        person__date_of_birth=today.replace(year=today.year - 15) - datetime.timedelta(days=30),
        incident_date=today - datetime.timedelta(days=20),
    )
    Guardian.objects.create(referral=referral, name="Kari Mor", relation="mor")
    Guardian.objects.create(referral=referral, name="Per Far", relation="far")
    meeting = missed_meeting(referral, counsellor)
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    letters = services.fee_case_send_notice(actor=fee_officer, fee_case=FeeCase.objects.get())
    assert sorted(letter.recipient_name for letter in letters) == sorted(
        ["Kari Mor", "Per Far", referral.person.full_name]
    )
    assert "foresatt" in pdf_text(next(letter for letter in letters if letter.recipient_name == "Kari Mor").pdf)


def test_the_notice_is_sent_once(noticed, fee_officer):
    with pytest.raises(ValidationError, match="sent once"):
        services.fee_case_send_notice(actor=fee_officer, fee_case=noticed)


def test_a_counsellor_cannot_take_the_fee_steps(proposed, counsellor):
    with pytest.raises(ValidationError, match="service lead or fee officer"):
        services.fee_case_send_notice(actor=counsellor, fee_case=proposed)


def test_a_lead_of_another_service_cannot_take_the_fee_steps(proposed, stranger):
    with pytest.raises(ValidationError, match="service lead or fee officer"):
        services.fee_case_send_notice(actor=stranger, fee_case=proposed)


def test_an_answer_is_registered_only_after_the_notice(proposed, fee_officer):
    with pytest.raises(ValidationError, match="after the advance notice"):
        services.fee_case_register_answer(
            actor=fee_officer, fee_case=proposed, received_on=timezone.localdate(), valid_reason="Syk"
        )


def test_the_answer_is_kept(answered, fee_officer):
    assert answered.status == FeeCaseStatus.ANSWERED
    assert answered.answer_valid_reason == "Glemte avtalen."
    assert answered.answer_situation == "Jobber fullt, bor alene."
    assert answered.answer_registered_by == fee_officer


def test_an_empty_answer_or_one_from_the_future_is_refused(noticed, fee_officer):
    with pytest.raises(ValidationError) as raised:
        services.fee_case_register_answer(actor=fee_officer, fee_case=noticed, received_on=timezone.localdate())
    assert "valid_reason" in raised.value.error_dict
    with pytest.raises(ValidationError) as raised:
        services.fee_case_register_answer(
            actor=fee_officer,
            fee_case=noticed,
            received_on=timezone.localdate() + datetime.timedelta(days=1),
            valid_reason="Syk",
        )
    assert "received_on" in raised.value.error_dict


def test_the_answer_period_passes_only_after_the_deadline(noticed, fee_officer):
    with pytest.raises(ValidationError, match="may answer until"):
        services.fee_case_answer_period_passed(actor=fee_officer, fee_case=noticed)
    pass_answer_deadline(noticed)
    fee_case = services.fee_case_answer_period_passed(actor=fee_officer, fee_case=noticed)
    assert fee_case.status == FeeCaseStatus.ANSWER_PERIOD_PASSED
    assert fee_case.answer_period_passed_at is not None


def test_the_answer_period_cannot_pass_before_the_notice(proposed, fee_officer):
    with pytest.raises(ValidationError, match="waiting for an answer"):
        services.fee_case_answer_period_passed(actor=fee_officer, fee_case=proposed)


def test_a_late_answer_before_the_assessment_is_still_taken_in(noticed, fee_officer):
    pass_answer_deadline(noticed)
    services.fee_case_answer_period_passed(actor=fee_officer, fee_case=noticed)
    fee_case = services.fee_case_register_answer(
        actor=fee_officer, fee_case=noticed, received_on=timezone.localdate(), situation="Mistet jobben."
    )
    assert fee_case.status == FeeCaseStatus.ANSWERED


def test_hardship_is_assessed_only_after_the_person_was_heard(noticed, fee_officer):
    with pytest.raises(ValidationError, match="Hardship is assessed after"):
        services.fee_case_assess_hardship(actor=fee_officer, fee_case=noticed, assessment=assessment())


def test_a_hardship_assessment_needs_every_part(answered, fee_officer):
    with pytest.raises(ValidationError) as raised:
        services.fee_case_assess_hardship(
            actor=fee_officer,
            fee_case=answered,
            assessment=assessment(financial_situation=" ", reasoning="", unreasonably_burdensome=None),
        )
    assert set(raised.value.error_dict) == {"financial_situation", "reasoning", "unreasonably_burdensome"}


def test_the_assessment_is_kept_and_can_be_redone_before_the_decision(assessed, fee_officer):
    assert assessed.status == FeeCaseStatus.ASSESSED
    assert assessed.hardship_unreasonably_burdensome is False
    again = services.fee_case_assess_hardship(
        actor=fee_officer, fee_case=assessed, assessment=assessment(burdensome=True, reasoning="Ny informasjon.")
    )
    assert again.hardship_unreasonably_burdensome is True


def test_the_counsellor_who_proposed_the_fee_cannot_decide_it_even_as_a_lead(
    service, order_referral, fee_policy, court_fee_rates, fee_officer
):
    proposer = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__username="lead_proposer").user
    attendance_record(
        actor=proposer,
        meeting=missed_meeting(order_referral, proposer),
        details=AttendanceDetails(outcome="no_show"),
    )
    fee_case = FeeCase.objects.get()
    services.fee_case_send_notice(actor=fee_officer, fee_case=fee_case)
    pass_answer_deadline(fee_case)
    services.fee_case_answer_period_passed(actor=fee_officer, fee_case=fee_case)
    services.fee_case_assess_hardship(actor=fee_officer, fee_case=fee_case, assessment=assessment())
    with pytest.raises(ValidationError, match="someone else must decide"):
        services.fee_case_decide(actor=proposer, fee_case=fee_case, outcome="imposed", reasons=REASONS)
    assert services.fee_case_decide(actor=fee_officer, fee_case=fee_case, outcome="imposed", reasons=REASONS)


def test_a_counsellor_cannot_decide(assessed, colleague):
    with pytest.raises(ValidationError, match="service lead or fee officer"):
        services.fee_case_decide(actor=colleague, fee_case=assessed, outcome="imposed", reasons=REASONS)


def test_a_decision_without_reasons_is_refused(assessed, lead):
    with pytest.raises(ValidationError) as raised:
        services.fee_case_decide(actor=lead, fee_case=assessed, outcome="imposed", reasons="   ")
    assert "reasons" in raised.value.error_dict
    assessed.refresh_from_db()
    assert assessed.status == FeeCaseStatus.ASSESSED
    assert not FeeLetter.objects.filter(kind="decision").exists()


def test_the_database_refuses_a_decision_without_reasons(assessed, lead):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeCase.objects.filter(pk=assessed.pk).update(
            status="decided", outcome="waived_hardship", decided_at=timezone.now(), reasons=""
        )


def test_the_database_refuses_an_imposed_fee_of_nothing(assessed):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeCase.objects.filter(pk=assessed.pk).update(outcome="imposed", decided_amount=0)


def test_a_decision_needs_the_person_heard_and_the_hardship_assessed(noticed, answered, lead):
    with pytest.raises(ValidationError, match="Assess hardship before deciding"):
        services.fee_case_decide(actor=lead, fee_case=answered, outcome="imposed", reasons=REASONS)


def test_a_decision_before_the_person_was_heard_is_refused(noticed, lead):
    with pytest.raises(ValidationError, match="must be heard first"):
        services.fee_case_decide(actor=lead, fee_case=noticed, outcome="imposed", reasons=REASONS)


def test_a_fee_found_unreasonably_burdensome_cannot_be_imposed(answered, fee_officer, lead):
    services.fee_case_assess_hardship(
        actor=fee_officer, fee_case=answered, assessment=assessment(burdensome=True, reasoning="Uføretrygd, gjeld.")
    )
    with pytest.raises(ValidationError) as raised:
        services.fee_case_decide(actor=lead, fee_case=answered, outcome="imposed", reasons=REASONS)
    assert "outcome" in raised.value.error_dict


def test_an_imposed_fee_gets_the_amount_and_the_appeal_deadline_three_weeks_after_the_posted_decision_arrived(
    imposed, lead
):
    arrived = add_working_days(timezone.localdate(), 3)  # posted today; the default presumption of arrival
    assert imposed.status == FeeCaseStatus.DECIDED
    assert imposed.decided_amount == imposed.amount == 2690
    assert imposed.decided_by == lead
    assert imposed.notified_on == arrived
    assert imposed.appeal_deadline == services.appeal_deadline(arrived)


def test_the_decision_letter_says_what_the_law_requires(imposed):
    letter = FeeLetter.objects.get(fee_case=imposed, kind="decision")
    text = " ".join(pdf_text(letter.pdf).replace("\xa0", " ").split())
    assert "Vedtak om gebyr" in text
    assert "2 690 kr" in text
    assert " ".join(REASONS.split()) in text
    # Made before it was sent, the letter cannot know the day it reaches the person.
    assert "Klagefristen er tre uker fra den dagen du fikk dette brevet." in text
    assert "Statsforvalteren i Oslo og Viken" in text  # the appeal body
    assert "1234.56.78903" in text  # how to pay
    assert "forskrift om gebyr for manglende oppmøte § 1" in text
    assert "forvaltningsloven § 18" in text  # the right to see the case documents
    assert "urimelig tyngende" in text
    assert "Med fast inntekt og uten gjeld" in text  # the hardship judgement


def test_a_waived_fee_has_no_amount_and_its_letter_asks_for_no_payment(answered, fee_officer, lead):
    services.fee_case_assess_hardship(
        actor=fee_officer, fee_case=answered, assessment=assessment(burdensome=True, reasoning="Uføretrygd.")
    )
    fee_case = services.fee_case_decide(
        actor=lead, fee_case=answered, outcome="waived_hardship", reasons="Gebyret vil være urimelig tyngende."
    )
    assert (fee_case.outcome, fee_case.decided_amount) == ("waived_hardship", None)
    text = pdf_text(FeeLetter.objects.get(fee_case=fee_case, kind="decision").pdf)
    assert "ilegges ikke gebyr" in text
    assert "Beløp og betaling" not in text
    assert services.fee_case_make_final(actor=lead, fee_case=fee_case).status == FeeCaseStatus.FINAL


def test_the_decision_is_made_once(imposed, lead):
    with pytest.raises(ValidationError, match="already decided"):
        services.fee_case_decide(actor=lead, fee_case=imposed, outcome="imposed", reasons=REASONS)


def test_an_appeal_puts_collection_on_hold(appealed, fee_officer):
    assert appealed.status == FeeCaseStatus.APPEALED
    assert appealed.appeal_grounds == "Jeg var syk den dagen."
    with pytest.raises(ValidationError, match="when no appeal is pending"):
        services.fee_case_make_final(actor=fee_officer, fee_case=appealed)


def test_an_appeal_is_registered_only_against_a_decision(assessed, fee_officer):
    with pytest.raises(ValidationError, match="not yet final"):
        services.fee_case_register_appeal(
            actor=fee_officer, fee_case=assessed, received_on=timezone.localdate(), grounds="Uenig."
        )


def test_an_appeal_without_grounds_is_refused(imposed, fee_officer):
    with pytest.raises(ValidationError) as raised:
        services.fee_case_register_appeal(
            actor=fee_officer, fee_case=imposed, received_on=timezone.localdate(), grounds=""
        )
    assert "grounds" in raised.value.error_dict


def test_the_service_reverses_its_decision_and_tells_the_person(appealed, lead):
    fee_case = services.fee_case_reverse(actor=lead, fee_case=appealed, reasons="Legeerklæring viser sykdom.")
    assert (fee_case.status, fee_case.appeal_outcome) == (FeeCaseStatus.APPEAL_CONCLUDED, "reversed")
    assert not fee_case.collectable
    text = pdf_text(FeeLetter.objects.get(fee_case=fee_case, kind="appeal_outcome").pdf)
    assert "Legeerklæring viser sykdom." in text
    assert services.fee_case_make_final(actor=lead, fee_case=fee_case).status == FeeCaseStatus.FINAL


def test_a_forwarded_appeal_waits_for_the_appeal_body(appealed, fee_officer):
    fee_case = services.fee_case_forward_appeal(actor=fee_officer, fee_case=appealed)
    assert fee_case.status == FeeCaseStatus.FORWARDED
    with pytest.raises(ValidationError, match="not been forwarded"):
        services.fee_case_reverse(actor=fee_officer, fee_case=fee_case, reasons="For sent.")
    with pytest.raises(ValidationError, match="when no appeal is pending"):
        services.fee_case_make_final(actor=fee_officer, fee_case=fee_case)
    fee_case = services.fee_case_register_appeal_outcome(
        actor=fee_officer, fee_case=fee_case, outcome="upheld", decided_on=timezone.localdate()
    )
    assert (fee_case.status, fee_case.appeal_outcome, fee_case.collectable) == ("appeal_concluded", "upheld", True)
    assert services.fee_case_make_final(actor=fee_officer, fee_case=fee_case).status == FeeCaseStatus.FINAL


def test_the_appeal_outcome_is_registered_only_after_forwarding(appealed, fee_officer):
    with pytest.raises(ValidationError, match="after the appeal was forwarded"):
        services.fee_case_register_appeal_outcome(
            actor=fee_officer, fee_case=appealed, outcome="allowed", decided_on=timezone.localdate()
        )


def test_an_appeal_allowed_by_the_appeal_body_leaves_nothing_to_collect(appealed, fee_officer):
    services.fee_case_forward_appeal(actor=fee_officer, fee_case=appealed)
    fee_case = services.fee_case_register_appeal_outcome(
        actor=fee_officer, fee_case=appealed, outcome="allowed", decided_on=timezone.localdate()
    )
    assert not fee_case.collectable


def test_an_imposed_fee_is_final_only_after_the_appeal_deadline(imposed, fee_officer):
    with pytest.raises(ValidationError, match="may appeal until"):
        services.fee_case_make_final(actor=fee_officer, fee_case=imposed)
    pass_appeal_deadline(imposed)
    fee_case = services.fee_case_make_final(actor=fee_officer, fee_case=imposed)
    assert fee_case.status == FeeCaseStatus.FINAL
    assert fee_case.final_at is not None


def test_paid_only_after_collection_and_cancel_needs_a_reason(imposed, fee_officer):
    with pytest.raises(ValidationError, match="after it was sent to collection"):
        services.fee_case_mark_paid(actor=fee_officer, fee_case=imposed, paid_on=timezone.localdate())
    with pytest.raises(ValidationError) as raised:
        services.fee_case_cancel(actor=fee_officer, fee_case=imposed, reason=" ")
    assert "reason" in raised.value.error_dict
    fee_case = services.fee_case_cancel(actor=fee_officer, fee_case=imposed, reason="Feilregistrert oppmøte.")
    assert fee_case.status == FeeCaseStatus.CANCELLED
    with pytest.raises(ValidationError, match="already closed"):
        services.fee_case_cancel(actor=fee_officer, fee_case=fee_case, reason="Igjen.")


def test_every_step_is_on_the_timeline_and_in_the_audit_log(appealed):
    kinds = list(appealed.referral.events.filter(kind__startswith="fee_case.").values_list("kind", flat=True))
    assert kinds == [
        "fee_case.proposed",
        "fee_case.notice_sent",
        "fee_case.answered",
        "fee_case.assessed",
        "fee_case.decided",
        "fee_case.letter.dispatched",
        "fee_case.decision_reached",
        "fee_case.appealed",
    ]
    actions = set(AuditEvent.objects.filter(action__startswith="fee_case.").values_list("action", flat=True))
    assert actions == set(kinds)


def test_the_timeline_reads_in_the_readers_language(imposed):
    from django.utils import translation

    event = imposed.referral.events.get(kind="fee_case.decided")
    with translation.override("en"):
        assert "Fee imposed" in event.description
    assert days_ago(0) == timezone.localdate()
