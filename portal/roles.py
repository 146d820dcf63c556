"""Roles are groups with model permissions; the service a role applies to is the membership.

A user gets the group of every role they hold in an active membership. What a role may
do *in the portal* is decided per service by `portal.permissions.service_view`; the group
permissions decide what the Django admin shows. Later apps add their permissions here.
"""

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission

from .models import Role

ADMINISTRATOR_GROUP = "administrator"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COUNSELLOR: [
        "portal.view_counsellingservice",
        "portal.view_municipality",
    ],
    Role.SERVICE_LEAD: [
        "portal.view_counsellingservice",
        "portal.lead_counsellingservice",
        "portal.view_municipality",
        "portal.view_staffmembership",
        "portal.view_auditevent",
    ],
    Role.FEE_OFFICER: [
        "portal.view_counsellingservice",
        "portal.view_municipality",
    ],
}

# Administrators maintain the organisation in the Django admin. The audit log is
# read-only for everyone, so only its view permission is given.
ADMINISTRATOR_PERMISSIONS = [
    "portal.add_municipality",
    "portal.change_municipality",
    "portal.view_municipality",
    "portal.add_counsellingservice",
    "portal.change_counsellingservice",
    "portal.view_counsellingservice",
    "portal.add_staffmembership",
    "portal.change_staffmembership",
    "portal.view_staffmembership",
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "portal.view_auditevent",
    "django_celery_beat.view_periodictask",
    "django_celery_beat.change_periodictask",
]


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = [
        p
        for p in Permission.objects.select_related("content_type").filter(codename__in=[c for _, c in wanted])
        if (p.content_type.app_label, p.codename) in wanted
    ]
    return found


def roles_sync() -> None:
    """Create the role groups and set exactly their permissions. Safe to run any number of times."""
    for group_name, names in [*ROLE_PERMISSIONS.items(), (ADMINISTRATOR_GROUP, ADMINISTRATOR_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=str(group_name))
        group.permissions.set(_permissions(names))


def roles_sync_after_migrate(sender, **kwargs) -> None:
    # post_migrate is sent once per app, and each app's permissions are created by its own
    # signal: run after the last app's, when every permission row exists.
    last = [config for config in django_apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        roles_sync()
