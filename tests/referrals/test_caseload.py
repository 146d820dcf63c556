import html
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from portal.models import AuditEvent
from referrals.services import referral_assign
from tests.factories import PersonFactory, ReferralFactory


def caseload_url(service, **query):
    from urllib.parse import urlencode

    return reverse("referrals:caseload", kwargs={"service_slug": service.slug}) + (
        "?" + urlencode(query) if query else ""
    )


def test_a_counsellor_sees_their_own_cases_by_default(client, service, lead, counsellor, colleague):
    mine = ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Mine"))
    theirs = ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Theirs"))
    referral_assign(actor=lead, referral=mine, counsellor=counsellor)
    referral_assign(actor=lead, referral=theirs, counsellor=colleague)
    client.force_login(counsellor)
    assert list(client.get(caseload_url(service)).context["page"]) == [mine]
    assert set(client.get(caseload_url(service, counsellor="")).context["page"]) == {mine, theirs}


def test_switching_to_all_cases_keeps_the_search_text_and_filters(client, service, counsellor, colleague, lead):
    theirs = ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Hansen"))
    referral_assign(actor=lead, referral=theirs, counsellor=colleague)
    client.force_login(counsellor)
    mine_only = client.get(caseload_url(service, q="Hansen", counsellor="mine", route="condition", page="1"))
    assert list(mine_only.context["page"]) == []
    link = re.search(r'href="\?([^"]*)"[^>]*>(?:Alle saker|All cases)<', mine_only.content.decode()).group(1)
    assert QueryDict(html.unescape(link)).dict() == {"q": "Hansen", "counsellor": "", "route": "condition"}
    assert list(client.get(caseload_url(service) + "?" + html.unescape(link)).context["page"]) == [theirs]


def test_another_services_cases_never_appear_in_list_or_search(client, service, other_service, counsellor):
    ours = ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Hansen"))
    ReferralFactory(service=other_service, person=PersonFactory(service=other_service, last_name="Hansen"))
    client.force_login(counsellor)
    assert list(client.get(caseload_url(service, counsellor="", q="Hansen")).context["page"]) == [ours]


def test_search_by_police_reference_but_not_by_national_id(client, service, counsellor):
    """A national ID in the caseload's address would land in the browser's history and the server's log: the top
    bar's posted search finds it (test_case_search)."""
    target = ReferralFactory(service=service, police_reference="2026-777777")
    ReferralFactory(service=service)
    client.force_login(counsellor)
    assert list(client.get(caseload_url(service, counsellor="", q=target.person.national_id)).context["page"]) == []
    assert list(client.get(caseload_url(service, counsellor="", q="777777")).context["page"]) == [target]


def test_another_services_case_is_404(client, other_service, counsellor):
    referral = ReferralFactory(service=other_service)
    client.force_login(counsellor)
    url = reverse("referrals:detail", kwargs={"service_slug": "oslo", "referral_pk": referral.pk})
    assert client.get(url).status_code == 404


