from django.urls import path

from registry.views import browse, imports

app_name = "registry"
urlpatterns = [
    # Browsing (registry/views/browse.py)
    path("regions/", browse.region_tree, name="region_tree"),
    path("regions/<str:code>/children/", browse.region_children, name="region_children"),
    path("villages/", browse.village_list, name="village_list"),
    path("villages/<str:code>/", browse.village_detail, name="village_detail"),
    path("villages/<str:code>/stats/add/", browse.stat_edit, name="stat_add"),
    path("villages/<str:code>/stats/<int:year>/edit/", browse.stat_edit, name="stat_edit"),
    # Statistics import and export (registry/views/imports.py)
    path("stats/import/", imports.stats_import, name="stats_import"),
    path("stats/import/<int:pk>/", imports.import_job, name="import_job"),
    path("stats/import/<int:pk>/status/", imports.import_job_status, name="import_job_status"),
    path("stats/import/<int:pk>/retry/", imports.import_job_retry, name="import_job_retry"),
    path("stats/template.<str:fmt>", imports.stats_template, name="stats_template"),
    path("stats/export/", imports.stats_export, name="stats_export"),
]
