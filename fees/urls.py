from django.urls import path

from . import views

app_name = "fees"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("cases/<int:fee_case_pk>/", views.fee_case_detail, name="case"),
    *[
        path(f"cases/<int:fee_case_pk>/{name.replace('_', '-')}/", view, name=f"case_{name}")
        for name, view in views.STEP_VIEWS.items()
    ],
    path("letters/<int:fee_letter_pk>/pdf/", views.fee_letter_pdf, name="letter_pdf"),
    path("letters/<int:fee_letter_pk>/sent/", views.fee_letter_sent, name="letter_sent"),
    path("letters/<int:fee_letter_pk>/receipt/", views.fee_letter_receipt, name="letter_receipt"),
    path("collection/", views.collection_export, name="collection"),
    path("collection/<int:export_pk>/csv/", views.collection_export_csv, name="collection_csv"),
]
