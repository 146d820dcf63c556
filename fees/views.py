"""Fee case pages: the case, the work list, the letters and the collection export. Thin: parse, call a service,
render. Leads and fee officers act; counsellors see how their cases' fees stand, without the person's finances."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.audit import audit_read
from portal.models import FEE_ROLES
from portal.permissions import service_view
from portal.reauth import recent_login_required
from portal.shortcuts import refusal_message, refusal_show, stored_file_download

from . import forms, services
from .selectors import (
    QUEUES,
    collection_export_for,
    collection_exports_of,
    fee_case_events,
    fee_case_for,
    fee_case_next_steps,
    fee_letter_for,
    fee_policy_for,
    fee_worklist,
)


@dataclass(frozen=True)
class Step:
    label: str
    form: type[django_forms.Form]
    run: Callable
    done: str


def _assess(*, actor, fee_case, **data):
    return services.fee_case_assess_hardship(
        actor=actor, fee_case=fee_case, assessment=services.HardshipAssessment(**data)
    )


STEPS: dict[str, Step] = {
    "notice": Step(
        _("Send the advance notice"),
        forms.ConfirmForm,
        services.fee_case_send_notice,
        _("The advance notice is made. Send the letters to the recipients."),
    ),
    "answer": Step(
        _("Register the person's answer"),
        forms.AnswerForm,
        services.fee_case_register_answer,
        _("The answer is registered."),
    ),
    "answer_period_passed": Step(
        _("Record that no answer came"),
        forms.ConfirmForm,
        services.fee_case_answer_period_passed,
        _("The answer period has passed without an answer."),
    ),
    "assess": Step(_("Assess hardship"), forms.HardshipForm, _assess, _("The hardship assessment is recorded.")),
    "decide": Step(
        _("Decide"),
        forms.DecisionForm,
        services.fee_case_decide,
        _("The decision is made and the decision letter is ready to send."),
    ),
    "appeal": Step(
        _("Register an appeal"), forms.AppealForm, services.fee_case_register_appeal, _("The appeal is registered.")
    ),
    "late_appeal": Step(
        _("Register a late appeal"),
        forms.LateAppealForm,
        services.fee_case_register_late_appeal,
        _("The late appeal is registered. Consider it or reject it."),
    ),
    "consider_late_appeal": Step(
        _("Consider the late appeal"),
        forms.ConsiderLateAppealForm,
        services.fee_case_consider_late_appeal,
        _("The late appeal is considered as an appeal; collection is on hold."),
    ),
    "reject_late_appeal": Step(
        _("Reject the late appeal"),
        forms.RejectLateAppealForm,
        services.fee_case_reject_late_appeal,
        _("The late appeal is rejected; the letter is ready to send."),
    ),
    "reverse": Step(
        _("Reverse the decision"),
        forms.ReverseForm,
        services.fee_case_reverse,
        _("The decision is reversed; the letter is ready to send."),
    ),
    "forward": Step(
        _("Forward the appeal to the appeal body"),
        forms.ConfirmForm,
        services.fee_case_forward_appeal,
        _("The appeal is forwarded; the letter to the person is ready to send."),
    ),
    "appeal_outcome": Step(
        _("Register the appeal body's decision"),
        forms.AppealOutcomeForm,
        services.fee_case_register_appeal_outcome,
        _("The appeal body's decision is registered; the letter to the person is ready to send."),
    ),
    "final": Step(
        _("Make the decision final"), forms.ConfirmForm, services.fee_case_make_final, _("The decision is final.")
    ),
    "paid": Step(_("Mark as paid"), forms.PaidForm, services.fee_case_mark_paid, _("The fee is marked as paid.")),
    "cancel": Step(
        _("Cancel the fee case"), forms.CancelForm, services.fee_case_cancel, _("The fee case is cancelled.")
    ),
}


def _initial(name: str, fee_case) -> dict:
    """Redoing the assessment starts from the one recorded; a first one from the person's own words."""
    if name != "assess":
        return {}
    if fee_case.hardship_assessed_at:
        return {
            "financial_situation": fee_case.hardship_financial_situation,
            "life_situation": fee_case.hardship_life_situation,
            "persons_account": fee_case.hardship_persons_account,
            "reasoning": fee_case.hardship_reasoning,
            "unreasonably_burdensome": "yes" if fee_case.hardship_unreasonably_burdensome else "no",
        }
    account = "\n\n".join(text for text in (fee_case.answer_valid_reason, fee_case.answer_situation) if text)
    return {"persons_account": account}


def _case_page(request, fee_case, *, bound: tuple[str, django_forms.Form] | None = None):
    may_act = request.membership.role in FEE_ROLES
    names = fee_case_next_steps(fee_case) if may_act else []
    if bound and bound[0] not in names:
        names.insert(0, bound[0])
    step_forms = [
        (
            name,
            STEPS[name],
            bound[1] if bound and bound[0] == name else STEPS[name].form(prefix=name, initial=_initial(name, fee_case)),
        )
        for name in names
    ]
    audit_read(
        actor=request.user,
        action="fee_case.viewed",
        obj=fee_case,
        service=request.service,
        person_id=fee_case.referral.person_id,
    )
    context = {
        "fee_case": fee_case,
        "referral": fee_case.referral,
        "person": fee_case.referral.person,
        "policy": fee_policy_for(request.service),
        "may_act": may_act,
        "is_proposer": fee_case.proposed_by_id == request.user.pk,
        "steps": [s for s in step_forms if s[0] != "cancel"],
        "cancel": next((s for s in step_forms if s[0] == "cancel"), None),
        "events": fee_case_events(fee_case),
        "letters": fee_case.letters.select_related("guardian") if may_act else [],
        "today": timezone.localdate(),
    }
    return render(request, "fees/fee_case_detail.html", context)


