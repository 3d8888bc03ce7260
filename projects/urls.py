"""Partnership projects (共富项目) and cooperation project lists (毗邻党建, 山海协作)."""

from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<uuid:token>/", views.attachment_download, name="attachment_download"),
    path("progress.xlsx", views.progress_export, name="progress_export"),
    path("progress/import/", views.progress_import, name="progress_import"),
    path("cooperation/", views.cooperation_list, name="cooperation_list"),
    path("cooperation.xlsx", views.cooperation_export, name="cooperation_export"),
    path("cooperation/template.xlsx", views.cooperation_template, name="cooperation_template"),
    path("cooperation/import/", views.cooperation_import, name="cooperation_import"),
]
