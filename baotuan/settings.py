"""Baotuan settings: one module, driven by environment variables that fail loudly.

SQLite (a file under var/) is the embedded default; set DATABASE_URL to a postgres:// URL
for production. See README.md ("生产部署 / Production").
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value not in {"true", "false", "1", "0", "yes", "no"}:
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")
    return value in {"true", "1", "yes"}


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envrate(name: str, default: str) -> str | None:
    """A throttle rate "N/period" (period: second, minute, hour or day), or None for "none"."""
    value = os.getenv(name, default).strip().lower()
    if value == "none":
        return None
    number, _slash, period = value.partition("/")
    if not (number.isdigit() and period[:1] in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name} must look like 120/minute (or none), not {value!r}")
    return value


def envsecret(name: str, default: str | None = None) -> str:
    """Read NAME, or the file named by NAME_FILE (Docker/systemd secrets)."""
    if path := os.getenv(f"{name}_FILE"):
        return Path(path).read_text().strip()
    value = os.getenv(name, default)
    if value is None:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set")
    return value


DEBUG = envbool("DEBUG", "false")
SECRET_KEY = envsecret("SECRET_KEY", "insecure-dev-key-change-me" if DEBUG else None)
ALLOWED_HOSTS = [h for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc served locally, never from a CDN
    "django_htmx",
    "axes",
    "csp",
    "core",
    "baotuan",
    "accounts",
    "audit",
    "registry",
    "ledger",
    "ventures",
    "alliances",
    "projects",
    "grids",
    "tourism",
    "points",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.ChangeContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.DomainErrorMiddleware",
    # Last, so that a locked-out login is refused before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "baotuan.urls"
WSGI_APPLICATION = "baotuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],  # every template lives in its app: <app>/templates/<app>/
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'baotuan.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock (IMMEDIATE + busy timeout) instead of failing;
    # WAL lets readers go on while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# At least 12 characters; not one of the 20,000 most common passwords, not all digits, not
# close to the username, name or e-mail.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): lock a username+IP pair after AXES_FAILURE_LIMIT failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The same client address as the API throttles (REMOTE_ADDR, or X-Forwarded-For as far as
# NUM_PROXIES trusted proxies vouch for it).
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"

# --- i18n / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Every app keeps its catalogue in <app>/locale (found by Django; `make messages` fills them).
LOCALE_PATHS: list = []
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"  # display zone; datetimes are stored in UTC (USE_TZ)

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    # ECharts comes from the npm registry at install time (package.json), never from a CDN.
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
# Uploaded files (imports waiting for a worker, attachments): Django's default storage.
# Servers and workers on several machines share it (a network folder, or an S3 backend).
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT") or BASE_DIR / "var" / "media")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # No HTTP Basic: it hashed a password (PBKDF2) on every request. Clients use the session
    # or a token (`baotuan create_token`); the token class is first so that an anonymous
    # request answers 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.scope.ScopedPermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.AnonRateThrottle",
        "accounts.throttling.UserRateThrottle",
    ],
    # Requests per address (anonymous), per user (signed in) and sign-in attempts per address
    # (the login form); "N/second|minute|hour|day", or "none" for no limit.
    "DEFAULT_THROTTLE_RATES": {
        "anon": envrate("API_RATE_ANON", "120/minute"),
        "user": envrate("API_RATE_USER", "1200/minute"),
        "login": envrate("LOGIN_RATE", "30/minute"),
    },
    # Proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR, so a
    # client cannot choose the address it is counted under).
    "NUM_PROXIES": envint("NUM_PROXIES", "0"),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.handlers.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.handlers.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Baotuan API",
    "DESCRIPTION": "抱团 — registry, statistics and thresholds of village-level units.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets shared by several fields named alike get one stable component name.
    "ENUM_NAME_OVERRIDES": {
        "MeetingKindEnum": "alliances.choices.MeetingKind",
        "DutyStatusEnum": "alliances.choices.DutyStatus",
        "ProjectCategoryEnum": "projects.choices.ProjectCategory",
        "MatterCategoryEnum": "grids.choices.MatterCategory",
        "RegionLevelEnum": "registry.choices.RegionLevel",
        "MatterLevelEnum": "grids.choices.MatterLevel",
        "SpotKindEnum": "tourism.choices.SpotKind",
        "OperatorKindEnum": "tourism.choices.OperatorKind",
    },
}

# --- Baotuan --------------------------------------------------------------------------------
# Largest statistics file accepted by import (web and CLI), in bytes.
STATS_IMPORT_MAX_BYTES = envint("STATS_IMPORT_MAX_BYTES", str(64 * 1024 * 1024))
# Largest CSV file the command line streams (read a chunk at a time, memory bounded by the
# chunk, not the file): the national file of 6.2 million rows is about 520 MB.
STATS_CSV_MAX_BYTES = envint("STATS_CSV_MAX_BYTES", str(8 * 1024 * 1024 * 1024))
# Web imports and region reports run as jobs on the task queue (a worker runs them; the
# page polls their progress). Inline (in the request) only in tests: the web process never
# runs an import.
IMPORT_RUN_INLINE = envbool("IMPORT_RUN_INLINE", "false")
# What an uploaded file may hold, checked before it is parsed (lib.tabular.Limits): data
# rows, cells (rows × columns of a sheet's used area, or of a CSV: the reader builds every
# one of them; 4 million cells of numbers peak at ~450 MB), and the unpacked size of each
# part of an xlsx/ods. A province (255,470 rows of 10 columns; 118 MB of sheet with 13)
# passes; the national file (6.2 million rows) is a CSV for the command line.
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", "1048575")
IMPORT_MAX_CELLS = envint("IMPORT_MAX_CELLS", "4000000")
IMPORT_MAX_PART_BYTES = envint("IMPORT_MAX_PART_BYTES", str(200 * 1024 * 1024))
# Imports waiting or running at once: per user, and in all.
IMPORT_MAX_JOBS_PER_USER = envint("IMPORT_MAX_JOBS_PER_USER", "2")
IMPORT_MAX_JOBS = envint("IMPORT_MAX_JOBS", "6")
# The region (a 2-, 4-, 6- or 9-digit division code) whose indicators the public showcase
# shows when the published ranking scheme names none; the default is 平湖市, the demo's city.
SHOWCASE_REGION = os.getenv("BAOTUAN_SHOWCASE_REGION", "330482").strip()
if not (
    SHOWCASE_REGION.isascii() and SHOWCASE_REGION.isdigit() and len(SHOWCASE_REGION) in {2, 4, 6, 9}
):
    raise ImproperlyConfigured(
        f"BAOTUAN_SHOWCASE_REGION must be a region code, not {SHOWCASE_REGION!r}"
    )
# A year of statistics is complete in a region when at least this share of the region's
# village-level units have a row for it; "the latest year" of a region is its latest complete
# year (registry.selectors.coverage), so that a few early rows never speak for everyone.
_share = os.getenv("STATS_COMPLETE_SHARE", "0.9").strip()
try:
    STATS_COMPLETE_SHARE = float(_share)
except ValueError:
    STATS_COMPLETE_SHARE = -1.0
if not 0 < STATS_COMPLETE_SHARE <= 1:
    raise ImproperlyConfigured(
        f"STATS_COMPLETE_SHARE must be a share above 0 and at most 1, not {_share!r}"
    )
del _share

# --- Task queue, cache, replica ------------------------------------------------------------
# (One block, so that it merges cleanly; README "生产部署 / Production" lists the variables.)
from celery.schedules import crontab  # noqa: E402

# Redis: the shared cache of every app server and, unless CELERY_BROKER_URL says otherwise,
# the task broker. Unset: a per-process cache and a broker in files under var/queue.
REDIS_URL = os.getenv("REDIS_URL", "")

# Celery (baotuan/celery.py reads every CELERY_* setting). Any kombu URL works: redis://,
# amqp:// (RabbitMQ), or filesystem:// — no server to install, for `make demo`.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
QUEUE_DIR = Path(os.getenv("QUEUE_DIR") or BASE_DIR / "var" / "queue")
if CELERY_BROKER_URL.startswith("filesystem:"):
    # One folder of messages for senders and workers alike, one for the exchange tables.
    for folder in ("messages", "control"):
        (QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(QUEUE_DIR / "messages"),
        "data_folder_out": str(QUEUE_DIR / "messages"),
        "control_folder": str(QUEUE_DIR / "control"),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = envint("CELERY_BROKER_CONNECTION_TIMEOUT", "3")
# No result backend: a job's row keeps its state, progress and errors.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A message is acknowledged when a worker takes it: a job whose worker dies is failed by the
# sweep (below) and started again by the user, never silently run a second time.
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long import does not hold other tasks back
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING (JSON lines)
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
INSTALLED_APPS += ["django_celery_beat"]

# Background jobs (core/jobs.py): rows with a heartbeat; running ones whose heartbeat is
# older than JOB_STALE_MINUTES are failed by the sweep, every JOB_SWEEP_MINUTES.
BACKGROUND_JOB_MODELS = ["registry.ImportJob", "analytics.ReportJob", "analytics.OptimiserRun"]
# Optimiser runs from the screen with more village–park pairs than this go to the task
# queue; smaller ones run in the request.
OPTIMISE_INLINE_MAX_PAIRS = envint("OPTIMISE_INLINE_MAX_PAIRS", "10000")
JOB_STALE_MINUTES = envint("JOB_STALE_MINUTES", "5")
JOB_SWEEP_MINUTES = envint("JOB_SWEEP_MINUTES", "2")
# Files kept by jobs (an import that stopped without a result, a report's workbook) are
# removed after this many days, by beat.
JOB_FILES_KEEP_DAYS = envint("JOB_FILES_KEEP_DAYS", "7")
CELERY_BEAT_SCHEDULE = {
    # Points whose notice period ended are marked effective (balances never wait for it).
    "points-settle": {
        "task": "points.settle",
        "schedule": crontab(hour=0, minute=30),
    },
    "remind-daily": {
        "task": "alliances.remind",
        "schedule": crontab(hour=envint("REMIND_HOUR", "8"), minute=0),
    },
    "sweep-stale-jobs": {
        "task": "core.sweep_stale_jobs",
        "schedule": JOB_SWEEP_MINUTES * 60.0,
    },
    "purge-import-files": {
        "task": "registry.purge_import_files",
        "schedule": crontab(hour=3, minute=10),
    },
    "purge-reports": {
        "task": "analytics.purge_reports",
        "schedule": crontab(hour=3, minute=20),
    },
}

# One cache for all servers: Django's Redis backend (failures are misses: core/cache.py).
# Give the broker its own database number (…/1) if the cache may ever be cleared: clearing
# flushes the whole Redis database.
CACHE_RETRY_SECONDS = envint("CACHE_RETRY_SECONDS", "5")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "baotuan",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Read replica (core/db_router.py): the read-only public pages read a streaming replica;
# writes, money, accounts and whoever has just written read the primary.
if replica_url := os.getenv("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url, conn_max_age=envint("DB_CONN_MAX_AGE", "0")
    )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = envint(
        "REPLICA_CONNECT_TIMEOUT", "2"
    )
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "core.db_router.ReplicaMiddleware",
)
REPLICA_READ_PATHS = ["/analytics/", "/showcase/", "/api/v1/indicators/"]
REPLICA_PRIMARY_ONLY = [
    "ledger",  # money: balances, entries, statements
    "ventures",  # money: ventures, runs, lines, notices
    "analytics",  # rankings: the showcase's cache generation comes from the primary
    "accounts",
    "auth",
    "sessions",
    "axes",
    "admin",
    "django_celery_beat",
    "registry.importjob",
]
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", "15")
REPLICA_MAX_LAG_SECONDS = envint("REPLICA_MAX_LAG_SECONDS", "30")
REPLICA_CHECK_SECONDS = envint("REPLICA_CHECK_SECONDS", "5")

# Logs: JSON lines (LOG_FORMAT=text for people) with the change log's request id;
# LOG_REQUESTS=true adds one line per request (audit/logs.py).
LOG_FORMAT = os.getenv("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOG_REQUESTS = envbool("LOG_REQUESTS", "false")
if LOG_REQUESTS:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("audit.middleware.ChangeContextMiddleware") + 1,
        "audit.logs.RequestLogMiddleware",
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "audit.logs.ContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",  # ISO 8601, UTC
            "rename_fields": {"levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    "loggers": {"baotuan.requests": {"level": "INFO"}},
}
# --- end of task queue, cache, replica ------------------------------------------------------

# --- Deployment: HTTPS, cookies, sessions -----------------------------------------------------
# Off by default (`make demo` serves plain HTTP on 127.0.0.1); production behind HTTPS sets
# SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE, and
# `baotuan check --deploy` is then clean (README.md, "Production settings").
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
# HSTS covers this host's subdomains unless told otherwise (nothing under an HTTPS-only
# application host should be served in clear).
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
# The preload directive lets anyone submit the domain to the browsers' built-in HTTPS list,
# which is slow to undo: it is the operator's decision, so it is off unless set, and Django's
# reminder about it (security.W021) is silenced rather than answered for them.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# The statistics' (year, village) index carries the figures the indicators read as INCLUDE
# columns on PostgreSQL; SQLite keeps the key alone, which its reads need, so its notice
# that the included columns are left out (models.W040) says nothing to act on.
SILENCED_SYSTEM_CHECKS += ["models.W040"]
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (never set it otherwise: a
# client could then claim HTTPS).
if envbool("SECURE_PROXY_SSL_HEADER", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "false")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and
# connections from this origin only; no inline script or style attribute anywhere (the
# templates have none, Swagger UI's start script is a separate file). Images may also be
# data: URIs (Swagger UI's icons, ECharts' "save as image").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# A session lasts SESSION_COOKIE_AGE seconds (a working day by default), or until the
# browser closes when SESSION_EXPIRE_AT_BROWSER_CLOSE is set.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(8 * 60 * 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", "false")

# Personal data (core/pii.py): AES-GCM keys as "id:base64" pairs (the first seals, any
# unseals, so a key can be rotated) and the blind-index key. Unset: derived from SECRET_KEY
# (development, tests, the demo), which `check --deploy` warns about.
PII_KEYS = os.getenv("PII_KEYS", "") or (
    Path(os.environ["PII_KEYS_FILE"]).read_text().strip() if os.getenv("PII_KEYS_FILE") else ""
)
PII_HASH_KEY = os.getenv("PII_HASH_KEY", "") or (
    Path(os.environ["PII_HASH_KEY_FILE"]).read_text().strip()
    if os.getenv("PII_HASH_KEY_FILE")
    else ""
)
# 党员联户: how many households one party member links (就亲就熟就便).
PARTY_LINK_MIN = envint("PARTY_LINK_MIN", "5")
PARTY_LINK_MAX = envint("PARTY_LINK_MAX", "10")
