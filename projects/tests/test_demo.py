"""The demo projects (baotuan.demo.projects) on a reduced registry; a second load changes
nothing."""

import pytest

from baotuan.demo import alliances, facts, registry
from baotuan.demo import projects as demo
from core.actors import SYSTEM
from projects.models import (
    CooperationList,
    CooperationProject,
    Milestone,
    ProgressReport,
    Project,
    ProjectPartner,
)
from registry.services.divisions import load_divisions

MODELS = (Project, ProjectPartner, Milestone, ProgressReport, CooperationList, CooperationProject)


@pytest.fixture
def loaded(db):
    load_divisions(areas=[facts.PINGHU, facts.QINGTIAN, facts.JINSHAN], actor=SYSTEM)
    registry.load_organisations()
    registry.load_users()  # the alliance demo's meetings need them
    alliances.load()
    demo.load()


def _snapshot():
    return {m.__name__: sorted(m.objects.values_list("pk", flat=True)) for m in MODELS}


def test_the_demo_tells_the_articles_projects(loaded):
    xujiadai = Project.objects.filter(lead_village_id=facts.VILLAGES["徐家埭村"])
    assert xujiadai.count() == 12
    wharf = Project.objects.get(name="保通码头")
    assert wharf.expected_annual_income == 50 * 1_000_000
    assert Project.objects.get(name="粮食全产业链").expected_annual_income == 200 * 1_000_000
    assert Project.objects.get(name="俞家浜景区").consortium.name == "景区村庄共富体"
    assert Project.objects.get(code="JD-01").lead_village_id == facts.VILLAGES["旧埭村"]
    assert Project.objects.get(code="ZH-01").ends_on.isoformat() == "2021-12-31"
    # 72 cooperation projects in six yearly lists; the article's four named, not 示例
    assert CooperationProject.objects.count() == 72
    assert CooperationList.objects.count() == 6
    named = CooperationProject.objects.filter(is_illustrative=False)
    assert set(named.values_list("name", flat=True)) == {r[1] for r in demo.COOPERATION_FACTS}
    # generated progress is marked
    assert not ProgressReport.objects.filter(is_illustrative=False).exists()


def test_a_second_load_changes_nothing(loaded):
    before = _snapshot()
    demo.load()
    assert _snapshot() == before
