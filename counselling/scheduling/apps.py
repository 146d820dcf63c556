from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "counselling.scheduling"
    label = "scheduling"
    verbose_name = _("Meetings and reminders")

    def ready(self):
        from portal.personal_data import register
        from referrals.access import caseload_grant, standing_access_grant
        from referrals.case_page import case_page_section, counsellor_suggestion

        from .personal_data import DECLARATIONS
        from .selectors import booked_counsellor_id, case_page_of, has_a_meeting_booked_with, holds_a_meeting_on

        # What the case has on this floor, for the referrals app's rules and pages (it never imports this one).
        standing_access_grant("meeting", holds_a_meeting_on)
        caseload_grant("meeting", has_a_meeting_booked_with)
        case_page_section("meetings", case_page_of)
        counsellor_suggestion("booked_meeting", booked_counsellor_id)
        # What this floor's models hold about people, for retention and the person export (privacy).
        register(*DECLARATIONS)
