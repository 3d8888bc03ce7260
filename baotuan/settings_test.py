"""Test settings: the real settings with a fast hasher and inline imports.

DATABASE_URL picks the engine (SQLite file by default, PostgreSQL in `make test`'s second run).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only")

from baotuan.settings import *  # noqa: E402,F403
from baotuan.settings import DATABASES, REST_FRAMEWORK  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
IMPORT_RUN_INLINE = True
# The suite makes thousands of requests from one address within a minute: the throttles run
# (their classes are the real ones), with rates no test reaches unless it sets its own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(
        REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/hour"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An in-memory test database; threads/live-server tests get a file (see conftest).
    DATABASES["default"]["TEST"] = {"NAME": os.getenv("SQLITE_TEST_NAME", "")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns when absent)

# --- Task queue, cache, replica ------------------------------------------------------------
# Tests that need the real services start them or point at them themselves (the worker,
# two servers, the replica: baotuan/tests/test_services.py, core/tests/test_replica.py).
# Everything else: a per-process cache, an in-memory broker, and every read on the primary
# (a replica alias, when DATABASE_REPLICA_URL is set, mirrors the test database; the replica
# tests point it at the real replica and list the paths it serves).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
REPLICA_READ_PATHS: list = []
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
