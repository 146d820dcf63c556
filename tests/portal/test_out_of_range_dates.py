"""A date at the calendar's edge (9999-12-31, 0001-01-01) or one that does not exist (30 February), typed into any
date field of any form or put in any date parameter of a query string, is a form error: never a server error, and
nothing is saved.

Every page with a date is tried as someone allowed to use it, with the case in the step the form is for, so that
without the check the value would reach the service. A second test finds every date field of every form and
filter of the portal and checks it is one of the portal's own date fields and that the first test tries it.
"""

import datetime
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from counselling.attendance.services import AttendanceDetails, attendance_record
from counselling.scheduling.models import AvailabilityException, Meeting
from fees import services as fee_services
from fees.models import CollectionExport, FeeCase, FeeLetter
from portal.forms import validate_date_in_range
from portal.models import AuditEvent, Role
from referrals.identity import example_national_id
from referrals.models import Referral
from tests.factories import LetterFactory, MeetingFactory, ReferralFactory, StaffMembershipFactory, open_every_day
from tests.fees.factories import FeePolicyFactory, OrderReferralFactory

pytestmark = pytest.mark.usefixtures("thresholds_2021", "court_fee_rates")

OUT_OF_RANGE = ["9999-12-31", "0001-01-01"]
NO_SUCH_DAY = "2026-02-30"
BAD_DATES = [*OUT_OF_RANGE, NO_SUCH_DAY]
OUT_OF_RANGE_MESSAGE = "Enter a date between 1 January 1900 and 31 December 2100."


@dataclass
class Scene:
    service: object
    counsellor: object
    lead: object
    fee_officer: object


@dataclass
class Place:
    """One date field on one page: who may use it, where it is, and what else the form needs to be valid."""

    form: str  # "module.Class" of the form or filter set the field belongs to
    field: str
    method: str
    user: str  # "counsellor", "lead" or "fee_officer"
    url: Callable[[Scene], str]
    data: Callable[[Scene], dict]
    key: str = ""  # the parameter's name on the page, when it is not the field's (a prefix)
    datetime: bool = False
    json: bool = False  # the page answers JSON, without the message shown


def today() -> datetime.date:
    return timezone.localdate()


def on(name, scene, **kwargs):
    return reverse(name, kwargs={"service_slug": scene.service.slug, **kwargs})


# The scenes the forms need: a case waiting for a meeting, a booked meeting, a fee case in each step.


def waiting_case(scene) -> Referral:
    open_every_day(service=scene.service, counsellor=scene.counsellor)
    return ReferralFactory(
        service=scene.service, created_by=scene.counsellor, attendance_deadline=today() + datetime.timedelta(days=30)
    )


def booked_meeting(scene) -> Meeting:
    referral = waiting_case(scene)
    referral.status = "booked"
    referral.save()
    location = scene.service.locations.first()
    return MeetingFactory(referral=referral, counsellor=scene.counsellor, booked_by=scene.counsellor, location=location)


def _missed(scene) -> FeeCase:
    FeePolicyFactory(service=scene.service)
    referral = OrderReferralFactory(service=scene.service)
    start = timezone.now() - datetime.timedelta(hours=2)
    meeting = MeetingFactory(referral=referral, counsellor=scene.counsellor, starts_at=start, summons_posted=True)
    attendance_record(actor=scene.counsellor, meeting=meeting, details=AttendanceDetails(outcome="no_show"))
    return FeeCase.objects.get(meeting=meeting)


