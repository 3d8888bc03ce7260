"""Test settings: the real settings with a fast hasher and inline imports.

DATABASE_URL picks the engine (SQLite file by default, PostgreSQL in `make test`'s second run).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only")

from baotuan.settings import *  # noqa: E402,F403
from baotuan.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
IMPORT_RUN_INLINE = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An in-memory test database; threads/live-server tests get a file (see conftest).
    DATABASES["default"]["TEST"] = {"NAME": os.getenv("SQLITE_TEST_NAME", "")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns when absent)
