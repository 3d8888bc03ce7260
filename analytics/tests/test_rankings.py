"""Ranking schemes and frozen snapshots: computing, refusing, correcting, ties, movement."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import translation

from alliances.models import Membership
from analytics import rankings, services
from analytics.models import RankingEntry, RankingKPI, RankingScheme, RankingSnapshot
from audit.context import change_context
from audit.models import ObjectChange
from core import errors
from core.actors import SYSTEM
from core.models import ImmutableError
from core.roles import Role
from tests.support import make_user

FIRST, SECOND, THIRD, FOURTH = "330482106201", "330482107201", "330482106209", "330482107208"


@pytest.fixture(autouse=True)
def english():
    """The error messages asserted here are the English msgids."""
    with translation.override("en"):
        yield


def ranks(snapshot):
    return list(snapshot.entries.order_by("rank", "village_id").values_list("village_id", "rank"))


def test_a_year_is_ranked_and_frozen(scheme):
    snapshot = services.compute_snapshot(scheme, 2022, actor=SYSTEM)

    assert (snapshot.period, snapshot.version, snapshot.supersedes) == (2022, 1, None)
    assert ranks(snapshot) == [(FIRST, 1), (SECOND, 2), (THIRD, 3), (FOURTH, 4)]
    entries = {e.village_id: e for e in snapshot.entries.all()}
    assert entries[FIRST].score == Decimal("76.92")
    assert entries[SECOND].score == Decimal("56.25")
    assert entries[THIRD].score == Decimal("25.48")
    assert entries[FOURTH].score == Decimal("0.00")
    assert entries[FIRST].values == {
        "collective_income": 400_000_000,
        "income_growth": pytest.approx(1 / 3, abs=1e-6),
    }
    assert entries[THIRD].scores == {"collective_income": 37.5, "income_growth": 13.46}
    assert [k["share"] for k in snapshot.kpis] == [0.5, 0.5]


def test_a_kpi_nobody_has_is_left_out_of_the_year(scheme):
    snapshot = services.compute_snapshot(
        scheme, 2021, actor=SYSTEM
    )  # no 2020 statistics: no growth

    assert [(k["key"], k["omitted"], k["share"]) for k in snapshot.kpis] == [
        ("collective_income", False, 1.0),
        ("income_growth", True, None),
    ]
    assert ranks(snapshot) == [(FIRST, 1), (THIRD, 2), (FOURTH, 3), (SECOND, 4)]


def test_recomputing_a_frozen_year_is_refused_and_changes_nothing(scheme):
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    before = (RankingSnapshot.objects.count(), RankingEntry.objects.count())

    with pytest.raises(services.RankingError, match="frozen"):
        services.compute_snapshot(scheme, 2022, actor=SYSTEM)

    assert (RankingSnapshot.objects.count(), RankingEntry.objects.count()) == before


def test_a_correction_is_a_new_version_superseding_the_old(scheme):
    first = services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    RankingKPI.objects.filter(scheme=scheme, key="income_growth").delete()

    second = services.compute_snapshot(
        scheme, 2022, actor=SYSTEM, correction="增长指标有误，按收入重算"
    )

    assert (second.version, second.supersedes, second.reason) == (
        2,
        first,
        "增长指标有误，按收入重算",
    )
    assert ranks(first)[1] == (SECOND, 2)  # the old version is kept as it was
    assert ranks(second) == [(FIRST, 1), (THIRD, 2), (SECOND, 3), (FOURTH, 4)]
    assert rankings.current_snapshots(scheme) == {2022: second}


@pytest.mark.parametrize(
    ("year", "reason", "message"),
    [(2022, "  ", "needs a reason"), (2021, "typo", "no ranking of 2021 to correct")],
)
def test_bad_corrections_are_refused(scheme, year, reason, message):
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    with pytest.raises(services.RankingError, match=message):
        services.compute_snapshot(scheme, year, actor=SYSTEM, correction=reason)
    assert RankingSnapshot.objects.count() == 1


def test_snapshots_and_entries_are_never_edited_or_deleted(scheme):
    snapshot = services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    entry = snapshot.entries.first()

    for attempt in (
        lambda: snapshot.save(),
        lambda: snapshot.delete(),
        lambda: entry.save(),
        lambda: entry.delete(),
        lambda: RankingEntry.objects.filter(pk=entry.pk).update(rank=9),
        lambda: RankingSnapshot.objects.all().delete(),
    ):
        with pytest.raises(ImmutableError):
            attempt()
    # The database refuses too (a path around the ORM).
    with (
        pytest.raises(Exception, match="frozen"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE analytics_rankingentry SET rank = 9")
    assert entry.rank == RankingEntry.objects.get(pk=entry.pk).rank


def test_ties_share_a_rank(alliance_of_four):
    scheme = RankingScheme.objects.create(name="经营占比", alliance=alliance_of_four)
    RankingKPI.objects.create(scheme=scheme, key="operating_share", weight=1)

    snapshot = services.compute_snapshot(
        scheme, 2022, actor=SYSTEM
    )  # every village: operating = half

    assert set(snapshot.entries.values_list("rank", "tied", "score")) == {
        (1, True, Decimal("100.00"))
    }


def test_movement_against_the_previous_year(scheme):
    services.compute_snapshot(scheme, 2021, actor=SYSTEM)
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)

    table = rankings.ranking_table(scheme, 2022)

    assert [(r["code"], r["rank"], r["previous_rank"], r["movement"]) for r in table["rows"]] == [
        (FIRST, 1, 1, 0),
        (SECOND, 2, 4, 2),
        (THIRD, 3, 2, -1),
        (FOURTH, 4, 3, -1),
    ]
    assert table["previous"].period == 2021
    first_year = rankings.ranking_table(scheme, 2021)
    assert {r["movement"] for r in first_year["rows"]} == {None}
    assert rankings.ranking_table(scheme, 2019) is None


def test_rank_history(scheme):
    services.compute_snapshot(scheme, 2021, actor=SYSTEM)
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)

    history = rankings.rank_history(scheme)

    assert history["years"] == [2021, 2022]
    assert [(s["code"], s["ranks"]) for s in history["series"]] == [
        (FIRST, [1, 1]),
        (SECOND, [4, 2]),
        (THIRD, [2, 3]),
        (FOURTH, [3, 4]),
    ]


def test_members_at_the_end_of_the_year(scheme):
    Membership.objects.filter(village_id=FOURTH).update(joined_on="2022-06-01")
    snapshot = services.compute_snapshot(scheme, 2021, actor=SYSTEM)
    assert FOURTH not in dict(ranks(snapshot))
    assert len(ranks(snapshot)) == 3


def test_a_region_scheme_ranks_villages_with_statistics(stats):
    scheme = RankingScheme.objects.create(name="林埭镇", region_id="330482107")
    RankingKPI.objects.create(scheme=scheme, key="collective_income", weight=1)
    assert ranks(services.compute_snapshot(scheme, 2022, actor=SYSTEM)) == [
        (SECOND, 1),
        (FOURTH, 2),
    ]


@pytest.mark.parametrize(
    ("setup", "year", "message"),
    [
        (lambda s: s.kpis.all().delete(), 2022, "no KPIs"),
        (lambda s: RankingKPI.objects.create(scheme=s, key="nope", weight=1), 2022, "nope"),
        (lambda s: None, 2017, "Nobody to rank"),
        (lambda s: None, 2020, "any value"),
    ],
)
def test_schemes_that_cannot_be_computed(scheme, setup, year, message):
    setup(scheme)
    with pytest.raises(services.RankingError, match=message):
        services.compute_snapshot(scheme, year, actor=SYSTEM)
    assert RankingSnapshot.objects.count() == 0


def test_a_scheme_names_an_alliance_or_a_region(alliance_of_four):
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingScheme.objects.create(name="两者皆有", alliance=alliance_of_four, region_id="330482")


def test_only_city_admins_compute_and_the_change_log_has_every_entry(scheme, clerk, auditor):
    for user in (clerk, auditor):
        with pytest.raises(services.NotAllowed):
            services.compute_snapshot(scheme, 2022, actor=user)
    assert RankingSnapshot.objects.count() == 0

    admin = make_user("cityadmin", Role.CITY_ADMIN)
    with change_context(source="web", user=admin):
        snapshot = services.compute_snapshot(scheme, 2022, actor=admin)
    assert snapshot.computed_by == admin
    logged = ObjectChange.objects.filter(content_type=RankingEntry.content_type())
    assert logged.count() == 4
    assert {c.changeset.user_name for c in logged} == {"cityadmin"}
    assert ObjectChange.objects.filter(content_type=RankingSnapshot.content_type()).count() == 1


def test_a_frozen_year_is_refused_in_chinese_too(scheme):
    services.compute_snapshot(scheme, 2022, actor=SYSTEM)
    with translation.override("zh-hans"), pytest.raises(services.RankingError, match="已固化"):
        services.compute_snapshot(scheme, 2022, actor=SYSTEM)


def test_the_rank_command(scheme):
    out = StringIO()
    call_command("rank", "--scheme", scheme.pk, "--year", "2021", "--year", "2022", stdout=out)
    assert "比拼晾晒 2022 v1: 4 villages; 1. 广陈村 76.92" in out.getvalue()
    with pytest.raises(CommandError, match="frozen"):
        call_command("rank", "--scheme", scheme.pk, "--year", "2022", stdout=StringIO())
    call_command("rank", "--scheme", scheme.pk, "--year", "2022", "--correct", "复核", stdout=out)
    assert rankings.current_snapshots(scheme)[2022].version == 2
    with pytest.raises(CommandError, match="No ranking scheme"):
        call_command("rank", "--scheme", 999, "--year", "2022", stdout=StringIO())


def test_project_progress_and_duties_on_time_come_from_their_apps(scheme, monkeypatch):
    import alliances.selectors
    import projects.selectors

    # The selectors are the projects' and alliances' own (tested there); here, how their
    # answers become KPI values: progress as given, duties as done on time / due.
    monkeypatch.setattr(
        projects.selectors, "village_progress", lambda year: {FIRST: 80.0, THIRD: 40.0}
    )
    monkeypatch.setattr(
        alliances.selectors,
        "duties_on_time",
        lambda alliance, year: {FIRST: (1, 2), SECOND: (3, 3), THIRD: (0, 0)},
    )
    scheme.kpis.all().delete()
    RankingKPI.objects.create(scheme=scheme, key="project_progress", weight=1, order=1)
    RankingKPI.objects.create(scheme=scheme, key="duties_on_time", weight=1, order=2)

    snapshot = services.compute_snapshot(scheme, 2022, actor=SYSTEM)

    values = {e.village_id: e.values for e in snapshot.entries.all()}
    assert values[FIRST] == {"project_progress": 80.0, "duties_on_time": 0.5}
    assert values[SECOND] == {"project_progress": None, "duties_on_time": 1.0}
    assert values[THIRD] == {"project_progress": 40.0, "duties_on_time": None}
    # FIRST: 100/2 + 0/2 = 50; SECOND: 0 + 100/2 = 50 (tied); THIRD: 0; FOURTH: 0.
    assert ranks(snapshot) == [(FIRST, 1), (SECOND, 1), (THIRD, 3), (FOURTH, 3)]


def test_the_refusals_are_domain_errors(scheme, clerk):
    # One hierarchy (core.errors): the class decides the HTTP answer, nothing local maps it.
    assert issubclass(services.RankingError, errors.Invalid)
    assert services.NotAllowed is errors.NotAllowed
    with pytest.raises(errors.NotAllowed):
        services.compute_snapshot(scheme, 2022, actor=clerk)
    with pytest.raises(errors.NotAllowed):
        services.compute_snapshot(scheme, 2022, actor=None)
    assert RankingSnapshot.objects.count() == 0


# A user who computed a snapshot cannot be deleted (the snapshot is frozen).


def test_deleting_a_user_who_computed_a_snapshot_is_refused(ranked, admin):
    snapshot = services.compute_snapshot(ranked, 2022, actor=admin, correction="修正")
    before = RankingSnapshot.objects.filter(pk=snapshot.pk).values().get()

    with pytest.raises(ProtectedError):
        admin.delete()

    admin.refresh_from_db()
    assert RankingSnapshot.objects.filter(pk=snapshot.pk).values().get() == before
    assert before["computed_by_id"] == admin.pk
