"""Reads of the organisation: the services a user works in, their memberships, and the staff of a service."""

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import CASEWORK_ROLES, CounsellingService, StaffMembership

SERVICE_ACCESS_PERMISSION = "portal.view_counsellingservice"


def services_for(user) -> QuerySet[CounsellingService]:
    """The active services the user works in: an active membership *and* guardian's object permission.

    Both must agree; a membership whose permission was revoked (or the reverse) gives no access.
    """
    if not user.is_authenticated:
        return CounsellingService.objects.none()
    member_of = CounsellingService.objects.filter(
        is_active=True, memberships__user=user, memberships__is_active=True
    ).distinct()
    return get_objects_for_user(user, SERVICE_ACCESS_PERMISSION, klass=member_of, accept_global_perms=False)


def membership_for(user, service_slug: str) -> StaffMembership | None:
    """The user's active membership in the service with this slug, with the service loaded; None if none."""
    return (
        StaffMembership.objects.active()
        .select_related("service")
        .filter(user=user, service__slug=service_slug, service__in=services_for(user))
        .first()
    )


def memberships_of(user) -> QuerySet[StaffMembership]:
    """The user's active memberships, for navigation between services."""
    return StaffMembership.objects.active().filter(user=user).select_related("service").order_by("service__name")


def counsellors_of(service: CounsellingService) -> QuerySet[StaffMembership]:
    """Who can hold a case in the service: its counsellors and leads."""
    return (
        StaffMembership.objects.active()
        .filter(service=service, role__in=CASEWORK_ROLES)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )


def staff_name(user) -> str:
    return user.get_full_name() or user.get_username()


def staff_of(service: CounsellingService) -> QuerySet[StaffMembership]:
    return (
        StaffMembership.objects.filter(service=service)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name", "user__username")
    )
