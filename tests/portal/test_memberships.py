import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import get_perms

from portal.memberships import membership_deactivate, membership_grant
from portal.models import Role, StaffMembership
from portal.selectors import services_for
from tests.factories import CounsellingServiceFactory, StaffMembershipFactory, UserFactory


@pytest.fixture
def admin_user(db):
    return UserFactory(username="administrator", is_staff=True, is_superuser=True)


def test_a_counsellor_sees_only_the_services_they_work_in(counsellor, service, other_service):
    assert list(services_for(counsellor)) == [service]


def test_granting_a_role_gives_the_role_group_and_the_service_permission(admin_user, service):
    user = UserFactory()
    membership_grant(actor=admin_user, user=user, service=service, role=Role.SERVICE_LEAD)
    assert set(get_perms(user, service)) == {"view_counsellingservice", "lead_counsellingservice"}
    assert list(user.groups.values_list("name", flat=True)) == ["service_lead"]
    assert user.has_perm("portal.view_staffmembership")


def test_granting_the_same_role_twice_changes_nothing(admin_user, service):
    user = UserFactory()
    first = membership_grant(actor=admin_user, user=user, service=service, role=Role.COUNSELLOR)
    second = membership_grant(actor=admin_user, user=user, service=service, role=Role.COUNSELLOR)
    assert first == second
    assert StaffMembership.objects.filter(user=user).count() == 1


def test_a_new_role_in_the_same_service_ends_the_old_one_and_keeps_it_as_history(admin_user, service):
    user = UserFactory()
    membership_grant(actor=admin_user, user=user, service=service, role=Role.SERVICE_LEAD)
    membership_grant(actor=admin_user, user=user, service=service, role=Role.COUNSELLOR)
    roles = dict(StaffMembership.objects.filter(user=user).values_list("role", "is_active"))
    assert roles == {Role.SERVICE_LEAD: False, Role.COUNSELLOR: True}
    assert get_perms(user, service) == ["view_counsellingservice"]
    assert list(user.groups.values_list("name", flat=True)) == ["counsellor"]


def test_ending_a_membership_removes_access_at_once(admin_user, service):
    membership = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD)
    user = membership.user
    membership_deactivate(actor=admin_user, membership=membership)
    user = type(user).objects.get(pk=user.pk)  # fresh permission caches, as on the next request
    assert list(services_for(user)) == []
    assert get_perms(user, service) == []
    assert not user.groups.exists()


def test_ending_one_of_two_memberships_keeps_the_other_services_access(admin_user, service):
    other = CounsellingServiceFactory()
    membership = StaffMembershipFactory(service=service, role=Role.COUNSELLOR)
    StaffMembershipFactory(service=other, role=Role.COUNSELLOR, user=membership.user)
    membership_deactivate(actor=admin_user, membership=membership)
    assert list(services_for(membership.user)) == [other]
    assert list(membership.user.groups.values_list("name", flat=True)) == ["counsellor"]


def test_ending_an_ended_membership_is_refused(admin_user, service):
    membership = StaffMembershipFactory(service=service)
    membership_deactivate(actor=admin_user, membership=membership)
    with pytest.raises(ValidationError):
        membership_deactivate(actor=admin_user, membership=membership)


def test_a_deactivated_user_cannot_be_given_a_role(admin_user, service):
    user = UserFactory(is_active=False)
    with pytest.raises(ValidationError):
        membership_grant(actor=admin_user, user=user, service=service, role=Role.COUNSELLOR)
    assert not StaffMembership.objects.filter(user=user).exists()


def test_a_membership_without_the_guardian_permission_gives_no_access(counsellor, service):
    """Membership and object permission must agree; either alone is not enough."""
    from guardian.shortcuts import remove_perm

    remove_perm("portal.view_counsellingservice", counsellor, service)
    assert list(services_for(counsellor)) == []
