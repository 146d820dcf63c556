from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from counselling.scheduling.views import calendar_feed
from portal.security_views import LoginView
from portal.views import LogoutView

urlpatterns = [
    path("", include("portal.urls")),
    path("service/<slug:service_slug>/referrals/", include("referrals.urls")),
    path("service/<slug:service_slug>/fees/", include("fees.urls")),
    path("service/<slug:service_slug>/", include("privacy.urls")),
    path("service/<slug:service_slug>/", include("counselling.scheduling.urls")),
    path("service/<slug:service_slug>/", include("counselling.attendance.urls")),
    # A counsellor's calendar app fetches this without logging in; the unguessable token is the key.
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