def test_opening_a_case_is_logged_once(client, service, counsellor):
    referral = ReferralFactory(service=service, assigned_counsellor=counsellor)
    client.force_login(counsellor)
    client.get(reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": referral.pk}))
    assert AuditEvent.objects.filter(action="referral.viewed", person_id=referral.person_id).count() == 1


@pytest.mark.parametrize("cases", [3, 30])
def test_caseload_query_count_does_not_grow_with_the_page(
    client, service, lead, counsellor, cases, django_assert_num_queries
):
    for _ in range(cases):
        referral_assign(actor=lead, referral=ReferralFactory(service=service), counsellor=counsellor)
    client.force_login(counsellor)
    client.get(caseload_url(service))
    # session, user, second factor, membership, counsellors for the filter, count, page rows, navigation
    # memberships; the session saved (renewed on every request: savepoint, update, release); the view's
    # own transaction (ATOMIC_REQUESTS: savepoint, release)
    with django_assert_num_queries(13):
        response = client.get(caseload_url(service))
    assert len(response.context["page"]) == min(cases, 25)


def test_a_lead_keeps_the_staff_link_on_every_service_page(client, service, lead):
    client.force_login(lead)
    page = client.get(caseload_url(service)).content.decode()
    assert reverse("portal:staff", kwargs={"service_slug": service.slug}) in page


def test_the_case_page_shows_seized_quantities_as_people_write_them(client, service, counsellor):
    from decimal import Decimal

    from referrals.models import SeizedSubstance, Substance

    referral = ReferralFactory(service=service, assigned_counsellor=counsellor)
    cannabis = Substance.objects.create(code="test-cannabis", name_nb="Cannabis", name_en="Cannabis", unit="g")
    SeizedSubstance.objects.create(referral=referral, substance=cannabis, quantity=Decimal("10.0000"), unit="g")
    SeizedSubstance.objects.create(referral=referral, substance=cannabis, quantity=Decimal("0.5000"), unit="g")
    client.force_login(counsellor)
    page = client.get(reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": referral.pk}))
    text = page.content.decode()
    assert "Cannabis: 10 g" in text
    assert "Cannabis: 0,5 g" in text  # Bokmål decimal comma


def test_the_case_page_speaks_the_readers_language_not_the_writers(client, service, counsellor, thresholds_2021):
    import datetime

    from django.utils import translation

    from referrals.identity import example_national_id
    from referrals.services import PersonDetails, ReferralDetails, referral_register

    with translation.override("nb"):
        referral = referral_register(
            actor=counsellor,
            service=service,
            person_details=PersonDetails(
                national_id=example_national_id(datetime.date(1990, 1, 1)), first_name="Ali", last_name="Hassan"
            ),
            details=ReferralDetails(
                route="condition",
                police_district="oslo",
                police_reference="2026-555",
                incident_date=datetime.date(2026, 9, 1),
                decision_date=datetime.date(2026, 9, 10),
                attendance_deadline=datetime.date(2026, 12, 10),
                seized=[("heroin", "7", "g")],
            ),
        )
    url = reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": referral.pk})
    client.force_login(counsellor)
    client.cookies["portal_language"] = "en"
    english = client.get(url).content.decode()
    assert "Referral registered." in english
    assert "Heroin: 7 g is above the upper threshold of 5 g." in english
    assert "01.09.2026" in english  # day before month in English too
    client.cookies["portal_language"] = "nb"
    norwegian = client.get(url).content.decode()
    assert "Henvisning registrert." in norwegian
    assert "Heroin: 7 g er over den øvre terskelen på 5 g." in norwegian


def test_case_page_query_count_is_pinned(client, service, lead, counsellor, thresholds_2021, django_assert_num_queries):
    import datetime

    from referrals.identity import example_national_id
    from referrals.services import GuardianDetails, PersonDetails, ReferralDetails, referral_register

    referral = referral_register(
        actor=lead,
        service=service,
        person_details=PersonDetails(
            national_id=example_national_id(datetime.date(2010, 1, 1)), first_name="Sara", last_name="Lunde"
        ),
        details=ReferralDetails(
            route="condition",
            police_district="oslo",
            police_reference="2026-777",
            incident_date=datetime.date(2026, 9, 1),
            decision_date=datetime.date(2026, 9, 10),
            attendance_deadline=datetime.date(2026, 12, 10),
            seized=[("heroin", "7", "g"), ("cannabis", "3", "g")],
            guardians=[GuardianDetails(name="Hilde Lunde", relation="mor")],
        ),
    )
    # Two meetings (one cancelled), each with letters to the person and the guardian.
    from django.utils import timezone

    from counselling.scheduling.services import meeting_book, meeting_cancel
    from tests.factories import LocationFactory

    place = LocationFactory(service=service)
    soon = timezone.now() + datetime.timedelta(days=2)
    first = meeting_book(
        actor=lead, referral=referral, counsellor=lead, location=place, starts_at=soon, late_reason="Test."
    )
    meeting_cancel(actor=lead, meeting=first, requested_by="person", reason="Syk.")
    meeting_book(
        actor=lead,
        referral=referral,
        counsellor=lead,
        location=place,
        starts_at=soon + datetime.timedelta(days=1),
        late_reason="Test.",
    )
    referral_assign(actor=lead, referral=referral, counsellor=counsellor)  # their case: no reason needed
    url = reverse("referrals:detail", kwargs={"service_slug": service.slug, "referral_pk": referral.pk})
    client.force_login(counsellor)
    client.get(url)
    # session, user, second factor, membership, referral, seized (prefetched), audit insert, guardians,
    # events, earlier referrals, meetings and their letters, open flags, failed reminders, a refusal to attend,
    # the drug-testing programme, navigation
    # memberships; the warning's reasons: substances, regulation's thresholds; the session saved
    # (renewed on every request: savepoint, update, release); the view's
    # own transaction (ATOMIC_REQUESTS: savepoint, release)
    with django_assert_num_queries(24):
        assert client.get(url).status_code == 200


def test_my_cases_include_those_with_my_booked_meeting(client, service, counsellor):
    from tests.factories import MeetingFactory

    mine = ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Mine"))
    MeetingFactory(referral=mine, counsellor=counsellor)
    ReferralFactory(service=service, person=PersonFactory(service=service, last_name="Others"))
    client.force_login(counsellor)
    assert list(client.get(caseload_url(service)).context["page"]) == [mine]
