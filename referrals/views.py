from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_read, audit_reads_of_persons
from portal.models import CASEWORK_ROLES, LEAD_ROLES, Role
from portal.permissions import service_view
from portal.selectors import counsellors_of, staff_name
from portal.shortcuts import page_of

from .access import may_see_contact_details, referral_for
from .case_page import case_page_context, suggested_counsellor_id
from .filters import CaseloadFilter
from .forms import (
    AssignForm,
    CaseSearchForm,
    ClassificationPreviewForm,
    GuardianContactForm,
    GuardianFormSet,
    IntakeForm,
    PersonContactForm,
    SeizedFormSet,
    intake_details,
    intake_errors_show,
    intake_initial,
    municipality_label,
)
from .identity import birth_date_from_national_id, normalise_national_id
from .models import Outcome, ReferralStatus, Route, Substance
from .recipients import adult_from
from .selectors import (
    SearchKind,
    case_search,
    caseload,
    earlier_referrals,
    intake_services,
    municipalities_in_force,
    national_id_in,
    person_known_to,
)
from .services import ContactDetails, case_contact_details_update, referral_assign, referral_register
from .thresholds import classification_reasons, classify, suggested_route

PAGE_SIZE = 25


@service_view()
def caseload_list(request):
    data = request.GET.copy()
    if not data and request.membership.role == Role.COUNSELLOR:
        data["counsellor"] = CaseloadFilter.MINE  # a counsellor starts with their own cases
    counsellors = list(counsellors_of(request.service))
    filterset = CaseloadFilter(data, queryset=caseload(request.service), counsellors=counsellors, user=request.user)
    page, query = page_of(request, filterset.qs, per_page=PAGE_SIZE, query=data)
    # "All cases" keeps what was searched for and the other filters; only the counsellor and the page go.
    everyone = data.copy()
    everyone["counsellor"] = ""
    everyone.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query, "all_cases_query": everyone.urlencode()}
    if national_id_in(data.get("q", "")):
        messages.warning(
            request,
            _(
                "The caseload's search does not look up national IDs, because its address is kept in the browser's "
                "history and the server's log. Search for the number in the search box at the top."
            ),
        )
    return render(request, "referrals/caseload.html", context)


SEARCH_PAGE_SIZE = 25


@service_view()
def case_search_view(request):
    """Any case of the service by name, police reference or national ID. Posted (the page number too), so the
    number never reaches a URL, the browser's history or a server log; each search is in the access log, and so
    is each person it showed."""
    form = CaseSearchForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "page": None}
    if form.is_valid():
        text = form.cleaned_data["q"]
        kind, found = case_search(request.service, request.user, request.membership, text)
        page = Paginator(found, SEARCH_PAGE_SIZE).get_page(form.cleaned_data["page"])
        shown = list(page.object_list)
        audit_read(
            actor=request.user,
            action="case.searched",
            service=request.service,
            # What was searched for, but never the national ID itself.
            extra={"kind": kind, "hits": page.paginator.count, "query": "" if kind == SearchKind.NATIONAL_ID else text},
        )
        audit_reads_of_persons(
            actor=request.user,
            action="person.found_by_search",
            service=request.service,
            person_ids={referral.person_id for referral in shown},
        )
        context.update(page=page, cases=shown, kind=kind, query=text)
    return render(request, "referrals/search.html", context)


@service_view()
def referral_detail(request, referral_pk):
    referral = referral_for(request, referral_pk)
    audit_read(actor=request.user, action="referral.viewed", obj=referral, person_id=referral.person_id)
    adult_since = adult_from(referral.person)
    context = {
        "referral": referral,
        "person": referral.person,
        "seized": referral.seized.all(),
        "guardians": referral.guardians.all(),
        # From the 18th birthday the guardians hear nothing more of the case (referrals.recipients).
        "adult_since": adult_since if adult_since <= timezone.localdate() else None,
        "events": referral.events.select_related("actor"),
        "earlier": earlier_referrals(request.service, referral.person).exclude(pk=referral.pk),
        "classification_reasons": classification_reasons(referral),
        "may_assign": "lead" in request.membership.may and referral.status != ReferralStatus.CLOSED,
        # Meetings, flags and what can be booked: counselling.scheduling's section (referrals.case_page).
        **case_page_context(request, referral),
    }
    return render(request, "referrals/referral_detail.html", context)


