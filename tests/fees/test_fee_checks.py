"""`manage.py check --deploy` warns while any service charges fees, naming them; the admin warns beside the switch."""

from django.core import checks
from django.core.management import call_command
from django.urls import reverse

from fees.checks import FEES_ON, fees_enabled_check
from fees.models import FeePolicy
from tests.factories import UserFactory

from .factories import FeePolicyFactory


def test_no_warning_while_no_service_has_fees_on(service):
    FeePolicy.objects.create(service=service)
    assert fees_enabled_check() == []


def test_a_warning_names_each_service_with_fees_on(service, other_service):
    FeePolicyFactory(service=service)
    FeePolicyFactory(service=other_service)

    (warning,) = fees_enabled_check()

    assert warning.id == FEES_ON == "fees.W001"
    assert warning.level == checks.WARNING
    assert "Rådgivende enhet Bergen, Rådgivende enhet Oslo" in warning.msg
    assert "Prop. 92 L" in warning.hint


def test_the_check_runs_only_with_deploy(service):
    FeePolicyFactory(service=service)
    assert FEES_ON in {message.id for message in checks.run_checks(include_deployment_checks=True)}
    assert FEES_ON not in {message.id for message in checks.run_checks()}


def test_check_deploy_prints_the_warning(service, capsys):
    FeePolicyFactory(service=service)
    call_command("check", "--deploy", "--tag", "security")
    assert "fees.W001" in capsys.readouterr().err


def test_the_admin_warns_beside_the_fees_switch(client, service):
    policy = FeePolicyFactory(service=service)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:fees_feepolicy_change", args=[policy.pk])).content.decode()

    # In Bokmål, the admin's language.
    assert "Gebyr er slått på for denne enheten." in page
    assert "stemt ned av Stortinget 3. juni 2021" in page
    assert page.index("stemt ned av Stortinget") < page.index('name="fees_enabled"')


def test_the_admin_refuses_fees_on_without_a_basis_with_a_message_beside_the_field(client, service):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:fees_feepolicy_add"),
        {
            "service": service.pk,
            "fees_enabled": "on",
            "legal_basis_citation": "",
            "legal_basis_text": "",
            "multiplier": 2,
            "answer_period_days": 14,
            "payment_period_days": 14,
            "appeal_body": "kommunens klagenemnd",
            "payment_instructions": "",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "fees_enabled" in form.errors and "legal_basis_citation" in form.errors
    assert not FeePolicy.objects.exists()