FEE_STEPS = [
    ("noticed", lambda s, c: fee_services.fee_case_send_notice(actor=s.fee_officer, fee_case=c)),
    (
        "answered",
        lambda s, c: fee_services.fee_case_register_answer(
            actor=s.fee_officer, fee_case=c, received_on=today(), valid_reason="Glemte avtalen."
        ),
    ),
    (
        "assessed",
        lambda s, c: fee_services.fee_case_assess_hardship(
            actor=s.fee_officer,
            fee_case=c,
            assessment=fee_services.HardshipAssessment("Fast arbeid.", "Bor alene.", "", "Ikke tyngende.", False),
        ),
    ),
    (
        "imposed",
        lambda s, c: fee_services.fee_case_decide(actor=s.lead, fee_case=c, outcome="imposed", reasons="Møtte ikke."),
    ),
    (
        "appealed",
        lambda s, c: fee_services.fee_case_register_appeal(
            actor=s.fee_officer, fee_case=c, received_on=today(), grounds="Var syk."
        ),
    ),
    ("forwarded", lambda s, c: fee_services.fee_case_forward_appeal(actor=s.fee_officer, fee_case=c)),
    (
        "concluded",
        lambda s, c: fee_services.fee_case_register_appeal_outcome(
            actor=s.fee_officer, fee_case=c, outcome="upheld", decided_on=today()
        ),
    ),
    ("final", lambda s, c: fee_services.fee_case_make_final(actor=s.fee_officer, fee_case=c)),
    (
        "exported",
        lambda s, c: fee_services.fee_collection_export(
            actor=s.fee_officer, service=s.service, period_start=today(), period_end=today()
        ),
    ),
]


def fee_case_in(step: str):
    """A fee case taken through the steps up to `step`, as its pages would."""

    def scene_fee_case(scene) -> FeeCase:
        fee_case = _missed(scene)
        for name, run in FEE_STEPS:
            run(scene, FeeCase.objects.get(pk=fee_case.pk))
            if name == step:
                return FeeCase.objects.get(pk=fee_case.pk)
        raise AssertionError(step)

    return scene_fee_case


def fee_step_place(step: str, field: str, form: str, needs: str, user: str = "fee_officer", **other) -> Place:
    def url(scene):
        return on(f"fees:case_{step}", scene, fee_case_pk=fee_case_in(needs)(scene).pk)

    return Place(
        form=f"fees.forms.{form}",
        field=field,
        key=f"{step}-{field}",
        method="post",
        user=user,
        url=url,
        data=lambda scene: {f"{step}-{name}": value for name, value in other.items()},
    )


def intake_data(scene) -> dict:
    born = datetime.date(1990, 4, 12)
    return {
        "national_id": example_national_id(born, 123),
        "first_name": "Ola",
        "last_name": "Nordmann",
        "date_of_birth": born.isoformat(),
        "preferred_language": "nb",
        "service": str(scene.service.pk),
        "route": "condition",
        "police_district": "oslo",
        "police_reference": "2026-000123",
        "incident_date": (today() - datetime.timedelta(days=20)).isoformat(),
        "decision_date": (today() - datetime.timedelta(days=10)).isoformat(),
        "attendance_deadline": (today() + datetime.timedelta(days=30)).isoformat(),
        "seizure_unknown": "on",
        "seized-TOTAL_FORMS": "0",
        "seized-INITIAL_FORMS": "0",
        "guardians-TOTAL_FORMS": "0",
        "guardians-INITIAL_FORMS": "0",
    }


def _absence(scene) -> dict:
    day = today() + datetime.timedelta(days=1)
    return {"counsellor": scene.counsellor.pk, "kind": "sick", "starts_at": f"{day}T08:00", "ends_at": f"{day}T16:00"}


def _booking(scene) -> dict:
    return {
        "counsellor": scene.counsellor.pk,
        "length_minutes": "45",
        "location": scene.service.locations.first().pk,
        "late_reason": "",
    }


def _letter_sent_url(scene):
    fee_case = fee_case_in("noticed")(scene)
    return on("fees:letter_sent", scene, fee_letter_pk=FeeLetter.objects.filter(fee_case=fee_case).first().pk)


def _summons_dispatch_url(scene):
    letter = LetterFactory(meeting=booked_meeting(scene))
    return on("scheduling:letter_dispatch", scene, letter_pk=letter.pk)


