"""A service's fee settings: off until a lead turns them on, with the product's defaults."""

import pytest
from django.db import IntegrityError

from fees.models import FeePolicy
from fees.selectors import fee_policy_for


def test_a_service_without_a_policy_charges_no_fees_and_nothing_is_saved(service):
    policy = fee_policy_for(service)

    assert policy.fees_enabled is False
    assert policy.multiplier == 2
    assert policy.answer_period_days == 14
    assert policy.service == service
    assert policy.pk is None
    assert not FeePolicy.objects.exists()


def test_a_service_with_a_policy_gets_its_own(service, other_service):
    FeePolicy.objects.create(
        service=service,
        fees_enabled=True,
        legal_basis_citation="forskrift om gebyr § 1",
        legal_basis_text="Gebyr kan ilegges.",
        multiplier=3,
        appeal_body="Statsforvalteren",
    )

    policy = fee_policy_for(service)

    assert (policy.fees_enabled, policy.multiplier, policy.appeal_body) == (True, 3, "Statsforvalteren")
    assert fee_policy_for(other_service).fees_enabled is False


def test_a_multiplier_of_zero_is_refused(service):
    with pytest.raises(IntegrityError):
        FeePolicy.objects.create(service=service, multiplier=0)
