from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("service/<slug:service_slug>/", views.dashboard, name="dashboard"),
    path("service/<slug:service_slug>/staff/", views.staff_list, name="staff"),
]
