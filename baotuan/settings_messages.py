"""Settings for `make messages` only: one makemessages run from the project root writes each
app's strings into that app's own catalogue (`<app>/locale`).

makemessages gives a source file to the first LOCALE_PATHS entry whose parent folder holds it,
so listing every app's catalogue here routes each file to its app; `lib/` (pure code, its
messages marked with gettext_noop) has no app and falls to the first entry, core's — the floor
that shows lib's errors. At run time the apps' catalogues are found without LOCALE_PATHS.
"""

from baotuan.settings_test import *  # noqa: F403
from baotuan.settings_test import BASE_DIR, INSTALLED_APPS

LOCALE_PATHS = [
    BASE_DIR / app / "locale" for app in INSTALLED_APPS if (BASE_DIR / app / "apps.py").exists()
]
assert LOCALE_PATHS[0] == BASE_DIR / "core" / "locale", LOCALE_PATHS
