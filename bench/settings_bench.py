"""Settings for the load benchmark only: the real settings plus a bench-only URLconf.

`bench/dashboard_load.py` starts gunicorn with DJANGO_SETTINGS_MODULE=bench.settings_bench,
so that the bare comparison view exists in that server and never in production, and without
request rates (throttles).
"""

from baotuan.settings import *  # noqa: F403
from baotuan.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.bare_urls"
# wrk is one client at one address: under the production rates the run would measure 429s.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
}
