"""The privacy pages: the access log, a person's own log and data export, access review, legal holds and
break-the-glass. Thin: parse, call a selector or service, render. Every read and export is in the audit log."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.audit import audit_read, audit_record
from portal.memberships import membership_deactivate
from portal.models import CASEWORK_ROLES, LEAD_ROLES, AuditEvent, Role
from portal.permissions import service_view
from portal.reauth import recent_login_required
from portal.selectors import staff_of
from portal.shortcuts import page_of, safe_next_url
from referrals.access import referral_of_service
from referrals.models import Referral
from referrals.selectors import persons_by_audit_id

from .access_log import access_log_about, access_log_of, access_log_summary, action_label, person_in_service
from .access_review import (
    access_review_of,
    case_permission_remove,
    membership_of_service,
    service_permissions_remove,
    staff_user_of_service,
)
from .break_glass import (
    break_the_glass_access_for,
    break_the_glass_accesses_of,
    break_the_glass_follow_up,
    break_the_glass_open,
)
from .data_export import access_log_csv, access_log_pdf, person_data, person_data_json, person_data_pdf
from .filters import AccessLogFilter
from .forms import BreakTheGlassForm
from .retention import legal_hold_set

LEAD = [Role.SERVICE_LEAD]
PAGE_SIZE = 50
# What goes to the person is in Norwegian, as letters to the public are.
PERSON_LANGUAGE = "nb"


@service_view(roles=LEAD)
def access_log(request):
    events = access_log_of(request.service)
    filterset = AccessLogFilter(
        request.GET or None, queryset=events, service=request.service, staff=staff_of(request.service)
    )
    shown = filterset.qs
    page, query = page_of(request, shown, per_page=PAGE_SIZE)
    # Read the page now: its count is already taken, and the entry for this very read, written below, must not
    # push the last row off the page.
    page.object_list = list(page.object_list)
    summary = access_log_summary(shown)
    persons = filterset.persons
    audit_read(
        actor=request.user,
        action="access_log.viewed",
        service=request.service,
        person_id=persons[0].pk if len(persons) == 1 else None,
        # What the search found, not what was typed: a typed national ID must not stay in the append-only log.
        extra={
            "persons": [person.pk for person in persons],
            "filters": sorted(k for k, v in request.GET.items() if k not in ("page", "person", "case") and v),
        },
    )
    names = persons_by_audit_id(request.service, {event.person_id for event in page})
    for event in page:
        event.what = action_label(event.action)
        event.person_name = names[event.person_id].full_name if event.person_id in names else ""
    context = {"filter": filterset, "page": page, "summary": summary, "persons": persons, "query": query}
    return render(request, "privacy/access_log.html", context)


def _export_logged(request, action: str, person) -> None:
    audit_record(
        actor=request.user,
        kind=AuditEvent.Kind.EXPORT,
        action=action,
        obj=person,
        service=request.service,
        person_id=person.pk,
    )


ACCESS_LOG_HEADERS = [
    gettext_lazy("Time"),
    gettext_lazy("Staff member"),
    gettext_lazy("Role"),
    gettext_lazy("Service"),
    gettext_lazy("What was read"),
    gettext_lazy("Reason"),
]


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@service_view(roles=LEAD)
@recent_login_required
def access_log_person_csv(request, person_pk):
    """Who has accessed the person's data (Normen), as CSV."""
    person = person_in_service(request.service, person_pk)
    with translation.override(PERSON_LANGUAGE):
        rows = access_log_about(request.service, person)
        content = access_log_csv(rows, [str(header) for header in ACCESS_LOG_HEADERS])
    _export_logged(request, "access_log.person_exported", person)
    return _attachment("\ufeff" + content, "text/csv; charset=utf-8", f"innsynslogg-{person.pk}.csv")


@service_view(roles=LEAD)
@recent_login_required
def access_log_person_pdf(request, person_pk):
    person = person_in_service(request.service, person_pk)
    with translation.override(PERSON_LANGUAGE):
        content = access_log_pdf(person, request.service, access_log_about(request.service, person))
    _export_logged(request, "access_log.person_exported", person)
    return _attachment(content, "application/pdf", f"innsynslogg-{person.pk}.pdf")


@service_view(roles=LEAD)
@recent_login_required
def person_data_export_json(request, person_pk):
    """Everything the service holds about the person (data subject access), as JSON."""
    person = person_in_service(request.service, person_pk)
    with translation.override(PERSON_LANGUAGE):
        data = person_data(request.service, person)
    _export_logged(request, "data_export.exported", person)
    return _attachment(person_data_json(data), "application/json; charset=utf-8", f"innsyn-{person.pk}.json")


