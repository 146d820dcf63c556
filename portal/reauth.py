"""Re-authentication before a sensitive action: a fee decision, an export, a confidential note,
a break-the-glass access.

The time the password was last checked (at login, or on the confirm-password page) is kept in
the session; older than REAUTH_MAX_AGE_MINUTES, the user confirms their password again.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.urls import reverse

from .shortcuts import safe_next_url

PASSWORD_CHECKED_SESSION_KEY = "portal_password_checked_at"  # noqa: S105  (a session key, no secret)


def password_checked_now(request) -> None:
    request.session[PASSWORD_CHECKED_SESSION_KEY] = int(time.time())


def password_recently_checked(request) -> bool:
    checked = request.session.get(PASSWORD_CHECKED_SESSION_KEY)
    return checked is not None and time.time() - checked <= settings.REAUTH_MAX_AGE_MINUTES * 60


def reauth_url(request, next_url: str) -> str:
    return redirect_to_login(next_url, login_url=reverse("portal:reauth")).url


def recent_login_required(view):
    """The password must have been checked within REAUTH_MAX_AGE_MINUTES, or the user confirms it first.

    A GET comes back to its own address; a form posted with a stale check goes back to the page it
    was posted from (the Referer), to be submitted again, because a redirect cannot repeat a POST.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if password_recently_checked(request):
            return view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            back = request.get_full_path()
        else:
            back = safe_next_url(request, request.headers.get("Referer"))
        return redirect_to_login(back, login_url=reverse("portal:reauth"))

    wrapper.requires_recent_login = True
    return wrapper


@receiver(user_logged_in, dispatch_uid="portal.reauth_password_checked")
def remember_password_check(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        password_checked_now(request)
