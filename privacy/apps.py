from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The top floor: the access log, person exports, retention, access review, legal holds, break-the-glass and
    the demo data. It reads every app below it; nothing imports it."""

    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from portal.personal_data import register
        from referrals.access import standing_access_grant

        from .break_glass import opened_with_reason
        from .personal_data import DECLARATIONS

        standing_access_grant("break_the_glass", opened_with_reason)
        register(*DECLARATIONS)
