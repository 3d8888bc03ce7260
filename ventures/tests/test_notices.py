"""Public notices (公示) that can be posted on a wall (issue 10, item 11): the notice period,
the issuing body and the contact for objections; every payee on the printable page, the PDF
and the xlsx; cached public pages and API; the link from the showcase."""

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.support import D
from ventures import services
from ventures.choices import NoticeKind, RunStatus
from ventures.exceptions import VentureError
from ventures.models import PublicNotice
from ventures.tests.support import snapshot

MANY = 250  # more payees than one screen page (200)


@pytest.fixture
def client_en(client_for):
    def _client(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client


@pytest.fixture
def published(posted, finance):
    return services.publish_run(
        posted, actor=finance, starts_on=D("2024-01-20"), ends_on=D("2024-01-26")
    )


@pytest.fixture
def many(published):
    """A notice naming MANY payees (the reversal slot of the same run, written directly:
    notices are append-only, not refused on insert)."""
    payload = dict(published.payload)
    payload["payees"] = [
        {
            "holder": f"village:3311212012{i:02d}"[:20],
            "name": f"示例村{i:03d}",
            "code": f"33112120{i:04d}",
            "units": 1,
            "amount": 100 * (i + 1),
        }
        for i in range(MANY)
    ]
    payload["payees"][7]["name"] = '=HYPERLINK("http://example.com","x")'
    total = sum(p["amount"] for p in payload["payees"])
    payload["totals"] = {**payload["totals"], "distributed": total, "payees": MANY}
    return PublicNotice.objects.create(
        run=published.run,
        kind=NoticeKind.REVERSAL,
        title="many payees",
        payload=payload,
        content_hash=PublicNotice.hash_of(payload),
        objection_from=D("2024-02-01"),
        objection_to=D("2024-02-07"),
        issuer="青田强村联合投资发展有限责任公司",
        contact="公司办公室 0578-0000000",
    )


# --- The notice period, the issuing body and the contact ----------------------------------


def test_a_notice_states_its_period_issuer_and_contact_and_its_hash_covers_them(
    posted, finance, venture
):
    notice = services.publish_run(posted, actor=finance)

    today = timezone.localdate()
    assert notice.objection_from == today
    assert notice.objection_to == today + dt.timedelta(days=6)  # seven days, both included
    assert notice.issuer == venture.organisation.name
    assert notice.contact == venture.notice_contact
    assert notice.payload["notice_period"] == {
        "from": today.isoformat(),
        "to": (today + dt.timedelta(days=6)).isoformat(),
    }
    assert notice.payload["issuer"] == venture.organisation.name
    assert notice.payload["contact"] == venture.notice_contact
    assert notice.content_hash == PublicNotice.hash_of(notice.payload)


def test_the_publisher_may_name_the_period_issuer_and_contact(posted, finance):
    notice = services.publish_run(
        posted,
        actor=finance,
        starts_on=D("2024-02-01"),
        ends_on=D("2024-02-15"),
        issuer="青田县农业农村局",
        contact="农经站 0578-1111111",
    )

    assert (notice.objection_from, notice.objection_to) == (D("2024-02-01"), D("2024-02-15"))
    assert (notice.issuer, notice.contact) == ("青田县农业农村局", "农经站 0578-1111111")


def test_a_notice_without_a_contact_for_objections_is_refused_and_changes_nothing(
    posted, finance, venture
):
    venture.notice_contact = ""
    venture.save()
    before = snapshot()

    with pytest.raises(VentureError, match="contact for objections"):
        services.publish_run(posted, actor=finance)

    assert snapshot() == before
    posted.refresh_from_db()
    assert posted.status == RunStatus.POSTED


def test_a_notice_period_that_ends_before_it_starts_is_refused(posted, finance):
    with pytest.raises(VentureError, match="ends before it starts"):
        services.publish_run(
            posted, actor=finance, starts_on=D("2024-02-10"), ends_on=D("2024-02-01")
        )
    assert not PublicNotice.objects.exists()


def test_a_reversal_notice_names_the_contact_of_the_notice_it_reverses(
    published, approver, venture
):
    venture.notice_contact = ""
    venture.save()

    run = services.reverse_run(
        published.run, actor=approver, reason="录入错误", date=D("2024-02-01")
    )

    reversal = run.notices.get(kind=NoticeKind.REVERSAL)
    assert reversal.contact == published.contact
    assert reversal.objection_from == timezone.localdate()


def test_the_new_columns_are_guarded_like_the_rest_of_the_notice(published):
    # Migration 0003 added the columns in place: the database still refuses an UPDATE.
    with pytest.raises(Exception, match="never edited"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ventures_publicnotice SET contact = 'someone else' WHERE id = %s",
            [published.pk],
        )


# --- Pages: screen, print, PDF, xlsx ---------------------------------------------------------


def test_the_notice_page_states_the_period_issuer_and_contact_and_links_the_wall_copies(
    client_en, published
):
    page = client_en(None).get(reverse("ventures:notice_detail", args=[published.pk]))

    html = page.content.decode()
    assert "2024-01-20 – 2024-01-26" in html
    assert "青田强村联合投资发展有限责任公司" in html
    assert published.contact in html
    for name in ("notice_print", "notice_pdf", "notice_xlsx"):
        assert reverse(f"ventures:{name}", args=[published.pk]) in html
    assert "ventures/notices.css" in html  # its print stylesheet


def test_a_paged_notice_page_prints_where_the_copy_with_every_payee_is(client_en, many):
    html = client_en(None).get(reverse("ventures:notice_detail", args=[many.pk])).content.decode()

    # The screen pages the payees (each payee's code cell, labelled for the phone layout).
    assert len(re.findall(r'<td class="code code-col"[^>]*>33112120', html)) == 200
    assert 'data-testid="print-pointer"' in html
    assert "payees 1–200 of 250" in html


def test_the_printable_page_lists_every_payee_on_a4(client_en, many, django_assert_num_queries):
    client = client_en(None)
    url = reverse("ventures:notice_print", args=[many.pk])

    with django_assert_num_queries(1):  # the notice
        response = client.get(url)
    with django_assert_num_queries(0):  # then the cached page
        again = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r"<tr><td class=\"num\">(\d+)</td>", html)
    assert [int(n) for n in rows] == list(range(1, MANY + 1))
    assert "示例村249" in html
    assert "2024-02-01 – 2024-02-07" in html
    assert "公司办公室 0578-0000000" in html
    assert many.content_hash in html
    assert "ventures/notice_print.css" in html
    assert again.content == response.content


