from django.urls import path

from . import testing_views, views

app_name = "attendance"

urlpatterns = [
    path("meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_pk>/attendance/", views.attendance_record_view, name="attendance"),
    path("meetings/<int:meeting_pk>/police-report/", views.police_report_create, name="police_report_create"),
    path("referrals/<int:referral_pk>/refusal/", views.refusal_to_attend_view, name="refusal"),
    path("police-reports/", views.police_report_list, name="police_reports"),
    path("police-reports/<int:report_pk>/pdf/", views.police_report_pdf, name="police_report_pdf"),
    path("police-reports/<int:report_pk>/sent/", views.police_report_sent, name="police_report_sent"),
    # Drug testing.
    path("referrals/<int:referral_pk>/testing/", testing_views.programme_register_view, name="programme_register"),
    path("testing/<int:programme_pk>/", testing_views.programme_detail, name="programme"),
    path("testing/<int:programme_pk>/suggest/", testing_views.call_ins_suggest_view, name="call_ins_suggest"),
    path("testing/<int:programme_pk>/confirm/", testing_views.call_ins_confirm_all_view, name="call_ins_confirm"),
    path("testing/<int:programme_pk>/announced/", testing_views.announced_test_book_view, name="announced_book"),
    path("testing/<int:programme_pk>/end/", testing_views.programme_end_view, name="programme_end"),
    path("drug-tests/<int:test_pk>/", testing_views.drug_test_detail, name="drug_test"),
    path("drug-tests/<int:test_pk>/confirm/", testing_views.call_in_confirm_view, name="call_in_confirm"),
    path("drug-tests/<int:test_pk>/discard/", testing_views.call_in_discard_view, name="call_in_discard"),
    path("drug-tests/<int:test_pk>/cancel/", testing_views.drug_test_cancel_view, name="drug_test_cancel"),
    path("drug-tests/<int:test_pk>/requisition/", testing_views.requisition_pdf_view, name="requisition"),
    path("drug-tests/<int:test_pk>/letter/", testing_views.announced_letter_view, name="announced_letter"),
    path("drug-tests/<int:test_pk>/lab-result/", testing_views.lab_result_view, name="lab_result"),
]
