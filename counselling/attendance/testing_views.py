"""The drug-testing pages: the programme, its tests and the outcome of each. Thin: parse, call a service, render.
Every page reads through the access functions (selectors.programme_for, drug_test_for), so another service's
programme is a 404 and a case that needs a reason asks for it; every read is in the audit log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counselling.scheduling.selectors import locations_of
from portal.audit import audit_read
from portal.models import CASEWORK_ROLES, LEAD_ROLES
from portal.permissions import service_view
from portal.reauth import password_recently_checked, reauth_url
from portal.selectors import counsellors_of
from portal.shortcuts import refusal_message, refusal_show
from referrals.access import referral_for

from .models import DrugTestStatus
from .selectors import drug_test_for, programme_for, tests_of
from .services.testing import (
    OutcomeDetails,
    ProgrammeDetails,
    announced_test_book,
    call_in_confirm,
    call_in_discard,
    call_ins_suggest,
    drug_test_cancel,
    drug_test_outcome_record,
    lab_result_record,
    may_allow_own_counsellor,
    outcome_refusal,
    programme_blocked,
    programme_end,
    programme_end_refusal,
    programme_register,
    tests_left_to_plan,
)
from .services.testing_reports import announced_test_letter_pdf, requisition_pdf
from .testing_forms import (
    AnnouncedTestForm,
    CancelTestForm,
    LabResultForm,
    OutcomeForm,
    ProgrammeForm,
    SuggestForm,
)


def _read(request, action: str, obj, referral) -> None:
    audit_read(actor=request.user, action=action, obj=obj, service=request.service, person_id=referral.person_id)


def _to_programme(request, programme_pk: int):
    return redirect("attendance:programme", service_slug=request.service.slug, programme_pk=programme_pk)


@service_view(roles=CASEWORK_ROLES)
def programme_register_view(request, referral_pk):
    referral = referral_for(request, referral_pk)
    blocked = programme_blocked(referral)
    if blocked:
        messages.error(request, blocked)
        return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=referral.pk)
    form = ProgrammeForm(request.POST or None, referral=referral)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = ProgrammeDetails(
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            planned_tests=data["planned_tests"],
            sample_type_id=data["sample_type"].pk,
            requester=data["requester"],
            police_district=data["police_district"],
            prosecution_reference=data["prosecution_reference"],
            announced=data["announced"],
            unannounced=data["unannounced"],
            conversation_required=data["conversation_required"],
            reporting_rule=data["reporting_rule"],
            call_in_by=data["call_in_by"],
        )
        try:
            programme = programme_register(actor=request.user, referral=referral, details=details)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "sample_type_id" in error.error_dict:
                error.error_dict["sample_type"] = error.error_dict.pop("sample_type_id")
            refusal_show(form, error)
        else:
            messages.success(request, _("The drug testing is registered. Plan its tests below."))
            return _to_programme(request, programme.pk)
    return render(request, "attendance/testing_register.html", {"referral": referral, "form": form})


@service_view(roles=CASEWORK_ROLES)
def programme_detail(request, programme_pk):
    programme = programme_for(request, programme_pk)
    referral = programme.referral
    _read(request, "testing.viewed", programme, referral)
    tests = list(tests_of(programme).prefetch_related("messages"))
    left = tests_left_to_plan(programme)
    context = {
        "programme": programme,
        "referral": referral,
        "tests": [t for t in tests if t.status != DrugTestStatus.SUGGESTED],
        "suggested": [t for t in tests if t.status == DrugTestStatus.SUGGESTED],
        "left_to_plan": left,
        "suggest_form": SuggestForm(initial={"count": left}) if left and programme.unannounced else None,
        "reports": list(programme.police_reports.order_by("-created_at")),
        "may_end": "lead" in request.membership.may and programme_end_refusal(programme) is None,
    }
    return render(request, "attendance/testing_programme.html", context)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def call_ins_suggest_view(request, programme_pk):
    programme = programme_for(request, programme_pk)
    form = SuggestForm(request.POST)
    if not form.is_valid():
        messages.error(request, refusal_message(form))
        return _to_programme(request, programme.pk)
    try:
        tests = call_ins_suggest(actor=request.user, programme=programme, count=form.cleaned_data["count"])
    except ValidationError as error:
        messages.error(request, refusal_message(form, error))
    else:
        messages.success(request, _("%(count)d call-in days suggested: confirm them below.") % {"count": len(tests)})
    return _to_programme(request, programme.pk)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def call_in_confirm_view(request, test_pk):
    test = drug_test_for(request, test_pk)
    try:
        call_in_confirm(actor=request.user, test=test)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The call-in is planned. The person hears of it on the morning of the day."))
    return _to_programme(request, test.programme_id)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def call_ins_confirm_all_view(request, programme_pk):
    """Confirm every suggested call-in of the programme at once: each through call_in_confirm, so each is checked."""
    programme = programme_for(request, programme_pk)
    confirmed, refused = 0, []
    for test in tests_of(programme).filter(status=DrugTestStatus.SUGGESTED):
        try:
            call_in_confirm(actor=request.user, test=test)
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        else:
            confirmed += 1
    if confirmed:
        messages.success(request, _("%(count)d call-ins planned.") % {"count": confirmed})
    for reason in dict.fromkeys(refused):
        messages.error(request, reason)
    return _to_programme(request, programme.pk)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def call_in_discard_view(request, test_pk):
    test = drug_test_for(request, test_pk)
    try:
        call_in_discard(actor=request.user, test=test)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The suggested day is dropped."))
    return _to_programme(request, test.programme_id)


@service_view(roles=CASEWORK_ROLES)
def announced_test_book_view(request, programme_pk):
    programme = programme_for(request, programme_pk)
    counsellors = list(counsellors_of(request.service))
    locations = list(locations_of(request.service))
    form = AnnouncedTestForm(request.POST or None, counsellors=counsellors, locations=locations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        collector = next((m.user for m in counsellors if m.user_id == data["collector"]), None)
        location = next((place for place in locations if place.pk == data["location"]), None)
        try:
            test = announced_test_book(
                actor=request.user,
                actor_membership=request.membership,
                programme=programme,
                collector=collector,
                location=location,
                starts_at=data["starts_at"],
                override_reason=data["override_reason"],
            )
        except ValidationError as error:
            refusal_show(form, error)
        else:
            messages.success(
                request,
                _("The announced test is booked; the person is told by SMS or e-mail. Its letter is here to post."),
            )
            return redirect("attendance:drug_test", service_slug=request.service.slug, test_pk=test.pk)
    context = {
        "programme": programme,
        "referral": programme.referral,
        "form": form,
        "may_override": may_allow_own_counsellor(request.membership),
    }
    return render(request, "attendance/testing_announced.html", context)


def _outcome_details(data) -> OutcomeDetails:
    return OutcomeDetails(
        outcome=data["outcome"],
        collector_id=data["collector"] or None,
        outcome_at=data["outcome_at"],
        identity_checked=data["identity_checked"],
        sampling_observed=data["sampling_observed"],
        sample_sealed=data["sample_sealed"],
        sample_number=data["sample_number"],
        note=data["note"],
        override_reason=data["override_reason"],
    )


@service_view(roles=CASEWORK_ROLES)
def drug_test_detail(request, test_pk):
    """One test: what was planned and sent, and the outcome form once its time has come."""
    test = drug_test_for(request, test_pk)
    programme = test.programme
    referral = programme.referral
    refusal = outcome_refusal(test)
    counsellors = list(counsellors_of(request.service))
    # Whoever records it usually took the sample, unless they are the person's own counsellor, who may not.
    own = request.user.pk == referral.assigned_counsellor_id
    initial = {} if own else {"collector": request.user.pk}
    form = OutcomeForm(request.POST or None, counsellors=counsellors, initial=initial)
    if refusal is None and request.method == "POST" and form.is_valid():
        try:
            drug_test_outcome_record(
                actor=request.user,
                actor_membership=request.membership,
                test=test,
                details=_outcome_details(form.cleaned_data),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for ours, theirs in (("collector", "collector"), ("override_reason", "collector_override_reason")):
                    if theirs in error.error_dict and theirs != ours:
                        error.error_dict[ours] = error.error_dict.pop(theirs)
            refusal_show(form, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return _to_programme(request, programme.pk)
    # A result the police shared is confidential, as the needs assessment is: the case's counsellor and the lead
    # only, after the password was checked recently, and every read logged.
    lab_result = getattr(test, "lab_result", None)
    may_read = referral.may_read_confidential
    confirm_first = lab_result is not None and may_read and not password_recently_checked(request)
    shown = lab_result if lab_result is not None and may_read and not confirm_first else None
    _read(request, "testing.lab_result_viewed" if shown else "testing.test_viewed", shown or test, referral)
    context = {
        "test": test,
        "programme": programme,
        "referral": referral,
        "form": form,
        "refusal": refusal,
        "test_messages": test.messages.order_by("due_at", "pk"),
        "lab_result": shown,
        "lab_result_hidden": lab_result is not None and not may_read,
        "lab_result_reauth_url": reauth_url(request, request.get_full_path()) if confirm_first else None,
        "lab_result_form": LabResultForm()
        if lab_result is None and test.outcome == "taken" and may_allow_own_counsellor(request.membership)
        else None,
        "cancel_form": CancelTestForm() if test.status == DrugTestStatus.PLANNED else None,
        "may_override": may_allow_own_counsellor(request.membership),
        "own_counsellor_id": referral.assigned_counsellor_id,
    }
    return render(request, "attendance/testing_test.html", context)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def drug_test_cancel_view(request, test_pk):
    test = drug_test_for(request, test_pk)
    form = CancelTestForm(request.POST)
    if not form.is_valid():
        messages.error(request, refusal_message(form))
        return redirect("attendance:drug_test", service_slug=request.service.slug, test_pk=test.pk)
    try:
        drug_test_cancel(actor=request.user, test=test, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, refusal_message(form, error))
        return redirect("attendance:drug_test", service_slug=request.service.slug, test_pk=test.pk)
    messages.success(request, _("The test is cancelled; nothing more is sent about it."))
    return _to_programme(request, test.programme_id)


@service_view(roles=CASEWORK_ROLES)
def requisition_pdf_view(request, test_pk):
    """The laboratory's requisition, made from the test as recorded: only for a sample that was taken."""
    test = drug_test_for(request, test_pk)
    if test.outcome != "taken":
        messages.error(request, _("A requisition is made only for a sample that was taken."))
        return redirect("attendance:drug_test", service_slug=request.service.slug, test_pk=test.pk)
    _read(request, "testing.requisition_downloaded", test, test.programme.referral)
    return _pdf(requisition_pdf(test), f"rekvisisjon-{test.pk}.pdf", request)


