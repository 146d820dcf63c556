from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("referrals/<int:referral_pk>/book/", views.meeting_book_view, name="book"),
    path("meetings/<int:meeting_pk>/reschedule/", views.meeting_reschedule_view, name="reschedule"),
    path("meetings/<int:meeting_pk>/cancel/", views.meeting_cancel_view, name="cancel"),
    path("letters/<int:letter_pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("letters/<int:letter_pk>/resend/", views.letter_resend_view, name="letter_resend"),
    path("letters/<int:letter_pk>/dispatch/", views.letter_dispatch_view, name="letter_dispatch"),
    path("letters/<int:letter_pk>/receipt/", views.letter_receipt_view, name="letter_receipt"),
    path("flags/<int:flag_pk>/resolve/", views.flag_resolve_view, name="flag_resolve"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed/", views.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/absences/", views.absences, name="absences"),
    path("calendar/absences/<int:absence_pk>/delete/", views.absence_delete, name="absence_delete"),
]
