from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from portal.personal_data import register

        from .personal_data import DECLARATIONS

        register(*DECLARATIONS)
