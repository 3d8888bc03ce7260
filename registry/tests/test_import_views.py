"""The statistics import pages, their job page and status fragment, and the downloads."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from audit.models import ObjectChange
from registry.models import ImportJob, VillageStat

XU, FENG = "330482107208", "331121201201"
IMPORT_URL = reverse("registry:stats_import")


def upload(text: str, name: str = "stats.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def stat_changes():
    return ObjectChange.objects.filter(content_type=VillageStat.content_type())


OWN = "统计用区划代码,村名,年度,集体经济总收入（元）\r\n330482107208,徐家埭村,2023,1234.56\r\n"
FOREIGN = OWN + "331121201201,峰山村,2023,300000\r\n"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(IMPORT_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_an_auditor_may_not_import_and_nothing_is_written(client_for, auditor, tree):
    client = client_for(auditor)

    page = client.get(IMPORT_URL)
    posted = client.post(IMPORT_URL, {"file": upload(OWN)})

    assert (page.status_code, posted.status_code) == (403, 403)
    assert ImportJob.objects.count() == 0
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
def test_a_clerk_importing_another_village_gets_an_error_and_nothing_is_written(client_for, clerk):
    # Given the clerk of 徐家埭村 and a file with a 峰山村 row
    client = client_for(clerk)

    # When they upload it
    response = client.post(IMPORT_URL, {"file": upload(FOREIGN)}, HTTP_ACCEPT_LANGUAGE="en")

    # Then the job failed on that row, and nothing was written
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:import_job", args=[job.pk])
    assert job.status == "failed"
    assert job.errors == [
        {
            "row": 3,
            "column": "统计用区划代码",
            "value": FENG,
            "message": "No permission for this village.",
        }
    ]
    assert VillageStat.objects.count() == 0
    assert stat_changes().count() == 0


@pytest.mark.django_db
def test_the_job_page_shows_the_error_table(client_for, clerk):
    client = client_for(clerk)
    client.post(IMPORT_URL, {"file": upload(FOREIGN)})
    job = ImportJob.objects.get()

    response = client.get(reverse("registry:import_job", args=[job.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-errors"' in content
    assert f"<code>{FENG}</code>" in content
    assert '<td class="num">3</td>' in content
    assert 'hx-trigger="every 1s"' not in content  # finished: no more polling


@pytest.mark.django_db
def test_a_clerk_importing_their_own_village_writes_it_with_progress_and_summary(client_for, clerk):
    client = client_for(clerk)

    response = client.post(IMPORT_URL, {"file": upload(OWN)})

    job = ImportJob.objects.get()
    assert response.url == reverse("registry:import_job", args=[job.pk])
    assert (job.status, job.phase, job.rows_done, job.rows_total) == ("succeeded", "done", 1, 1)
    assert job.summary == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "dry_run": False,
        "error_count": 0,
        "ignored_columns": [],
    }
    assert (job.file_name, job.created_by, job.finished_at is not None) == (
        "stats.csv",
        clerk,
        True,
    )
    stat = VillageStat.objects.get()
    assert (stat.village_id, stat.year, stat.total_income) == (XU, 2023, 123456)
    change = stat_changes().get()
    assert (change.action, change.user_id, change.source) == ("create", clerk.pk, "web")


@pytest.mark.django_db
def test_validate_only_counts_but_writes_nothing(client_for, clerk):
    client = client_for(clerk)

    client.post(IMPORT_URL, {"file": upload(OWN), "dry_run": "on"})

    job = ImportJob.objects.get()
    assert (job.status, job.dry_run, job.summary["created"], job.summary["dry_run"]) == (
        "succeeded",
        True,
        1,
        True,
    )
    assert VillageStat.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_by_the_form(client_for, clerk, settings):
    settings.STATS_IMPORT_MAX_BYTES = 1024 * 1024
    client = client_for(clerk)

    response = client.post(IMPORT_URL, {"file": upload(OWN * 20_000)}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The file is larger than 1 MB."]}
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_the_status_fragment_polls_while_the_job_runs(client_for, clerk):
    job = ImportJob.objects.create(
        created_by=clerk,
        file_name="big.xlsx",
        status="running",
        phase="validating",
        rows_done=5000,
        rows_total=20000,
    )

    response = client_for(clerk).get(reverse("registry:import_job_status", args=[job.pk]))

    content = response.content.decode()
    assert 'hx-trigger="every 1s"' in content
    assert '<progress max="100" value="25"' in content


@pytest.mark.django_db
def test_a_user_sees_only_their_own_jobs_and_an_admin_sees_all(
    client_for, clerk, other_clerk, admin
):
    job = ImportJob.objects.create(created_by=clerk, file_name="mine.csv")
    url = reverse("registry:import_job", args=[job.pk])

    assert client_for(other_clerk).get(url).status_code == 404
    assert (
        client_for(other_clerk)
        .get(reverse("registry:import_job_status", args=[job.pk]))
        .status_code
        == 404
    )
    assert client_for(admin).get(url).status_code == 200
    assert client_for(clerk).get(url).status_code == 200


@pytest.mark.django_db
def test_the_error_table_is_paginated(client_for, clerk, django_assert_num_queries):
    errors = [
        {"row": n, "column": "年度", "value": "x", "message": "Not a number."}
        for n in range(2, 252)
    ]
    job = ImportJob.objects.create(
        created_by=clerk,
        file_name="bad.csv",
        status="failed",
        errors=errors,
        summary={"error_count": 1500},
    )
    client = client_for(clerk)

    with django_assert_num_queries(4):  # session, user, grants, job (with its creator)
        response = client.get(reverse("registry:import_job", args=[job.pk]), {"page": 3})

    content = response.content.decode()
    assert content.count("<code>x</code>") == 50
    assert '<td class="num">251</td>' in content
    assert '<td class="num">201</td>' not in content


@pytest.mark.django_db
def test_the_import_page_lists_recent_jobs_in_fixed_queries(
    client_for, clerk, django_assert_num_queries
):
    for n in range(12):
        ImportJob.objects.create(created_by=clerk, file_name=f"file{n}.csv")
    client = client_for(clerk)

    with django_assert_num_queries(4):  # session, user, grants, jobs
        response = client.get(IMPORT_URL)

    assert response.status_code == 200
    assert len(response.context["jobs"]) == 10


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_downloads_have_the_chinese_headers(client_for, clerk, fmt):
    response = client_for(clerk).get(reverse("registry:stats_template", args=[fmt]))

    data = b"".join(response.streaming_content)
    if fmt == "xlsx":
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert rows == [
        [
            "统计用区划代码",
            "村名",
            "年度",
            "集体经济总收入（元）",
            "经营性收入（元）",
            "经常性收入（元）",
            "户籍人口（人）",
            "户数（户）",
            "农村居民人均可支配收入（元）",
            "示例",
        ]
    ]


@pytest.mark.parametrize(
    ("unit", "total_header", "total"),
    [("yuan", "集体经济总收入（元）", 1_420_000.0), ("wan", "集体经济总收入（万元）", 142.0)],
)
def test_the_xlsx_template_names_its_sheet_and_shows_an_example_row(
    client_for, clerk, xujiadai, unit, total_header, total
):
    """Issue 10, item 14: the data sheet is named 村级统计 (headers only: what the import
    reads); a second sheet holds an example row, in 元 or in the 万元 variant, that imports
    as written once moved to the first sheet."""
    from core.actors import SYSTEM
    from registry.services.stats_io import import_stats

    response = client_for(clerk).get(
        reverse("registry:stats_template", args=["xlsx"]), {"unit": unit}
    )
    data = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["村级统计", "填写示例"]
    data_sheet = book.get_sheet_by_name("村级统计").to_python()
    example = book.get_sheet_by_name("填写示例").to_python()
    assert len(data_sheet) == 1
    assert data_sheet[0][3] == example[0][3] == total_header
    assert example[1][:4] == ["330482107208", "徐家埭村", 2022.0, total]
    if unit == "wan":
        assert (
            "（万元）" in response["Content-Disposition"]
            or "%EF%BC%88" in response["Content-Disposition"]
        )

    # The example, as a file of its own, imports exactly.
    rows = [example[0], example[1]]
    text = "\n".join(",".join(str(v).removesuffix(".0") for v in row) for row in rows)
    assert not import_stats(text.encode(), actor=SYSTEM).errors
    stat = VillageStat.objects.get(village=xujiadai, year=2022)
    assert stat.total_income == 1_420_000_00
    assert stat.per_capita_disposable_income == 46_276_00


@pytest.mark.django_db
def test_an_unknown_template_format_is_not_found(client_for, clerk):
    assert (
        client_for(clerk).get(reverse("registry:stats_template", args=["pdf"])).status_code == 404
    )


@pytest.mark.django_db
def test_export_downloads_the_filtered_statistics(client_for, auditor, tree):
    VillageStat.objects.create(village_id=XU, year=2022, total_income=123456)
    VillageStat.objects.create(village_id=XU, year=2023, total_income=1)
    VillageStat.objects.create(village_id=FENG, year=2023, total_income=2)

    response = client_for(auditor).get(
        reverse("registry:stats_export"), {"year": 2023, "region": "330482", "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert response.status_code == 200
    assert rows[1:] == [[XU, "徐家埭村", "2023", "0.01", "", "", "", "", "", "否"]]


@pytest.mark.django_db
def test_a_formula_in_a_name_reaches_the_csv_export_as_text(client_for, auditor, tree):
    # A clerk named a village "=HYPERLINK(...)": Excel must show it, not run it.
    from registry.models import Village

    Village.objects.filter(code=XU).update(short_name='=HYPERLINK("http://x.example","点")')
    VillageStat.objects.create(village_id=XU, year=2023, total_income=1)

    response = client_for(auditor).get(
        reverse("registry:stats_export"), {"year": 2023, "region": "330482", "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x.example","点")'


@pytest.mark.django_db
def test_export_needs_a_login_and_valid_filters(client, client_for, auditor):
    url = reverse("registry:stats_export")

    assert client.get(url).status_code == 302
    assert client_for(auditor).get(url, {"region": "33x"}).status_code == 400
