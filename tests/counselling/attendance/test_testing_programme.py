"""Drug testing as a condition, through its services: the prosecution's programme registered on a condition case,
call-in days drawn only on days the unit is open and spread over the period, announced tests booked in the
collector's free time, outcomes recorded by the procedure for sanctionary samples, a result the police shared kept
by a lead, and the end of the programme with its report to the police, which holds dates and counts and nothing
else.

Every test fixes the clock (the suite also runs with it moved): it is Monday 4 January 2027 at 09:00 unless a test
moves it, and the programme runs the four weeks from Monday 11 January to Friday 5 February.
"""

import datetime
import random
import threading
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from counselling.attendance.models import (
    CallInChannel,
    CallInMessage,
    CallInPurpose,
    CallInState,
    DrugTest,
    DrugTestKind,
    DrugTestOutcome,
    DrugTestStatus,
    LabResultShared,
    PoliceReport,
    ProgrammeStatus,
    ReportingRule,
    TestingProgramme,
)
from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.attendance.services.police_reports import police_report_html
from counselling.attendance.services.testing import (
    ANNOUNCED_TEST_MINUTES,
    OutcomeDetails,
    ProgrammeDetails,
    announced_test_book,
    call_in_confirm,
    call_in_days_open,
    call_in_days_pick,
    call_in_discard,
    call_ins_suggest,
    drug_test_cancel,
    drug_test_outcome_record,
    lab_result_record,
    programme_end,
    programme_end_refusal,
    programme_register,
)
from counselling.attendance.services.testing import testing_running as runs  # pytest collects names test…
from counselling.attendance.services.testing_reports import requisition_html
from counselling.scheduling.models import Flag, MeetingStatus
from counselling.scheduling.selectors import free_slots
from counselling.scheduling.services import meeting_book
from portal.models import AuditEvent, StaffMembership
from portal.workdays import norwegian_public_holidays
from referrals.models import ReferralStatus
from tests.counselling.conftest import pdf_text
from tests.factories import (
    AbsenceFactory,
    DrugTestFactory,
    LocationFactory,
    MeetingFactory,
    OpeningHoursFactory,
    ReferralFactory,
    SampleTypeFactory,
    StaffMembershipFactory,
    TestingProgrammeFactory,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NOW = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=OSLO)  # a Monday morning
TODAY = NOW.date()
FIRST = datetime.date(2027, 1, 11)  # the programme's first day, a Monday
LAST = datetime.date(2027, 2, 5)  # its last, a Friday four weeks on
TUESDAY = datetime.date(2027, 1, 12)
WEDNESDAY = datetime.date(2027, 1, 13)
PHONE = "+4791234567"
EMAIL = "ola@example.org"
SAMPLE_NUMBER = "LAB-2027-000417"
NOTE = "Legeerklæring for influensa levert i resepsjonen"
RESULT = "Positiv for THC, 42 ng/ml"
LEAVE = "Ingen andre på huset denne dagen; personen har samtykket."


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), OSLO)


def weekdays_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5]


def membership_of(user, service) -> StaffMembership:
    return StaffMembership.objects.get(user=user, service=service)


def timeline(referral) -> str:
    return "\n".join(event.description for event in referral.events.all())


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def weekdays_open(service, counsellor, colleague, location):
    """The unit is open Monday to Friday, 08:00–16:00: the counsellor and the colleague both have hours."""
    for user in (counsellor, colleague):
        for weekday in range(5):
            OpeningHoursFactory(
                service=service,
                location=location,
                counsellor=user,
                weekday=weekday,
                starts=datetime.time(8),
                ends=datetime.time(16),
            )


@pytest.fixture
def case(service, counsellor):
    """A condition case assigned to the counsellor, the person reachable by SMS and e-mail."""
    return ReferralFactory(
        service=service,
        created_by=counsellor,
        assigned_counsellor=counsellor,
        status=ReferralStatus.ASSIGNED,
        person__first_name="Ola",
        person__phone=PHONE,
        person__email=EMAIL,
        decision_date=TODAY - datetime.timedelta(days=10),
        attendance_deadline=TODAY + datetime.timedelta(days=90),
    )


@pytest.fixture
def programme(case, weekdays_open):
    return TestingProgrammeFactory(referral=case, starts_on=FIRST, ends_on=LAST, planned_tests=4)


@pytest.fixture
def urine():
    return SampleTypeFactory(name="Urin")


# Registration.


def details(sample_type, **changes) -> ProgrammeDetails:
    values = {
        "starts_on": FIRST,
        "ends_on": LAST,
        "planned_tests": 6,
        "sample_type_id": sample_type.pk,
        "requester": "  Oslo politidistrikt, påtaleenheten ",
        "police_district": "oslo",
        "prosecution_reference": " PÅT-2026-1234 ",
    }
    return ProgrammeDetails(**{**values, **changes})


def test_registering_keeps_the_decision_and_writes_the_timeline_and_the_audit_log(case, counsellor, urine):
    programme = programme_register(
        actor=counsellor, referral=case, details=details(urine, reporting_rule=ReportingRule.EACH_BREACH)
    )
    programme.refresh_from_db()
    assert (programme.starts_on, programme.ends_on, programme.planned_tests) == (FIRST, LAST, 6)
    assert (programme.requester, programme.prosecution_reference) == (
        "Oslo politidistrikt, påtaleenheten",
        "PÅT-2026-1234",
    )
    assert (programme.status, programme.reporting_rule, programme.registered_by) == (
        "running",
        "each_breach",
        counsellor,
    )
    assert programme.announced and programme.unannounced and programme.conversation_required
    assert runs(case)
    event = case.events.get(kind="testing.registered")
    assert event.description == "Drug testing registered: 6 tests from 11.01.2027 to 05.02.2027."
    assert event.actor == counsellor
    audit = AuditEvent.objects.get(action="testing.registered")
    assert (audit.actor, audit.person_id, audit.object_id) == (counsellor, case.person_id, str(programme.pk))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"ends_on": FIRST - datetime.timedelta(days=1)},
            "ends_on",
            "The last day cannot be before the first day.",
        ),
        ({"announced": False, "unannounced": False}, "announced", "Choose announced tests, unannounced tests or both."),
        ({"sample_type_id": "inactive"}, "sample_type_id", "Choose a sample type in use."),
        ({"requester": "   "}, "requester", "The requisitions need this: copy it from the prosecution's decision."),
        (
            {"prosecution_reference": ""},
            "prosecution_reference",
            "The requisitions need this: copy it from the prosecution's decision.",
        ),
        ({"planned_tests": 0}, "planned_tests", "Plan between 1 and 250 tests."),
        ({"call_in_by": datetime.time(8, 0)}, "call_in_by", "Call-ins are sent at 08:00: choose a later time"),
        ({"reporting_rule": "never"}, "reporting_rule", "Choose when the police are told."),
        ({"police_district": "atlantis"}, "police_district", "Choose the police district."),
    ],
)
def test_an_incomplete_decision_is_refused_beside_its_field_and_nothing_is_saved(
    case, counsellor, urine, changes, field, message
):
    if changes.get("sample_type_id") == "inactive":
        changes = {"sample_type_id": SampleTypeFactory(name="Hår", is_active=False).pk}
    with pytest.raises(ValidationError) as raised:
        programme_register(actor=counsellor, referral=case, details=details(urine, **changes))
    assert list(raised.value.message_dict) == [field]
    assert raised.value.message_dict[field][0].startswith(message)
    assert not TestingProgramme.objects.exists()
    assert not case.events.filter(kind__startswith="testing.").exists()
    assert not AuditEvent.objects.filter(action__startswith="testing.").exists()
    assert not runs(case)


