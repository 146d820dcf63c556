"""A fee case moves only along FEE_CASE_STEPS: fee_case_move makes exactly the moves the table has and refuses the
others with nothing saved, and the case page offers exactly the steps the table takes from the case's status."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from fees import views
from fees.models import FEE_CASE_STEPS, FEE_CASE_TRANSITIONS, FeeCase, FeeCaseStatus, FeeOutcome
from fees.selectors import BATCH_STEPS, fee_case_next_steps
from fees.services import fee_case_move
from portal.models import AuditEvent
from referrals.models import ReferralEvent

from .factories import CollectionExportFactory, FeeCaseFactory, OrderReferralFactory

PAIRS = [(current, to) for current in FeeCaseStatus.values for to in FeeCaseStatus.values]


def test_the_table_has_every_status_and_each_step_leads_to_a_status():
    assert set(FEE_CASE_STEPS) == set(FeeCaseStatus.values)
    assert all(set(steps.values()) <= set(FeeCaseStatus.values) for steps in FEE_CASE_STEPS.values())
    assert FEE_CASE_TRANSITIONS[FeeCaseStatus.ASSESSED] == {
        FeeCaseStatus.DECIDED,
        FeeCaseStatus.ASSESSED,
        FeeCaseStatus.CANCELLED,
    }


def test_every_step_of_the_table_is_a_button_on_the_case_page_or_the_collection_export():
    steps = {step for steps in FEE_CASE_STEPS.values() for step in steps}
    assert steps == set(views.STEPS) | BATCH_STEPS


@pytest.mark.parametrize(("current", "to"), PAIRS)
def test_a_fee_case_moves_between_two_statuses_exactly_when_the_table_allows_it(service, lead, current, to):
    # What the database asks of an exported, paid or cancelled case is there from the start.
    fee_case = FeeCaseFactory(
        referral=OrderReferralFactory(service=service),
        status=current,
        exported_in=CollectionExportFactory(service=service, created_by=lead),
        cancel_reason="Feilregistrert.",
    )
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()
    message = gettext_noop("The fee case was cancelled.")
    if to in FEE_CASE_TRANSITIONS[current]:
        fee_case_move(actor=lead, fee_case=fee_case, to=to, kind="cancelled", message=message)
        fee_case.refresh_from_db()
        assert fee_case.status == to
        event = ReferralEvent.objects.get(referral=fee_case.referral)
        assert (event.kind, event.extra, event.actor) == ("fee_case.cancelled", {"fee_case": fee_case.pk}, lead)
        assert AuditEvent.objects.filter(action="fee_case.cancelled", object_id=str(fee_case.pk)).count() == 1
        assert AuditEvent.objects.count() == audits + 1
    else:
        with pytest.raises(ValidationError) as raised:
            fee_case_move(actor=lead, fee_case=fee_case, to=to, kind="cancelled", message=message)
        assert raised.value.code == "wrong_step"
        fee_case.refresh_from_db()
        assert fee_case.status == current
        assert (ReferralEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_a_refused_move_says_where_the_fee_case_can_go(service, lead):
    fee_case = FeeCaseFactory(referral=OrderReferralFactory(service=service), status=FeeCaseStatus.DECIDED)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        fee_case_move(actor=lead, fee_case=fee_case, to=FeeCaseStatus.PAID, kind="paid", message="")
    with translation.override("en"):
        assert raised.value.messages == [
            "A fee case that is “Decided” cannot become “Paid”; from there it can become: "
            "Late appeal received, Appealed, Final, Cancelled."
        ]
    fee_case.status = FeeCaseStatus.CANCELLED
    with translation.override("en"), pytest.raises(ValidationError, match="is closed"):
        fee_case_move(actor=lead, fee_case=fee_case, to=FeeCaseStatus.FINAL, kind="final", message="")


TODAY = datetime.date(2026, 10, 14)
LATER, EARLIER = TODAY + datetime.timedelta(days=3), TODAY - datetime.timedelta(days=3)

# The buttons of the case page for each status, the usual step first (cancelling is offered apart, below them).
NEXT_STEPS = [
    ({"status": "proposed"}, ["notice", "cancel"]),
    ({"status": "notice_sent", "answer_deadline": LATER}, ["answer", "cancel"]),
    ({"status": "notice_sent", "answer_deadline": EARLIER}, ["answer", "answer_period_passed", "cancel"]),
    ({"status": "answered"}, ["assess", "cancel"]),
    ({"status": "answer_period_passed"}, ["assess", "answer", "cancel"]),
    ({"status": "assessed"}, ["decide", "assess", "cancel"]),
    ({"status": "decided", "outcome": FeeOutcome.IMPOSED, "appeal_deadline": LATER}, ["appeal", "cancel"]),
    (
        {"status": "decided", "outcome": FeeOutcome.IMPOSED, "appeal_deadline": EARLIER},
        ["final", "appeal", "late_appeal", "cancel"],
    ),
    ({"status": "decided", "outcome": FeeOutcome.WAIVED_HARDSHIP, "appeal_deadline": LATER}, ["final", "cancel"]),
    ({"status": "decided", "outcome": FeeOutcome.WAIVED_HARDSHIP, "appeal_deadline": EARLIER}, ["final", "cancel"]),
    ({"status": "late_appeal"}, ["consider_late_appeal", "reject_late_appeal", "cancel"]),
    ({"status": "late_appeal_exported"}, ["consider_late_appeal", "reject_late_appeal", "cancel"]),
    ({"status": "appealed"}, ["reverse", "forward", "cancel"]),
    ({"status": "forwarded"}, ["appeal_outcome", "cancel"]),
    ({"status": "appeal_concluded"}, ["final", "cancel"]),
    ({"status": "final", "outcome": FeeOutcome.IMPOSED, "appeal_deadline": EARLIER}, ["late_appeal", "cancel"]),
    ({"status": "final", "outcome": FeeOutcome.IMPOSED, "appeal_received_on": EARLIER}, ["cancel"]),
    ({"status": "final", "outcome": FeeOutcome.WAIVED_HARDSHIP}, ["cancel"]),
    (
        {"status": "exported", "outcome": FeeOutcome.IMPOSED, "appeal_deadline": EARLIER},
        ["paid", "late_appeal", "cancel"],
    ),
    ({"status": "exported", "outcome": FeeOutcome.IMPOSED, "appeal_received_on": EARLIER}, ["paid", "cancel"]),
    ({"status": "paid"}, []),
    ({"status": "cancelled"}, []),
]


@pytest.mark.parametrize(("fields", "expected"), NEXT_STEPS)
def test_the_case_page_offers_the_steps_the_table_takes_from_the_status_that_the_dates_allow(fields, expected):
    noon = datetime.datetime.combine(TODAY, datetime.time(12), timezone.get_current_timezone())
    with time_machine.travel(noon, tick=False):
        steps = fee_case_next_steps(FeeCase(**fields))
    assert steps == expected
    assert set(steps) <= set(FEE_CASE_STEPS[fields["status"]])
