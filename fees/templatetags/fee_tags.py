"""Template helpers for fees: amounts in kroner, and a referral's fee cases for the panel on the case page."""

from django import template
from django.utils.formats import number_format

from referrals.models import Route

from ..selectors import fee_cases_of_referral

register = template.Library()


@register.filter
def kroner(amount) -> str:
    """2690 → "2 690 kr" in Bokmål, "2,690 kr" in English; the space before kr does not break."""
    if amount in (None, ""):
        return "–"
    return f"{number_format(amount, use_l10n=True, force_grouping=True)}\u00a0kr"


@register.simple_tag
def fee_cases_for(referral) -> list:
    """The referral's fee cases, newest first, in one query (the case page's view knows nothing of fees). Fees
    exist only under the order route, so a condition-route case costs no query."""
    if referral.route != Route.ORDER:
        return []
    return list(fee_cases_of_referral(referral))
