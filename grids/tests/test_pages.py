import pytest
from django.urls import reverse

from grids.tests.conftest import make_id

pytestmark = pytest.mark.django_db


def test_the_grid_page_shows_both_leaders_and_masks(shared, client_for, js_partner):
    response = client_for(js_partner).get(reverse("grids:grid_detail", args=[shared["grid"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "浙江网格长" in body
    assert "上海网格长" in body
    assert "徐全妹" in body
    assert "138****5678" in body
    assert "13812345678" not in body
    assert make_id() not in body


def test_the_grid_page_has_a_fixed_number_of_queries(
    shared, client_for, st_clerk, django_assert_max_num_queries
):
    from core.actors import SYSTEM
    from grids import services

    client = client_for(st_clerk)
    url = reverse("grids:grid_detail", args=[shared["grid"].pk])
    client.get(url)
    with django_assert_max_num_queries(10) as first:
        client.get(url)
    for n in range(20):
        h = services.create_household(
            actor=SYSTEM,
            village=shared["in_grid"].village,
            number=f"5{n:02d}",
            micro_grid=shared["zj"],
        )
        services.add_person(
            actor=SYSTEM, household=h, name=f"户主{n}", gender="M", birth_year=1970, relation="head"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_a_household_list_has_a_fixed_number_of_queries(
    shared, client_for, st_clerk, django_assert_max_num_queries
):
    from core.actors import SYSTEM
    from grids import services

    client = client_for(st_clerk)
    url = reverse("grids:household_list", args=[shared["in_grid"].village_id])
    client.get(url)
    with django_assert_max_num_queries(8) as first:
        client.get(url)
    for n in range(20):
        services.create_household(
            actor=SYSTEM, village=shared["in_grid"].village, number=f"6{n:02d}"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_the_clerk_reveals_on_the_household_page(shared, client_for, st_clerk):
    client = client_for(st_clerk)
    url = reverse("grids:household_detail", args=[shared["in_grid"].pk])
    page = client.get(url).content.decode()
    assert make_id() not in page
    shown = client.post(
        url, {"person": shared["head"].pk, "field": "id_number", "reason": "核对身份"}
    )
    assert make_id() in shown.content.decode()
    assert "no-cache" in shown["Cache-Control"] or "no-store" in shown["Cache-Control"]


def test_pages_are_not_public(shared, client):
    for url in (
        reverse("grids:grid_list"),
        reverse("grids:grid_detail", args=[shared["grid"].pk]),
        reverse("grids:household_detail", args=[shared["in_grid"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login" in response["Location"]


def test_another_clerk_cannot_open_the_household(shared, client_for, other_clerk):
    response = client_for(other_clerk).get(
        reverse("grids:household_detail", args=[shared["in_grid"].pk])
    )
    assert response.status_code == 404


def test_a_household_file_uploaded_on_the_page_runs_as_a_job(shared, client_for, st_clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grids.models import Household
    from grids.tests.test_import import ROWS, xlsx
    from registry.models import ImportJob

    client = client_for(st_clerk)
    village = shared["in_grid"].village_id
    upload = SimpleUploadedFile("h.xlsx", xlsx(ROWS))
    response = client.post(reverse("grids:household_import", args=[village]), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/{job.pk}/")
    assert (job.task, job.context["params"], job.status) == (
        "grids.import_households", {"village": village}, "succeeded")
    assert job.summary["created"] == 3
    assert Household.objects.filter(village_id=village, number="101").exists()


def test_an_upload_when_the_queue_is_down_keeps_nothing(shared, client_for, st_clerk, settings,
                                                        monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.errors import Unavailable
    from grids.tests.test_import import ROWS, xlsx
    from registry.models import ImportJob
    from registry.services import jobs

    def down(job):
        raise Unavailable("queue unavailable")

    monkeypatch.setattr(jobs, "_send", down)
    response = client_for(st_clerk).post(
        reverse("grids:household_import", args=[shared["in_grid"].village_id]),
        {"file": SimpleUploadedFile("h.xlsx", xlsx(ROWS))},
    )
    assert response.status_code == 503
    assert not ImportJob.objects.exists()
