"""Strong login: two factors, a lockout after wrong passwords, short sessions, the password again before a
sensitive action, and the security headers on every page."""

import datetime
import re
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent
from portal.reauth import PASSWORD_CHECKED_SESSION_KEY
from tests.conftest import log_in_without_second_factor
from tests.factories import MeetingFactory, ReferralFactory, UserFactory

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def test_a_first_login_enrols_an_app_with_a_qr_code_and_shows_backup_codes_once(client, counsellor, service):
    response = client.post(LOGIN, {"username": "counsellor", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert response.url.startswith(VERIFY)
    response = client.get(response.url)
    assert response.url.startswith(SETUP)
    page = client.get(response.url)
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, made on the server
    device = TOTPDevice.objects.get(user=counsellor, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url

    wrong = client.post(SETUP, {"code": "000000"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(confirmed=True).exists()
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes django-otp wait a moment before the next try
    response = client.post(SETUP + "?next=/", {"code": code_of(device), "next": "/"})
    assert response.url.startswith(reverse("portal:two_factor_backup_codes"))
    codes = client.get(response.url).context["codes"]
    assert len(codes) == 10 and StaticDevice.objects.get(user=counsellor).token_set.count() == 10
    assert client.get(reverse("portal:two_factor_backup_codes")).context["codes"] is None  # shown once
    assert client.get(f"/service/{service.slug}/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_enrolled", object_id=str(counsellor.pk)).exists()


def test_an_enrolled_user_cannot_add_another_app_with_the_password_alone(client, counsellor):
    TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    log_in_without_second_factor(client, counsellor)
    assert client.get(SETUP).url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=counsellor).count() == 1


def test_a_totp_code_is_accepted_once(client, counsellor, service):
    device = TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    code = code_of(device)
    log_in_without_second_factor(client, counsellor)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    assert client.get(f"/service/{service.slug}/").status_code == 200

    client.logout()
    log_in_without_second_factor(client, counsellor)
    again = client.post(VERIFY, {"code": code})
    assert again.status_code == 200
    assert again.context["form"].errors["code"]
    assert client.get(f"/service/{service.slug}/").url.startswith(VERIFY)


def test_a_backup_code_works_once_instead_of_the_app(client, counsellor, service):
    TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    static = StaticDevice.objects.create(user=counsellor, name="backup", confirmed=True)
    static.token_set.create(token="abcd2345")
    log_in_without_second_factor(client, counsellor)
    assert client.post(VERIFY, {"code": "abcd2345"}).status_code == 302
    assert client.get(f"/service/{service.slug}/").status_code == 200
    assert not static.token_set.exists()


def test_an_administrator_resets_a_users_second_factor_in_the_admin(client, counsellor):
    administrator = UserFactory(username="admin", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    StaticDevice.objects.create(user=counsellor, name="backup", confirmed=True)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "reset_two_factor", "_selected_action": [counsellor.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=counsellor).exists()
    assert not StaticDevice.objects.filter(user=counsellor).exists()
    event = AuditEvent.objects.get(action="auth.two_factor_reset")
    assert (event.actor, event.object_id) == (administrator, str(counsellor.pk))


def _wrong(client, username="counsellor"):
    return client.post(LOGIN, {"username": username, "password": "wrong password"})


def test_the_sixth_wrong_password_locks_the_account_and_the_lockout_shows_in_the_admin(client, counsellor):
    for _attempt in range(5):
        response = _wrong(client)
        assert response.status_code == 200
        assert "locked-out" not in response.content.decode()
    sixth = _wrong(client)
    assert sixth.status_code == 429
    assert 'data-testid="locked-out"' in sixth.content.decode()
    assert AccessAttempt.objects.get(username="counsellor").failures_since_start == 6
    # Locked: now even the right password is refused.
    right = client.post(LOGIN, {"username": "counsellor", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lockout in the admin, where an administrator unlocks by deleting the attempt.
    administrator = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(administrator)
    listing = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "counsellor" in listing
    attempt = AccessAttempt.objects.get(username="counsellor")
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    client.logout()
    assert client.post(LOGIN, {"username": "counsellor", "password": PASSWORD}).status_code == 302


def test_the_lockout_message_is_in_the_users_language(client, counsellor):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _attempt in range(6):
        response = _wrong(client)
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert 'lang="en"' in response.content.decode()


def test_wrong_passwords_for_one_user_do_not_lock_another(client, counsellor, colleague):
    for _attempt in range(6):
        _wrong(client)
    assert client.post(LOGIN, {"username": "colleague", "password": PASSWORD}).status_code == 302


def test_failed_logins_are_still_in_the_audit_log(client, counsellor):
    _wrong(client)
    assert AuditEvent.objects.filter(action="auth.login_failed", extra__username="counsellor").count() == 1


def test_sessions_end_after_30_minutes_idle_and_when_the_browser_closes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_the_session_cookie_is_renewed_and_has_no_expiry_date(client, counsellor, service):
    client.force_login(counsellor)
    response = client.get(f"/service/{service.slug}/")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert 0 < client.session.get_expiry_age() <= 30 * 60


def _make_stale(client, minutes=16):
    session = client.session
    session[PASSWORD_CHECKED_SESSION_KEY] = int(time.time()) - minutes * 60
    session.save()


@pytest.fixture
def fee_decision_url(service):
    from tests.fees.factories import FeeCaseFactory

    fee_case = FeeCaseFactory(referral__service=service)
    return reverse("fees:case_decide", args=[service.slug, fee_case.pk]), fee_case


def test_a_fee_decision_asks_for_the_password_again_after_15_minutes(client, lead, service, fee_decision_url):
    url, fee_case = fee_decision_url
    case_page = reverse("fees:case", args=[service.slug, fee_case.pk])
    client.force_login(lead)
    _make_stale(client)
    response = client.post(url, {}, HTTP_REFERER=f"http://testserver{case_page}")
    assert response.status_code == 302
    assert response.url == f"{reverse('portal:reauth')}?next={case_page}"  # back to the page, as a local path
    wrong = client.post(reverse("portal:reauth"), {"password": "nope", "next": case_page})
    assert wrong.status_code == 200
    right = client.post(reverse("portal:reauth"), {"password": PASSWORD, "next": case_page})
    assert right.status_code == 302 and right.url == case_page
    after = client.post(url, {})
    assert not (after.status_code == 302 and after.url.startswith(reverse("portal:reauth")))


def test_the_collection_export_asks_for_the_password_again_after_15_minutes(client, lead, service):
    url = reverse("fees:collection", args=[service.slug])
    client.force_login(lead)
    assert client.get(url).status_code == 200
    _make_stale(client)
    response = client.get(url)
    assert response.url == f"{reverse('portal:reauth')}?next={url}"


def test_a_confidential_note_needs_a_recent_password_but_the_meeting_page_does_not(client, lead, service):
    from counselling.attendance.services import AttendanceDetails, attendance_record

    began = timezone.now() - datetime.timedelta(hours=1)
    meeting = MeetingFactory(referral=ReferralFactory(service=service), counsellor=lead, starts_at=began)
    details = AttendanceDetails(
        outcome="attended",
        absence_reason="",
        guardian_ids=[],
        risk_information_given=True,
        consent=True,
        needs=[],
        onward_referrals=[],
        confidential_note="Hemmelig notat om personen.",
    )
    attendance_record(actor=lead, meeting=meeting, details=details)
    url = reverse("attendance:meeting", args=[service.slug, meeting.pk])
    client.force_login(lead)
    assert "Hemmelig notat" in client.get(url).content.decode()
    _make_stale(client)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hemmelig notat" not in html
    assert 'data-testid="assessment-reauth"' in html
    assert AuditEvent.objects.filter(action="assessment.viewed").count() == 1  # only the read that showed it


def test_security_headers_are_on_every_page(client, counsellor, service):
    client.force_login(counsellor)
    for url in [LOGIN, f"/service/{service.slug}/", "/admin/login/"]:
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_has_inline_script_style_or_event_handlers():
    from pathlib import Path

    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
    attribute = re.compile(r"\s(style|on[a-z]+)\s*=", re.IGNORECASE)
    offenders = []
    for path in (settings.BASE_DIR / "templates").rglob("*.html"):
        if path.parts[-2] in {"letters", "pdf"}:  # printed by WeasyPrint, never served to a browser
            continue
        text = Path(path).read_text()
        if inline_script.search(text) or attribute.search(text) or "<style" in text:
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_the_calendar_feed_and_health_check_need_no_second_factor(client, counsellor):
    from counselling.scheduling.models import CalendarFeed

    CalendarFeed.objects.create(user=counsellor, token="secret-token-for-test")
    assert client.get("/calendar/secret-token-for-test.ics").status_code == 200
    log_in_without_second_factor(client, counsellor)
    assert client.get("/healthz").status_code == 200
