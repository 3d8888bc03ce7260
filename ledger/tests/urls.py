"""The project's URLs plus the ledger API, as baotuan/urls.py will include it:

api_v1 = [..., path("", include("ledger.api.urls")), ...]
"""

from django.urls import include, path

from baotuan.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("api/v1/", include("ledger.api.urls")),
    *project_urlpatterns,
]
