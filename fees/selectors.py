"""Reads of fee settings."""

from counselling.models import CounsellingService

from .models import FeePolicy


def fee_policy_for(service: CounsellingService) -> FeePolicy:
    """The service's fee policy; a service that has none gets the defaults (fees off) as an unsaved policy,
    so callers never need to ask whether the row exists. Select `fee_policy` with the service to save a query.
    """
    try:
        return service.fee_policy
    except FeePolicy.DoesNotExist:
        return FeePolicy(service=service)
