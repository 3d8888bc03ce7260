"""The change log's Excel download (issue 10, item 14): auditors only, the filters apply,
objects and sources by name."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.context import change_context
from registry.models import VillageStat

URL = reverse("audit:change_list")


@pytest.fixture
def edits(tree, clerk):
    with change_context(user=clerk, source="web"):
        VillageStat.objects.create(village_id="330482107208", year=2023, total_income=100_00)
        VillageStat.objects.create(village_id="330482106209", year=2023, total_income=200_00)


def test_an_auditor_downloads_the_filtered_change_log(client_for, auditor, edits):
    client = client_for(auditor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "format=xlsx" in client.get(URL, {"user": "clerk"}).content.decode()

    response = client.get(URL, {"user": "clerk", "format": "xlsx"})

    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][:3] == ("Time", "User", "Source")
    assert len(rows) == 3
    assert {row[2] for row in rows[1:]} == {"web page"}
    assert {row[4] for row in rows[1:]} == {"Village statistics"}


def test_the_download_is_refused_to_a_clerk(client_for, clerk, edits):
    assert client_for(clerk).get(URL, {"format": "xlsx"}).status_code == 403