def test_the_print_stylesheet_is_a4_with_headings_on_every_page():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("ventures/notice_print.css")).read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    media_print = css[css.index("@media print") :]
    assert "thead { display: table-header-group; }" in media_print
    assert ".screen-only { display: none !important; }" in media_print


def test_public_notice_pages_are_the_same_for_everyone(client_en, published, auditor):
    url = reverse("ventures:notice_detail", args=[published.pk])
    anonymous = client_en(None).get(url)
    signed_in = client_en(auditor).get(url)

    assert anonymous.content == signed_in.content
    assert "csrfmiddlewaretoken" not in anonymous.content.decode()
    assert "Set-Cookie" not in anonymous.headers
    assert auditor.username not in signed_in.content.decode()


def test_the_pdf_is_a4_with_every_payee_in_a_cjk_font(client_en, many, django_assert_num_queries):
    client = client_en(None)
    url = reverse("ventures:notice_pdf", args=[many.pk])

    response = client.get(url)
    with django_assert_num_queries(0):  # rendered once, then cached (a notice never changes)
        again = client.get(url)

    body = response.content
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="notice-{many.pk}.pdf"'
    assert body.startswith(b"%PDF")
    assert again.content == body
    # A4 is 595 × 842 points; 250 payees do not fit on one page. (The PDF keeps its objects
    # in compressed object streams: read those too.)
    text = _pdf_objects(body)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", text)
    assert boxes
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}
    assert len(re.findall(rb"/Type\s*/Page\b", text)) >= 3
    assert b"NotoSansCJK" in text or b"NotoSerifCJK" in text


