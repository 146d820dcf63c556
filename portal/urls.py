from django.urls import path

from . import health, security_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("health/", health.NodeHealthView.as_view(), name="health"),
    path("service/<slug:service_slug>/staff/", views.staff_list, name="staff"),
    path("accounts/two-factor/", security_views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/backup-codes/", security_views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("accounts/confirm-password/", security_views.reauth, name="reauth"),
]
