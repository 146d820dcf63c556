"""What fees does when a floor below tells it something (connected in fees/apps.py)."""

from .selectors import fee_policy_for
from .services import fee_case_propose


def fee_case_for_a_no_show(sender, *, actor, meeting, **kwargs) -> None:
    """A no-show under the order route: a fee case is proposed where the service charges fees on a recorded legal
    basis. Elsewhere the no-show stays as it is recorded, without a fee case."""
    if fee_policy_for(meeting.referral.service).charges_fees:
        fee_case_propose(actor=actor, meeting=meeting)
