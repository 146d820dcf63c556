"""Break-the-glass: who may open a case, and the stated reason that opens one that is not theirs.

A counsellor always has the cases assigned to them, the ones they registered, and the ones
they hold a meeting on; service leads (and fee officers, who handle the fee side) have every
case of their service. Any other case of the service opens to a counsellor only after they
state a reason: the access lasts `BREAK_THE_GLASS_HOURS`, is in the audit log with the
reason, and is listed for the service lead to follow up.

Views that show a case's personal data call `referral_access_check(request, referral)`;
it raises `ReasonRequired`, which `portal.security_middleware.BreakTheGlassMiddleware`
turns into a redirect to the reason form.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from counselling.scheduling.models import HOLDS_TIME, Meeting
from portal.models import CounsellingService, Role

from .audit import audit_change, audit_read
from .break_glass_models import BreakTheGlassAccess

REASON_MIN_LENGTH = 10


class ReasonRequired(Exception):
    """The user may open this case only after stating a reason."""

    def __init__(self, referral):
        super().__init__(f"a reason is required to open referral {referral.pk}")
        self.referral = referral


def case_access_needs_reason(user, membership, referral) -> bool:
    """True when `user` (in `membership`, of the referral's service) must state a reason first. One query
    at most, none for leads or the assigned counsellor."""
    if membership.role != Role.COUNSELLOR:
        return False
    if user.pk in (referral.assigned_counsellor_id, referral.created_by_id):
        return False
    now = timezone.now()
    found = (
        type(referral)
        .objects.filter(pk=referral.pk)
        .filter(
            # A meeting that is only history (moved or cancelled) gives no standing access.
            Exists(Meeting.objects.filter(referral=OuterRef("pk"), counsellor=user, status__in=HOLDS_TIME))
            | Exists(BreakTheGlassAccess.objects.filter(referral=OuterRef("pk"), user=user, expires_at__gt=now))
        )
        .exists()
    )
    return not found


def referral_access_check(request, referral) -> None:
    """Raise ReasonRequired if the signed-in user must state a reason before seeing this case."""
    if case_access_needs_reason(request.user, request.membership, referral):
        raise ReasonRequired(referral)


def break_the_glass_open(*, actor, referral, reason: str) -> BreakTheGlassAccess:
    """Open `referral` to `actor` for BREAK_THE_GLASS_HOURS because of `reason`; logged as a read with the reason."""
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": _("State the reason in a few words (at least %(count)d characters).")
                % {"count": REASON_MIN_LENGTH}
            }
        )
    with transaction.atomic():
        access = BreakTheGlassAccess.objects.create(
            user=actor,
            referral=referral,
            service_id=referral.service_id,
            reason=reason,
            expires_at=timezone.now() + datetime.timedelta(hours=settings.BREAK_THE_GLASS_HOURS),
        )
        audit_read(
            actor=actor,
            action="referral.break_the_glass",
            obj=referral,
            person_id=referral.person_id,
            reason=reason[:500],
            extra={"access": access.pk, "expires_at": access.expires_at.isoformat()},
        )
    return access


def break_the_glass_follow_up(*, actor, access: BreakTheGlassAccess) -> None:
    """The lead has looked into the access; it leaves the list of accesses to follow up."""
    with transaction.atomic():
        updated = BreakTheGlassAccess.objects.filter(pk=access.pk, followed_up_at__isnull=True).update(
            followed_up_at=timezone.now(), followed_up_by=actor
        )
        if updated:
            audit_change(actor=actor, action="break_the_glass.followed_up", obj=access, service=access.service)


def break_the_glass_accesses_of(service: CounsellingService) -> QuerySet[BreakTheGlassAccess]:
    """The service's break-the-glass accesses, those not followed up first."""
    return (
        BreakTheGlassAccess.objects.filter(service=service)
        .select_related("user", "referral__person", "followed_up_by")
        .order_by(F("followed_up_at").asc(nulls_first=True), "-opened_at")
    )


def break_the_glass_access_for(service: CounsellingService, pk: int) -> BreakTheGlassAccess:
    return get_object_or_404(BreakTheGlassAccess.objects.filter(service=service), pk=pk)
