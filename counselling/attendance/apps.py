from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "counselling.attendance"
    label = "attendance"
    verbose_name = _("Attendance and police reports")

    def ready(self):
        from counselling.scheduling.selectors import (
            busy_time_provider,
            calendar_layer,
            dashboard_section,
            meeting_not_needed,
        )
        from portal.personal_data import register
        from referrals.access import standing_access_grant
        from referrals.case_page import case_page_section

        from .personal_data import DECLARATIONS
        from .selectors import (
            announced_tests_between,
            announced_tests_busy,
            case_page_of,
            collects_a_test_on,
            testing_case_page_of,
            testing_dashboard_of,
            testing_only,
        )

        case_page_section("attendance", case_page_of)
        case_page_section("testing", testing_case_page_of)
        busy_time_provider("announced_drug_tests", announced_tests_busy)
        standing_access_grant("drug_test", collects_a_test_on)
        dashboard_section("drug_tests_today", testing_dashboard_of)
        calendar_layer("drug_tests", announced_tests_between)
        meeting_not_needed("testing_only", testing_only)
        register(*DECLARATIONS)
