"""The deployment's statistics in the admin: counts across services, for its administrators (privacy.statistics)."""

from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from portal.admin_site import AdminPage

from .statistics import deployment_counts, per_service_counts


def deployment_statistics(request, *, context):
    return TemplateResponse(
        request,
        "admin/deployment_statistics.html",
        {
            **context,
            "title": _("Counts across services"),
            "services": list(per_service_counts()),
            "totals": deployment_counts(),
        },
    )


STATISTICS_PAGE = AdminPage(
    route="deployment-statistics/",
    view=deployment_statistics,
    name="deployment_statistics",
    title=_("Counts across services"),
)