def _summons_receipt_url(scene):
    letter = LetterFactory(meeting=booked_meeting(scene), dispatch_method="digital", sent_on=today())
    return on("scheduling:letter_receipt", scene, letter_pk=letter.pk)


def _book_url(scene):
    return on("scheduling:book", scene, referral_pk=waiting_case(scene).pk)


def _reschedule_url(scene):
    return on("scheduling:reschedule", scene, meeting_pk=booked_meeting(scene).pk)


PLACES = [
    *[
        Place(
            "referrals.forms.IntakeForm", name, "post", "counsellor", lambda s: on("referrals:create", s), intake_data
        )
        for name in ("date_of_birth", "incident_date", "decision_date", "attendance_deadline")
    ],
    Place(
        "referrals.forms.ClassificationPreviewForm",
        "incident_date",
        "post",
        "counsellor",
        lambda s: on("referrals:classification_preview", s),
        lambda s: {
            "seized-TOTAL_FORMS": "1",
            "seized-INITIAL_FORMS": "0",
            "seized-0-substance": "cannabis",
            "seized-0-quantity": "4",
            "seized-0-unit": "g",
        },
        json=True,
    ),
    Place(
        "counselling.scheduling.forms.MeetingTimeForm",
        "other_time",
        "post",
        "counsellor",
        _book_url,
        _booking,
        datetime=True,
    ),
    Place(
        "counselling.scheduling.forms.RescheduleForm",
        "other_time",
        "post",
        "counsellor",
        _reschedule_url,
        lambda s: {**_booking(s), "requested_by": "person", "reason": "Eksamen."},
        datetime=True,
    ),
    *[
        Place(
            "counselling.scheduling.forms.AbsenceForm",
            name,
            "post",
            "counsellor",
            lambda s: on("scheduling:absences", s),
            _absence,
            datetime=True,
        )
        for name in ("starts_at", "ends_at")
    ],
    Place(
        "counselling.scheduling.forms.CalendarWeekForm",
        "week",
        "get",
        "counsellor",
        lambda s: on("scheduling:calendar", s),
        lambda s: {"counsellor": s.counsellor.pk},
    ),
    *[
        Place(
            "counselling.scheduling.forms.CalendarForm",
            name,
            "get",
            "counsellor",
            lambda s: on("scheduling:calendar", s),
            lambda s, view=view: {"counsellor": s.counsellor.pk, "view": view},
        )
        for name, view in (("week", "week"), ("date", "day"), ("date", "month"))
    ],
    fee_step_place("answer", "received_on", "AnswerForm", "noticed", valid_reason="Glemte avtalen."),
    fee_step_place("appeal", "received_on", "AppealForm", "imposed", grounds="Var syk."),
    fee_step_place("late_appeal", "received_on", "LateAppealForm", "final", grounds="Var innlagt hele fristen."),
    fee_step_place("appeal_outcome", "decided_on", "AppealOutcomeForm", "forwarded", outcome="upheld"),
    fee_step_place("paid", "paid_on", "PaidForm", "exported"),
    *[
        Place(
            "counselling.scheduling.forms.LetterDispatchForm",
            name,
            "post",
            "counsellor",
            _summons_dispatch_url,
            lambda s: {"dispatch-method": "digital", "dispatch-sent_on": today().isoformat()},
            key=f"dispatch-{name}",
        )
        for name in ("sent_on", "delivered_on")
    ],
    Place(
        "counselling.scheduling.forms.LetterReceiptForm",
        "delivered_on",
        "post",
        "counsellor",
        _summons_receipt_url,
        lambda s: {},
        key="receipt-delivered_on",
    ),
    Place(
        "fees.forms.LetterSentForm",
        "sent_on",
        "post",
        "fee_officer",
        _letter_sent_url,
        lambda s: {"dispatch-method": "posted"},
        key="dispatch-sent_on",
    ),
    *[
        Place(
            "fees.forms.CollectionExportForm",
            name,
            "post",
            "fee_officer",
            lambda s: (fee_case_in("final")(s), on("fees:collection", s))[1],
            lambda s: {"period_start": today().isoformat(), "period_end": today().isoformat()},
        )
        for name in ("period_start", "period_end")
    ],
    *[
        Place(
            "privacy.filters.AccessLogFilter",
            name,
            "get",
            "lead",
            lambda s: on("privacy:access_log", s),
            lambda s: {"date_from": "2026-01-01", "date_to": today().isoformat()},
        )
        for name in ("date_from", "date_to")
    ],
]


