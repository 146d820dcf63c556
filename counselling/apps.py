from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CounsellingConfig(AppConfig):
    name = "counselling"
    verbose_name = _("Counselling")

    def ready(self):
        from .roles import roles_sync_after_migrate

        # Role groups get their model permissions after every migrate, so a permission
        # added by a later migration reaches the roles without a manual step.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="counselling.roles_sync")
