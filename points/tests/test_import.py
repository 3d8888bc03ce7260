"""The bulk sheet after a village meeting (all or nothing, row/column errors, idempotent) and
the two commands."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from core.actors import SYSTEM
from lib import tabular
from points import services, sheets
from points.models import Entry, Tally


def sheet(rows) -> bytes:
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, sheets.COLUMNS, rows)
    return buffer.getvalue()


GOOD = [
    ["001", "B01", "2025-03-03", "村民大会", ""],
    ["002", "A01", "2025-03-03", "", ""],
    ["002", "A01", "2025-03-04", "", ""],
]


def test_a_good_sheet_is_written_once(scheme, today):
    data = sheet(GOOD)
    result = services.import_entries(data, actor=SYSTEM, scheme=scheme, filename="m.xlsx")
    assert result.ok
    assert result.created == 3
    assert Entry.objects.filter(scheme=scheme, state="proposed").count() == 3
    assert Tally.objects.get(household__number="002").proposed == 4
    again = services.import_entries(data, actor=SYSTEM, scheme=scheme, filename="m.xlsx")
    assert again.ok
    assert again.created == 0
    assert again.unchanged == 3
    assert Entry.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["999", "B01", "2025-03-03", "", ""], "户号", "999"),  # an unknown household
        (["001", "Z99", "2025-03-03", "", ""], "项目编号", "Z99"),  # not in the version
        (["001", "B01", "2024-03-03", "", ""], "项目编号", "B01"),  # before any version
        (["001", "D01", "2025-03-03", "", ""], "佐证", "D01"),  # evidence needed
        (["002", "A01", "2025-03-05", "", ""], "项目编号", "4"),  # the month's cap
        (["001", "B01", "2025-3-", "", ""], "日期", "YYYY"),
    ],
)
def test_a_bad_row_writes_nothing(scheme, today, row, column, message):
    result = services.import_entries(
        sheet([*GOOD, row]), actor=SYSTEM, scheme=scheme, filename="m.xlsx"
    )
    assert not result.ok
    assert Entry.objects.count() == 0
    assert Tally.objects.count() == 0
    (error,) = result.errors
    assert error.row == 5
    assert error.column == column
    assert message in error.message


def test_the_commands(scheme, tmp_path, today, capsys, scorer):
    path = tmp_path / "meeting.xlsx"
    path.write_bytes(sheet(GOOD))
    call_command("points_import", str(path), scheme=scheme.pk)
    for entry in Entry.objects.all():
        services.verify_entry(actor=scorer, entry=entry)
    services.publish_notice(actor=scorer, scheme=scheme, published_on=dt.date(2025, 3, 10))
    capsys.readouterr()
    call_command("points_balances", village=scheme.village_id, as_of="2025-03-12")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "household,effective,verified_not_effective,redeemed,balance"
    assert "001,0,5,0,10" in out
    call_command("points_balances", village=scheme.village_id, as_of="2025-03-20", format="json")
    rows = json.loads(capsys.readouterr().out)
    assert {r["household"]: r["balance"] for r in rows} == {"001": 15, "002": 14}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet([["404", "B01", "2025-03-03", "", ""]]))
    with pytest.raises(CommandError, match="1"):
        call_command("points_import", str(bad), scheme=scheme.pk)


def test_the_web_import_is_a_job_on_the_queue(scheme, client_for, member, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry.models import ImportJob

    page = client_for(member)
    bad = page.post(
        f"/points/{scheme.pk}/import/",
        {"file": SimpleUploadedFile("m.xlsx", sheet([["404", "B01", "2025-03-03", "", ""]]))},
    )
    assert bad.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "404" in str(job.errors)
    assert Entry.objects.count() == 0
    good = page.post(
        f"/points/{scheme.pk}/import/", {"file": SimpleUploadedFile("m.xlsx", sheet(GOOD))}
    )
    assert good.status_code == 302
    assert ImportJob.objects.order_by("-pk").first().status == "succeeded"
    assert Entry.objects.count() == 3
