from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.caseload_list, name="caseload"),
    path("new/", views.referral_create, name="create"),
    path("search/", views.case_search_view, name="search"),
    path("new/person/", views.person_lookup, name="person_lookup"),
    path("new/classification/", views.classification_preview, name="classification_preview"),
    path("<int:referral_pk>/", views.referral_detail, name="detail"),
    path("<int:referral_pk>/assign/", views.referral_assign_view, name="assign"),
    path("<int:referral_pk>/contact-details/", views.contact_details_edit, name="contact_details"),
]
