"""The service lead's privacy pages, under /service/<slug>/ (see portal.views_privacy)."""

from django.urls import path

from . import views_privacy as views

app_name = "privacy"

urlpatterns = [
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/persons/<int:person_pk>/csv/", views.access_log_person_csv, name="access_log_person_csv"),
    path("access-log/persons/<int:person_pk>/pdf/", views.access_log_person_pdf, name="access_log_person_pdf"),
    path("persons/<int:person_pk>/data.json", views.person_data_export_json, name="person_data_json"),
    path("persons/<int:person_pk>/data.pdf", views.person_data_export_pdf, name="person_data_pdf"),
    path("access-review/", views.access_review, name="access_review"),
    path("access-review/memberships/<int:membership_pk>/end/", views.membership_end, name="membership_end"),
    path(
        "access-review/cases/<int:referral_pk>/staff/<int:user_pk>/remove/",
        views.case_permission_remove_view,
        name="case_permission_remove",
    ),
    path(
        "access-review/staff/<int:user_pk>/remove/",
        views.service_permissions_remove_view,
        name="service_permissions_remove",
    ),
    path("legal-holds/", views.legal_holds, name="legal_holds"),
    path("legal-holds/<int:referral_pk>/lift/", views.legal_hold_lift, name="legal_hold_lift"),
]