def test_every_problem_of_a_decision_is_named_at_once(case, counsellor, urine):
    bad = details(urine, ends_on=FIRST - datetime.timedelta(days=3), announced=False, unannounced=False, requester="")
    with pytest.raises(ValidationError) as raised:
        programme_register(actor=counsellor, referral=case, details=bad)
    assert set(raised.value.message_dict) == {"ends_on", "announced", "requester"}


def test_only_an_open_condition_case_gets_a_programme_and_only_one(service, case, counsellor, urine):
    order = ReferralFactory(service=service, route="order", seizure_unknown=False, classification="exempt")
    with pytest.raises(ValidationError, match="belongs to a case under the condition route"):
        programme_register(actor=counsellor, referral=order, details=details(urine))
    closed = ReferralFactory(service=service, status=ReferralStatus.CLOSED)
    with pytest.raises(ValidationError, match="The case is closed"):
        programme_register(actor=counsellor, referral=closed, details=details(urine))
    assert not TestingProgramme.objects.exists()

    first = programme_register(actor=counsellor, referral=case, details=details(urine))
    with pytest.raises(ValidationError, match="already has a testing programme"):
        programme_register(actor=counsellor, referral=case, details=details(urine, planned_tests=2))
    assert list(TestingProgramme.objects.all()) == [first]
    assert case.events.filter(kind="testing.registered").count() == 1


# Call-in days.


def test_call_in_days_are_the_open_weekdays_of_the_period(programme):
    assert call_in_days_open(programme) == weekdays_between(FIRST, LAST)


@pytest.mark.parametrize(
    ("first", "last", "closed"),
    [
        # Easter 2027: Maundy Thursday, Good Friday and Easter Monday.
        (
            datetime.date(2027, 3, 22),
            datetime.date(2027, 4, 2),
            {datetime.date(2027, 3, 25), datetime.date(2027, 3, 26), datetime.date(2027, 3, 29)},
        ),
        # Ascension Day, and 17 May (Whit Monday as well in 2027).
        (
            datetime.date(2027, 5, 3),
            datetime.date(2027, 5, 21),
            {datetime.date(2027, 5, 6), datetime.date(2027, 5, 17)},
        ),
    ],
)
def test_no_call_in_falls_on_a_public_holiday(case, weekdays_open, first, last, closed):
    programme = TestingProgrammeFactory(referral=case, starts_on=first, ends_on=last, planned_tests=3)
    days = call_in_days_open(programme)
    assert days == [day for day in weekdays_between(first, last) if day not in closed]
    assert not set(days) & norwegian_public_holidays(2027)
    for seed in range(10):
        assert not set(call_in_days_pick(days, 3, random.Random(seed))) & closed  # noqa: S311


def test_no_call_in_falls_on_a_weekday_without_opening_hours(service, case, counsellor):
    """Only Tuesday and Thursday have hours; the hours of a place no longer in use do not count."""
    place = LocationFactory(service=service)
    for weekday in (1, 3):
        OpeningHoursFactory(service=service, location=place, counsellor=counsellor, weekday=weekday)
    closed_place = LocationFactory(service=service, is_active=False)
    OpeningHoursFactory(service=service, location=closed_place, counsellor=counsellor, weekday=0)
    programme = TestingProgrammeFactory(referral=case, starts_on=FIRST, ends_on=LAST)
    days = call_in_days_open(programme)
    assert days and {day.weekday() for day in days} == {1, 3}
    tests = call_ins_suggest(actor=counsellor, programme=programme, rng=random.Random(4))  # noqa: S311
    assert {test.day.weekday() for test in tests} <= {1, 3}


def test_no_call_in_falls_on_a_day_the_whole_unit_is_away(service, programme, counsellor, colleague):
    def away(user, day, starts=datetime.time(0), ends=None, days=1):
        start = datetime.datetime.combine(day, starts, OSLO)
        end = datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time(0), OSLO)
        if ends is not None:
            end = datetime.datetime.combine(day, ends, OSLO)
        AbsenceFactory(service=service, counsellor=user, starts_at=start, ends_at=end)

    # Tuesday 12: everyone away all day. Wednesday 13: only the counsellor. Thursday 14: both away for part of it.
    away(counsellor, TUESDAY)
    away(colleague, TUESDAY)
    away(counsellor, WEDNESDAY)
    away(counsellor, datetime.date(2027, 1, 14), starts=datetime.time(8), ends=datetime.time(12))
    away(colleague, datetime.date(2027, 1, 14), starts=datetime.time(8), ends=datetime.time(12))
    # Friday 15: both are entered as sick for their working day, 08:00 to 16:00, which is all of their hours.
    away(counsellor, datetime.date(2027, 1, 15), starts=datetime.time(7, 30), ends=datetime.time(16))
    away(colleague, datetime.date(2027, 1, 15), starts=datetime.time(8), ends=datetime.time(16, 30))
    # The week of 25 January: the counsellor on holiday all week, the colleague from Monday morning to Friday evening.
    away(counsellor, datetime.date(2027, 1, 25), days=5)
    AbsenceFactory(
        service=service,
        counsellor=colleague,
        starts_at=at(datetime.date(2027, 1, 25), 7),
        ends_at=at(datetime.date(2027, 1, 29), 18),
    )
    days = call_in_days_open(programme)
    unit_away = {TUESDAY, datetime.date(2027, 1, 15), *weekdays_between(datetime.date(2027, 1, 25), LAST)[:5]}
    assert days == [day for day in weekdays_between(FIRST, LAST) if day not in unit_away]
    assert WEDNESDAY in days and datetime.date(2027, 1, 14) in days


def test_call_in_days_begin_tomorrow_at_the_earliest(case, weekdays_open, clock):
    """A programme that began last week: today has begun, so the first call-in day is tomorrow."""
    programme = TestingProgrammeFactory(
        referral=case, starts_on=datetime.date(2026, 12, 28), ends_on=datetime.date(2027, 1, 15), planned_tests=3
    )
    days = call_in_days_open(programme)
    assert days[0] == TODAY + datetime.timedelta(days=1)
    assert all(day > TODAY for day in days)
    # Late in the evening it is still today that is refused, not tomorrow.
    clock.move_to(at(TODAY, 23, 59))
    assert call_in_days_open(programme)[0] == TODAY + datetime.timedelta(days=1)


def test_a_day_that_has_a_test_gets_no_other(programme, counsellor):
    DrugTestFactory(programme=programme, day=TUESDAY)
    DrugTestFactory(programme=programme, day=WEDNESDAY, status=DrugTestStatus.CANCELLED)
    days = call_in_days_open(programme)
    assert TUESDAY not in days and WEDNESDAY in days
    for seed in range(10):
        for test in call_ins_suggest(actor=counsellor, programme=programme, rng=random.Random(seed)):  # noqa: S311
            assert test.day != TUESDAY
        days_held = list(programme.tests.exclude(status="cancelled").values_list("day", flat=True))
        assert len(days_held) == len(set(days_held)) == 4
        programme.tests.filter(status=DrugTestStatus.SUGGESTED).delete()
    # The database refuses a second test on a day whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        DrugTestFactory(programme=programme, day=TUESDAY, status=DrugTestStatus.SUGGESTED, starts_at=None, ends_at=None)


