from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "counselling.attendance"
    label = "attendance"
    verbose_name = _("Attendance and police reports")

    def ready(self):
        from portal.personal_data import register

        from .personal_data import DECLARATIONS

        register(*DECLARATIONS)
