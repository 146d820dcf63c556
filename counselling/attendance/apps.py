from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "counselling.attendance"
    label = "attendance"
    verbose_name = _("Attendance and police reports")

    def ready(self):
        from portal.personal_data import register
        from referrals.case_page import case_page_section

        from .personal_data import DECLARATIONS
        from .selectors import case_page_of

        case_page_section("attendance", case_page_of)
        register(*DECLARATIONS)