@pytest.mark.parametrize("seed", range(12))
def test_call_ins_are_spread_one_in_each_stretch_of_the_period(programme, counsellor, seed):
    """Four call-ins over the twenty open days: one in each stretch of five, wherever the draw falls in it."""
    programme.announced = False
    programme.save()
    days = call_in_days_open(programme)
    tests = call_ins_suggest(actor=counsellor, programme=programme, rng=random.Random(seed))  # noqa: S311
    picked = [test.day for test in tests]
    assert len(picked) == 4 == len(set(picked))
    for stretch in range(4):
        assert len([day for day in picked if day in days[stretch * 5 : stretch * 5 + 5]]) == 1


def test_the_draw_is_spread_over_uneven_stretches_and_is_not_a_pattern():
    days = [FIRST + datetime.timedelta(days=n) for n in range(23)]
    bounds = [(0, 5), (5, 11), (11, 17), (17, 23)]  # 23 days in four stretches of (nearly) equal length
    draws = set()
    for seed in range(50):
        picked = call_in_days_pick(days, 4, random.Random(seed))  # noqa: S311
        assert [len([day for day in picked if day in days[first:last]]) for first, last in bounds] == [1, 1, 1, 1]
        draws.add(tuple(picked))
    assert len(draws) > 20
    assert call_in_days_pick(days[:3], 5, random.Random(1)) == days[:3]  # noqa: S311 (never more than there are)


def test_suggested_call_ins_wait_for_staff_and_tell_the_person_nothing(programme, counsellor):
    tests = call_ins_suggest(actor=counsellor, programme=programme, rng=random.Random(7))  # noqa: S311
    assert len(tests) == 4
    assert {(test.kind, test.status, test.planned_by) for test in tests} == {("call_in", "suggested", counsellor)}
    assert [test.day for test in tests] == sorted(test.day for test in tests)
    assert not CallInMessage.objects.exists()
    assert AuditEvent.objects.get(action="testing.call_ins_suggested").extra == {"count": 4}
    # The days are not on the case's timeline, which everyone on the case reads.
    assert not programme.referral.events.filter(kind__startswith="testing.call_in").exists()


def test_more_call_ins_than_are_left_to_plan_are_refused(programme, counsellor, colleague, location):
    announced_test_book(
        actor=colleague,
        actor_membership=membership_of(colleague, programme.referral.service),
        programme=programme,
        collector=colleague,
        location=location,
        starts_at=at(WEDNESDAY),
    )
    for count in (4, 0):
        with pytest.raises(ValidationError) as raised:
            call_ins_suggest(actor=counsellor, programme=programme, count=count)
        assert raised.value.message_dict == {"count": ["Suggest between 1 and 3 call-ins: the others are planned."]}
    assert not programme.tests.filter(kind=DrugTestKind.CALL_IN).exists()
    assert len(call_ins_suggest(actor=counsellor, programme=programme, count=2)) == 2
    assert len(call_ins_suggest(actor=counsellor, programme=programme)) == 1
    with pytest.raises(ValidationError, match="Every planned test already has a day"):
        call_ins_suggest(actor=counsellor, programme=programme)
    assert programme.tests.count() == 4


def test_no_call_ins_without_unannounced_tests_an_open_day_or_a_running_programme(
    programme, counsellor, colleague, service
):
    programme.unannounced = False
    programme.save()
    with pytest.raises(ValidationError, match="sets no unannounced tests"):
        call_ins_suggest(actor=counsellor, programme=programme)
    away_all = TestingProgrammeFactory(
        referral=ReferralFactory(service=service), starts_on=TUESDAY, ends_on=TUESDAY, planned_tests=1
    )
    for user in (counsellor, colleague):
        AbsenceFactory(service=service, counsellor=user, starts_at=at(TUESDAY, 0), ends_at=at(WEDNESDAY, 0))
    with pytest.raises(ValidationError, match="No open day is left"):
        call_ins_suggest(actor=counsellor, programme=away_all)
    programme.unannounced = True
    programme.status = ProgrammeStatus.ENDED
    programme.save()
    with pytest.raises(ValidationError, match="has ended"):
        call_ins_suggest(actor=counsellor, programme=programme)
    assert not DrugTest.objects.exists()


# Confirming a call-in.


def suggestion(programme, day=TUESDAY) -> DrugTest:
    return DrugTestFactory(programme=programme, day=day, status=DrugTestStatus.SUGGESTED, starts_at=None, ends_at=None)


def test_a_confirmed_call_in_sends_its_sms_and_email_at_eight_on_its_day(programme, counsellor, colleague, location):
    test = call_in_confirm(actor=colleague, test=suggestion(programme))
    test.refresh_from_db()
    assert (test.status, test.planned_by, test.location) == ("planned", colleague, location)
    assert (test.starts_at, test.ends_at) == (at(TUESDAY, 8), at(TUESDAY, 15))
    messages = {message.channel: message for message in test.messages.all()}
    assert set(messages) == {CallInChannel.SMS, CallInChannel.EMAIL}
    assert (messages["sms"].address, messages["email"].address) == (PHONE, EMAIL)
    for message in messages.values():
        assert (message.purpose, message.state, message.due_at) == ("call_in", "pending", at(TUESDAY, 8))
    # The timeline says a call-in was planned, never its day.
    event = programme.referral.events.get(kind="testing.call_in_planned")
    assert event.description == "An unannounced test was planned."
    assert "12.01" not in timeline(programme.referral)
    assert AuditEvent.objects.filter(action="testing.call_in_planned", object_id=str(test.pk)).exists()


def test_the_call_in_time_comes_from_the_settings(programme, counsellor, settings):
    settings.CALL_IN_SEND_TIME = "07:30"
    test = call_in_confirm(actor=counsellor, test=suggestion(programme))
    assert test.starts_at == at(TUESDAY, 7, 30)
    assert set(test.messages.values_list("due_at", flat=True)) == {at(TUESDAY, 7, 30)}


def test_a_call_in_goes_only_where_the_person_can_be_reached(programme, counsellor):
    person = programme.referral.person
    person.phone, person.email = "", ""
    person.save()
    test = suggestion(programme)
    with pytest.raises(ValidationError, match="neither a mobile number nor an e-mail address"):
        call_in_confirm(actor=counsellor, test=test)
    test.refresh_from_db()
    assert test.status == DrugTestStatus.SUGGESTED
    assert not CallInMessage.objects.exists()
    person.phone = PHONE
    person.save()
    call_in_confirm(actor=counsellor, test=test)
    assert list(test.messages.values_list("channel", "address")) == [("sms", PHONE)]


def test_a_call_in_is_confirmed_once_and_never_for_a_day_already_begun(programme, counsellor, clock):
    test = call_in_confirm(actor=counsellor, test=suggestion(programme))
    with pytest.raises(ValidationError, match="no longer a suggestion"):
        call_in_confirm(actor=counsellor, test=test)
    assert test.messages.count() == 2
    late = suggestion(programme, day=WEDNESDAY)
    clock.move_to(at(WEDNESDAY, 8))
    with pytest.raises(ValidationError, match="would be sent today or earlier"):
        call_in_confirm(actor=counsellor, test=late)
    assert not late.messages.exists()


