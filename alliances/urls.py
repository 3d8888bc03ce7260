from django.urls import path

from alliances import views

app_name = "alliances"
urlpatterns = [
    path("", views.alliance_list, name="alliance_list"),
    path("<int:pk>/", views.alliance_detail, name="alliance_detail"),
    path("<int:pk>/duties/", views.duty_board, name="duty_board"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/sign-off/", views.minutes_sign_off, name="minutes_sign_off"),
    path("duties/<int:pk>/", views.duty_detail, name="duty_detail"),
    path("duties/<int:pk>/update/", views.duty_update, name="duty_update"),
    path("duties/<int:pk>/evidence/", views.duty_evidence, name="duty_evidence"),
    path("duties/<int:pk>/verify/", views.duty_verify, name="duty_verify"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
