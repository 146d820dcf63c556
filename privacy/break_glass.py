"""Break-the-glass: a counsellor opens a case of their service that is not theirs by stating a reason.

The access lasts `BREAK_THE_GLASS_HOURS`, is in the audit log with the reason, and is listed for the service lead to
follow up. Who has a case without a reason is referrals.access; this app grants the opened cases there
(privacy/apps.py).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_change, audit_read
from portal.models import CounsellingService

from .models import BreakTheGlassAccess

REASON_MIN_LENGTH = 10


def opened_with_reason(user, now) -> Q:
    """The cases `user` opened with a stated reason whose access has not run out (a standing-access grant)."""
    return Q(Exists(BreakTheGlassAccess.objects.filter(referral=OuterRef("pk"), user=user, expires_at__gt=now)))


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
