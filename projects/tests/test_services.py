from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from audit.models import ObjectChange
from core.actors import SYSTEM
from core.errors import NotAllowed
from projects import services
from projects.models import ProgressImmutable, ProgressReport, Project

D = date.fromisoformat


@pytest.mark.django_db
def test_a_clerk_files_progress_for_the_project_their_village_leads(project, clerk):
    report = services.file_progress(
        project, actor=clerk, period=D("2022-06-15"), completed_in_year=60_000_000, note="主体完工"
    )
    assert report.period == D("2022-06-30")
    assert report.planned_investment == 100_000_000
    assert report.plan_percent == Decimal("60.0")
    assert report.schedule_gap == Decimal("10.0")
    assert report.author == clerk
    assert ObjectChange.objects.filter(object_pk=str(report.pk), action="create").exists()


@pytest.mark.django_db
def test_a_clerk_may_not_report_for_another_villages_project(other_project, clerk):
    before = ProgressReport.objects.count()
    with pytest.raises(services.NotAllowed):
        services.file_progress(
            other_project, actor=clerk, period=D("2022-06-30"), completed_in_year=1
        )
    assert ProgressReport.objects.count() == before


@pytest.mark.django_db
def test_auditors_never_write(project, auditor):
    with pytest.raises(services.NotAllowed):
        services.file_progress(project, actor=auditor, period=D("2022-06-30"), completed_in_year=1)
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_bad_amounts_are_refused(project, admin):
    with translation.override("en"), pytest.raises(services.ProjectError, match="since start"):
        services.file_progress(
            project, actor=admin, period=D("2022-06-30"), completed_in_year=10, completed_total=5
        )
    with pytest.raises(services.ProjectError):
        services.file_progress(project, actor=admin, period=D("2022-06-30"), completed_in_year=-1)
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_progress_reports_are_append_only(project, admin):
    report = services.file_progress(
        project, actor=admin, period=D("2022-06-30"), completed_in_year=10_000_000
    )
    report.completed_in_year = 99
    with pytest.raises(ProgressImmutable):
        report.save()
    with pytest.raises(ProgressImmutable):
        report.delete()
    with pytest.raises(ProgressImmutable):
        ProgressReport.objects.filter(pk=report.pk).update(completed_in_year=99)
    with pytest.raises(ProgressImmutable):
        ProgressReport.objects.all().delete()
    assert ProgressReport.objects.get().completed_in_year == 10_000_000


@pytest.mark.django_db
def test_a_correction_is_a_new_report_and_the_old_one_stays(project, admin):
    services.file_progress(
        project, actor=admin, period=D("2022-06-30"), completed_in_year=10_000_000
    )
    services.file_progress(
        project, actor=admin, period=D("2022-06-30"), completed_in_year=12_000_000, note="更正"
    )
    assert list(ProgressReport.objects.values_list("completed_in_year", flat=True)) == [
        10_000_000,
        12_000_000,
    ]


@pytest.mark.django_db
def test_a_project_has_exactly_one_lead(project, fengshan, enclave_company):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(code="X", name="x", category="other", total_investment=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(
            code="Y",
            name="y",
            category="other",
            total_investment=0,
            lead_village=fengshan,
            lead_organisation=enclave_company,
        )


def test_no_actor_is_refused_and_nothing_is_written(project):
    # None used to mean "the system" and had every right; now the system says SYSTEM.
    with pytest.raises(NotAllowed):
        services.file_progress(project, actor=None, period=D("2022-06-30"), completed_in_year=1)
    with pytest.raises(NotAllowed):
        services.import_cooperation(b"", actor=None)
    assert not ProgressReport.objects.exists()
    report = services.file_progress(
        project, actor=SYSTEM, period=D("2022-06-30"), completed_in_year=1
    )
    assert report.author is None