@service_view()
def fee_case_detail(request, fee_case_pk):
    fee_case = fee_case_for(request, fee_case_pk)
    return _case_page(request, fee_case)


def _step_view(name: str):
    step = STEPS[name]

    @service_view(roles=FEE_ROLES)
    @require_POST
    def view(request, fee_case_pk):
        fee_case = fee_case_for(request, fee_case_pk)
        form = step.form(request.POST, prefix=name)
        if form.is_valid():
            try:
                step.run(actor=request.user, fee_case=fee_case, **form.cleaned_data)
            except ValidationError as error:
                refusal_show(form, error)
            else:
                messages.success(request, step.done)
                return redirect("fees:case", service_slug=request.service.slug, fee_case_pk=fee_case.pk)
        return _case_page(request, fee_case_for(request, fee_case_pk), bound=(name, form))

    view.__name__ = f"fee_case_{name}"
    return view


STEP_VIEWS = {name: _step_view(name) for name in STEPS}
STEP_VIEWS["decide"] = recent_login_required(STEP_VIEWS["decide"])  # a fee decision: the password, recently


@service_view(roles=FEE_ROLES)
def worklist(request):
    work = fee_worklist(request.service)
    labels = {
        "awaiting_notice": _("Awaiting advance notice"),
        "awaiting_answer": _("Awaiting the person's answer"),
        "awaiting_decision": _("Awaiting assessment and decision"),
        "appeal_period": _("Decided: appeal period running"),
        "appealed": _("Appealed"),
        "ready_for_collection": _("Ready for collection"),
        "in_collection": _("In collection: awaiting payment"),
    }
    queues = [(name, labels[name], work.queues[name]) for name, _statuses in QUEUES]
    return render(request, "fees/worklist.html", {"queues": queues, "today": timezone.localdate()})


@service_view(roles=FEE_ROLES)
def fee_letter_pdf(request, fee_letter_pk):
    letter = fee_letter_for(request, fee_letter_pk)
    audit_read(
        actor=request.user,
        action="fee_letter.downloaded",
        obj=letter,
        service=request.service,
        person_id=letter.fee_case.referral.person_id,
    )
    return stored_file_download(letter.pdf, request=request)


@service_view(roles=FEE_ROLES)
@recent_login_required
def collection_export(request):
    form = forms.CollectionExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            content = services.fee_collection_export(actor=request.user, service=request.service, **form.cleaned_data)
        except ValidationError as error:
            refusal_show(form, error)
        else:
            data = form.cleaned_data
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            filename = (
                f"innkreving-{request.service.slug}-{data['period_start']:%Y%m%d}-{data['period_end']:%Y%m%d}.csv"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    context = {"form": form, "exports": collection_exports_of(request.service)[:50]}
    return render(request, "fees/collection_export.html", context)


@service_view(roles=FEE_ROLES)
@recent_login_required
def collection_export_csv(request, export_pk):
    export = collection_export_for(request.service, export_pk)
    audit_read(actor=request.user, action="fee_collection.downloaded", obj=export, service=request.service)
    return stored_file_download(export.csv, "text/csv; charset=utf-8")


def _letter_refusal(request, letter, form, error: ValidationError | None = None) -> None:
    """The refusal as a message naming the letter, on the fee case page."""
    messages.error(request, f"{letter.recipient_name} – {refusal_message(form, error)}")


@service_view(roles=FEE_ROLES)
@require_POST
def fee_letter_sent(request, fee_letter_pk):
    """Record how and when a fee letter left."""
    letter = fee_letter_for(request, fee_letter_pk)
    form = forms.LetterSentForm(request.POST, prefix="dispatch")
    if not form.is_valid():
        _letter_refusal(request, letter, form)
    else:
        try:
            services.fee_letter_mark_sent(actor=request.user, letter=letter, **form.cleaned_data)
        except ValidationError as error:
            _letter_refusal(request, letter, form, error)
        else:
            messages.success(request, _("The letter is recorded as sent."))
    return redirect("fees:case", service_slug=request.service.slug, fee_case_pk=letter.fee_case_id)


@service_view(roles=FEE_ROLES)
@require_POST
def fee_letter_receipt(request, fee_letter_pk):
    """Record the digital post's receipt for a fee letter."""
    letter = fee_letter_for(request, fee_letter_pk)
    form = forms.LetterReceiptForm(request.POST, prefix="receipt")
    if not form.is_valid():
        _letter_refusal(request, letter, form)
    else:
        try:
            services.fee_letter_mark_received(actor=request.user, letter=letter, **form.cleaned_data)
        except ValidationError as error:
            _letter_refusal(request, letter, form, error)
        else:
            messages.success(request, _("The receipt is recorded."))
    return redirect("fees:case", service_slug=request.service.slug, fee_case_pk=letter.fee_case_id)
