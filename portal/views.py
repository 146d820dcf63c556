from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from .models import LEAD_ROLES
from .permissions import LAST_SERVICE_SESSION_KEY, service_view
from .selectors import memberships_of, staff_of
from .shortcuts import LocalNextMixin


@login_required
def home(request):
    """Send the user to the service they last worked in, or their first one; an administrator who works in no
    service to the admin, where their work is."""
    memberships = list(memberships_of(request.user))
    if not memberships:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "portal/no_service.html", status=403)
    last = request.session.get(LAST_SERVICE_SESSION_KEY)
    slugs = [m.service.slug for m in memberships]
    return redirect("scheduling:dashboard", service_slug=last if last in slugs else slugs[0])


@service_view(roles=LEAD_ROLES)
def staff_list(request):
    return render(request, "portal/staff_list.html", {"staff": staff_of(request.service)})


@never_cache
def healthz(request):
    """For the load balancer: the web process is up and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors: whatever broke may be one of them.
    return HttpResponseServerError(loader.get_template("500.html").render())


class LogoutView(LocalNextMixin, auth_views.LogoutView):
    """Django's logout, saying so on the login page it lands on; `next` only to a path on this site."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # Kept in the message cookie: the session these would otherwise live in has just been flushed.
        messages.info(request, _("You are logged out."))
        return response
