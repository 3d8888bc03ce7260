# Dashboards (login).
from django.urls import path

from analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("region/<str:code>/<int:year>/", views.region, name="region"),
    path("region/<str:code>/<int:year>/print/", views.region_print, name="region_print"),
    path("region/<str:code>/<int:year>/report.xlsx", views.region_report, name="region_report"),
]
