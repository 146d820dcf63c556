"""Every view that takes `next` follows it only to a path on this site, and otherwise goes to the
dashboard (break-the-glass: to the case it opens); no value of `next` gives a 500 or leaves a row behind."""

import pytest
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent
from privacy.models import BreakTheGlassAccess
from tests.conftest import log_in_without_second_factor
from tests.factories import ReferralFactory

HOSTILE_NEXT = [
    "-1",
    "0",
    "//evil.example/",
    "https://evil.example/",
    "http://testserver@evil.example/",
    "javascript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "/ok\x00",
    "/ok\r\nSet-Cookie: a=b",
    "\x7f/",
    "https:///evil.example",
    "/" + "a" * 5000,
    "  ",
]

DASHBOARD = "/"


def _answer_goes_somewhere_safe(response, fallback=DASHBOARD):
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert response.url == fallback or response.url.startswith(("/accounts/", "/security/"))


@pytest.fixture
def no_raise_client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_the_two_factor_step_never_follows_a_foreign_or_broken_next(no_raise_client, counsellor, hostile):
    client = no_raise_client
    device = TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    log_in_without_second_factor(client, counsellor)
    url = reverse("portal:two_factor_verify")
    page = client.get(url, {REDIRECT_FIELD_NAME: hostile})
    assert page.status_code == 200
    assert page.context["next"] == DASHBOARD
    from django_otp.oath import totp

    code = f"{totp(device.bin_key):06d}"
    response = client.post(url, {"code": code, REDIRECT_FIELD_NAME: hostile})
    assert response.status_code == 302
    assert response.url == DASHBOARD


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_enrolment_and_backup_codes_never_follow_a_foreign_or_broken_next(no_raise_client, counsellor, hostile):
    client = no_raise_client
    log_in_without_second_factor(client, counsellor)
    for name in ("portal:two_factor_setup", "portal:two_factor_backup_codes"):
        response = client.get(reverse(name), {REDIRECT_FIELD_NAME: hostile})
        _answer_goes_somewhere_safe(response)
        if response.status_code == 200:
            assert response.context["next"] == DASHBOARD


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_confirming_the_password_never_follows_a_foreign_or_broken_next(no_raise_client, counsellor, hostile):
    client = no_raise_client
    counsellor.set_password("riktig-passord")
    counsellor.save()
    client.force_login(counsellor)
    url = reverse("portal:reauth")
    assert client.get(url, {REDIRECT_FIELD_NAME: hostile}).context["next"] == DASHBOARD
    response = client.post(url, {"password": "riktig-passord", REDIRECT_FIELD_NAME: hostile})
    assert response.status_code == 302
    assert response.url == DASHBOARD


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_break_the_glass_goes_to_the_case_and_writes_one_access(no_raise_client, service, counsellor, lead, hostile):
    client = no_raise_client
    case = ReferralFactory(service=service, created_by=lead, assigned_counsellor=None)
    client.force_login(counsellor)
    url = reverse("privacy:break_glass", args=[service.slug, case.pk])
    case_url = reverse("referrals:detail", args=[service.slug, case.pk])
    assert client.get(url, {REDIRECT_FIELD_NAME: hostile}).context["next"] == case_url
    response = client.post(url, {"reason": "Kollega er syk og personen ringte.", REDIRECT_FIELD_NAME: hostile})
    assert response.status_code == 302
    assert response.url == case_url
    assert BreakTheGlassAccess.objects.filter(referral=case, user=counsellor).count() == 1
    assert AuditEvent.objects.filter(action="referral.break_the_glass").count() == 1


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_login_and_logout_never_follow_a_foreign_or_broken_next(no_raise_client, counsellor, hostile):
    client = no_raise_client
    counsellor.set_password("riktig-passord")
    counsellor.save()
    login = client.post(
        reverse("login"), {"username": counsellor.username, "password": "riktig-passord", REDIRECT_FIELD_NAME: hostile}
    )
    assert login.status_code == 302
    assert login.url == DASHBOARD
    logout = client.post(reverse("logout"), {REDIRECT_FIELD_NAME: hostile})
    assert logout.status_code == 302
    assert not logout.url.startswith(("http", "//", "-", "javascript"))
    assert logout.url.startswith("/")


def test_a_local_next_is_still_followed(client, counsellor):
    counsellor.set_password("riktig-passord")
    counsellor.save()
    client.force_login(counsellor)
    target = "/service/oslo/referrals/?status=open"
    response = client.post(reverse("portal:reauth"), {"password": "riktig-passord", REDIRECT_FIELD_NAME: target})
    assert response.url == target
    absolute = client.post(
        reverse("portal:reauth"), {"password": "riktig-passord", REDIRECT_FIELD_NAME: f"http://testserver{target}"}
    )
    assert absolute.url == target
