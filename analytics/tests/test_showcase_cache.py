"""The showcase's page cache: non-canonical paths are redirected before the cache is
touched, a query string makes no new entry, and the pages vary on the language cookie."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from analytics.tests.rankings_setup import get

pytestmark = pytest.mark.usefixtures("empty_cache")


# Non-canonical showcase paths are redirected before the cache is touched.


def test_leading_zeros_redirect_without_touching_the_cache(
    client, ranked, django_assert_num_queries
):
    canonical = reverse("showcase:ranking", args=[ranked.pk, 2022])
    assert get(client, canonical).status_code == 200

    for zeros in range(1, 6):
        with django_assert_num_queries(0):
            response = get(client, f"/showcase/ranking/{'0' * zeros}{ranked.pk}/2022/")
        assert response.status_code == 301
        assert response["Location"] == canonical
    with django_assert_num_queries(0):
        assert get(client, f"/showcase/ranking/{ranked.pk}/02022/").status_code == 301
    huge = get(client, f"/showcase/ranking/{ranked.pk}/99999999999999999999999/")
    assert huge.status_code == 404


def test_a_query_string_is_no_new_cache_entry(client, ranked, django_assert_num_queries):
    url = reverse("showcase:index")
    first = get(client, url)
    entries = len(cache._cache)  # LocMemCache (tests): the number of keys stored

    for i in range(5):
        with django_assert_num_queries(0):
            response = get(client, url, QUERY_STRING=f"x={i}")
        assert response.content == first.content
    assert len(cache._cache) == entries


# 3. The language cookie chooses the page: a shared cache must vary on it.


def test_showcase_pages_vary_on_the_cookie_and_set_none(client, ranked):
    for url in (
        reverse("showcase:index"),
        reverse("showcase:ranking", args=[ranked.pk, 2022]),
        reverse("showcase:method", args=[ranked.pk]),
    ):
        for _ in range(2):  # the rendering and the cache hit
            response = get(client, url)
            vary = {v.strip() for v in response["Vary"].split(",")}
            assert {"Cookie", "Accept-Language"} <= vary
            assert not response.cookies