def test_a_discarded_suggestion_is_deleted(programme, counsellor):
    test = suggestion(programme)
    call_in_discard(actor=counsellor, test=test)
    assert not DrugTest.objects.filter(pk=test.pk).exists()
    assert AuditEvent.objects.filter(action="testing.call_in_discarded").count() == 1
    with pytest.raises(ValidationError, match="no longer a suggestion"):
        call_in_discard(actor=counsellor, test=test)
    planned = call_in_confirm(actor=counsellor, test=suggestion(programme, day=WEDNESDAY))
    with pytest.raises(ValidationError, match="no longer a suggestion"):
        call_in_discard(actor=counsellor, test=planned)
    assert DrugTest.objects.filter(pk=planned.pk, status="planned").exists()


# Announced tests.


def book(programme, *, actor, collector, location, starts_at, override_reason="") -> DrugTest:
    return announced_test_book(
        actor=actor,
        actor_membership=membership_of(actor, programme.referral.service),
        programme=programme,
        collector=collector,
        location=location,
        starts_at=starts_at,
        override_reason=override_reason,
    )


def test_an_announced_test_is_booked_with_a_notice_now_and_a_reminder_the_day_before(programme, colleague, location):
    test = book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY, 10))
    test.refresh_from_db()
    assert (test.kind, test.status, test.day, test.collector, test.location) == (
        "announced",
        "planned",
        WEDNESDAY,
        colleague,
        location,
    )
    assert (test.starts_at, test.ends_at) == (at(WEDNESDAY, 10), at(WEDNESDAY, 10, ANNOUNCED_TEST_MINUTES))
    assert (test.collector_override_reason, test.collector_override_by) == ("", None)
    sent = sorted(test.messages.values_list("purpose", "channel", "address", "due_at", "state"))
    assert sent == [
        ("notice", "email", EMAIL, NOW, "pending"),
        ("notice", "sms", PHONE, NOW, "pending"),
        ("reminder", "email", EMAIL, at(TUESDAY, 10), "pending"),
        ("reminder", "sms", PHONE, at(TUESDAY, 10), "pending"),
    ]
    assert "Announced drug test booked for 13.01.2027 10:00." in timeline(programme.referral)
    assert AuditEvent.objects.get(action="testing.announced_booked").extra == {"override": False}


def test_a_test_booked_after_the_reminder_time_the_day_before_gets_the_notice_only(
    case, weekdays_open, colleague, location, clock
):
    programme = TestingProgrammeFactory(referral=case, starts_on=TODAY, ends_on=LAST)
    clock.move_to(at(TODAY, 10, 30))
    test = book(
        programme,
        actor=colleague,
        collector=colleague,
        location=location,
        starts_at=at(TODAY + datetime.timedelta(1), 9),
    )
    assert set(test.messages.values_list("purpose", flat=True)) == {CallInPurpose.NOTICE}


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        (at(datetime.date(2027, 3, 19)), "Choose a day in the testing period, 22.03.2027 to 02.04.2027."),
        (at(datetime.date(2027, 4, 5)), "Choose a day in the testing period, 22.03.2027 to 02.04.2027."),
        (at(datetime.date(2027, 3, 26)), "The unit is closed that day."),  # Good Friday
        (at(datetime.date(2027, 3, 29)), "The unit is closed that day."),  # Easter Monday
        (at(datetime.date(2027, 3, 27)), "The unit is closed that day."),  # a Saturday
        (NOW - datetime.timedelta(minutes=1), "Choose a time in the future."),
    ],
)
def test_an_announced_test_is_refused_outside_the_period_and_on_a_closed_day(
    case, weekdays_open, colleague, location, starts_at, message
):
    programme = TestingProgrammeFactory(
        referral=case, starts_on=datetime.date(2027, 3, 22), ends_on=datetime.date(2027, 4, 2)
    )
    with pytest.raises(ValidationError) as raised:
        book(programme, actor=colleague, collector=colleague, location=location, starts_at=starts_at)
    assert raised.value.message_dict == {"starts_at": [message]}
    assert not DrugTest.objects.exists() and not CallInMessage.objects.exists()


def _a_meeting(service, colleague, location):
    MeetingFactory(
        referral=ReferralFactory(service=service),
        counsellor=colleague,
        location=location,
        starts_at=at(WEDNESDAY, 9, 30),
    )


def _an_absence(service, colleague, location):
    AbsenceFactory(service=service, counsellor=colleague, starts_at=at(WEDNESDAY, 10, 10), ends_at=at(WEDNESDAY, 12))


def _another_announced_test(service, colleague, location):
    other = TestingProgrammeFactory(referral=ReferralFactory(service=service), starts_on=FIRST, ends_on=LAST)
    DrugTestFactory(
        programme=other,
        kind=DrugTestKind.ANNOUNCED,
        day=WEDNESDAY,
        starts_at=at(WEDNESDAY, 9, 50),
        ends_at=at(WEDNESDAY, 10, 5),
        collector=colleague,
        location=location,
    )


@pytest.mark.parametrize(
    ("scene", "busy"),
    [
        (_a_meeting, "has a meeting at that time"),
        (_an_absence, "is away at that time"),
        (_another_announced_test, "has a drug test at that time"),
    ],
)
def test_the_collector_must_be_free_at_the_time(service, programme, colleague, lead, location, scene, busy):
    scene(service, colleague, location)
    with pytest.raises(ValidationError) as raised:
        book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY, 10))
    (message,) = raised.value.message_dict["starts_at"]
    assert busy in message
    assert not programme.tests.exists()
    # Someone free then takes it.
    assert book(programme, actor=colleague, collector=lead, location=location, starts_at=at(WEDNESDAY, 10)).pk


def test_a_cancelled_announced_test_no_longer_holds_the_collector(service, programme, colleague, location):
    _another_announced_test(service, colleague, location)
    drug_test_cancel(
        actor=colleague, test=DrugTest.objects.get(collector=colleague), reason="Flyttet etter ønske fra politiet."
    )
    assert book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY, 10)).pk


def test_the_persons_own_counsellor_takes_the_sample_only_if_a_lead_allows_it_with_a_reason(
    programme, counsellor, colleague, lead, stranger, location
):
    with pytest.raises(ValidationError) as raised:
        book(programme, actor=colleague, collector=counsellor, location=location, starts_at=at(WEDNESDAY))
    assert raised.value.message_dict["collector"][0].startswith("The person's own counsellor may not take the sample")
    with pytest.raises(ValidationError) as raised:
        book(
            programme,
            actor=counsellor,
            collector=counsellor,
            location=location,
            starts_at=at(WEDNESDAY),
            override_reason=LEAVE,
        )
    assert "collector" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        book(
            programme, actor=lead, collector=counsellor, location=location, starts_at=at(WEDNESDAY), override_reason=" "
        )
    assert raised.value.message_dict == {
        "collector_override_reason": ["Say why the person's own counsellor takes the sample."]
    }
    # A lead of another service is no lead here, whatever the role says.
    with pytest.raises(ValidationError) as raised:
        announced_test_book(
            actor=stranger,
            actor_membership=StaffMembership.objects.get(user=stranger),
            programme=programme,
            collector=counsellor,
            location=location,
            starts_at=at(WEDNESDAY),
            override_reason=LEAVE,
        )
    assert "collector" in raised.value.message_dict
    assert not programme.tests.exists()

    test = book(
        programme, actor=lead, collector=counsellor, location=location, starts_at=at(WEDNESDAY), override_reason=LEAVE
    )
    assert (test.collector, test.collector_override_reason, test.collector_override_by) == (counsellor, LEAVE, lead)
    assert AuditEvent.objects.get(action="testing.announced_booked").extra == {"override": True}
    assert LEAVE not in timeline(programme.referral)


