from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path("", views.grid_list, name="grid_list"),
    path("<int:pk>/", views.grid_detail, name="grid_detail"),
    path("<int:grid>/matters/new/", views.matter_report, name="matter_report"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/photo/<str:token>/", views.matter_photo, name="matter_photo"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("households/template.xlsx", views.household_template, name="household_template"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/link/", views.household_link, name="household_link"),
    path("links/<int:pk>/visits/", views.link_visit, name="link_visit"),
    path("links/<int:pk>/evaluations/", views.link_evaluate, name="link_evaluate"),
    path("villages/<str:village>/links/", views.party_links, name="party_links"),
    path("villages/<str:village>/households/", views.household_list, name="household_list"),
    path("villages/<str:village>/households.xlsx", views.household_export, name="household_export"),
    path(
        "villages/<str:village>/households/import/", views.household_import, name="household_import"
    ),
]
