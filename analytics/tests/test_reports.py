"""Reports: the xlsx workbook (values = the indicators, native charts present) and the
printable page."""

import io
import zipfile
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from analytics import selectors
from ventures import services as ventures

REPORT = reverse("analytics:region_report", args=["330482", 2022])
PRINT = reverse("analytics:region_print", args=["330482", 2022])


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _download(client, url=REPORT):
    with translation.override("en"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return response.content


def _values(sheet, first_row=4):
    rows = sheet.iter_rows(min_row=first_row, values_only=True)
    return [row for row in rows if row[0] is not None and row[0] != ""]


def test_workbook_sheets_and_values_equal_the_indicators(stats, client_for, clerk):
    content = _download(client_for(clerk))
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Summary",
        "Trend",
        "Distribution",
        "Lorenz curve",
        "By child region",
        "Ranking",
    ]
    data = selectors.indicators("330482", 2022, detail=True)
    summary = {row[0]: row[1] for row in _values(book["Summary"]) if row[1] is not None}
    assert summary["Villages with statistics"] == 4
    assert summary["Weak villages"] == 1
    assert summary["Lifted since the year before"] == 1
    assert summary["Median total income (10k yuan)"] == 160  # 万元 by default
    assert summary["Gini (total income)"] == pytest.approx(data["gini"], abs=1e-9)
    assert summary["Theil T (total income)"] == pytest.approx(data["theil_t"], abs=1e-9)

    trend = _values(book["Trend"])
    assert [(r[0], r[1], r[2], r[4]) for r in trend] == [
        (2021, 4, 145, 2),
        (2022, 4, 160, 1),
    ]
    assert trend[1][5] == pytest.approx(data["gini"], abs=1e-9)

    bins = _values(book["Distribution"])
    assert sum(r[3] for r in bins) == 4
    assert [r[3] for r in bins] == data["detail"]["histogram"]["counts"]

    lorenz = _values(book["Lorenz curve"])
    assert [r[2] for r in lorenz] == data["detail"]["lorenz"]["without"]

    children = _values(book["By child region"])
    assert [(r[0], r[1], r[2], r[3]) for r in children] == [
        ("330482106", "广陈镇", 2, 0),
        ("330482107", "林埭镇", 2, 1),
    ]
    ranking = _values(book["Ranking"])
    assert [(r[0], r[1], r[3]) for r in ranking] == [
        (1, "330482106201", 400),
        (2, "330482106209", 200),
        (3, "330482107201", 120),
        (4, "330482107208", 80),
    ]


