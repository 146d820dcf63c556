from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeesConfig(AppConfig):
    name = "fees"
    verbose_name = _("Fees")

    def ready(self):
        from counselling.attendance.signals import no_show_under_order
        from counselling.scheduling.services.letters import SUMMONS_CONTEXT_PROVIDERS
        from portal.personal_data import register
        from referrals.case_page import case_page_section

        from . import checks  # noqa: F401  (registers the deploy check)
        from .letters import summons_fee_context
        from .personal_data import DECLARATIONS
        from .receivers import fee_case_for_a_no_show
        from .selectors import case_page_of

        no_show_under_order.connect(fee_case_for_a_no_show, dispatch_uid="fees.fee_case_for_a_no_show")
        if summons_fee_context not in SUMMONS_CONTEXT_PROVIDERS:
            SUMMONS_CONTEXT_PROVIDERS.append(summons_fee_context)
        case_page_section("fees", case_page_of)
        register(*DECLARATIONS)
