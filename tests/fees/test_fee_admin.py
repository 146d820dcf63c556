"""Fee settings in the Django admin: a lead sees their own service's policy only; rates are listed by date."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from fees.models import FeePolicy
from portal.models import Role
from tests.factories import StaffMembershipFactory, UserFactory


@pytest.fixture
def staff_lead(service):
    user = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__is_staff=True).user
    # Given directly: which roles may edit fee policies is decided in counselling.roles.
    fee_policy_permissions = Permission.objects.filter(content_type__app_label="fees", codename__endswith="feepolicy")
    user.user_permissions.add(*fee_policy_permissions)
    return user


def test_a_lead_sees_only_their_own_services_fee_policy(client, staff_lead, service, other_service):
    own = FeePolicy.objects.create(service=service)
    FeePolicy.objects.create(service=other_service)
    client.force_login(staff_lead)

    response = client.get(reverse("admin:fees_feepolicy_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [own]


def test_a_lead_cannot_open_another_services_fee_policy_by_id(client, staff_lead, other_service):
    theirs = FeePolicy.objects.create(service=other_service)
    client.force_login(staff_lead)

    response = client.get(reverse("admin:fees_feepolicy_change", args=[theirs.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:index")


def test_a_lead_can_only_pick_their_own_service_for_a_new_policy(client, staff_lead, service, other_service):
    client.force_login(staff_lead)

    response = client.get(reverse("admin:fees_feepolicy_add"))

    assert list(response.context["adminform"].form.fields["service"].queryset) == [service]


def test_court_fee_rates_are_listed_newest_first(client, court_fee_rates):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:fees_courtfeerate_changelist"))

    assert response.status_code == 200
    shown = [(rate.valid_from.year, rate.amount) for rate in response.context["cl"].result_list]
    assert shown == sorted(shown, reverse=True)
    seeded = [row for row in shown if row[0] <= 2026]  # after 2026, tests/conftest.py adds this year's rate
    assert seeded[:2] == [(2026, 1345), (2025, 1314)]
    assert len(shown) == court_fee_rates.count()
