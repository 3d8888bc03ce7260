# Dashboards (login).
from django.urls import path, register_converter

from analytics import decision_views, programme_views, views
from registry.choices import YEARS


class RegionCodeConverter:
    """A region code: 2 to 12 ASCII digits (no newline or other character can reach a
    cache key or a file name)."""

    regex = "[0-9]{2,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class YearConverter:
    """A four-digit year within registry.choices.YEARS; anything else is a 404 (no overflow)."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if year not in YEARS:
            raise ValueError(value)  # the resolver answers 404
        return year

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


register_converter(RegionCodeConverter, "analytics_region")
register_converter(YearConverter, "analytics_year")

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("region/<analytics_region:code>/<analytics_year:year>/", views.region, name="region"),
    path(
        "region/<analytics_region:code>/<analytics_year:year>/print/",
        views.region_print,
        name="region_print",
    ),
    path(
        "region/<analytics_region:code>/<analytics_year:year>/report.xlsx",
        views.region_report,
        name="region_report",
    ),
    path("report/<int:pk>/", views.report_job, name="report_job"),
    path("report/<int:pk>/status/", views.report_job_status, name="report_job_status"),
    path("scenarios/", decision_views.scenario_list, name="scenarios"),
    path("scenarios/<int:pk>/", decision_views.scenario_detail, name="scenario"),
    path("scenarios/compare/", decision_views.scenario_compare, name="scenario_compare"),
    path(
        "scenarios/compare.xlsx",
        decision_views.scenario_compare_xlsx,
        name="scenario_compare_xlsx",
    ),
    path("programme/", programme_views.programme, name="programme"),
    path("programme/<slug:group>/", programme_views.programme, name="programme_group"),
    path(
        "programme/<slug:group>/report.xlsx",
        programme_views.programme_report,
        name="programme_report",
    ),
    path("optimise/", decision_views.optimise, name="optimise"),
    path("optimise/<int:pk>/", decision_views.optimiser_run, name="optimiser_run"),
    path(
        "optimise/<int:pk>/plan.xlsx", decision_views.optimiser_run_xlsx, name="optimiser_run_xlsx"
    ),
]
