from django.urls import path

from audit import views

# Read-only by design: there is no edit or delete route for the change log.
app_name = "audit"
urlpatterns = [
    path("changes/", views.change_list, name="change_list"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
]
