"""Projects fixtures: two projects of a consortium over the small tree of the root conftest.

XJD-01  徐家埭村 leads, 2022 plan 1,000,000.00 yuan
FS-01   峰山村 leads (another county: the refused clerk's side)
"""

from datetime import date

import pytest

from alliances.models import Alliance, Consortium, ConsortiumType
from projects.choices import ProjectCategory, ProjectStatus
from projects.models import AnnualPlan, Project

D = date.fromisoformat


@pytest.fixture
def alliance(tree):
    return Alliance.objects.create(name="金平湖“抱团富”联盟", region_id="330482")


@pytest.fixture
def consortium(alliance):
    kind = ConsortiumType.objects.create(name="农房盘活")
    return Consortium.objects.create(alliance=alliance, name="农房盘活共富体", type=kind)


@pytest.fixture
def project(xujiadai, consortium):
    project = Project.objects.create(
        code="XJD-01",
        name="徐家埭村农房盘活",
        consortium=consortium,
        category=ProjectCategory.RURAL_REVITALISATION,
        status=ProjectStatus.UNDER_CONSTRUCTION,
        lead_village=xujiadai,
        total_investment=300_000_000,
        expected_annual_income=20_000_000,
    )
    AnnualPlan.objects.create(project=project, year=2022, planned_investment=100_000_000)
    return project


@pytest.fixture
def other_project(fengshan):
    project = Project.objects.create(
        code="FS-01",
        name="峰山村民宿",
        category=ProjectCategory.TOURISM,
        status=ProjectStatus.PLANNED,
        lead_village=fengshan,
        total_investment=50_000_000,
    )
    AnnualPlan.objects.create(project=project, year=2022, planned_investment=20_000_000)
    return project
