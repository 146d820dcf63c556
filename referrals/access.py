"""Who may open a case, and what they may do with it, in one place.

Every page gets its case object through an access function: `referral_for(request, pk)` here, and on the floors
above `meeting_for`, `letter_for`, `flag_for` (counselling.scheduling), `police_report_for`
(counselling.attendance), `fee_case_for`, `fee_letter_for` (fees). Each scopes to the request's service (any other
service's object is a 404, its existence not revealed), then calls `case_access_check` on the object's referral,
and returns the object with what the user may do with it (`may_read_confidential`).

Standing access. Service leads and fee officers open every case of their service; a counsellor opens the cases
assigned to them and the ones they registered, and those that a floor above grants: counselling.scheduling grants
a counsellor the cases they hold a meeting on, counselling.attendance those they take a drug-test sample on (and
on its day any case with a test planned, for whoever is on duty), privacy those they opened with a stated reason
(break-the-glass), each registering its grant with `standing_access_grant` from its AppConfig.ready(). Any other
case of the service opens to a counsellor only after they state a reason: `ReasonRequired`, which portal's
BreakTheGlassMiddleware turns into the reason form.

Confidential. The needs assessment and the confidential note of a meeting are read only by the case's assigned
counsellor and the service lead (`may_read_confidential`); break-the-glass opens the case, never these.
"""

from collections.abc import Callable

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.models import CounsellingService, Role
from portal.permissions import ReasonRequired

from .models import Referral, SeizedSubstance

# Each grant: (user, now) -> a condition on Referral that holds for the cases the user has standing access to.
StandingAccess = Callable[..., Q]
_standing_access: dict[str, StandingAccess] = {}


def standing_access_grant(name: str, grant: StandingAccess) -> None:
    """Register a floor's grant of standing access to cases; registering the same name again replaces it."""
    _standing_access[name] = grant


# Each: (user) -> a condition on Referral for the cases in the user's caseload ("My cases") besides those assigned
# to them; counselling.scheduling adds the cases with a meeting booked with them.
Caseload = Callable[..., Q]
_caseload: dict[str, Caseload] = {}


def caseload_grant(name: str, grant: Caseload) -> None:
    """Register a floor's addition to a counsellor's own caseload; registering the same name again replaces it."""
    _caseload[name] = grant


def works_on(user) -> Q:
    """The cases in `user`'s own caseload: assigned to them, and those the floors above add."""
    mine = Q(assigned_counsellor=user)
    for grant in _caseload.values():
        mine |= grant(user)
    return mine


def opens_without_reason(user, membership) -> Q | None:
    """The cases of the service that `user` opens without stating a reason, as a condition on Referral; None when
    that is every case (leads and fee officers)."""
    if membership.role != Role.COUNSELLOR:
        return None
    now = timezone.now()
    granted = Q(assigned_counsellor=user) | Q(created_by=user)
    for grant in _standing_access.values():
        granted |= grant(user, now)
    return granted


def case_access_needs_reason(user, membership, referral: Referral) -> bool:
    """True when `user` (in `membership`, of the referral's service) must state a reason first. One query at most,
    none for leads, fee officers, the assigned counsellor and the one who registered the case."""
    granted = opens_without_reason(user, membership)
    if granted is None or user.pk in (referral.assigned_counsellor_id, referral.created_by_id):
        return False
    return not Referral.objects.filter(granted, pk=referral.pk).exists()


def case_access_check(request, referral: Referral) -> None:
    """Raise ReasonRequired if the signed-in user must state a reason before seeing this case. Called by the access
    functions, never by a view."""
    if case_access_needs_reason(request.user, request.membership, referral):
        raise ReasonRequired(referral)


def may_see_contact_details(user, membership, referrals) -> bool:
    """At intake, a known person's contact details go only to someone who may open one of the person's `referrals`
    in the service without a reason; the others see the references, whose links ask for one."""
    return any(not case_access_needs_reason(user, membership, referral) for referral in referrals)


def may_read_confidential(user, membership, referral: Referral) -> bool:
    """The needs assessment and the confidential note: the case's assigned counsellor and the service lead only."""
    return membership.role == Role.SERVICE_LEAD or referral.assigned_counsellor_id == user.pk


def referral_of_service(service: CounsellingService, pk: int) -> Referral:
    """The referral `pk` of `service`, with what the case page shows; 404 for any other service's. Only the
    break-the-glass page reads a case without `case_access_check`, to let the counsellor state the reason."""
    return get_object_or_404(
        Referral.objects.filter(service=service)
        .select_related("person", "assigned_counsellor", "regulation", "created_by")
        .prefetch_related(Prefetch("seized", queryset=SeizedSubstance.objects.select_related("substance"))),
        pk=pk,
    )


def referral_for(request, pk: int) -> Referral:
    """The case `pk` of the request's service, once the user may open it, with `may_read_confidential` set."""
    referral = referral_of_service(request.service, pk)
    case_access_check(request, referral)
    referral.may_read_confidential = may_read_confidential(request.user, request.membership, referral)
    return referral


def case_object_for(request, queryset, pk: int, *, referral_of: Callable[[object], Referral]):
    """The one shape of every access function: `queryset` is already scoped to the request's service (so any other
    service's object is a 404); the object's case must open to the user; the case gets `may_read_confidential`."""
    found = get_object_or_404(queryset, pk=pk)
    referral = referral_of(found)
    case_access_check(request, referral)
    referral.may_read_confidential = may_read_confidential(request.user, request.membership, referral)
    return found