@service_view(roles=LEAD_ROLES)
def referral_assign_view(request, referral_pk):
    referral = referral_for(request, referral_pk)
    counsellors = list(counsellors_of(request.service))
    # When nobody is assigned yet, suggest whoever a floor above names (the counsellor of the booked meeting).
    initial = {"counsellor": referral.assigned_counsellor_id or suggested_counsellor_id(referral)}
    form = AssignForm(request.POST or None, counsellors=counsellors, initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = next(m.user for m in counsellors if m.user_id == form.cleaned_data["counsellor"])
        try:
            referral_assign(actor=request.user, referral=referral, counsellor=chosen)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The case is assigned to %(name)s.") % {"name": staff_name(chosen)})
            return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=referral.pk)
    return render(request, "referrals/referral_assign.html", {"referral": referral, "form": form})


@service_view(roles=CASEWORK_ROLES)
def referral_create(request):
    services = intake_services(request.user)
    form = IntakeForm(
        request.POST or None,
        services=services,
        municipalities=municipalities_in_force(timezone.localdate()),
        # A counsellor's new case is theirs unless they untick it; a lead's waits for assignment as before.
        initial={
            **intake_initial(),
            "service": request.service,
            "assign_to_me": request.membership.role == Role.COUNSELLOR,
        },
    )
    guardians = GuardianFormSet(request.POST or None, prefix="guardians")
    seized = SeizedFormSet(request.POST or None, prefix="seized")
    if request.method == "POST" and all([form.is_valid(), guardians.is_valid(), seized.is_valid()]):
        person_details, details = intake_details(form, guardians, seized)
        service = form.cleaned_data["service"]
        try:
            referral = referral_register(
                actor=request.user,
                service=service,
                person_details=person_details,
                details=details,
                assign_to=request.user if form.cleaned_data["assign_to_me"] else None,
            )
        except ValidationError as error:
            intake_errors_show(error, form, guardians, seized)
        else:
            messages.success(request, _("Referral %(reference)s is registered.") % {"reference": referral})
            return redirect("referrals:detail", service_slug=service.slug, referral_pk=referral.pk)
    context = {
        "form": form,
        "guardians": guardians,
        "seized": seized,
        # For the intake script: which service serves which municipality, and each substance's unit.
        # Keyed by the number and by the lower-case name: the box takes "0301 Oslo", "0301" or "Oslo".
        "service_for_municipality": {
            key: s.pk for s in services for m in s.municipalities.all() for key in (m.number, m.name.lower())
        },
        "substance_units": dict(Substance.objects.values_list("code", "unit")),
    }
    return render(request, "referrals/referral_form.html", context)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def person_lookup(request):
    """The intake form asks, as the national ID is typed, whether this service knows the person. POST, so
    the number never lands in a URL or a server log."""
    try:
        national_id = normalise_national_id(request.POST.get("national_id", ""))
    except ValidationError as error:
        return JsonResponse({"valid": False, "message": error.messages[0]})
    born = birth_date_from_national_id(national_id)
    answer = {"valid": True, "date_of_birth": born.isoformat() if born else None, "person": None, "earlier": []}
    person = person_known_to(request.service, national_id)
    if person is not None:
        audit_read(
            actor=request.user, action="person.looked_up", obj=person, service=request.service, person_id=person.pk
        )
        earlier = list(earlier_referrals(request.service, person))
        answer["earlier"] = [
            {
                "reference": str(referral),
                "incident_date": date_format(referral.incident_date, "SHORT_DATE_FORMAT"),
                "status": referral.get_status_display(),
                "url": reverse("referrals:detail", args=[request.service.slug, referral.pk]),
            }
            for referral in earlier
        ]
        if not may_see_contact_details(request.user, request.membership, earlier):
            return JsonResponse(answer)
        answer["person"] = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "phone": person.phone,
            "email": person.email,
            "street_address": person.street_address,
            "postal_code": person.postal_code,
            "postal_town": person.postal_town,
            "municipality": municipality_label(person.municipality) if person.municipality else None,
            "preferred_language": person.preferred_language,
        }
    return JsonResponse(answer)


