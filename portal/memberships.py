"""Changes to the organisation. Each function is one transaction and writes the audit log."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .audit import audit_change
from .models import CounsellingService, Role, StaffMembership
from .selectors import SERVICE_ACCESS_PERMISSION

LEAD_PERMISSION = "portal.lead_counsellingservice"


def _sync_role_group(user, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    if StaffMembership.objects.active().filter(user=user, role=role).exists():
        user.groups.add(group)
    else:
        user.groups.remove(group)


@transaction.atomic
def membership_grant(*, actor, user, service: CounsellingService, role: str) -> StaffMembership:
    """Give `user` the `role` in `service`, replacing any other active role they hold there."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not user.is_active:
        raise ValidationError({"user": _("The user account is deactivated.")})
    current = StaffMembership.objects.select_for_update().filter(user=user, service=service, is_active=True).first()
    if current is not None and current.role == role:
        return current
    if current is not None:
        _end(current)
        _sync_role_group(user, current.role)
    membership = StaffMembership(user=user, service=service, role=role)
    membership.full_clean()
    membership.save()
    assign_perm(SERVICE_ACCESS_PERMISSION, user, service)
    if role == Role.SERVICE_LEAD:
        assign_perm(LEAD_PERMISSION, user, service)
    else:
        remove_perm(LEAD_PERMISSION, user, service)
    _sync_role_group(user, role)
    audit_change(
        actor=actor,
        action="membership.granted",
        obj=membership,
        extra={"user": user.get_username(), "role": role, "replaced_role": current.role if current else None},
    )
    return membership


def _end(membership: StaffMembership) -> None:
    membership.is_active = False
    membership.ended_at = timezone.now()
    membership.save(update_fields=["is_active", "ended_at"])


@transaction.atomic
def membership_deactivate(*, actor, membership: StaffMembership) -> StaffMembership:
    """End a membership: the user loses access to the service at once."""
    membership = StaffMembership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(_("This membership has already ended."))
    _end(membership)
    remove_perm(SERVICE_ACCESS_PERMISSION, membership.user, membership.service)
    remove_perm(LEAD_PERMISSION, membership.user, membership.service)
    _sync_role_group(membership.user, membership.role)
    audit_change(
        actor=actor,
        action="membership.deactivated",
        obj=membership,
        extra={"user": membership.user.get_username(), "role": membership.role},
    )
    return membership
