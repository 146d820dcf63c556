"""A counselling service's names: the unit's, as the law names it unless the service says otherwise, and a neutral
one for what others may see on the person's phone."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import CounsellingService
from tests.factories import CounsellingServiceFactory, MunicipalityFactory


def test_the_unit_is_named_as_the_law_in_force_names_it_by_default(db):
    """Helse- og omsorgstjenesteloven § 3-9 b, in force from 1 July 2022: "rådgivende enhet for russaker"."""
    assert CounsellingService(name="Oslo", slug="oslo").unit_name == "rådgivende enhet for russaker"
    assert CounsellingServiceFactory().unit_name == "rådgivende enhet for russaker"


def test_the_neutral_name_is_the_municipality_unless_the_service_sets_its_own(db):
    service = CounsellingServiceFactory(
        name="Rådgivende enhet Oslo", municipalities=[MunicipalityFactory(number="0301", name="Oslo")]
    )
    assert service.sender_name == "Oslo kommune"
    service.neutral_name = "Bydel Frogner"
    assert service.sender_name == "Bydel Frogner"


def test_a_neutral_name_that_gives_the_case_away_is_refused_and_never_used(db):
    service = CounsellingServiceFactory(municipalities=[MunicipalityFactory(number="4601", name="Bergen")])
    service.neutral_name = "Rådgivende enhet for russaker Bergen"
    with pytest.raises(ValidationError) as refused:
        service.full_clean()
    assert "neutral_name" in refused.value.message_dict
    assert service.sender_name == "Bergen kommune"  # saved past the form: still not used


def test_the_sms_sender_id_is_letters_and_digits_only(db):
    service = CounsellingServiceFactory()
    service.sms_sender = "Oslo kommune"
    with pytest.raises(ValidationError) as refused:
        service.full_clean()
    assert "sms_sender" in refused.value.message_dict


def test_the_pages_name_the_unit_as_the_service_configures_it(client, service, counsellor):
    service.unit_name = "rådgivende enhet for russaker i Bydel Sagene"
    service.save()
    client.force_login(counsellor)
    page = client.get(reverse("referrals:caseload", args=[service.slug])).content.decode()
    assert "Rådgivende enhet for russaker i Bydel Sagene" in page
    assert "narkotikasaker" not in page


def test_the_admin_edits_the_names(client, service):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:portal_counsellingservice_change", args=[service.pk])).content.decode()
    for field in ("unit_name", "neutral_name", "sms_sender"):
        assert f'name="{field}"' in page
