from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from counselling.models import Role
from counselling.selectors import counsellors_of, staff_name
from portal.audit import audit_read
from portal.permissions import service_view

from .filters import CaseloadFilter
from .forms import AssignForm
from .selectors import caseload, referral_for
from .services import referral_assign

PAGE_SIZE = 25


@service_view()
def caseload_list(request):
    data = request.GET.copy()
    if not data and request.membership.role == Role.COUNSELLOR:
        data["counsellor"] = CaseloadFilter.MINE  # a counsellor starts with their own cases
    counsellors = list(counsellors_of(request.service))
    filterset = CaseloadFilter(data, queryset=caseload(request.service), counsellors=counsellors, user=request.user)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "referrals/caseload.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@service_view()
def referral_detail(request, referral_pk):
    referral = referral_for(request.service, referral_pk)
    audit_read(actor=request.user, action="referral.viewed", obj=referral, person_id=referral.person_id)
    context = {
        "referral": referral,
        "person": referral.person,
        "seized": referral.seized.all(),
        "guardians": referral.guardians.all(),
        "events": referral.events.select_related("actor"),
        "earlier": referral.person.referrals.exclude(pk=referral.pk).filter(service=request.service),
    }
    return render(request, "referrals/referral_detail.html", context)


@service_view(roles=[Role.SERVICE_LEAD])
def referral_assign_view(request, referral_pk):
    referral = referral_for(request.service, referral_pk)
    counsellors = list(counsellors_of(request.service))
    form = AssignForm(
        request.POST or None, counsellors=counsellors, initial={"counsellor": referral.assigned_counsellor_id}
    )
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
