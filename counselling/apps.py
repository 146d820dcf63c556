from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounsellingHistoryConfig(AppConfig):
    """The migrations that created the counselling tables before they were shared out between
    `portal` (the organisation), `counselling.scheduling` and `counselling.attendance`.

    Databases built before the split have these migrations applied, and other apps' migrations depend on
    them, so they stay; the last one hands the models over without touching a table. The app has no models
    and nothing else. Squashing every app's migrations would let it go.
    """

    name = "counselling"
    verbose_name = _("Counselling (migration history)")
