"""The dashboard: what needs the user today, for a counsellor their own, for a lead the whole service."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from counselling.scheduling.models import Reminder, ReminderState
from counselling.scheduling.services.flags import flag_raise, flags_raise
from portal.models import Role
from referrals.models import Referral
from referrals.services import referral_assign
from tests.factories import MeetingFactory, ReferralFactory, StaffMembershipFactory


def dashboard(client, service):
    return client.get(reverse("scheduling:dashboard", kwargs={"service_slug": service.slug}))


@pytest.fixture
def busy_day(service, lead, counsellor, colleague, location):
    """Meetings today and tomorrow, a flagged meeting, a deadline this week and a failed reminder, for the
    counsellor; the same again for a colleague."""
    now = timezone.localtime()
    today = timezone.localdate()
    for who in (counsellor, colleague):
        for days, hour in [(0, 23), (1, 9), (1, 14)]:
            start = datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour), now.tzinfo)
            referral = ReferralFactory(service=service, attendance_deadline=today + datetime.timedelta(days=5))
            referral_assign(actor=lead, referral=referral, counsellor=who)
            meeting = MeetingFactory(referral=referral, counsellor=who, location=location, starts_at=start)
        past = MeetingFactory(
            referral=referral, counsellor=who, location=location, starts_at=timezone.now() - datetime.timedelta(days=1)
        )
        reminder = Reminder.objects.create(
            meeting=meeting,
            days_before=1,
            channel="sms",
            recipient_kind="person",
            address="+4791234567",
            due_at=timezone.now(),
            state=ReminderState.FAILED,
            last_error="400",
        )
        flag_raise(kind="reminder_failed", referral_id=referral.pk, reminder=reminder)
    flags_raise()
    return past


def test_a_counsellor_sees_their_own_meetings_flags_deadlines_and_failed_reminders(
    client, service, counsellor, busy_day
):
    client.force_login(counsellor)
    context = dashboard(client, service).context
    today, tomorrow = (meetings for _label, meetings in context["meeting_days"])
    assert {m.counsellor for m in today + tomorrow} == {counsellor}
    assert (len(today), len(tomorrow)) == (1, 2)
    assert {f.kind for f in context["flags"]} == {"attendance_not_recorded", "reminder_failed"}
    assert all(f.referral.assigned_counsellor == counsellor for f in context["flags"])
    assert len(context["deadlines"]) == 3
    assert [r.meeting.counsellor for r in context["failed_reminders"]] == [counsellor]


def test_a_lead_sees_the_whole_service(client, service, lead, busy_day):
    client.force_login(lead)
    context = dashboard(client, service).context
    assert len(context["flags"]) == 4
    assert len(context["deadlines"]) == 6
    assert len(context["failed_reminders"]) == 2


def test_the_dashboard_query_count_does_not_grow_with_the_work(
    client, service, lead, busy_day, django_assert_num_queries
):
    client.force_login(lead)
    dashboard(client, service)
    # tests/portal/test_shell.py names them (the second factor and the session renewal among them); a
    # lead also gets the cases waiting for a counsellor; everyone their cases with nothing booked and those
    # registered this past week, and everyone who does casework today's drug tests (attendance's dashboard section)
    with django_assert_num_queries(19):
        assert dashboard(client, service).status_code == 200


def test_a_lead_sees_the_cases_waiting_for_a_counsellor(client, service, lead):
    waiting = ReferralFactory(service=service)
    ReferralFactory(service=service, status="closed")
    client.force_login(lead)
    assert dashboard(client, service).context["unassigned"] == [waiting]


def test_a_counsellor_sees_their_cases_with_nothing_booked_and_those_registered_this_week(
    client, service, counsellor, colleague, lead
):
    waiting = ReferralFactory(service=service, assigned_counsellor=counsellor, created_by=lead)
    after_no_show = ReferralFactory(service=service, assigned_counsellor=counsellor, status="missed", route="condition")
    ReferralFactory(service=service, assigned_counsellor=counsellor, status="booked")
    # A no-show under the order route waits for the fee step, not for a meeting.
    ReferralFactory(
        service=service,
        assigned_counsellor=counsellor,
        status="missed",
        route="order",
        seizure_unknown=False,
        classification="exempt",
    )
    ReferralFactory(service=service, assigned_counsellor=colleague)
    old = ReferralFactory(service=service, assigned_counsellor=counsellor, status="closed")
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    mine_registered = ReferralFactory(service=service, created_by=counsellor, status="closed")
    client.force_login(counsellor)
    context = dashboard(client, service).context
    assert {r.pk for r in context["nothing_booked"]} == {waiting.pk, after_no_show.pk}
    assert old not in context["registered_this_week"]
    assert mine_registered in context["registered_this_week"] and waiting in context["registered_this_week"]
    assert len(context["registered_this_week"]) == 5  # all but the colleague's and the old one


def test_registering_a_referral_is_one_click_from_the_dashboard_for_those_who_do_casework(client, service, counsellor):
    register = reverse("referrals:create", kwargs={"service_slug": service.slug})
    client.force_login(counsellor)
    assert f'href="{register}"' in dashboard(client, service).content.decode()

    fee_officer = StaffMembershipFactory(service=service, role=Role.FEE_OFFICER).user
    client.force_login(fee_officer)
    assert f'href="{register}"' not in dashboard(client, service).content.decode()