def _pdf(content: bytes, name: str, request) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@service_view(roles=CASEWORK_ROLES)
def announced_letter_view(request, test_pk):
    """The letter summoning the person to an announced test, made from the booking, to post or hand over."""
    test = drug_test_for(request, test_pk)
    if test.kind != "announced" or test.status == DrugTestStatus.CANCELLED:
        messages.error(request, _("A letter is made only for an announced test that is not cancelled."))
        return redirect("attendance:drug_test", service_slug=request.service.slug, test_pk=test.pk)
    _read(request, "testing.letter_downloaded", test, test.programme.referral)
    return _pdf(announced_test_letter_pdf(test), f"innkalling-prove-{test.pk}.pdf", request)


@service_view(roles=LEAD_ROLES)
@require_POST
def lab_result_view(request, test_pk):
    test = drug_test_for(request, test_pk)
    form = LabResultForm(request.POST)
    if form.is_valid():
        try:
            lab_result_record(
                actor=request.user,
                actor_membership=request.membership,
                test=test,
                result=form.cleaned_data["result"],
                shared_on=form.cleaned_data["shared_on"],
            )
        except ValidationError as error:
            messages.error(request, refusal_message(form, error))
        else:
            messages.success(request, _("The result is recorded, confidential."))
    else:
        messages.error(request, refusal_message(form))
    return redirect("attendance:drug_test", service_slug=request.service.slug, test_pk=test.pk)


@service_view(roles=LEAD_ROLES)
@require_POST
def programme_end_view(request, programme_pk):
    """A lead ends the programme before its last day (the prosecution said so); the sweep ends the others."""
    programme = programme_for(request, programme_pk)
    try:
        programme_end(actor=request.user, programme=programme)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The drug testing is ended; its report to the police waits to be sent."))
    return _to_programme(request, programme.pk)
