"""The duty board's Excel download (issue 10, item 14): every filtered duty, not a page."""

import io

from openpyxl import load_workbook

from alliances.tests.test_views import _duties


def test_the_duty_board_downloads_every_filtered_duty_as_excel(
    client_for, clerk, passed_decision, members, django_assert_max_num_queries
):
    _duties(passed_decision, members[0], 3)
    _duties(passed_decision, members[1], 60, start=10)
    url = f"/alliances/{passed_decision.meeting.alliance_id}/duties/"
    client = client_for(clerk)
    page = client.get(url, {"owner": f"v{members[1].pk}"}).content.decode()
    assert f"format=xlsx&amp;owner=v{members[1].pk}" in page or "format=xlsx" in page

    with django_assert_max_num_queries(8):  # no query per duty
        response = client.get(url, {"owner": f"v{members[1].pk}", "format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + 60  # the heading and all 60 duties of that owner (board pages: 50)
    assert {row[0] for row in rows[1:]} == {f"责任事项{n}" for n in range(10, 70)}
    assert rows[1][3].date().isoformat() == "2022-06-30"
