"""The one gate every service-scoped page goes through.

URLs of the portal live under /service/<service_slug>/. `service_view(roles)` resolves
the slug against the user's own memberships: logged out → login page, a service the user
does not work in → 404 (its existence is not revealed), a role not in `roles` → 403.
The view then finds `request.service` and `request.membership` set.

The URL permission matrix test reads `allowed_roles` from every view, so a new page
joins the matrix by being decorated.
"""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import ALL_ROLES
from .selectors import membership_for

LAST_SERVICE_SESSION_KEY = "portal_last_service"


class ReasonRequired(Exception):
    """The user may open this case only after stating a reason (break-the-glass). Raised by the case access
    functions (referrals.access); BreakTheGlassMiddleware turns it into the reason form."""

    def __init__(self, referral):
        super().__init__(f"a reason is required to open referral {referral.pk}")
        self.referral = referral


def service_view(roles: Iterable[str] = ALL_ROLES):
    allowed = frozenset(roles)
    unknown = allowed - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, service_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, service_slug)
            if membership is None:
                raise Http404
            if membership.role not in allowed:
                raise PermissionDenied
            request.membership = membership
            request.service = membership.service
            if request.session.get(LAST_SERVICE_SESSION_KEY) != service_slug:
                request.session[LAST_SERVICE_SESSION_KEY] = service_slug
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed
        return wrapper

    return decorator
