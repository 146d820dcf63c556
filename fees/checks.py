"""System checks of the fee settings: `manage.py check --deploy` warns while any service charges fees, since the
law in force has no fee rule and a fee rests only on the legal basis an administrator recorded."""

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

FEES_ON = "fees.W001"


@register(Tags.security, deploy=True)
def fees_enabled_check(app_configs=None, databases=None, **kwargs):
    from .models import FeePolicy

    try:
        services = list(
            FeePolicy.objects.filter(fees_enabled=True)
            .order_by("service__name")
            .values_list("service__name", flat=True)
        )
    except DatabaseError:  # no tables yet: nothing to warn about
        return []
    if not services:
        return []
    return [
        Warning(
            _("Fees are switched on for: %(services)s.") % {"services": ", ".join(services)},
            hint=_(
                "No law in force gives a fee for not attending (the fee regime of Prop. 92 L (2020–2021) was "
                "rejected by the Storting on 3 June 2021). Check that each of these services has a legal basis "
                "of its own recorded in its fee policy, or switch fees off."
            ),
            id=FEES_ON,
        )
    ]
