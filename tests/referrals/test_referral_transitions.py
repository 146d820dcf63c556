"""A case moves only along its transitions table: referral_move makes exactly the moves REFERRAL_TRANSITIONS has,
refuses the others with nothing saved, and takes a move to the status the case has as no move."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_noop

from portal.models import AuditEvent
from referrals.models import REFERRAL_TRANSITIONS, ReferralEvent, ReferralStatus
from referrals.services import referral_move
from tests.factories import ReferralFactory

PAIRS = [(current, to) for current in ReferralStatus.values for to in ReferralStatus.values if current != to]


def test_the_table_has_every_status_and_leads_only_to_statuses():
    assert set(REFERRAL_TRANSITIONS) == set(ReferralStatus.values)
    assert all(targets <= set(ReferralStatus.values) for targets in REFERRAL_TRANSITIONS.values())
    assert not any(status in targets for status, targets in REFERRAL_TRANSITIONS.items())


@pytest.mark.parametrize(("current", "to"), PAIRS)
def test_a_case_moves_between_two_statuses_exactly_when_the_table_allows_it(service, lead, current, to):
    referral = ReferralFactory(service=service, status=current)
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()
    if to in REFERRAL_TRANSITIONS[current]:
        assert referral_move(actor=lead, referral=referral, to=to, message=gettext_noop("Case closed.")) is True
        referral.refresh_from_db()
        assert referral.status == to
        event = ReferralEvent.objects.get(referral=referral)
        assert (event.kind, event.message, event.actor) == ("referral.status", "Case closed.", lead)
        audit = AuditEvent.objects.get(action="referral.status_changed", object_id=str(referral.pk))
        assert (audit.actor, audit.person_id, audit.extra) == (lead, referral.person_id, {"from": current, "to": to})
        assert AuditEvent.objects.count() == audits + 1
    else:
        with pytest.raises(ValidationError) as raised:
            referral_move(actor=lead, referral=referral, to=to, message=gettext_noop("Case closed."))
        assert raised.value.code == "wrong_move"
        referral.refresh_from_db()
        assert referral.status == current
        assert (ReferralEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


@pytest.mark.parametrize("status", ReferralStatus.values)
def test_a_move_to_the_status_the_case_has_changes_nothing_and_writes_nothing(service, lead, status):
    referral = ReferralFactory(service=service, status=status)
    events, audits = ReferralEvent.objects.count(), AuditEvent.objects.count()
    assert referral_move(actor=lead, referral=referral, to=status, message=gettext_noop("Case closed.")) is False
    referral.refresh_from_db()
    assert referral.status == status
    assert (ReferralEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_a_move_whose_step_tells_it_on_the_timeline_writes_only_the_audit_log(service, lead):
    referral = ReferralFactory(service=service)
    referral_move(actor=lead, referral=referral, to=ReferralStatus.ASSIGNED, message=None)
    assert not referral.events.exists()
    assert AuditEvent.objects.filter(action="referral.status_changed", object_id=str(referral.pk)).exists()


def test_a_refused_move_says_where_the_case_can_go(service, lead):
    referral = ReferralFactory(
        service=service, status=ReferralStatus.MISSED, route="order", seizure_unknown=False, classification="exempt"
    )
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        referral_move(actor=lead, referral=referral, to=ReferralStatus.BOOKED, message=None)
    assert raised.value.messages == [
        "A case that is “Did not attend” cannot become “Meeting booked”; from there it can become: "
        "Valid absence, Closed."
    ]
    with translation.override("nb"), pytest.raises(ValidationError) as raised:
        referral_move(actor=lead, referral=referral, to=ReferralStatus.BOOKED, message=None)
    assert "«Møtte ikke»" in raised.value.messages[0]


def test_a_closed_case_moves_no_more(service, lead):
    referral = ReferralFactory(service=service, status=ReferralStatus.CLOSED)
    with translation.override("en"), pytest.raises(ValidationError, match="does not move any more"):
        referral_move(actor=lead, referral=referral, to=ReferralStatus.BOOKED, message=None)


def test_after_a_no_show_only_the_condition_route_books_a_new_meeting(service, lead):
    condition = ReferralFactory(service=service, status=ReferralStatus.MISSED)
    order = ReferralFactory(
        service=service, status=ReferralStatus.MISSED, route="order", seizure_unknown=False, classification="exempt"
    )
    assert condition.waits_for_a_meeting and not order.waits_for_a_meeting
    assert referral_move(actor=lead, referral=condition, to=ReferralStatus.BOOKED, message=None) is True
    with pytest.raises(ValidationError):
        referral_move(actor=lead, referral=order, to=ReferralStatus.BOOKED, message=None)


def test_the_databases_waits_for_a_meeting_agrees_with_the_cases_own_for_every_status_and_route(service):
    """The dashboard's query and the case page's property read the same transitions table."""
    from referrals.models import Referral, ReferralStatus, Route, waits_for_a_meeting
    from tests.factories import ReferralFactory

    cases = [
        ReferralFactory(
            service=service,
            status=status,
            route=route,
            seizure_unknown=route == Route.CONDITION,
            classification="exempt",
        )
        for status in ReferralStatus.values
        for route in Route.values
    ]
    found = set(Referral.objects.filter(waits_for_a_meeting()).values_list("pk", flat=True))
    assert found == {case.pk for case in cases if case.waits_for_a_meeting}
    assert found  # some do
