"""The top bar's search: any case of the service by name, police reference or national ID, posted so that the
number never reaches a URL or a log, and written to the access log."""

import datetime

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from referrals.identity import example_national_id
from tests.factories import PersonFactory, ReferralFactory

OLA_ID = example_national_id(datetime.date(1990, 4, 12), 123)
KARI_ID = example_national_id(datetime.date(1991, 5, 13), 234)


def search_url(service):
    return reverse("referrals:search", kwargs={"service_slug": service.slug})


def search(client, service, q, **extra):
    return client.post(search_url(service), {"q": q, **extra})


def names(response) -> list[str]:
    return [referral.person.full_name for referral in response.context["cases"]]


@pytest.fixture
def cases(service, other_service):
    ola = ReferralFactory(
        service=service,
        police_reference="2026-004711",
        person=PersonFactory(service=service, first_name="Ola", last_name="Nordmann", national_id=OLA_ID),
    )
    kari = ReferralFactory(
        service=service,
        police_reference="2026-009999",
        person=PersonFactory(service=service, first_name="Kari", last_name="Nordmann", national_id=KARI_ID),
    )
    # The same person, known to another service too: never found from this one.
    elsewhere = ReferralFactory(
        service=other_service,
        police_reference="2026-004712",
        person=PersonFactory(service=other_service, first_name="Ola", last_name="Nordmann", national_id=OLA_ID),
    )
    return ola, kari, elsewhere


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("Ola Nordmann", ["Ola Nordmann"]),
        ("nordmann", ["Kari Nordmann", "Ola Nordmann"]),
        ("nord ola", ["Ola Nordmann"]),  # every word matches a first or last name
        ("4711", ["Ola Nordmann"]),
        ("2026-0099", ["Kari Nordmann"]),
        (OLA_ID, ["Ola Nordmann"]),
        (f"{OLA_ID[:6]} {OLA_ID[6:]}", ["Ola Nordmann"]),
        ("Per", []),
    ],
)
def test_a_search_finds_the_services_cases_by_name_reference_or_national_id(client, lead, cases, service, q, found):
    client.force_login(lead)
    response = search(client, service, q)
    assert response.status_code == 200
    assert sorted(names(response)) == found
    assert all(referral.service_id == service.pk for referral in response.context["cases"])


def test_part_of_a_national_id_finds_nobody(client, lead, cases, service):
    """Six digits of a birth date are no way to go fishing for persons."""
    client.force_login(lead)
    assert names(search(client, service, OLA_ID[:6])) == []


def test_a_counsellor_finds_every_case_and_sees_which_open_only_with_a_reason(client, counsellor, cases, service):
    ola, _kari, _elsewhere = cases
    ola.assigned_counsellor = counsellor
    ola.save()
    client.force_login(counsellor)
    response = search(client, service, "Nordmann")
    reasons = {referral.person.first_name: referral.needs_reason for referral in response.context["cases"]}
    assert reasons == {"Ola": False, "Kari": True}
    assert response.content.decode().count("Åpnes med begrunnelse") == 1


def test_each_search_is_in_the_access_log_and_the_national_id_is_stored_nowhere(client, lead, cases, service):
    ola, _kari, _elsewhere = cases
    client.force_login(lead)
    response = search(client, service, OLA_ID)
    assert OLA_ID not in response.request["PATH_INFO"] and OLA_ID not in response.request.get("QUERY_STRING", "")
    searched = AuditEvent.objects.get(action="case.searched")
    assert (searched.actor, searched.service, searched.extra) == (
        lead,
        service,
        {"kind": "national_id", "hits": 1, "query": ""},
    )
    found = AuditEvent.objects.get(action="person.found_by_search")
    assert (found.person_id, found.service_id, found.kind) == (ola.person_id, service.pk, AuditEvent.Kind.READ)
    for event in AuditEvent.objects.all():
        stored = f"{event.object_repr} {event.reason} {event.extra} {event.object_id}"
        assert OLA_ID not in stored


def test_a_name_search_keeps_what_was_searched_for_in_the_log(client, lead, cases, service):
    client.force_login(lead)
    search(client, service, "Nordmann")
    assert AuditEvent.objects.get(action="case.searched").extra == {"kind": "name", "hits": 2, "query": "Nordmann"}
    assert AuditEvent.objects.filter(action="person.found_by_search").count() == 2


def test_the_pages_of_results_are_posted_with_the_query(client, lead, service):
    for _ in range(30):
        ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Hansen"))
    client.force_login(lead)
    first = search(client, service, "Hansen")
    assert len(first.context["cases"]) == 25 and first.context["page"].paginator.count == 30
    page = first.content.decode()
    assert 'name="page" value="2"' in page and "?page=" not in page
    second = search(client, service, "Hansen", page="2")
    assert len(second.context["cases"]) == 5
    assert {r.pk for r in first.context["cases"]}.isdisjoint({r.pk for r in second.context["cases"]})
    beyond = search(client, service, "Hansen", page="99")  # a page past the end: the last page
    assert beyond.context["page"].number == 2


def test_the_results_page_takes_the_same_queries_for_one_case_or_twenty_five(
    client, lead, service, django_assert_num_queries
):
    client.force_login(lead)
    ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Berg"))
    search(client, service, "Berg")  # the session and the membership are cached from here on
    with django_assert_num_queries(14) as one:
        search(client, service, "Berg")
    for _ in range(24):
        ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Berg"))
    with django_assert_num_queries(len(one.captured_queries)):
        response = search(client, service, "Berg")
    assert len(response.context["cases"]) == 25


def test_a_get_shows_the_empty_search_and_logs_nothing(client, lead, service):
    client.force_login(lead)
    response = client.get(search_url(service))
    assert response.status_code == 200
    assert response.context["page"] is None
    assert not AuditEvent.objects.filter(action="case.searched").exists()


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Feltet er påkrevet."),
        ("x" * 500, "Sørg for at denne verdien har 100 eller færre tegn (den har nå 500)."),
        ("Ola\x07Nordmann", "Søk med bokstaver, sifre, mellomrom og bindestrek."),
        ("Ola\u200bNordmann", "Søk med bokstaver, sifre, mellomrom og bindestrek."),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_search(client, lead, cases, service, q, message):
    client.force_login(lead)
    response = search(client, service, q)
    assert response.status_code == 200
    assert response.context["form"].errors["q"] == [message]
    assert not AuditEvent.objects.filter(action="case.searched").exists()


def test_the_caseload_no_longer_looks_up_a_national_id_from_its_address(client, lead, cases, service):
    client.force_login(lead)
    response = client.get(reverse("referrals:caseload", args=[service.slug]), {"q": OLA_ID, "counsellor": ""})
    assert list(response.context["page"]) == []
    assert "Søk etter nummeret i søkefeltet øverst" in response.content.decode()


def test_every_page_of_a_service_has_the_search_in_the_top_bar(client, lead, service):
    client.force_login(lead)
    page = client.get(reverse("scheduling:dashboard", args=[service.slug])).content.decode()
    assert f'<form method="post" action="{search_url(service)}"' in page