def test_workbook_in_yuan_on_request(stats, client_for, clerk):
    """The 元 switch: the same figures in yuan, headed so, in a file named so."""
    response = client_for(clerk).get(REPORT, {"unit": "yuan"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Disposition"].endswith('indicators-330482-2022-yuan.xlsx"')
    with translation.override("en"):
        book = load_workbook(io.BytesIO(_download(client_for(clerk), REPORT + "?unit=yuan")))
    summary = {row[0]: row[1] for row in _values(book["Summary"]) if row[1] is not None}
    assert summary["Median total income (yuan)"] == 1_600_000
    assert [r[3] for r in _values(book["Ranking"])] == [4_000_000, 2_000_000, 1_200_000, 800_000]


def test_every_sheet_prints_on_a4_with_titles_and_no_chart_across_a_page_break(
    stats, client_for, clerk
):
    """Page setup (A4, one page wide, heading row repeated) on every sheet; each chart starts
    right below a manual page break and ends before the next page would begin, so a printer
    (LibreOffice included) never splits it."""
    import re

    from analytics.reports import ROWS_PER_PAGE

    content = _download(client_for(clerk))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        book_xml = archive.read("xl/workbook.xml").decode()
        assert len(sheets) == 6
        for name in sheets:
            xml = archive.read(name).decode()
            assert 'paperSize="9"' in xml, name
            assert '<pageSetUpPr fitToPage="1"/>' in xml, name
            assert 'fitToHeight="0"' in xml, name
            breaks = [int(r) for r in re.findall(r'<brk id="(\d+)"', xml)]
            rels = f"xl/worksheets/_rels/{name.rsplit('/', 1)[1]}.rels"
            if rels not in names:
                continue  # no chart on this sheet
            drawing = re.search(
                r'Target="../drawings/(drawing\d+\.xml)"', archive.read(rels).decode()
            )
            anchors = re.findall(
                r"<xdr:from><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>"
                r".*?<xdr:to><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>",
                archive.read(f"xl/drawings/{drawing.group(1)}").decode(),
                re.S,
            )
            assert anchors, name
            for top, bottom in ((int(a), int(b)) for a, b in anchors):
                page_start = max(b for b in breaks if b <= top)  # a break above the chart
                assert bottom - page_start < ROWS_PER_PAGE["portrait"], (name, top, bottom)
                assert not [b for b in breaks if top < b <= bottom], (name, top, bottom)
    assert book_xml.count("_xlnm.Print_Titles") == 6


def test_workbook_has_native_charts(stats, client_for, clerk):
    content = _download(client_for(clerk))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        xml = {name: archive.read(name).decode() for name in charts}
    # Trend: weak villages (line) and Gini/Theil (line); distribution (column); Lorenz (scatter).
    assert len(charts) == 4
    kinds = " ".join(xml.values())
    assert kinds.count("<c:lineChart>") == 2
    assert "<c:barChart>" in kinds  # xlsxwriter's column chart is a bar chart, barDir col
    assert '<c:barDir val="col"/>' in kinds
    assert "<c:scatterChart>" in kinds


def test_workbook_is_chinese_by_default(stats, client_for, clerk):
    response = client_for(clerk).get(REPORT)
    book = load_workbook(io.BytesIO(response.content))
    assert "趋势" in book.sheetnames
    assert response["Content-Disposition"] == 'attachment; filename="indicators-330482-2022.xlsx"'


@pytest.fixture
def posted_2022(stats, venture, register, finance, approver):
    ventures.record_income(
        venture,
        amount=100_000_000,
        received_on=date(2022, 12, 20),
        actor=finance,
        period_start=date(2022, 1, 1),
        period_end=date(2022, 12, 31),
    )
    run = ventures.prepare_run(
        venture,
        period_start=date(2022, 1, 1),
        period_end=date(2022, 12, 31),
        policy="pro_rata",
        params={},
        actor=finance,
    ).run
    ventures.post_run(
        ventures.approve_run(run, actor=approver), actor=finance, date=date(2023, 1, 15)
    )


def test_workbook_with_returns_has_a_returns_sheet(posted_2022, client_for, clerk):
    book = load_workbook(io.BytesIO(_download(client_for(clerk))))
    assert book.sheetnames[-1] == "Returns"
    returns = selectors.indicators("330482", 2022)["returns"]
    gini = next(r for r in _values(book["Returns"]) if r[0] == "Gini")
    assert gini[1] == pytest.approx(returns["without"]["gini"], abs=1e-9)
    assert gini[2] == pytest.approx(returns["with"]["gini"], abs=1e-9)
    lorenz = _values(book["Lorenz curve"])
    assert lorenz[-1][3] == 1


def test_township_workbook_ranks_every_village_and_has_no_children_sheet(stats, client_for, clerk):
    url = reverse("analytics:region_report", args=["330482107", 2022])
    book = load_workbook(io.BytesIO(_download(client_for(clerk), url)))
    assert "By child region" not in book.sheetnames
    assert [r[1] for r in _values(book["Ranking"])] == ["330482107201", "330482107208"]


def test_printable_page(stats, client_for, clerk):
    response = client_for(clerk).get(PRINT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "@media print" not in html  # print CSS lives in the stylesheet
    assert "analytics/dashboard.css" in html
    assert '"print": true' in html  # SVG charts without animation
    assert "广陈镇" in html
    assert "薄弱村" in html
    assert response.context["data"] == selectors.indicators("330482", 2022, detail=True)


def test_a_formula_in_a_village_name_is_a_text_cell_in_the_workbook(stats, client_for, clerk):
    # A name such as "=HYPERLINK(...)" must never become a live formula in the report.
    from registry.models import Village

    formula = '=HYPERLINK("http://x.example","点")'
    Village.objects.filter(code="330482107201").update(name=formula, short_name=formula)
    url = reverse("analytics:region_report", args=["330482107", 2022])
    book = load_workbook(io.BytesIO(_download(client_for(clerk), url)))

    cells = [c for row in book["Ranking"].iter_rows() for c in row if c.value == formula]
    assert cells
    assert all(c.data_type == "s" for c in cells)
