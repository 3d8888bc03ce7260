from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from baotuan import views
from core import health
from core.api.routes import not_found as api_not_found

api_v1 = [
    path("", include("registry.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("ledger.api.urls")),
    path("", include("ventures.api.urls")),
    path("", include("alliances.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("grids.api.urls")),
    path("", include("tourism.api.urls")),
    path("", include("points.api.urls")),
    path("", include("analytics.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("registry/", include("registry.urls")),
    path("audit/", include("audit.urls")),
    path("ventures/", include("ventures.urls")),
    path("alliances/", include("alliances.urls")),
    path("projects/", include("projects.urls")),
    path("grids/", include("grids.urls")),
    path("tourism/", include("tourism.urls")),
    path("points/", include("points.urls")),
    path("analytics/", include("analytics.urls")),
    path("showcase/", include("analytics.showcase_urls")),
    path("api/v1/", include(api_v1)),
    # Swagger UI with its start script as a separate file (?script): no inline script, so the
    # Content-Security-Policy holds there too.
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    # Any other URL under the API: a JSON 404 in the API's error shape, not the HTML page.
    re_path(r"^api/", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
