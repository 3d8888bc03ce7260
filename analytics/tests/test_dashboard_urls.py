"""Dashboard URLs: no 500 for odd years or region codes (a 302 to the right page, or 404)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("empty_cache")

# Dashboard URLs: no 500 for odd years or region codes.


def test_the_picker_ignores_a_year_that_is_not_ascii_digits(client_for, stats, admin):
    c = client_for(admin)
    for year in ("²", "٢٠٢٢", "99999999999999999999", "1800"):
        response = c.get(reverse("analytics:index"), {"region": "330482", "year": year})
        assert response.status_code == 302
        assert response["Location"] == reverse("analytics:region", args=["330482", 2022])
    response = c.get(reverse("analytics:index"), {"region": "３３０４８２", "year": "2022"})
    assert response.status_code == 200  # full-width digits: back to the picker


def test_years_out_of_range_are_404(client_for, stats, admin):
    c = client_for(admin)
    for year in ("99999999999999999999", "40000", "1948", "2101", "02022"):
        for suffix in ("", "print/", "report.xlsx"):
            assert c.get(f"/analytics/region/330482/{year}/{suffix}").status_code == 404


def test_a_region_code_with_a_newline_is_404(client_for, stats, admin):
    c = client_for(admin)
    for suffix in ("", "print/", "report.xlsx"):
        assert c.get(f"/analytics/region/330482%0A/2022/{suffix}").status_code == 404
    assert c.get("/analytics/region/33048x/2022/").status_code == 404

    report = c.get(reverse("analytics:region_report", args=["330482", 2022]))
    assert report["Content-Disposition"] == 'attachment; filename="indicators-330482-2022.xlsx"'
