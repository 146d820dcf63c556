"""Counts across services, for the deployment's administrators: numbers only, never a person or a case."""

import pytest
from django.urls import reverse

from portal.models import Role
from referrals.models import Person, ReferralStatus
from tests.factories import ReferralFactory, StaffMembershipFactory, UserFactory

URL = reverse("admin:deployment_statistics")


@pytest.fixture
def administrator(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def known_to_both(service, other_service):
    """One person with a case in each service, and one more in Oslo alone; one anonymised record in Bergen."""
    oslo = ReferralFactory(service=service, person__first_name="Kari", police_reference="2026-OSLO-1")
    ReferralFactory(
        service=other_service,
        person__national_id=oslo.person.national_id,
        person__first_name="Kari",
        police_reference="2026-BERGEN-1",
        status=ReferralStatus.CLOSED,
    )
    ReferralFactory(service=service)
    anonymised = ReferralFactory(service=other_service, status=ReferralStatus.CLOSED)
    Person.objects.filter(pk=anonymised.person_id).update(national_id="X0000000001", first_name="anonymisert")
    return oslo


def test_the_administrator_sees_counts_per_service_and_in_all(client, administrator, known_to_both):
    client.force_login(administrator)
    response = client.get(URL)
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals == {
        "person_records": 4,
        "anonymised_records": 1,
        "people": 2,  # the person both services know is one person
        "people_in_several_services": 1,
        "cases": 4,
    }
    assert [
        (s["name"], s["person_records"], s["cases"], s["open_cases"], s["closed_cases"])
        for s in response.context["services"]
    ] == [
        ("Rådgivende enhet Bergen", 2, 2, 0, 2),
        ("Rådgivende enhet Oslo", 2, 2, 2, 0),
    ]


def test_the_page_names_no_person_and_no_case(client, administrator, known_to_both):
    client.force_login(administrator)
    page = client.get(URL).content.decode()
    person = known_to_both.person
    for identifying in (person.national_id, person.first_name, person.last_name, "2026-OSLO-1", "2026-BERGEN-1"):
        assert identifying not in page


def test_only_the_deployments_administrators_count_across_services(client, service, known_to_both):
    staff_lead = StaffMembershipFactory(service=service, role=Role.SERVICE_LEAD, user__is_staff=True).user
    client.force_login(staff_lead)
    assert client.get(URL).status_code == 403
    assert "portal-pages" not in client.get(reverse("admin:index")).content.decode()
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_admin_index_links_the_page_for_the_administrator(client, administrator):
    client.force_login(administrator)
    assert URL in client.get(reverse("admin:index")).content.decode()


def test_the_page_costs_the_same_queries_however_many_services_and_cases(
    client, administrator, known_to_both, django_assert_num_queries
):
    for _ in range(5):
        ReferralFactory()  # each in a service of its own
    client.force_login(administrator)
    # Session, user and second factor, the admin's own, then one query per count (privacy.statistics).
    with django_assert_num_queries(13):
        assert client.get(URL).status_code == 200