def saved(scene) -> tuple:
    """What a form that is refused must leave as it was."""
    return (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count(),
        Referral.objects.count(),
        Meeting.objects.count(),
        AvailabilityException.objects.count(),
        CollectionExport.objects.count(),
        sorted(FeeCase.objects.values_list("pk", "status")),
        sorted(FeeLetter.objects.values_list("pk", "sent_on")),
    )


@pytest.fixture
def scene(service, counsellor, lead):
    fee_officer = StaffMembershipFactory(service=service, role=Role.FEE_OFFICER, user__username="fee_officer").user
    return Scene(service=service, counsellor=counsellor, lead=lead, fee_officer=fee_officer)


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize("place", PLACES, ids=[f"{p.form.rsplit('.', 1)[1]}.{p.field}" for p in PLACES])
def test_a_date_out_of_range_is_a_form_error_and_nothing_is_saved(scene, place, value):
    url = place.url(scene)
    data = place.data(scene)
    data[place.key or place.field] = f"{value}T10:00" if place.datetime else value
    client = Client()
    client.force_login(getattr(scene, place.user))
    client.cookies["portal_language"] = "en"
    before = saved(scene)
    response = getattr(client, place.method)(url, data, follow=True)
    assert response.status_code == 200
    assert saved(scene) == before
    if value in OUT_OF_RANGE and not place.json:
        assert OUT_OF_RANGE_MESSAGE in response.content.decode()


# Every date field of every form and filter: the portal's own, and tried above.

PROJECT_APPS = ("portal", "referrals", "scheduling", "attendance", "fees")


def _forms_with_dates():
    """(dotted name, field name, field) of each date field declared by a form or filter set of the portal."""
    for app in PROJECT_APPS:
        for module_name in ("forms", "filters", "views", "views_privacy", "security_forms", "admin_legal_hold"):
            try:
                module = importlib.import_module(f"{app}.{module_name}")
            except ModuleNotFoundError:
                continue
            for name, member in inspect.getmembers(module, inspect.isclass):
                if member.__module__ != module.__name__:
                    continue
                if issubclass(member, forms.BaseForm):
                    fields = member.base_fields.items()
                elif issubclass(member, django_filters.FilterSet):
                    fields = ((key, f.field) for key, f in member.base_filters.items())
                else:
                    continue
                for field_name, field in fields:
                    if isinstance(field, forms.DateField | forms.DateTimeField):
                        yield f"{module.__name__}.{name}", field_name, field


def test_every_date_field_of_every_form_keeps_to_the_portals_years_and_is_tried_above():
    found = list(_forms_with_dates())
    assert found
    tried = {(place.form, place.field) for place in PLACES}
    for form, name, field in found:
        assert validate_date_in_range in field.validators, f"{form}.{name} takes any date"
        assert (form, name) in tried, f"{form}.{name} is not tried"


def test_the_portals_date_fields_show_the_range_to_the_browser():
    from portal.forms import DateField, DateTimeField

    assert (DateField().widget.attrs["min"], DateField().widget.attrs["max"]) == ("1900-01-01", "2100-12-31")
    assert DateTimeField().widget.attrs["max"] == "2100-12-31T23:59"


def test_the_first_and_last_day_the_portal_takes_are_accepted():
    from portal.forms import DateField

    assert DateField().clean("1900-01-01") == datetime.date(1900, 1, 1)
    assert DateField().clean("2100-12-31") == datetime.date(2100, 12, 31)