def test_the_collector_is_one_of_the_services_staff_and_the_place_one_of_its_places(
    programme, colleague, stranger, location, other_service
):
    with pytest.raises(ValidationError) as raised:
        book(
            programme,
            actor=colleague,
            collector=stranger,
            location=LocationFactory(service=other_service),
            starts_at=at(WEDNESDAY),
        )
    assert set(raised.value.message_dict) == {"collector", "location"}
    assert raised.value.message_dict["collector"] == ["Choose who takes the sample among the service's staff."]


def test_an_announced_test_needs_room_in_the_plan_a_way_to_tell_the_person_and_announced_tests(
    programme, colleague, location
):
    for day in weekdays_between(datetime.date(2027, 1, 18), datetime.date(2027, 1, 21)):
        DrugTestFactory(programme=programme, day=day, status=DrugTestStatus.SUGGESTED, starts_at=None, ends_at=None)
    with pytest.raises(ValidationError, match="Every planned test already has a day"):
        book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY))
    programme.tests.filter(day=datetime.date(2027, 1, 18)).delete()
    with pytest.raises(ValidationError) as raised:
        book(
            programme, actor=colleague, collector=colleague, location=location, starts_at=at(datetime.date(2027, 1, 19))
        )
    assert raised.value.message_dict == {"starts_at": ["The person already has a test that day."]}
    person = programme.referral.person
    person.phone, person.email = "", ""
    person.save()
    with pytest.raises(ValidationError, match="neither a mobile number nor an e-mail address"):
        book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY))
    programme.announced = False
    programme.save()
    with pytest.raises(ValidationError, match="sets no announced tests"):
        book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY))
    assert programme.tests.filter(kind=DrugTestKind.ANNOUNCED).count() == 0


def test_a_meeting_cannot_be_booked_over_the_collectors_announced_test(service, programme, colleague, location):
    test = book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY, 10))
    other = ReferralFactory(service=service, attendance_deadline=TODAY + datetime.timedelta(days=60))
    with pytest.raises(ValidationError) as raised:
        meeting_book(
            actor=colleague, referral=other, counsellor=colleague, location=location, starts_at=at(WEDNESDAY, 9, 30)
        )
    assert raised.value.message_dict["starts_at"][0].endswith("has a drug test at that time.")
    assert not other.meetings.exists()

    # The free times skip it too: 09:15–10:00 and from 10:15 on are free, nothing that overlaps 10:00–10:15.
    slots = free_slots(
        service=service,
        counsellor=colleague,
        length=datetime.timedelta(minutes=45),
        deadline=other.attendance_deadline,
        after=at(WEDNESDAY, 8),
        limit=20,
    )
    starts = [slot.starts_at for slot in slots]
    assert at(WEDNESDAY, 9, 15) in starts and at(WEDNESDAY, 10, 15) in starts
    assert not [
        start
        for start in starts
        if start < at(WEDNESDAY, 10, 15) and start + datetime.timedelta(minutes=45) > at(WEDNESDAY, 10)
    ]

    drug_test_cancel(actor=colleague, test=test, reason="Politiet flyttet prøven.")
    meeting = meeting_book(
        actor=colleague, referral=other, counsellor=colleague, location=location, starts_at=at(WEDNESDAY, 9, 30)
    )
    assert meeting.status == MeetingStatus.BOOKED


def test_a_cancelled_test_sends_nothing_more_and_needs_a_reason(programme, colleague, location):
    test = book(programme, actor=colleague, collector=colleague, location=location, starts_at=at(WEDNESDAY, 10))
    with pytest.raises(ValidationError) as raised:
        drug_test_cancel(actor=colleague, test=test, reason="  ")
    assert "reason" in raised.value.message_dict
    drug_test_cancel(actor=colleague, test=test, reason="Politiet flyttet prøven.")
    test.refresh_from_db()
    assert (test.status, test.cancel_reason) == ("cancelled", "Politiet flyttet prøven.")
    assert set(test.messages.values_list("state", flat=True)) == {CallInState.CANCELLED}
    assert "Announced drug test cancelled." in timeline(programme.referral)
    with pytest.raises(ValidationError, match="Only a planned test can be cancelled"):
        drug_test_cancel(actor=colleague, test=test, reason="Igjen.")


# Outcomes.


TAKEN_STEPS = {"identity_checked": True, "sampling_observed": True, "sample_sealed": True}


def record(test, actor, outcome=DrugTestOutcome.TAKEN, **fields) -> DrugTest:
    """Record the outcome as the form does; a taken sample by default, with every step and the number."""
    if outcome == DrugTestOutcome.TAKEN:
        fields = {**TAKEN_STEPS, "sample_number": SAMPLE_NUMBER, "collector_id": actor.pk, **fields}
    return drug_test_outcome_record(
        actor=actor,
        actor_membership=membership_of(actor, test.programme.referral.service),
        test=test,
        details=OutcomeDetails(outcome=outcome, **fields),
    )


def test_an_outcome_waits_for_the_day_and_time_of_the_test(programme, colleague, location, clock):
    call_in = DrugTestFactory(programme=programme, day=TUESDAY)
    announced = DrugTestFactory(
        programme=programme,
        kind=DrugTestKind.ANNOUNCED,
        day=WEDNESDAY,
        starts_at=at(WEDNESDAY, 10),
        ends_at=at(WEDNESDAY, 10, 15),
        collector=colleague,
        location=location,
    )
    for moment, test in ((NOW, call_in), (at(TUESDAY, 7, 59), call_in), (at(WEDNESDAY, 9, 59), announced)):
        clock.move_to(moment)
        with pytest.raises(ValidationError, match="once the test's time has come"):
            record(test, colleague)
        test.refresh_from_db()
        assert test.status == DrugTestStatus.PLANNED
    clock.move_to(at(TUESDAY, 8))
    assert record(call_in, colleague).status == DrugTestStatus.RECORDED
    clock.move_to(at(WEDNESDAY, 10))
    assert record(announced, colleague).status == DrugTestStatus.RECORDED


