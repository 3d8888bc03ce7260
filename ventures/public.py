"""The public notices (公示) as every village reads them: cached pages and wall copies.

No login, and the same bytes for every visitor: the notice pages use the public layout
(`showcase/layout.html`, no CSRF token, nothing read from the session), so one rendering
serves everybody. Pages are cached per (data version, language, path, page number):

- the data version is the last notice's id and the number of notices, kept in the cache
  (no query while it is there) and renewed when a notice is published (on commit), so a
  new notice shows at once in this process and within VERSION_SECONDS in the others;
- a notice is never edited, so its own pages and documents are keyed by its id alone.

Wall copies list every payee (the screen pages them): the printable page (A4, a print
stylesheet), a PDF rendered from that same page by WeasyPrint (pango, the Noto CJK fonts,
nothing fetched from the network), and an xlsx workbook set up for A4.
"""

from __future__ import annotations

import io
from decimal import Decimal
from functools import wraps
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ventures.choices import DistributionPolicy, NoticeKind
from ventures.models import PublicNotice

__all__ = [
    "PAGE_SECONDS",
    "bump_notices_version",
    "notice_context",
    "notice_pdf",
    "notice_xlsx",
    "notices_version",
    "public_page",
]

VERSION_KEY = "ventures:notices:version"
# How long a process trusts its cached version before re-reading it from the database (with
# a per-process cache, other processes see a new notice within this many seconds).
VERSION_SECONDS = 30
PAGE_SECONDS = 3600
DOCUMENT_SECONDS = 24 * 3600
BROWSER_SECONDS = 60
MAX_PAGE = 100_000
PRINT_CSS = "ventures/notice_print.css"


def _database_version() -> str:
    figures = PublicNotice.objects.aggregate(last=Max("pk"), count=Count("pk"))
    return f"{figures['last'] or 0}-{figures['count']}"


def notices_version() -> str:
    """The generation of the notice list's cached pages (no query while it is cached)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _database_version()
        cache.set(VERSION_KEY, version, VERSION_SECONDS)
    return version


def bump_notices_version() -> None:
    """A notice was published: the next list request renders afresh (after the commit, so
    that a rollback leaves the version alone and no reader caches what is not there)."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, _database_version(), VERSION_SECONDS))


def _page_number(request) -> int:
    """The `page` parameter as a number (1 without one); a malformed one is a 404, so that
    no visitor can fill the cache with spellings of one page."""
    raw = request.GET.get("page")
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404("no such page")
    return int(raw)


