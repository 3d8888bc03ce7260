from django.urls import path

from alliances import views

app_name = "alliances"
urlpatterns = [
    path("", views.alliance_list, name="alliance_list"),
    path("<int:pk>/", views.alliance_detail, name="alliance_detail"),
    path("<int:pk>/duties/", views.duty_board, name="duty_board"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/series/new/", views.series_create, name="series_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/sign-off/", views.minutes_sign_off, name="minutes_sign_off"),
    path("meetings/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:pk>/attendance/", views.attendance_record, name="attendance_record"),
    path("meetings/<int:pk>/minutes/", views.minutes_write, name="minutes_write"),
    path("meetings/<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("decisions/<int:pk>/votes/", views.votes_record, name="votes_record"),
    path("decisions/<int:pk>/close/", views.decision_close, name="decision_close"),
    path("decisions/<int:pk>/duties/", views.decision_duties, name="decision_duties"),
    path("duties/<int:pk>/", views.duty_detail, name="duty_detail"),
    path("duties/<int:pk>/update/", views.duty_update, name="duty_update"),
    path("duties/<int:pk>/evidence/", views.duty_evidence, name="duty_evidence"),
    path("duties/<int:pk>/verify/", views.duty_verify, name="duty_verify"),
    path("evidence/<uuid:token>/", views.evidence_download, name="evidence_download"),
]
