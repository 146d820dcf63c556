"""The privacy pages, under /service/<slug>/ (see privacy.views)."""

from django.urls import path

from . import views

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
    path("cases/<int:referral_pk>/break-the-glass/", views.break_glass, name="break_glass"),
    path("break-the-glass/", views.break_glass_list, name="break_glass_list"),
    path(
        "break-the-glass/<int:break_glass_pk>/followed-up/",
        views.break_glass_followed_up,
        name="break_glass_followed_up",
    ),
    path("legal-holds/", views.legal_holds, name="legal_holds"),
    path("legal-holds/<int:referral_pk>/lift/", views.legal_hold_lift, name="legal_hold_lift"),
]