def public_page(scope: str, *, paged: bool = True):
    """Serve the view's response from the cache. `scope` is "list" (keyed by the data
    version) or "notice" (keyed by the notice's id: a notice never changes).

    A paged view receives the page number as `page`; an unpaged one ignores the query
    string altogether (so `?page=…` cannot make a PDF render again). Only 200 answers are
    cached. The language is part of the key (cookie first, then Accept-Language), so the
    response varies on both.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            page = _page_number(request) if paged else 1
            if paged:
                kwargs["page"] = page
            version = notices_version() if scope == "list" else "n"
            key = f"ventures:public:{version}:{get_language()}:{request.path}:{page}"
            hit = cache.get(key)
            if hit is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200:
                    return response
                hit = (
                    response.content,
                    response["Content-Type"],
                    response.get("Content-Disposition"),
                )
                cache.set(key, hit, PAGE_SECONDS if scope == "list" else DOCUMENT_SECONDS)
            response = HttpResponse(hit[0], content_type=hit[1])
            if hit[2]:
                response["Content-Disposition"] = hit[2]
            patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return response

        return require_safe(wrapper)

    return decorate


def policy_label(policy: str) -> str:
    try:
        return str(DistributionPolicy(policy).label)
    except ValueError:
        return policy


def notice_context(notice: PublicNotice) -> dict:
    """What every wall copy shows: the heading, the 公示期, the issuing body, the contact for
    objections, the totals, every payee, and the content hash."""
    payload = notice.payload
    reversal = notice.kind == NoticeKind.REVERSAL
    return {
        "notice": notice,
        "payload": payload,
        "payees": payload.get("payees", []),
        "heading": _("Reversal notice") if reversal else _("Distribution notice"),
        "policy": policy_label(payload.get("policy", "")),
        "issuer": notice.issuer or payload.get("operator", ""),
        "contact": notice.contact or "",
        "intact": notice.is_intact,
    }


def _stylesheet() -> Path:
    found = finders.find(PRINT_CSS)
    if not found:  # collected static files only (DEBUG off, no finders' source)
        from django.conf import settings

        found = str(Path(settings.STATIC_ROOT) / PRINT_CSS)
    return Path(found)


def _no_fetch(url: str, *args, **kwargs):
    """WeasyPrint's URL fetcher: nothing is fetched (no network, no file), every style and
    font is given to it."""
    raise ValueError(f"not fetched: {url}")


def notice_pdf(notice: PublicNotice) -> bytes:
    """The printable page as an A4 PDF (WeasyPrint: the same template and print stylesheet
    as the browser prints; fonts from fontconfig, Noto Sans CJK for Chinese)."""
    from weasyprint import CSS, HTML

    html = render_to_string(
        "ventures/notice_print.html", {**notice_context(notice), "for_pdf": True}
    )
    document = HTML(string=html, url_fetcher=_no_fetch, base_url="/")
    return document.write_pdf(stylesheets=[CSS(filename=str(_stylesheet()))])


def _yuan(fen: int) -> float:
    # xlsxwriter writes IEEE doubles; two-decimal values of this size are exact there
    # (the money limit keeps them under 2^53 fen).
    return float(Decimal(fen) / 100)


def notice_xlsx(notice: PublicNotice) -> bytes:
    """The notice as an xlsx workbook ready to print: A4 portrait, fit to one page wide,
    the column headings repeated on every page, every payee, then the totals, the 公示期,
    the issuing body, the contact and the hash. Names are written as text, never formulas.
    """
    import xlsxwriter

    context = notice_context(notice)
    payload = context["payload"]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    money = book.add_format({"num_format": "#,##0.00"})
    money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
    count = book.add_format({"num_format": "#,##0"})
    head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    sheet = book.add_worksheet(_("Notice")[:31])
    sheet.set_paper(9)  # A4
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
    sheet.set_footer("&C&P / &N")
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 16)
    sheet.set_column(3, 3, 12)
    sheet.set_column(4, 4, 18)

    period = payload.get("period", {})
    lines = [
        (f"{payload.get('venture', '')} · {context['heading']}", title),
        (
            _("Distribution period: {start} – {end}").format(
                start=period.get("start", ""), end=period.get("end", "")
            ),
            None,
        ),
        (_("Policy: {policy}").format(policy=context["policy"]), None),
        (_("Issued by: {issuer}").format(issuer=context["issuer"]), None),
        (
            _("Notice period: {start} – {end}").format(
                start=notice.objection_from or "—", end=notice.objection_to or "—"
            ),
            None,
        ),
        (_("Objections to: {contact}").format(contact=context["contact"] or "—"), None),
    ]
    for row, (text, fmt) in enumerate(lines):
        sheet.write_string(row, 0, str(text), fmt)
    header_row = len(lines) + 1
    for column, text in enumerate(["#", _("Payee"), _("Code"), _("Units"), _("Amount (yuan)")]):
        sheet.write_string(header_row, column, str(text), head)
    sheet.repeat_rows(header_row)
    row = header_row + 1
    for number, payee in enumerate(context["payees"], start=1):
        sheet.write_number(row, 0, number)
        sheet.write_string(row, 1, str(payee.get("name", "")))
        sheet.write_string(row, 2, str(payee.get("code", "")))
        sheet.write_number(row, 3, payee.get("units", 0), count)
        sheet.write_number(row, 4, _yuan(payee.get("amount", 0)), money)
        row += 1
    totals = payload.get("totals", {})
    sheet.write_string(row, 1, _("To payees (yuan)"), bold)
    sheet.write_number(row, 4, _yuan(totals.get("distributed", 0)), money_bold)
    for label, key in (
        (_("Reserve fund 公积公益金 (yuan)"), "reserve"),
        (_("Welfare fund 福利费 (yuan)"), "welfare"),
        (_("Total (yuan)"), "total"),
    ):
        row += 1
        sheet.write_string(row, 1, label)
        sheet.write_number(row, 4, _yuan(totals.get(key, 0)), money)
    row += 2
    sheet.write_string(row, 0, "SHA-256: " + notice.content_hash)
    book.close()
    return buffer.getvalue()
