"""`manage.py totp_code` gives the code a user's app would show, on a development machine only."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def test_the_code_matches_the_device_when_debug_is_on(counsellor, settings):
    settings.DEBUG = True
    device = TOTPDevice.objects.create(user=counsellor, name="app", confirmed=False)
    out = io.StringIO()
    call_command("totp_code", counsellor.username, stdout=out)
    code = out.getvalue().strip()
    assert device.verify_token(code)
    assert len(code) == 6 and code == f"{TOTP(device.bin_key).token():06d}"


def test_it_refuses_in_production(counsellor, settings):
    settings.DEBUG = False
    TOTPDevice.objects.create(user=counsellor, name="app")
    with pytest.raises(CommandError, match="development"):
        call_command("totp_code", counsellor.username)
