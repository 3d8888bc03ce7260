"""Settings for the load benchmark only: the real settings plus a bench-only URLconf.

`bench/dashboard_load.py` starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings_bench,
so that the bare comparison view exists in that server and never in production.
"""

from baotuan.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