def test_a_taken_sample_needs_every_step_of_the_procedure_and_its_number(programme, colleague, clock):
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 11))
    with pytest.raises(ValidationError) as raised:
        record(test, colleague, identity_checked=False, sample_sealed=False, sample_number=" ")
    assert raised.value.message_dict == {
        "identity_checked": [
            "The procedure for a sanctionary sample needs: identity checked, sample sealed and labelled."
        ],
        "sample_number": ["Write the sample or requisition number on the label."],
    }
    for step in TAKEN_STEPS:
        with pytest.raises(ValidationError) as raised:
            record(test, colleague, **{step: False})
        assert list(raised.value.message_dict) == ["identity_checked"]
    test.refresh_from_db()
    assert test.status == DrugTestStatus.PLANNED

    record(test, colleague, sample_number=f" {SAMPLE_NUMBER} ")
    test.refresh_from_db()
    assert (test.status, test.outcome, test.sample_number, test.collector) == (
        "recorded",
        "taken",
        SAMPLE_NUMBER,
        colleague,
    )
    assert (test.outcome_at, test.recorded_at, test.recorded_by) == (at(TUESDAY, 11), at(TUESDAY, 11), colleague)
    assert test.identity_checked and test.sampling_observed and test.sample_sealed
    text = timeline(programme.referral)
    assert "Drug test on 12.01.2027: Sample taken." in text
    assert SAMPLE_NUMBER not in text
    with pytest.raises(ValidationError, match="already recorded"):
        record(test, colleague)
    # The requisition names the sample and the requester, for the laboratory.
    requisition = requisition_html(test)
    assert SAMPLE_NUMBER in requisition and programme.prosecution_reference in requisition


def test_an_outcome_time_must_be_on_the_day_and_not_in_the_future(programme, colleague, clock):
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 11))
    for moment in (at(TUESDAY, 12), at(TODAY, 11)):
        with pytest.raises(ValidationError) as raised:
            record(test, colleague, outcome_at=moment)
        assert list(raised.value.message_dict) == ["outcome_at"]
    record(test, colleague, outcome_at=at(TUESDAY, 9, 40))
    test.refresh_from_db()
    assert test.outcome_at == at(TUESDAY, 9, 40)


def test_the_persons_own_counsellor_records_a_taken_sample_only_as_a_lead_allows(
    programme, counsellor, colleague, lead, clock
):
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 11))
    with pytest.raises(ValidationError) as raised:
        record(test, colleague, collector_id=counsellor.pk)
    assert list(raised.value.message_dict) == ["collector"]
    with pytest.raises(ValidationError) as raised:
        record(test, counsellor)
    assert list(raised.value.message_dict) == ["collector"]
    with pytest.raises(ValidationError) as raised:
        record(test, lead, collector_id=counsellor.pk)
    assert list(raised.value.message_dict) == ["collector_override_reason"]
    record(test, lead, collector_id=counsellor.pk, override_reason=LEAVE)
    test.refresh_from_db()
    assert (test.collector, test.collector_override_reason, test.collector_override_by, test.recorded_by) == (
        counsellor,
        LEAVE,
        lead,
        lead,
    )
    assert AuditEvent.objects.get(action="testing.outcome_recorded").extra == {"override": True}


def test_a_leave_given_at_booking_is_dropped_when_someone_else_takes_the_sample(
    programme, counsellor, colleague, lead, location, clock
):
    test = book(
        programme, actor=lead, collector=counsellor, location=location, starts_at=at(WEDNESDAY), override_reason=LEAVE
    )
    clock.move_to(at(WEDNESDAY, 10, 5))
    record(test, colleague)
    test.refresh_from_db()
    assert (test.collector, test.collector_override_reason, test.collector_override_by) == (colleague, "", None)
    assert AuditEvent.objects.get(action="testing.outcome_recorded").extra == {"override": False}


@pytest.mark.parametrize("outcome", [DrugTestOutcome.VALID_ABSENCE, DrugTestOutcome.NOT_POSSIBLE])
def test_a_valid_absence_or_a_test_not_possible_needs_its_reason(programme, colleague, clock, outcome):
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 16))
    with pytest.raises(ValidationError) as raised:
        record(test, colleague, outcome, note="  ")
    assert raised.value.message_dict == {"note": ["Give the reason."]}
    with pytest.raises(ValidationError) as raised:
        record(test, colleague, outcome, note=NOTE, sample_number=SAMPLE_NUMBER)
    assert list(raised.value.message_dict) == ["outcome"]
    record(test, colleague, outcome, note=f"{NOTE} ")
    test.refresh_from_db()
    assert (test.outcome, test.outcome_note, test.sample_number) == (outcome, NOTE, "")
    assert NOTE not in timeline(programme.referral)


def test_an_unknown_outcome_is_refused(programme, colleague, clock):
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 16))
    with pytest.raises(ValidationError) as raised:
        record(test, colleague, "positive")
    assert raised.value.message_dict == {"outcome": ["Choose what happened."]}


def test_a_no_show_of_a_call_in_is_recorded_only_once_the_time_to_meet_by_has_passed(programme, colleague, clock):
    """The call-in said "today before 15:00": at two o'clock the person may still come."""
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 14, 59))
    with pytest.raises(ValidationError) as raised:
        record(test, colleague, DrugTestOutcome.NO_SHOW)
    assert raised.value.message_dict == {
        "outcome": ["The person has until 15:00 to come: record a no-show after that."]
    }
    record(test, colleague, DrugTestOutcome.REFUSED)  # a refusal is known as soon as it is made
    other = DrugTestFactory(programme=programme, day=WEDNESDAY)
    clock.move_to(at(WEDNESDAY, 15))
    assert record(other, colleague, DrugTestOutcome.NO_SHOW).outcome == DrugTestOutcome.NO_SHOW


def test_recording_the_outcome_resolves_the_flag_of_a_test_left_without_one(programme, colleague, clock):
    from counselling.attendance.testing_sweeps import drug_test_flags_raise

    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(WEDNESDAY, 9))
    assert drug_test_flags_raise() == 1
    flag = Flag.objects.get(kind="test_outcome_not_recorded")
    assert flag.about == f"drugtest:{test.pk}" and flag.resolved_at is None
    with pytest.raises(ValidationError):  # the outcome time must be on the test's day
        record(test, colleague, outcome_at=at(WEDNESDAY, 8))
    record(test, colleague, DrugTestOutcome.NO_SHOW, outcome_at=at(TUESDAY, 15, 30))
    flag.refresh_from_db()
    assert (flag.resolved_at, flag.resolved_by) == (at(WEDNESDAY, 9), colleague)
    assert drug_test_flags_raise() == 0


@pytest.mark.parametrize("outcome", [DrugTestOutcome.NO_SHOW, DrugTestOutcome.REFUSED])
def test_under_each_breach_a_no_show_or_refusal_is_reported_at_once_and_flagged(programme, colleague, clock, outcome):
    programme.reporting_rule = ReportingRule.EACH_BREACH
    programme.save()
    earlier = DrugTestFactory(programme=programme, day=datetime.date(2027, 1, 11))
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(datetime.date(2027, 1, 11), 10))
    record(earlier, colleague)
    clock.move_to(at(TUESDAY, 16))
    record(test, colleague, outcome)
    report = PoliceReport.objects.get()
    assert (report.kind, report.drug_test, report.programme, report.meeting, report.meeting_date) == (
        "testing_breach",
        test,
        programme,
        None,
        TUESDAY,
    )
    assert (report.created_by, report.sent_at, report.police_reference) == (
        colleague,
        None,
        programme.referral.police_reference,
    )
    assert report.testing_summary == {
        "starts_on": "2027-01-11",
        "ends_on": "2027-02-05",
        "planned": 4,
        "called": 2,
        "taken": 1,
        "no_shows": ["2027-01-12"] if outcome == "no_show" else [],
        "refusals": ["2027-01-12"] if outcome == "refused" else [],
        "breach": {"day": "2027-01-12", "outcome": outcome},
    }
    text = pdf_text(report.pdf)
    assert "Melding om brudd på vilkår om ruskontroll" in text
    assert ("Nektet å avlegge prøve" if outcome == "refused" else "Møtte ikke til prøve") + " 12. januar 2027." in text
    assert SAMPLE_NUMBER not in text
    flag = Flag.objects.get(kind="test_breach")
    assert (flag.about, flag.referral, flag.resolved_at) == (f"drugtest:{test.pk}", programme.referral, None)
    assert "Drug testing: report of a breach to the police made, to be sent." in timeline(programme.referral)


