"""The home page says what to do today, per role (issue 10, item 13): runs to approve, post
or publish, minutes to sign off, villages that have not reported the reporting year, and
(already there) duties due or overdue. Each item links to the page where it is done; the
number of queries does not grow with the number of items. Pages are requested in English."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances import services as alliance_services
from alliances.models import Alliance, Meeting
from baotuan.views import reporting_year
from core.roles import Role
from registry.models import VillageStat
from tests.support import D, make_user
from ventures import services
from ventures.choices import VentureKind
from ventures.models import Venture


@pytest.fixture
def client_en(client_for):
    def _client(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client


@pytest.fixture
def venture(enclave_company, xujiadai, finance):
    venture = Venture.objects.create(
        name="飞地产业园",
        kind=VentureKind.ENCLAVE_PARK,
        organisation=enclave_company,
        notice_contact="办公室 0000",
    )
    services.add_stake(
        venture,
        holder=f"village:{xujiadai.code}",
        units=100,
        effective_from=D("2018-01-01"),
        actor=finance,
    )
    return venture


def _prepare(venture, finance, year):
    services.record_income(venture, amount=1_000_000, received_on=D(f"{year}-06-30"), actor=finance)
    return services.prepare_run(
        venture,
        period_start=D(f"{year}-01-01"),
        period_end=D(f"{year}-12-31"),
        policy="pro_rata",
        actor=finance,
    ).run


def _home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, testid: str) -> str:
    start = html.find(f'data-testid="{testid}"')
    if start < 0:
        return ""
    return html[start : html.index("</div>", start)]


def test_an_approver_is_asked_to_approve_and_the_preparer_is_not(
    client_en, venture, finance, approver
):
    run = _prepare(venture, finance, 2020)

    approver_runs = _section(_home(client_en(approver)), "today-runs")
    finance_runs = _section(_home(client_en(finance)), "today-runs")

    assert reverse("ventures:run_detail", args=[run.pk]) in approver_runs
    assert "Approve" in approver_runs
    assert finance_runs == ""  # the preparer never approves their own run


def test_an_approved_run_asks_to_be_posted_then_a_posted_one_to_be_published(
    client_en, venture, finance, approver
):
    run = _prepare(venture, finance, 2020)
    services.approve_run(run, actor=approver)

    assert "Post to the ledger" in _section(_home(client_en(finance)), "today-runs")

    services.post_run(run, actor=finance, date=D("2021-01-15"))
    assert "Publish the notice" in _section(_home(client_en(finance)), "today-runs")

    services.publish_run(run, actor=finance)
    assert _section(_home(client_en(finance)), "today-runs") == ""


def test_runs_of_another_company_are_not_offered(client_en, venture, finance, tree):
    from registry.choices import OrganisationKind
    from registry.models import Organisation

    _prepare(venture, finance, 2020)
    other = Organisation.objects.create(
        name="另一家公司", kind=OrganisationKind.JOINT_INVESTMENT, region_id="330482"
    )
    stranger = make_user("stranger", Role.APPROVER, organisation=other)

    assert _section(_home(client_en(stranger)), "today-runs") == ""


@pytest.fixture
def minutes(tree, admin):
    alliance = Alliance.objects.create(name="抱团富联盟", region_id="330482")
    meeting = Meeting.objects.create(
        alliance=alliance,
        kind="roundtable",
        title="第一季度圆桌会",
        starts_at=dt.datetime(2022, 3, 25, 14, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    return alliance_services.write_minutes(meeting, "会议纪要", actor=admin)


def test_minutes_are_offered_for_sign_off_to_another_admin_not_their_author(
    client_en, minutes, admin
):
    secretary = make_user("secretary", Role.CITY_ADMIN)

    offered = _section(_home(client_en(secretary)), "today-minutes")
    to_author = _section(_home(client_en(admin)), "today-minutes")

    assert reverse("alliances:meeting_detail", args=[minutes.meeting_id]) in offered
    assert "第一季度圆桌会" in offered
    assert to_author == ""

    alliance_services.sign_off_minutes(minutes, actor=secretary)
    assert _section(_home(client_en(secretary)), "today-minutes") == ""


def test_a_clerk_is_not_offered_minutes(client_en, minutes, clerk):
    assert _section(_home(client_en(clerk)), "today-minutes") == ""


def test_a_regional_admin_sees_the_villages_that_have_not_reported(client_en, tree):
    year = reporting_year(timezone.localdate())
    pinghu_admin = make_user("pinghu", Role.CITY_ADMIN, region_id="330482")
    VillageStat.objects.create(village=tree["徐家埭村"], year=year, total_income=1)

    missing = _section(_home(client_en(pinghu_admin)), "today-missing")

    assert f"1 of 2 villages have reported {year}" in missing
    assert reverse("registry:village_detail", args=[tree["山塘村"].code]) in missing
    assert reverse("registry:village_detail", args=[tree["徐家埭村"].code]) not in missing
    assert tree["峰山村"].code not in missing  # 青田: not in the admin's region


def test_a_clerk_sees_their_village_until_it_reports(client_en, clerk, xujiadai):
    year = reporting_year(timezone.localdate())

    own = _section(_home(client_en(clerk)), "today-own")
    assert reverse("registry:village_detail", args=[xujiadai.code]) in own
    assert f"Not reported for {year} yet" in own

    VillageStat.objects.create(village=xujiadai, year=year, total_income=1)
    assert _section(_home(client_en(clerk)), "today-own") == ""


def test_an_auditor_has_nothing_to_do(client_en, auditor, minutes):
    html = _home(client_en(auditor))
    assert "Nothing is waiting for you." in html
    for testid in ("today-runs", "today-minutes", "today-missing", "today-own"):
        assert _section(html, testid) == ""


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        _home(client)
    return len(context)


def test_the_home_page_query_count_does_not_grow_with_the_work(
    client_en, venture, finance, approver, admin, tree, django_assert_num_queries
):
    secretary = make_user("secretary", Role.CITY_ADMIN)
    alliance = Alliance.objects.create(name="抱团富联盟", region_id="330482")

    def meeting(n):
        m = Meeting.objects.create(
            alliance=alliance,
            kind="roundtable",
            title=f"会议{n}",
            starts_at=dt.datetime(2022, n, 1, 14, tzinfo=ZoneInfo("Asia/Shanghai")),
        )
        alliance_services.write_minutes(m, "纪要", actor=admin)

    _prepare(venture, finance, 2019)
    meeting(1)
    client = client_en(approver)
    few_approver = _queries(client)
    client = client_en(secretary)
    few_secretary = _queries(client)
    assert (few_approver, few_secretary) == (7, 14)
    for year in (2020, 2021, 2022):
        _prepare(venture, finance, year)
    for n in (2, 3, 4):
        meeting(n)

    # session, user, grants, the registry's cards (stats, regions, villages), duties
    # (count), and the open runs (one query)
    client = client_en(approver)
    with django_assert_num_queries(few_approver):
        _home(client)
    # ... for an admin over everything: duties (count, rows), minutes (count, rows), the
    # showcase city's reporting (region names, counts, the first missing villages)
    client = client_en(secretary)
    with django_assert_num_queries(few_secretary):
        _home(client)
    assert _section(_home(client_en(approver)), "today-runs").count("<li>") == 4
    assert _section(_home(client_en(secretary)), "today-minutes").count("<li>") == 4


def test_the_demo_has_a_second_account_that_can_sign_off_the_admins_minutes(tree):
    from baotuan.demo import registry as demo_registry
    from baotuan.demo.registry import DEMO_USERS

    # The demo's users need its organisations and villages to exist.
    names = {username for username, *_rest in DEMO_USERS}
    assert "secretary" in names
    specs = [u for u in DEMO_USERS if u[0] in ("admin", "secretary")]
    assert all(role == Role.CITY_ADMIN and scope is None for _u, _d, role, scope, _k in specs)

    from accounts.models import User

    demo_registry.DEMO_USERS, saved = specs, demo_registry.DEMO_USERS
    try:
        accounts = demo_registry.load_users()
    finally:
        demo_registry.DEMO_USERS = saved
    passwords = dict((name, password) for name, password, _role in accounts)
    assert passwords["secretary"]
    assert passwords["secretary"] != passwords["admin"]
    admin, secretary = User.objects.get(username="admin"), User.objects.get(username="secretary")
    assert admin.is_superuser
    assert not secretary.is_superuser

    alliance = Alliance.objects.create(name="联盟", region_id="330482")
    meeting = Meeting.objects.create(
        alliance=alliance,
        kind="roundtable",
        title="会议",
        starts_at=dt.datetime(2022, 3, 1, 14, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    minutes = alliance_services.write_minutes(meeting, "纪要", actor=admin)
    signed = alliance_services.sign_off_minutes(minutes, actor=secretary)
    assert signed.signed_off_by == secretary