@service_view(roles=CASEWORK_ROLES)
@require_POST
def classification_preview(request):
    """The classification of the seizure rows typed so far, for the intake form to show before saving.
    Incomplete rows are left out; registering classifies again and has the final word."""
    form = ClassificationPreviewForm(request.POST)
    on = (form.is_valid() and form.cleaned_data["incident_date"]) or timezone.localdate()
    seized = SeizedFormSet(request.POST, prefix="seized")
    seized.is_valid()
    items = [
        (f.cleaned_data["substance"], f.cleaned_data["quantity"], f.cleaned_data["unit"])
        for f in seized.forms
        if f.has_changed() and not f.errors and f.cleaned_data
    ]
    if not items:
        return JsonResponse({"outcome": None, "reasons": [], "errors": []})
    try:
        result = classify(items, on=on)
    except ValidationError as error:
        return JsonResponse({"outcome": None, "reasons": [], "errors": error.messages})
    route = suggested_route(result.outcome)
    return JsonResponse(
        {
            "outcome": result.outcome,
            "label": Outcome(result.outcome).label,
            "reasons": [str(reason) for reason in result.reasons],
            "suggested_route": route,
            "suggested_route_label": Route(route).label if route else None,
            "regulation": str(result.regulation) if result.regulation else None,
            "regulation_status": result.regulation.get_status_display() if result.regulation else None,
            "regulation_is_proposal": bool(result.regulation and result.regulation.is_proposal),
            "errors": [],
        }
    )


@service_view(roles=CASEWORK_ROLES)
def contact_details_edit(request, referral_pk):
    """Correct the person's and the guardians' contact details from the case page: how a missing address gets
    fixed. The service's own record of the person only (each service is its own controller)."""
    referral = referral_for(request, referral_pk)
    person = referral.person
    data = request.POST or None
    person_form = PersonContactForm(
        data,
        municipalities=municipalities_in_force(timezone.localdate()),
        initial={name: getattr(person, name) for name in PersonContactForm.base_fields},
    )
    guardian_forms = [
        (
            guardian,
            GuardianContactForm(
                data,
                prefix=f"guardian-{guardian.pk}",
                initial={name: getattr(guardian, name) for name in GuardianContactForm.base_fields},
            ),
        )
        for guardian in referral.guardians.all()
    ]
    forms_valid = person_form.is_valid() and all(form.is_valid() for _guardian, form in guardian_forms)
    if request.method == "POST" and forms_valid:
        try:
            changed = case_contact_details_update(
                actor=request.user,
                referral=referral,
                person=ContactDetails(**person_form.cleaned_data),
                guardians={guardian.pk: ContactDetails(**form.cleaned_data) for guardian, form in guardian_forms},
            )
        except ValidationError as error:
            # Field errors are keyed by the field, a guardian's after its form's prefix ("guardian-<id>-phone").
            by_prefix = {form.prefix: form for _guardian, form in guardian_forms}
            errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            for key, messages_ in errors.items():
                prefix, _dash, name = key.rpartition("-")
                form = by_prefix.get(prefix, person_form)
                form.add_error(name if name in form.fields else None, messages_)
        else:
            if any(changed.values()):
                messages.success(request, _("The contact details are corrected."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("referrals:detail", service_slug=request.service.slug, referral_pk=referral.pk)
    audit_read(actor=request.user, action="referral.viewed", obj=referral, person_id=referral.person_id)
    context = {"referral": referral, "person_form": person_form, "guardian_forms": guardian_forms}
    return render(request, "referrals/contact_details_form.html", context)