def test_under_at_end_a_no_show_waits_for_the_end_report(programme, colleague, clock):
    assert programme.reporting_rule == ReportingRule.AT_END
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 16))
    record(test, colleague, DrugTestOutcome.NO_SHOW)
    assert not PoliceReport.objects.exists()
    assert not Flag.objects.filter(kind="test_breach").exists()


# A result the police shared.


def test_only_a_lead_records_a_shared_result_and_only_of_a_taken_sample_once(
    programme, counsellor, colleague, lead, stranger, clock
):
    taken = DrugTestFactory(programme=programme, day=TUESDAY)
    missed = DrugTestFactory(programme=programme, day=WEDNESDAY)
    ahead = DrugTestFactory(programme=programme, day=datetime.date(2027, 1, 20))
    clock.move_to(at(TUESDAY, 10))
    record(taken, colleague)
    clock.move_to(at(WEDNESDAY, 16))
    record(missed, colleague, DrugTestOutcome.NO_SHOW)
    clock.move_to(at(datetime.date(2027, 1, 19), 9))
    shared_on = datetime.date(2027, 1, 18)

    def lab(actor, test, membership=None, result=RESULT, on=shared_on):
        return lab_result_record(
            actor=actor,
            actor_membership=membership or membership_of(actor, programme.referral.service),
            test=test,
            result=result,
            shared_on=on,
        )

    for user in (counsellor, colleague):
        with pytest.raises(ValidationError, match="Only a lead records a result the police shared"):
            lab(user, taken)
    with pytest.raises(ValidationError, match="Only a lead records a result the police shared"):
        lab(stranger, taken, membership=StaffMembership.objects.get(user=stranger))
    for test in (missed, ahead):
        with pytest.raises(ValidationError, match="Only a test whose sample was taken has a result"):
            lab(lead, test)
    with pytest.raises(ValidationError) as raised:
        lab(lead, taken, result=" ", on=datetime.date(2027, 1, 20))
    assert set(raised.value.message_dict) == {"result", "shared_on"}
    with pytest.raises(ValidationError) as raised:
        lab(lead, taken, on=TODAY)  # before the test
    assert list(raised.value.message_dict) == ["shared_on"]
    assert not LabResultShared.objects.exists()

    result = lab(lead, taken)
    assert (result.test, result.result, result.shared_on, result.recorded_by) == (taken, RESULT, shared_on, lead)
    text = timeline(programme.referral)
    assert "A result the police shared was recorded for the drug test on 12.01.2027." in text
    assert "THC" not in text
    assert AuditEvent.objects.filter(action="testing.lab_result_recorded").count() == 1
    with pytest.raises(ValidationError, match="already recorded"):
        lab(lead, taken, result="Negativ")
    assert LabResultShared.objects.get().result == RESULT


def test_an_ended_membership_of_a_lead_records_no_result(programme, colleague, service, clock):
    former = StaffMembershipFactory(service=service, role="service_lead")
    taken = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 10))
    record(taken, colleague)
    former.is_active = False
    former.save()
    with pytest.raises(ValidationError, match="Only a lead"):
        lab_result_record(actor=former.user, actor_membership=former, test=taken, result=RESULT, shared_on=TUESDAY)


# The end of the programme.


def finished_period(programme, counsellor, colleague, lead, location, clock):
    """Four tests held (a sample taken, a no-show, a valid absence, a refusal), a result the police shared, and
    a call-in and a suggestion still ahead when the lead ends the programme on Friday 22 January."""
    programme.planned_tests = 6
    programme.save()
    tests = {
        "taken": DrugTestFactory(programme=programme, day=TUESDAY),
        "no_show": book(
            programme, actor=colleague, collector=colleague, location=location, starts_at=at(datetime.date(2027, 1, 14))
        ),
        "valid_absence": DrugTestFactory(programme=programme, day=datetime.date(2027, 1, 19)),
        "refused": DrugTestFactory(programme=programme, day=datetime.date(2027, 1, 21)),
    }
    ahead = call_in_confirm(actor=colleague, test=suggestion(programme, day=datetime.date(2027, 1, 28)))
    suggested = suggestion(programme, day=datetime.date(2027, 2, 2))
    clock.move_to(at(TUESDAY, 10))
    record(tests["taken"], colleague, note=NOTE)
    clock.move_to(at(datetime.date(2027, 1, 14), 10, 30))
    record(tests["no_show"], colleague, DrugTestOutcome.NO_SHOW)
    clock.move_to(at(datetime.date(2027, 1, 19), 16))
    record(tests["valid_absence"], colleague, DrugTestOutcome.VALID_ABSENCE, note=NOTE)
    clock.move_to(at(datetime.date(2027, 1, 21), 12))
    record(tests["refused"], colleague, DrugTestOutcome.REFUSED)
    lab_result_record(
        actor=lead,
        actor_membership=membership_of(lead, programme.referral.service),
        test=tests["taken"],
        result=RESULT,
        shared_on=datetime.date(2027, 1, 20),
    )
    clock.move_to(at(datetime.date(2027, 1, 22), 12))
    return tests, ahead, suggested


def test_ending_cancels_what_is_ahead_and_reports_only_dates_and_counts(
    programme, counsellor, colleague, lead, location, clock
):
    tests, ahead, suggested = finished_period(programme, counsellor, colleague, lead, location, clock)
    programme_end(actor=lead, programme=programme)
    programme.refresh_from_db()
    assert (programme.status, programme.ended_at) == ("ended", at(datetime.date(2027, 1, 22), 12))
    assert not runs(programme.referral)
    ahead.refresh_from_db()
    assert (ahead.status, ahead.cancel_reason) == ("cancelled", "The testing programme ended.")
    assert set(ahead.messages.values_list("state", flat=True)) == {CallInState.CANCELLED}
    assert not DrugTest.objects.filter(pk=suggested.pk).exists()
    assert {test.status for test in DrugTest.objects.filter(pk__in=[t.pk for t in tests.values()])} == {"recorded"}

    report = PoliceReport.objects.get()
    assert (report.kind, report.programme, report.drug_test, report.meeting, report.created_by) == (
        "testing_end",
        programme,
        None,
        None,
        lead,
    )
    assert report.testing_summary == {
        "starts_on": "2027-01-11",
        "ends_on": "2027-02-05",
        "planned": 6,
        "called": 3,
        "taken": 1,
        "no_shows": ["2027-01-14"],
        "refusals": ["2027-01-21"],
    }
    for text in (pdf_text(report.pdf), police_report_html(report)):
        assert "Melding om ruskontroll – avsluttet periode" in text
        for fact in ("11. januar 2027", "5. februar 2027", "14. januar 2027", "21. januar 2027"):
            assert fact in text
        for secret in (SAMPLE_NUMBER, "Legeerklæring", "influensa", "THC", "ng/ml", "Positiv"):
            assert secret not in text
    html = police_report_html(report)
    for count in (6, 3, 1):
        assert f"<td>{count}</td>" in html

    # Fewer tests held than planned (a valid absence is not held): flagged for the lead.
    flag = Flag.objects.get(kind="programme_short_of_tests")
    assert (flag.about, flag.referral) == (f"programme:{programme.pk}", programme.referral)
    text = timeline(programme.referral)
    assert "Drug testing ended." in text
    for secret in (SAMPLE_NUMBER, NOTE, RESULT):
        assert secret not in text
    # The conversation is a condition and was not held: the case stays open for it.
    programme.referral.refresh_from_db()
    assert programme.referral.status == ReferralStatus.ASSIGNED