def _pdf_objects(body: bytes) -> bytes:
    """The PDF's bytes with every Flate stream decompressed beside them."""
    import zlib

    parts = [body]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_xlsx_prints_on_a4_with_every_payee_as_text(client_en, many):
    import openpyxl

    response = client_en(None).get(reverse("ventures:notice_xlsx", args=[many.pk]))

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide, as long as it runs
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows is not None
    rows = [r for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert len(rows) == MANY
    assert sum(round(r[4] * 100) for r in rows) == many.payload["totals"]["distributed"]
    formula = next(c for c in sheet["B"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"  # text, never a live formula
    text = " ".join(str(c) for r in sheet.iter_rows(values_only=True) for c in r if c)
    assert "2024-02-01 – 2024-02-07" in text
    assert "公司办公室 0578-0000000" in text


def test_an_unknown_notice_has_no_wall_copies(client_en, db):
    client = client_en(None)
    for name in ("notice_print", "notice_pdf", "notice_xlsx"):
        assert client.get(reverse(f"ventures:{name}", args=[999])).status_code == 404


# --- The cached list ----------------------------------------------------------------------


def test_a_new_notice_shows_in_the_cached_list_at_once(
    client_en, posted, finance, django_capture_on_commit_callbacks
):
    client = client_en(None)
    url = reverse("ventures:notice_list")
    assert "No notices published yet." in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        notice = services.publish_run(posted, actor=finance)

    html = client.get(url).content.decode()
    assert notice.title in html
    assert "open for objections" in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "9"])
def test_a_malformed_or_missing_list_page_is_404(client_en, published, page):
    response = client_en(None).get(reverse("ventures:notice_list"), {"page": page})
    assert response.status_code == 404


def test_the_list_ignores_other_parameters_in_its_links(client_en, published):
    html = (
        client_en(None)
        .get(reverse("ventures:notice_list"), {"page": "1", "x": "<evil>"})
        .content.decode()
    )
    assert "evil" not in html


# --- API ----------------------------------------------------------------------------------


def test_the_notice_api_list_is_cached_and_states_the_period(
    client_en, published, django_assert_num_queries
):
    client = client_en(None)
    url = reverse("ventures-api:notice-list")

    with django_assert_num_queries(3):  # data version, count, page
        first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)

    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    row = first.json()["results"][0]
    assert row["objection_from"] == "2024-01-20"
    assert row["objection_to"] == "2024-01-26"
    assert row["issuer"] == "青田强村联合投资发展有限责任公司"


def test_the_api_detail_carries_the_contact(client_en, published):
    data = client_en(None).get(reverse("ventures-api:notice-detail", args=[published.pk])).json()
    assert data["contact"] == published.contact
    assert data["payload"]["contact"] == published.contact


def test_publishing_through_the_api_names_the_period_and_contact(client_en, posted, finance):
    response = client_en(finance).post(
        reverse("ventures-api:run-publish", args=[posted.pk]),
        {"starts_on": "2024-03-01", "ends_on": "2024-03-10", "contact": "村务监督委员会 1234"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["objection_to"] == "2024-03-10"
    assert response.json()["contact"] == "村务监督委员会 1234"


def test_publishing_through_the_page_names_the_period_and_contact(client_en, posted, finance):
    response = client_en(finance).post(
        reverse("ventures:run_publish", args=[posted.pk]),
        {"starts_on": "2024-03-01", "ends_on": "", "issuer": "", "contact": "农经站 5678"},
    )

    assert response.status_code == 302
    notice = PublicNotice.objects.get(run=posted)
    assert (notice.objection_from, notice.objection_to) == (D("2024-03-01"), D("2024-03-07"))
    assert notice.contact == "农经站 5678"


def test_the_run_page_offers_the_publish_form_with_the_ventures_contact(
    client_en, posted, finance, venture
):
    html = client_en(finance).get(reverse("ventures:run_detail", args=[posted.pk])).content
    assert 'data-testid="publish-form"' in html.decode()
    assert venture.notice_contact in html.decode()


# --- The showcase links to the notices ---------------------------------------------------------


def test_the_showcase_links_to_the_notices_in_its_header(client_en, db):
    html = client_en(None).get(reverse("showcase:index")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert f'href="{reverse("ventures:notice_list")}"' in header
