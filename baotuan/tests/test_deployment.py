"""Deployment settings (issue 10, item 9): HTTPS and cookie settings read from the
environment so that `check --deploy` is clean in production, a Content-Security-Policy on
every page, and a session lifetime.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

PRODUCTION = {
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "example.org",
    # Personal data keys of its own (core/pii.py), not derived from SECRET_KEY.
    "PII_KEYS": "k1:" + "A" * 43,
    "PII_HASH_KEY": "B" * 43,
}
# Every variable the settings read for these, so that the caller's environment cannot leak in.
READ = [
    *PRODUCTION,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DJANGO_SETTINGS_MODULE",
]


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run Python on the production settings module (not the test settings) with `env`."""
    clean = {k: v for k, v in os.environ.items() if k not in READ}
    clean |= {
        "DJANGO_SETTINGS_MODULE": "baotuan.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),  # 67 random characters
        "DATABASE_URL": "",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_under(*names: str, **env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_the_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_them_check_deploy_names_what_is_missing():
    env = {"DEBUG": "false", "ALLOWED_HOSTS": "example.org"}

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)

    assert result.returncode != 0
    for check in ["security.W004", "security.W008", "security.W012", "security.W016", "core.W001"]:
        assert check in result.stderr


def test_the_https_settings_come_from_the_environment():
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
    ]
    default = settings_under(*names, DEBUG="false")
    production = settings_under(
        *names, **PRODUCTION, SECURE_HSTS_PRELOAD="true", SECURE_PROXY_SSL_HEADER="true"
    )

    assert default == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    assert production == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_a_misspelt_switch_fails_loudly():
    result = run(["-c", "import django; django.setup()"], SECURE_SSL_REDIRECT="ture")

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be true or false" in result.stderr


def test_the_session_lifetime_is_a_setting():
    names = ["SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE"]

    assert settings_under(*names) == {
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
    }
    assert settings_under(
        *names, SESSION_COOKIE_AGE="1800", SESSION_EXPIRE_AT_BROWSER_CLOSE="true"
    ) == {"SESSION_COOKIE_AGE": 1800, "SESSION_EXPIRE_AT_BROWSER_CLOSE": True}


def test_a_session_cookie_expires_after_the_session_age(client, admin, settings):
    settings.SESSION_COOKIE_AGE = 1800

    response = client.post("/accounts/login/", {"username": "admin", "password": "pw-admin"})

    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 1800
    assert client.session.get_expiry_age() == 1800


# --- Content-Security-Policy ----------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


class Inline(HTMLParser):
    """Collects what the policy would refuse in a page: inline scripts, style attributes and
    elements, event-handler attributes, javascript: links; and the page's same-site links."""

    def __init__(self):
        super().__init__()
        self.refused: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.refused.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.refused.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.refused.append("<style>")
        # (json_script writes type="application/json": data, not code.)
        code = attributes.get("type") != "application/json"
        if tag == "script" and "src" not in attributes and code:
            self._in_script = True
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.refused.append(f"<script>{data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


# Pages that change something when fetched by GET, or would log the crawler out.
SKIP = re.compile(r"^/(accounts/logout|admin/logout|i18n/|static/|media/)|/(delete|export)")


def crawl(
    client, starts: list[str], limit: int = 80, within: str = "/", outside: str = "/admin/"
) -> dict[str, object]:
    """Breadth first from `starts` through the links under `within` and not under `outside`,
    at most two pages of one shape (/audit/changes/N/)."""
    seen: dict[str, object] = {}
    shapes: dict[str, int] = {}
    queue = list(starts)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        shape = re.sub(r"[0-9]+", "N", path)
        if url in seen or SKIP.search(path) or shapes.get(shape, 0) >= 2:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        seen[url] = response
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Inline()
        parser.feed(response.content.decode())
        for link in parser.links:
            target = urljoin(url, link.split("#")[0])
            parts = urlsplit(target)
            if not parts.netloc or parts.netloc == "testserver":
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                wanted = local.startswith(within) and not local.startswith(outside)
                if wanted and local not in seen and local not in queue:
                    queue.append(local)
    return seen


@pytest.fixture
def site(tree, enclave_company):
    """A little of everything: statistics, a venture with a published notice, an alliance."""
    from registry.models import VillageStat

    for year, fen in [(2021, 1_000_000_00), (2022, 1_200_000_00)]:
        VillageStat.objects.create(
            village=tree["徐家埭村"], year=year, total_income=fen, operating_income=fen // 2
        )
        VillageStat.objects.create(village=tree["峰山村"], year=year, total_income=300_000_00)


def _check_pages(pages, at_least):
    assert len(pages) >= at_least, list(pages)
    for url, response in pages.items():
        if response.status_code in (301, 302):
            continue
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
        if "text/html" in response.get("Content-Type", ""):
            parser = Inline()
            parser.feed(response.content.decode())
            assert parser.refused == [], url


def test_every_page_of_a_crawl_has_the_policy_and_nothing_it_refuses(client_for, site, admin):
    admin.is_staff = admin.is_superuser = True  # the admin site too
    admin.save()
    client = client_for(admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    starts = [
        "/",
        "/registry/villages/",
        "/analytics/",
        "/alliances/",
        "/ventures/",
        "/projects/",
        "/audit/changes/",
        "/api/v1/docs/",
    ]
    pages = crawl(client, starts)
    pages |= crawl(
        client, ["/admin/", "/admin/accounts/apitoken/"], limit=25, within="/admin/", outside="-"
    )

    _check_pages(pages, at_least=60)
    statuses = {url: r.status_code for url, r in pages.items()}
    assert all(status < 500 for status in statuses.values()), statuses


def test_public_pages_have_the_policy_too(client, site):
    pages = crawl(client, ["/showcase/", "/ventures/notices/", "/accounts/login/", "/"])
    pages |= {url: client.get(url) for url in ["/api/v1/notices/", "/no-such-page/"]}

    _check_pages(pages, at_least=8)


def test_the_api_docs_have_no_inline_script_and_serve_their_start_script(client, db):
    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    assert page.status_code == script.status_code == 200
    html = page.content.decode()
    assert '<script src="/api/v1/docs/?script="></script>' in html
    assert "<style>" not in html
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()