def test_ending_twice_changes_nothing(programme, counsellor, colleague, lead, location, clock):
    finished_period(programme, counsellor, colleague, lead, location, clock)
    programme_end(actor=lead, programme=programme)
    ended_at = TestingProgramme.objects.get().ended_at
    events = programme.referral.events.count()
    clock.move_to(at(datetime.date(2027, 1, 25), 9))
    programme_end(actor=lead, programme=programme)
    assert TestingProgramme.objects.get().ended_at == ended_at
    assert PoliceReport.objects.count() == 1
    assert Flag.objects.filter(kind="programme_short_of_tests").count() == 1
    assert programme.referral.events.count() == events
    assert AuditEvent.objects.filter(action="testing.ended").count() == 1
    programme.refresh_from_db()
    assert programme_end_refusal(programme) == "The testing programme has ended."


@pytest.mark.parametrize(
    ("outcomes", "short"),
    [
        ([DrugTestOutcome.TAKEN, DrugTestOutcome.NO_SHOW], False),  # a no-show was called: it counts
        ([DrugTestOutcome.TAKEN, DrugTestOutcome.NOT_POSSIBLE], False),
        ([DrugTestOutcome.TAKEN, DrugTestOutcome.VALID_ABSENCE], True),  # the valid absence does not
        ([DrugTestOutcome.TAKEN], True),
    ],
)
def test_a_programme_ending_with_fewer_tests_held_than_planned_is_flagged(
    programme, colleague, lead, clock, outcomes, short
):
    programme.planned_tests = 2
    programme.save()
    for day, outcome in zip((TUESDAY, WEDNESDAY), outcomes, strict=False):
        test = DrugTestFactory(programme=programme, day=day)
        clock.move_to(at(day, 16))
        record(test, colleague, outcome, **({"note": NOTE} if outcome in ("valid_absence", "not_possible") else {}))
    programme_end(actor=lead, programme=programme)
    assert Flag.objects.filter(kind="programme_short_of_tests").exists() == short


def test_a_programme_does_not_end_while_a_test_that_has_taken_place_waits_for_its_outcome(
    programme, colleague, lead, clock
):
    test = DrugTestFactory(programme=programme, day=TUESDAY)
    clock.move_to(at(TUESDAY, 9))  # today's call-in: its outcome comes first
    assert programme_end_refusal(programme) == "Record the outcome of every test that has taken place first."
    clock.move_to(at(WEDNESDAY, 9))
    with pytest.raises(ValidationError, match="Record the outcome of every test"):
        programme_end(actor=lead, programme=programme)
    programme.refresh_from_db()
    assert programme.is_running and not PoliceReport.objects.exists()
    test.refresh_from_db()
    assert test.status == DrugTestStatus.PLANNED
    record(test, colleague, DrugTestOutcome.NO_SHOW, outcome_at=at(TUESDAY, 15, 30))
    programme_end(actor=lead, programme=programme)
    assert PoliceReport.objects.get().testing_summary["no_shows"] == ["2027-01-12"]


def held_meeting(case, counsellor, location, clock, *, on=TUESDAY):
    """The conversation, held on `on` and recorded an hour after it began."""
    meeting = MeetingFactory(referral=case, counsellor=counsellor, location=location, starts_at=at(on, 9))
    clock.move_to(at(on, 10))
    attendance_record(actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="attended", consent=False))
    case.refresh_from_db()
    return meeting


def test_a_condition_case_whose_meeting_is_attended_while_testing_runs_waits_for_the_end_of_the_testing(
    programme, case, counsellor, lead, location, clock
):
    held_meeting(case, counsellor, location, clock)
    assert case.status == ReferralStatus.ATTENDED
    assert PoliceReport.objects.get().kind == "attended"  # the attendance is reported at once, as always
    assert "Case closed" not in timeline(case)
    clock.move_to(at(WEDNESDAY, 9))
    programme_end(actor=lead, programme=programme)
    case.refresh_from_db()
    assert case.status == ReferralStatus.CLOSED
    assert "Case closed: the drug testing has ended." in timeline(case)
    assert set(PoliceReport.objects.values_list("kind", flat=True)) == {"attended", "testing_end"}


def test_a_meeting_attended_after_the_testing_ended_closes_the_case(programme, case, counsellor, lead, location, clock):
    programme_end(actor=lead, programme=programme)
    case.refresh_from_db()
    assert case.status == ReferralStatus.ASSIGNED  # the conversation is still a condition
    held_meeting(case, counsellor, location, clock)
    assert case.status == ReferralStatus.CLOSED


def test_without_the_conversation_as_a_condition_the_case_ends_with_the_testing(programme, case, lead):
    programme.conversation_required = False
    programme.save()
    programme_end(actor=lead, programme=programme)
    case.refresh_from_db()
    assert case.status == ReferralStatus.CLOSED


def test_a_case_closed_while_testing_ran_stays_closed(programme, case, lead):
    case.status = ReferralStatus.CLOSED
    case.save()
    programme_end(actor=lead, programme=programme)
    case.refresh_from_db()
    assert case.status == ReferralStatus.CLOSED
    assert PoliceReport.objects.get().kind == "testing_end"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_programme_ended_while_the_meeting_is_being_recorded_still_closes_the_case(
    service, counsellor, lead, location, clock
):
    """The lead ends the testing at the moment the counsellor records that the person attended. Attendance holds
    the case's lock while it decides to wait for the testing: ending the programme waits for it, then sees the case
    at "attended" and closes it. (Without the case's lock the case was left at "attended" for a programme already
    ended, and nothing would ever close it.)"""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    case = ReferralFactory(service=service, created_by=counsellor, assigned_counsellor=counsellor, status="assigned")
    programme = TestingProgrammeFactory(referral=case, starts_on=FIRST, ends_on=LAST, planned_tests=1)
    meeting = MeetingFactory(
        referral=case, counsellor=counsellor, location=location, starts_at=NOW - datetime.timedelta(hours=1)
    )
    recorded = threading.Event()
    errors = []

    def record_attendance():
        translation.activate("en")
        try:
            with transaction.atomic():
                attendance_record(
                    actor=counsellor, meeting=meeting, details=AttendanceDetails(outcome="attended", consent=False)
                )
                recorded.set()
                threading.Event().wait(0.5)  # the lead ends the testing while this is uncommitted
        except Exception as error:
            errors.append(error)
        finally:
            recorded.set()
            connection.close()

    def end_testing():
        recorded.wait(30)
        translation.activate("en")
        try:
            programme_end(actor=lead, programme=programme)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record_attendance), threading.Thread(target=end_testing)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    case.refresh_from_db()
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.ENDED
    assert case.status == ReferralStatus.CLOSED
