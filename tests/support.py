"""Helpers shared by every app's tests (fixtures are in the root conftest.py)."""

from contextlib import contextmanager
from datetime import date
from pathlib import Path

from accounts.models import Grant, User

__all__ = ["CHROMIUM", "PERSONAS", "D", "chromium_page", "make_persona", "make_user"]

CHROMIUM = Path("/usr/bin/chromium")

#: D("2024-01-31"): a date from ISO text, for tests that spell many dates.
D = date.fromisoformat


def make_user(username, role=None, **scope):
    """A user with a password and, if `role` is given, one grant for `scope`."""
    user = User.objects.create_user(username=username, password="pw-" + username)
    if role is not None:
        Grant.objects.create(user=user, role=role, **scope)
    return user


@contextmanager
def chromium_page(width: int = 1280, height: int = 900):
    """A headless Chromium page (Debian's, never downloaded) that records console errors and
    uncaught exceptions in `page.errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", device_scale_factor=1
        )
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
#: The personas of the read matrix (core.scope.restrict_reads / may_read), over the root
#: conftest's tree: name -> (role, scope) with scope naming a village short name, a region
#: code, "company" (the enclave joint company) or None (unscoped).
PERSONAS = {
    "admin": ("city_admin", None),
    "clerk": ("village_clerk", "徐家埭村"),
    "other_clerk": ("village_clerk", "峰山村"),
    "auditor": ("auditor", None),
    "pinghu_auditor": ("auditor", "330482"),
    "qingtian_auditor": ("auditor", "331121"),
    "pinghu_partner": ("partner", "330482"),
    "qingtian_partner": ("partner", "331121"),
    "company_partner": ("partner", "company"),
    "finance": ("finance", "company"),
}


def make_persona(name, tree, company):
    """The user `name` of PERSONAS (username "as-<name>", beside the conftest's), with its
    one grant."""
    role, scope = PERSONAS[name]
    username = f"as-{name}"
    if scope is None:
        return make_user(username, role)
    if scope == "company":
        return make_user(username, role, organisation=company)
    if scope in tree:
        return make_user(username, role, village=tree[scope])
    return make_user(username, role, region_id=scope)
