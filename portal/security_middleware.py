"""Middleware of the security rules: the second factor, the Permissions-Policy header, break-the-glass."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .permissions import ReasonRequired

# Reachable when signed in with the password only: the way to the second factor and out again,
# the language switcher, the load balancer's probes and the token-authenticated calendar feed.
SECOND_FACTOR_EXEMPT = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "portal:healthz",
        "portal:health",
        "calendar_feed",
        "portal:two_factor_verify",
        "portal:two_factor_setup",
    }
)


class SecondFactorRequiredMiddleware:
    """A signed-in user without a verified second factor is sent to verify it (or to enrol), from every
    page of the portal and the admin. Needs django_otp's OTPMiddleware before it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        return redirect_to_login(request.get_full_path(), login_url=reverse("portal:two_factor_verify"))


class PermissionsPolicyMiddleware:
    """Switch off browser features no page uses (camera, microphone, location...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class BreakTheGlassMiddleware:
    """A case page that needs a stated reason (portal.permissions.ReasonRequired) leads to the reason form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ReasonRequired):
            return None
        referral = exception.referral
        form_url = reverse("privacy:break_glass", args=[request.service.slug, referral.pk])
        return redirect_to_login(request.get_full_path(), login_url=form_url)
