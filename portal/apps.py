from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        # System checks, the audit receivers of logins, the password-check receiver, the two-factor admin.
        from . import checks, reauth, security_admin, signals  # noqa: F401
