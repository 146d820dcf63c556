"""Absences: a counsellor registers their own, the service lead anyone's in the service, nobody anyone else's."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from counselling.scheduling.models import AvailabilityException
from counselling.scheduling.services import absence_add
from portal.models import Role
from tests.factories import StaffMembershipFactory


def absences_url(service):
    return reverse("scheduling:absences", kwargs={"service_slug": service.slug})


def tomorrow(hour: int) -> str:
    return f"{timezone.localdate() + datetime.timedelta(days=1):%Y-%m-%d}T{hour:02d}:00"


def absence(counsellor) -> dict:
    return {"counsellor": counsellor.pk, "kind": "holiday", "starts_at": tomorrow(8), "ends_at": tomorrow(16)}


@pytest.fixture
def third(service):
    return StaffMembershipFactory(service=service, role=Role.COUNSELLOR, user__username="third").user


@pytest.fixture
def elsewhere(other_service):
    return StaffMembershipFactory(service=other_service, role=Role.COUNSELLOR, user__username="elsewhere").user


def test_the_lead_is_offered_every_counsellor_of_the_service_and_no_one_else(
    client, service, lead, counsellor, colleague, third, elsewhere
):
    client.force_login(lead)
    form = client.get(absences_url(service)).context["form"]
    offered = {value for value, _label in form.fields["counsellor"].choices}
    assert offered == {lead.pk, counsellor.pk, colleague.pk, third.pk}


@pytest.mark.parametrize("whose", ["counsellor", "colleague", "third"])
def test_the_lead_registers_an_absence_for_any_counsellor_of_the_service(
    client, service, lead, counsellor, colleague, third, whose
):
    away = {"counsellor": counsellor, "colleague": colleague, "third": third}[whose]
    client.force_login(lead)
    response = client.post(absences_url(service), absence(away))
    assert response.status_code == 302
    registered = AvailabilityException.objects.get()
    assert (registered.counsellor, registered.service) == (away, service)


def test_the_lead_registers_for_the_second_and_the_third_counsellor_one_after_the_other(
    client, service, lead, counsellor, colleague, third
):
    client.force_login(lead)
    for away in (colleague, third):
        assert client.post(absences_url(service), absence(away)).status_code == 302
    assert set(AvailabilityException.objects.values_list("counsellor", flat=True)) == {colleague.pk, third.pk}


def test_a_counsellor_registers_their_own_absence(client, service, lead, counsellor, colleague, third):
    client.force_login(third)
    assert client.post(absences_url(service), absence(third)).status_code == 302
    assert AvailabilityException.objects.get().counsellor == third


@pytest.mark.parametrize("whose", ["colleague", "third", "lead"])
def test_a_counsellor_cannot_register_an_absence_for_a_colleague(
    client, service, lead, counsellor, colleague, third, whose
):
    other = {"colleague": colleague, "third": third, "lead": lead}[whose]
    client.force_login(counsellor)
    response = client.post(absences_url(service), absence(other))
    assert response.status_code == 200
    assert "counsellor" in response.context["form"].errors
    assert not AvailabilityException.objects.exists()


@pytest.mark.parametrize("who", ["lead", "counsellor"])
def test_nobody_registers_an_absence_for_a_counsellor_of_another_service(
    client, service, lead, counsellor, elsewhere, who
):
    client.force_login({"lead": lead, "counsellor": counsellor}[who])
    response = client.post(absences_url(service), absence(elsewhere))
    assert response.status_code == 200
    assert "counsellor" in response.context["form"].errors
    assert not AvailabilityException.objects.exists()


def test_the_service_refuses_a_counsellor_registering_for_a_colleague(service, counsellor, colleague):
    starts = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        absence_add(
            actor=counsellor,
            service=service,
            counsellor=colleague,
            kind="holiday",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=8),
        )
    assert "counsellor" in refused.value.message_dict
    assert not AvailabilityException.objects.exists()


def test_the_service_lets_the_lead_register_for_any_counsellor_of_the_service(service, lead, counsellor, third):
    starts = timezone.now() + datetime.timedelta(days=1)
    for away in (counsellor, third):
        absence_add(
            actor=lead,
            service=service,
            counsellor=away,
            kind="holiday",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=8),
        )
    assert AvailabilityException.objects.count() == 2


def test_the_service_refuses_the_lead_registering_for_someone_of_another_service(service, lead, elsewhere):
    starts = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        absence_add(
            actor=lead,
            service=service,
            counsellor=elsewhere,
            kind="holiday",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=8),
        )
    assert not AvailabilityException.objects.exists()
