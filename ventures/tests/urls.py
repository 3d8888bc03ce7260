"""The project's URLs plus the ventures app's, for tests, whether or not baotuan/urls.py
includes them yet (the include lines are the project's to add)."""

from django.urls import include, path

from baotuan.urls import urlpatterns as project_urlpatterns


def _has_namespace(patterns, namespace: str) -> bool:
    for pattern in patterns:
        if getattr(pattern, "namespace", None) == namespace:
            return True
        if hasattr(pattern, "url_patterns") and _has_namespace(pattern.url_patterns, namespace):
            return True
    return False


urlpatterns = list(project_urlpatterns)
if not _has_namespace(urlpatterns, "ventures"):
    urlpatterns.append(path("ventures/", include("ventures.urls")))
if not _has_namespace(urlpatterns, "ventures-api"):
    urlpatterns.append(path("api/v1/", include("ventures.api.urls")))
