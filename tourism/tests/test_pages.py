"""The tourism pages: spot, route (its offline map), consortium dashboard, import, and the
routes on the public showcase (cached whole, no personal data, no map tiles)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.actors import SYSTEM
from registry.models import VillageStat
from tourism import services
from tourism.choices import CountMethod
from tourism.models import SpotPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(mingyue, yujiabang, route):
    for year in (2022, 2023):
        for month in range(1, 13):
            services.record_figure(
                actor=SYSTEM,
                spot=mingyue,
                month=dt.date(year, month, 1),
                visitors=1000 * month + (year - 2022) * 100,
                revenue=5_000_000,
                method=CountMethod.TICKETS,
                is_illustrative=True,
            )
            services.record_figure(
                actor=SYSTEM,
                spot=yujiabang,
                month=dt.date(year, month, 1),
                visitors=500,
                revenue=1_000_000,
                method=CountMethod.GATE,
                is_collective_income=True,
            )
    services.publish_cumulative(
        actor=SYSTEM,
        spot=mingyue,
        as_of=dt.date(2022, 6, 30),
        visitors=1_820_000,
        revenue=12_000_000_000,
        source="报道（2022）",
    )


def test_the_spot_page_shows_grade_totals_and_the_published_cumulative(
    client_for, clerk, mingyue, figures, django_assert_max_num_queries
):
    services.award_grade(actor=SYSTEM, spot=mingyue, grade="AAA", awarded_on=dt.date(2021, 1, 1))
    client = client_for(clerk)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("tourism:spot_detail", args=[mingyue.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "明月山塘" in text
    assert "AAA" in text
    assert "累计" in text
    assert "182.00" in text
    assert "12,000.00" in text  # 120 million yuan = 12,000.00 万元


def test_the_route_page_draws_its_map_offline(client_for, clerk, route):
    response = client_for(clerk).get(reverse("tourism:route_detail", args=[route.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<svg" in text
    assert "<polyline" in text
    assert "tile" not in text.lower()
    assert "https://" not in text.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert text.index("明月山塘") < text.index("俞家浜景区")


def test_the_dashboard_shows_year_on_year_top_spots_and_income_side_by_side(
    client_for, clerk, consortium, figures, xujiadai, django_assert_max_num_queries
):
    VillageStat.objects.create(village=xujiadai, year=2023, total_income=50_000_000)
    client = client_for(clerk)
    url = reverse("tourism:dashboard", args=[consortium.pk])
    with django_assert_max_num_queries(16):
        response = client.get(url + "?year=2023")
    assert response.status_code == 200
    context = response.context
    assert context["year"] == 2023
    assert context["this_year"].visitors == 78_000 + 1200 + 6000  # 明月山塘 + 俞家浜
    assert context["change"] == round(100 * 1200 / (78_000 + 6000), 1)
    assert [s.name for s in context["top"]] == ["明月山塘", "俞家浜景区"]
    row = next(r for r in context["income"] if r["code"] == xujiadai.pk)
    # The village's collective income as reported, and the tourism inside it: not added.
    assert (row["collective_income"], row["tourism_in_it"]) == (50_000_000, 12_000_000)
    text = response.content.decode()
    assert "visitors-chart-data" in text
    assert "echarts.min.js" in text
    assert "累计" in text


def test_the_dashboard_query_count_does_not_grow_with_the_spots(
    client_for, clerk, consortium, figures, shantang, django_assert_max_num_queries
):
    for n in range(15):
        spot = services.create_spot(
            actor=SYSTEM,
            village=shantang,
            name=f"景点{n}",
            kind="attraction",
            latitude="30.8",
            longitude="121.1",
        )
        services.record_figure(
            actor=SYSTEM,
            spot=spot,
            month=dt.date(2023, 5, 1),
            visitors=10,
            revenue=0,
            method=CountMethod.ESTIMATE,
        )
    client = client_for(clerk)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("tourism:dashboard", args=[consortium.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("tourism:index")).status_code == 200


def test_pages_need_a_sign_in(client, mingyue, route, consortium):
    for url in (
        reverse("tourism:index"),
        reverse("tourism:spot_detail", args=[mingyue.pk]),
        reverse("tourism:route_detail", args=[route.pk]),
        reverse("tourism:dashboard", args=[consortium.pk]),
        reverse("tourism:figures_import"),
    ):
        assert client.get(url).status_code == 302, url


def test_the_public_showcase_shows_the_routes_cached_and_without_personal_data(
    client, route, figures, shantang, django_assert_max_num_queries
):
    services.register_operator(
        actor=SYSTEM,
        village=shantang,
        name="月塘民宿",
        kind="homestay",
        premises="rented",
        rooms=3,
        beds=5,
    )
    url = reverse("showcase:routes")
    first = client.get(url)
    assert first.status_code == 200
    text = first.content.decode()
    assert "示例线路" in text
    assert "<svg" in text
    assert "明月山塘" in text
    assert "182.00" in text
    assert "累计" in text
    assert "月塘民宿" not in text  # operators are not on the public page
    assert "csrfmiddlewaretoken" not in text
    with django_assert_max_num_queries(0):
        again = client.get(url)
    assert again.content == first.content


def test_a_photo_is_sent_to_signed_in_users_only(
    client_for, st_clerk, clerk, mingyue, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "JPEG")
    response = client_for(st_clerk).post(
        reverse("tourism:spot_detail", args=[mingyue.pk]),
        {"photo": SimpleUploadedFile("p.jpg", buffer.getvalue(), "image/jpeg"), "caption": "河"},
    )
    assert response.status_code == 302
    photo = SpotPhoto.objects.get()
    url = reverse("tourism:spot_photo", args=[photo.token])
    assert client_for(clerk).get(url).status_code == 200
    assert client_for(None).get(url).status_code == 302
    # Another village's clerk may read the spot but not add a photo to it.
    refused = client_for(clerk).post(
        reverse("tourism:spot_detail", args=[mingyue.pk]),
        {"photo": SimpleUploadedFile("q.jpg", buffer.getvalue(), "image/jpeg")},
    )
    assert refused.status_code == 404
    assert SpotPhoto.objects.count() == 1


def test_the_assessment_page_is_for_the_tourism_authority(client_for, admin, st_clerk, mingyue):
    url = reverse("tourism:assessment_add", args=[mingyue.pk])
    assert client_for(st_clerk).get(url).status_code == 404
    data = {
        "assessed_on": "2023-05-01",
        "bonus": 0,
        "claimed_grade": "AAA",
        "assessor": "",
        "transport": 60,
        "sanitation": 70,
        "facilities": 100,
        "activities": 80,
        "management": 60,
        "satisfaction": 20,
    }
    refused = client_for(admin).post(url, data)
    assert refused.status_code == 400
    assert "390" in refused.content.decode()  # the total that does not reach AAA
    data["claimed_grade"] = "AA"
    assert client_for(admin).post(url, data).status_code == 302
