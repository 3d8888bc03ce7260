"""The village list's Excel download (issue 10, item 14): every village the filters keep,
with the year's income in 元, not just one page."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from registry.models import VillageStat

URL = reverse("registry:village_list")


def test_the_village_list_downloads_the_filtered_villages_as_excel(client_for, clerk, tree):
    VillageStat.objects.create(village_id="330482107208", year=2023, total_income=123_456_78)
    client = client_for(clerk)
    assert "format=xlsx" in client.get(URL, {"region": "330482", "year": 2023}).content.decode()

    response = client.get(
        URL,
        {"region": "330482", "year": 2023, "format": "xlsx", "page": 2},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[0][0] == "Code"
    assert [row[0] for row in rows[1:]] == ["330482106209", "330482107208"]  # 平湖 only
    assert rows[2][1] == "徐家埭村"
    assert rows[2][5] == 123_456.78
    assert rows[1][5] is None  # 山塘村 reported nothing in 2023
