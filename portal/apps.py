from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # System checks, the audit receivers of logins, the password-check receiver, the two-factor admin.
        from . import checks, reauth, security_admin, signals  # noqa: F401
        from .own_personal_data import DECLARATIONS
        from .personal_data import register
        from .roles import roles_sync_after_migrate

        register(*DECLARATIONS)

        # Role groups get their model permissions after every migrate, so a permission
        # added by a later migration reaches the roles without a manual step.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="portal.roles_sync")
