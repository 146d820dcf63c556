from django.urls import path

from . import views

app_name = "attendance"

urlpatterns = [
    path("meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_pk>/attendance/", views.attendance_record_view, name="attendance"),
    path("meetings/<int:meeting_pk>/police-report/", views.police_report_create, name="police_report_create"),
    path("referrals/<int:referral_pk>/refusal/", views.refusal_to_attend_view, name="refusal"),
    path("police-reports/", views.police_report_list, name="police_reports"),
    path("police-reports/<int:report_pk>/pdf/", views.police_report_pdf, name="police_report_pdf"),
    path("police-reports/<int:report_pk>/sent/", views.police_report_sent, name="police_report_sent"),
]
