"""Access review: who can reach what in a service, and taking it away.

Access to a service is an active membership *and* guardian's object permission on the service (see
portal.selectors.services_for); a case permission (`referrals.work_on_referral`) is given to the
assigned counsellor. Memberships are ended through portal.memberships.membership_deactivate; case
permissions are removed here, with an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.models import UserObjectPermission
from guardian.shortcuts import remove_perm

from portal.audit import audit_change
from portal.memberships import LEAD_PERMISSION
from portal.models import CounsellingService, StaffMembership
from portal.selectors import SERVICE_ACCESS_PERMISSION
from referrals.models import Referral
from referrals.services import referral_unassign

CASE_PERMISSION = "referrals.work_on_referral"

# Object permissions on the service, in words a lead reads (the stored names are English codenames).
SERVICE_PERMISSION_LABELS = {
    "view_counsellingservice": gettext_lazy("Works in the service: sees its cases"),
    "lead_counsellingservice": gettext_lazy("Leads the service"),
}


@dataclass
class StaffAccess:
    user: object
    membership: StaffMembership | None
    service_permissions: list[str] = field(default_factory=list)
    cases: list[Referral] = field(default_factory=list)


def access_review_of(service: CounsellingService) -> list[StaffAccess]:
    """Every active member of the service, and anyone else still holding a permission in it."""
    service_perms = UserObjectPermission.objects.filter(
        content_type__app_label="portal", content_type__model="counsellingservice", object_pk=str(service.pk)
    ).select_related("permission")
    referral_ids = Referral.objects.filter(service=service).annotate(text_pk=Cast("pk", CharField())).values("text_pk")
    case_perms = UserObjectPermission.objects.filter(
        content_type__app_label="referrals",
        content_type__model="referral",
        permission__codename="work_on_referral",
        object_pk__in=referral_ids,
    ).values_list("user_id", "object_pk")
    case_perms = list(case_perms)
    referrals = Referral.objects.in_bulk([int(pk) for _user, pk in case_perms])
    memberships = {
        m.user_id: m for m in StaffMembership.objects.active().filter(service=service).select_related("user")
    }
    user_ids = set(memberships) | {p.user_id for p in service_perms} | {user for user, _pk in case_perms}
    users = get_user_model().objects.in_bulk(user_ids)
    rows = {pk: StaffAccess(user=users[pk], membership=memberships.get(pk)) for pk in user_ids if pk in users}
    for permission in service_perms:
        if permission.user_id in rows:
            codename = permission.permission.codename
            rows[permission.user_id].service_permissions.append(str(SERVICE_PERMISSION_LABELS.get(codename, codename)))
    for user_id, pk in case_perms:
        if user_id in rows and int(pk) in referrals:
            rows[user_id].cases.append(referrals[int(pk)])
    for row in rows.values():
        row.service_permissions.sort()
        row.cases.sort(key=lambda referral: referral.police_reference)
    return sorted(rows.values(), key=lambda row: (row.membership is None, row.user.get_full_name(), row.user.pk))


def membership_of_service(service: CounsellingService, pk: int) -> StaffMembership:
    return get_object_or_404(StaffMembership.objects.active().filter(service=service).select_related("user"), pk=pk)


def staff_user_of_service(service: CounsellingService, pk: int):
    """A user who is or was staff of the service; 404 for anyone else."""
    return get_object_or_404(get_user_model().objects.filter(memberships__service=service).distinct(), pk=pk)


@transaction.atomic
def case_permission_remove(*, actor, referral: Referral, user) -> None:
    """Take the case away from `user`. Access to a case follows its assignment, so the case is unassigned from
    them (through referral_unassign) as well as the permission removed; it waits for a counsellor again."""
    if not UserObjectPermission.objects.filter(
        user=user, permission__codename="work_on_referral", object_pk=str(referral.pk)
    ).exists():
        raise ValidationError(_("This staff member has no permission on that case."))
    remove_perm(CASE_PERMISSION, user, referral)
    if referral.assigned_counsellor_id == user.pk:
        referral_unassign(actor=actor, referral=referral)
    audit_change(
        actor=actor,
        action="referral.permission_removed",
        obj=referral,
        person_id=referral.person_id,
        extra={"user": user.get_username(), "permission": CASE_PERMISSION},
    )


@transaction.atomic
def service_permissions_remove(*, actor, service: CounsellingService, user) -> None:
    """Remove left-over service permissions of someone without an active membership."""
    if StaffMembership.objects.active().filter(service=service, user=user).exists():
        raise ValidationError(_("End the membership instead: it removes the permissions with it."))
    remove_perm(SERVICE_ACCESS_PERMISSION, user, service)
    remove_perm(LEAD_PERMISSION, user, service)
    audit_change(actor=actor, action="service.permissions_removed", obj=service, extra={"user": user.get_username()})
