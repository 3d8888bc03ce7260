"""The project's URLs plus `/bench-bare/`: a bare Django view returning fixed bytes from
memory (the showcase page as the benchmark fetched it, from BENCH_BARE_FILE). It goes
through the same middleware as every page, so it is the floor the showcase is compared
with. Used only by bench/settings_bench.py."""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from baotuan.urls import urlpatterns as project_urlpatterns

_BODY = Path(os.environ["BENCH_BARE_FILE"]).read_bytes() if os.getenv("BENCH_BARE_FILE") else b""


def bare(request):
    return HttpResponse(_BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("bench-bare/", bare), *project_urlpatterns]
