"""Two-factor login with django-otp: an authenticator app (TOTP) and single-use backup codes.

Every staff user, administrators included, enrols on their first login (QR code or the secret
typed in), gets ten backup codes shown once, and from then on gives a code after the password.
A TOTP code is accepted once: django-otp's TOTPDevice remembers the time step of the last
code (`last_t`) and refuses that step and any earlier one. An administrator who resets a
user's second factor removes their devices, so the next login enrols again.
"""

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_change, audit_record
from .models import AuditEvent

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "app"
BACKUP_DEVICE_NAME = "backup"


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed app device the user is enrolling; the same one on a reload, so the QR code holds."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (allowed by the CSP's img-src; no script)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def backup_codes_make(user) -> list[str]:
    """Ten new single-use codes; the old ones stop working. Only their use is stored (django-otp keeps them
    to compare), and they are shown to the user once."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit_change(actor=user, action="auth.backup_codes_made", obj=user)
    return codes


def enrolment_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the app with its first code: the session counts as verified and the backup codes are made.
    None if the code is wrong."""
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        return None
    if not device.verify_token(_digits(token)):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_change(actor=user, action="auth.two_factor_enrolled", obj=user)
        codes = backup_codes_make(user)
    otp_login(request, device)
    return codes


def second_factor_verify(*, request, token: str) -> bool:
    """Check a code from the app (six digits) or a backup code, and mark the session verified."""
    user = request.user
    token = token.strip()
    digits = _digits(token)
    app_code = digits.isdigit() and len(digits) == 6
    kind = TOTPDevice if app_code else StaticDevice
    candidate = token if not app_code else digits
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, kind) and otp_verify_token(user, device.persistent_id, candidate):
            otp_login(request, device)
            audit_record(
                actor=user,
                kind=AuditEvent.Kind.AUTH,
                action="auth.second_factor_verified",
                extra={"method": "app" if app_code else "backup_code"},
            )
            return True
    audit_record(actor=user, kind=AuditEvent.Kind.AUTH, action="auth.second_factor_failed")
    return False


def two_factor_reset(*, actor, user) -> int:
    """Remove every second factor of `user` (a lost phone): they enrol again at their next login.
    Returns how many devices were removed."""
    with transaction.atomic():
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        audit_change(actor=actor, action="auth.two_factor_reset", obj=user, extra={"devices_removed": removed})
    return removed


def _digits(token: str) -> str:
    return "".join(token.split())
