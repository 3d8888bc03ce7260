"""Every domain app has the same files in the same places, so a reader (and a new app) finds
each concern where it finds it in every other app:

    models      the tables (a module, or a package split by concern)
    choices     the enumerations
    services    the writes: transactions, an explicit actor, refusals from core.errors
    selectors   the reads: querysets and figures, no writes
    admin       the scoped admin
    api/        serializers, filters, views, urls
    locale/     the app's own catalogue
and, for an app with pages: views, urls, forms, templates/<app>/.

The ledger has no pages of its own (its figures are shown by ventures and analytics).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAIN_APPS = [
    "registry",
    "ledger",
    "ventures",
    "alliances",
    "projects",
    "grids",
    "points",
    "tourism",
    "analytics",
]
WITHOUT_PAGES = {"ledger"}
EVERY_APP = [
    "models",
    "choices",
    "services",
    "selectors",
    "admin",
    "api/serializers",
    "api/filters",
    "api/views",
    "api/urls",
]
APP_WITH_PAGES = ["views", "urls", "forms"]


def _exists(app: str, name: str) -> bool:
    return (ROOT / app / f"{name}.py").is_file() or (ROOT / app / name / "__init__.py").is_file()


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_the_app_has_the_common_shape(app):
    names = EVERY_APP + ([] if app in WITHOUT_PAGES else APP_WITH_PAGES)
    missing = [name for name in names if not _exists(app, name)]
    if app not in WITHOUT_PAGES and not (ROOT / app / "templates" / app).is_dir():
        missing.append(f"templates/{app}/")
    if not (ROOT / app / "locale").is_dir():
        missing.append("locale/")
    assert not missing, f"{app} lacks {missing}"


def test_nothing_is_kept_at_the_root_that_belongs_to_an_app():
    # Templates, catalogues and static files live in their app (base pages in baotuan/).
    for place in ("templates", "locale", "static"):
        assert not (ROOT / place).exists(), f"/{place} at the project root"


def test_baotuan_keeps_only_the_top_floor():
    # settings, urls, wsgi, the cli, the Celery app (`celery -A baotuan` finds baotuan.celery)
    # and the demo; every shared piece is in core.
    allowed = {
        "__init__",
        "apps",
        "celery",
        "cli",
        "pgcheck",
        "settings",
        "settings_test",
        "settings_messages",
        "urls",
        "views",
        "wsgi",
    }
    modules = {p.stem for p in (ROOT / "baotuan").glob("*.py")}
    assert modules <= allowed, modules - allowed