@service_view(roles=LEAD)
@recent_login_required
def person_data_export_pdf(request, person_pk):
    person = person_in_service(request.service, person_pk)
    with translation.override(PERSON_LANGUAGE):
        content = person_data_pdf(person_data(request.service, person))
    _export_logged(request, "data_export.exported", person)
    return _attachment(content, "application/pdf", f"innsyn-{person.pk}.pdf")


@service_view(roles=LEAD)
def access_review(request):
    return render(request, "privacy/access_review.html", {"rows": access_review_of(request.service)})


def _done(request, error: ValidationError | None, success: str):
    if error is not None:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("privacy:access_review", service_slug=request.service.slug)


@service_view(roles=LEAD)
@require_POST
def membership_end(request, membership_pk):
    membership = membership_of_service(request.service, membership_pk)
    if membership.user_id == request.user.pk:
        return _done(request, ValidationError(_("You cannot end your own membership here.")), "")
    try:
        membership_deactivate(actor=request.user, membership=membership)
    except ValidationError as error:
        return _done(request, error, "")
    return _done(request, None, _("The membership has ended; the access is gone."))


@service_view(roles=LEAD)
@require_POST
def case_permission_remove_view(request, referral_pk, user_pk):
    referral = get_object_or_404(Referral.objects.filter(service=request.service), pk=referral_pk)
    user = staff_user_of_service(request.service, user_pk)
    try:
        case_permission_remove(actor=request.user, referral=referral, user=user)
    except ValidationError as error:
        return _done(request, error, "")
    return _done(request, None, _("The case permission is removed."))


@service_view(roles=LEAD)
@require_POST
def service_permissions_remove_view(request, user_pk):
    user = staff_user_of_service(request.service, user_pk)
    try:
        service_permissions_remove(actor=request.user, service=request.service, user=user)
    except ValidationError as error:
        return _done(request, error, "")
    return _done(request, None, _("The left-over permissions are removed."))


class LegalHoldForm(forms.Form):
    police_reference = forms.CharField(label=gettext_lazy("Police reference"), max_length=40)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


@service_view(roles=LEAD)
def legal_holds(request):
    """Cases kept out of the retention sweep, and placing a new hold."""
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        referral = Referral.objects.filter(
            service=request.service, police_reference__iexact=form.cleaned_data["police_reference"].strip()
        ).first()
        if referral is None:
            form.add_error("police_reference", _("No case of this service has that police reference."))
        else:
            try:
                legal_hold_set(actor=request.user, referral=referral, hold=True, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The case is on legal hold: %(case)s.") % {"case": referral})
                return redirect("privacy:legal_holds", service_slug=request.service.slug)
    held = Referral.objects.filter(service=request.service, legal_hold=True).select_related("legal_hold_by")
    return render(request, "privacy/legal_holds.html", {"form": form, "held": held.order_by("-legal_hold_at")})


@service_view(roles=LEAD)
@require_POST
def legal_hold_lift(request, referral_pk):
    referral = get_object_or_404(Referral.objects.filter(service=request.service), pk=referral_pk)
    legal_hold_set(actor=request.user, referral=referral, hold=False)
    messages.success(request, _("The legal hold is lifted: %(case)s.") % {"case": referral})
    return redirect("privacy:legal_holds", service_slug=request.service.slug)


@service_view(roles=CASEWORK_ROLES)
@recent_login_required
def break_glass(request, referral_pk):
    """A counsellor states why they open a case of the service that is not theirs."""
    referral = referral_of_service(request.service, referral_pk)
    case_url = reverse("referrals:detail", args=[request.service.slug, referral.pk])
    next_url = safe_next_url(
        request, request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME), case_url
    )
    form = BreakTheGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_the_glass_open(actor=request.user, referral=referral, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            messages.warning(request, _("You have opened a case that is not yours. The reason is logged."))
            return redirect(next_url)
    context = {
        "referral": referral,
        "form": form,
        "next": next_url,
        "break_the_glass_hours": settings.BREAK_THE_GLASS_HOURS,
    }
    return render(request, "privacy/break_glass.html", context)


@service_view(roles=LEAD_ROLES)
def break_glass_list(request):
    """For the lead: who opened which case of the service, when and why, to follow up."""
    return render(request, "privacy/break_glass_list.html", {"accesses": break_the_glass_accesses_of(request.service)})


@service_view(roles=LEAD_ROLES)
@require_POST
def break_glass_followed_up(request, break_glass_pk):
    access = break_the_glass_access_for(request.service, break_glass_pk)
    break_the_glass_follow_up(actor=request.user, access=access)
    messages.success(request, _("Marked as followed up."))
    return redirect("privacy:break_glass_list", service_slug=request.service.slug)
