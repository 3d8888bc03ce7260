from django.urls import path

from tourism import views

app_name = "tourism"

urlpatterns = [
    path("", views.index, name="index"),
    path("spots/<int:pk>/", views.spot_detail, name="spot_detail"),
    path("spots/<int:pk>/assess/", views.assessment_add, name="assessment_add"),
    path("photos/<uuid:token>/", views.spot_photo, name="spot_photo"),
    path("routes/<int:pk>/", views.route_detail, name="route_detail"),
    path("consortia/<int:consortium>/", views.dashboard, name="dashboard"),
    path("figures/template.xlsx", views.figures_template, name="figures_template"),
    path("figures.xlsx", views.figures_export, name="figures_export"),
    path("figures/import/", views.figures_import, name="figures_import"),
]
