"""Pages of the security rules: the second factor, confirming the password, break-the-glass. Thin:
parse, call portal.two_factor, render. The break-the-glass pages are privacy's."""

from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .audit import audit_record
from .forms import LoginForm
from .models import AuditEvent
from .reauth import password_checked_now, recent_login_required
from .security_forms import CodeForm, PasswordConfirmForm
from .shortcuts import LocalNextMixin, safe_next_url
from .two_factor import (
    backup_codes_make,
    enrolment_confirm,
    enrolment_device,
    has_second_factor,
    qr_code_data_uri,
    second_factor_verify,
    secret_text,
)

BACKUP_CODES_SESSION_KEY = "portal_backup_codes"


class LoginView(LocalNextMixin, auth_views.LoginView):
    """Django's login with the portal's form; `next` only to a path on this site."""

    authentication_form = LoginForm


def _next(request, default: str = "portal:home") -> str:
    """The `next` of a step's form or address, if it is a path on this site; the dashboard otherwise."""
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    return safe_next_url(request, candidate, default)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


@never_cache
@login_required
def two_factor_verify(request):
    """After the password: a code from the authenticator app, or a backup code."""
    next_url = _next(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not has_second_factor(request.user):
        return redirect(_with_next("portal:two_factor_setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(next_url)
        form.add_error("code", _("The code is wrong or already used. Wait for the next code and try again."))
    return render(request, "security/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def two_factor_setup(request):
    """First login: connect an authenticator app by its QR code (or the secret typed in) and confirm one code."""
    next_url = _next(request)
    if has_second_factor(request.user):
        # A second app is never added on the password alone; an administrator resets a lost one.
        return redirect(next_url if request.user.is_verified() else _with_next("portal:two_factor_verify", next_url))
    device = enrolment_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = enrolment_confirm(request=request, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next("portal:two_factor_backup_codes", next_url))
        form.add_error("code", _("The code is wrong. Check the time on your phone and try the next code."))
    context = {"form": form, "next": next_url, "qr_code": qr_code_data_uri(device), "secret": secret_text(device)}
    return render(request, "security/two_factor_setup.html", context)


@never_cache
@login_required
@recent_login_required  # new codes are a second factor for good: not from a session left open
def two_factor_backup_codes(request):
    """The backup codes, shown once after they are made; a verified user can make new ones."""
    if request.method == "POST":
        request.session[BACKUP_CODES_SESSION_KEY] = backup_codes_make(request.user)
        return redirect(_with_next("portal:two_factor_backup_codes", _next(request)))
    codes = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    return render(request, "security/two_factor_backup_codes.html", {"codes": codes, "next": _next(request)})


@never_cache
@login_required
def reauth(request):
    """Confirm the password before a sensitive action."""
    next_url = _next(request)
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # authenticate(), so a wrong password here counts towards the lockout like one at login.
        user = authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"])
        if user is not None and user.pk == request.user.pk:
            password_checked_now(request)
            audit_record(actor=request.user, kind=AuditEvent.Kind.AUTH, action="auth.password_confirmed")
            return redirect(next_url)
        form.add_error("password", _("The password is wrong."))
    return render(request, "security/reauth.html", {"form": form, "next": next_url})
