"""The ventures pages. Write views are tried four ways (anonymous, wrong scope, auditor,
right scope); a refused write changes nothing. Query counts are pinned for the venture,
run and notice pages. Pages are requested in English."""

import datetime as dt
import json
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from core.roles import Role
from registry.choices import OrganisationKind
from registry.models import Organisation
from tests.support import D, make_user
from ventures import services
from ventures.choices import RunStatus
from ventures.models import DistributionRun, Stake
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI, snapshot


@pytest.fixture
def client_en(client_for):
    def _client(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client


@pytest.fixture
def outsiders(tree):
    """Finance and approver staff of another company (wrong scope)."""
    other = Organisation.objects.create(
        name="平湖市强村公司", kind=OrganisationKind.VILLAGE_COMPANY, region_id="330482"
    )
    return {
        "finance": make_user("other_finance", Role.FINANCE, organisation=other),
        "approver": make_user("other_approver", Role.APPROVER, organisation=other),
    }


# --- Login and public pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "venture_list",
        "venture_detail",
        "run_prepare",
        "income_add",
        "contribution_add",
        "run_detail",
        "statement",
    ],
)
def test_signed_in_pages_send_anonymous_visitors_to_login(client_en, prepared, name):
    args = {
        "venture_list": [],
        "run_detail": [prepared.pk],
        "statement": [prepared.venture_id, f"village:{FENGSHAN}"],
    }.get(name, [prepared.venture_id])
    url = reverse(f"ventures:{name}", args=args)

    response = client_en(None).get(url)

    assert response.status_code == 302
    assert unquote(response["Location"]) == f"{reverse('accounts:login')}?next={url}"


@pytest.fixture
def published(posted, finance):
    return services.publish_run(posted, actor=finance)


def test_the_notice_list_is_public(client_en, published, django_assert_num_queries):
    client = client_en(None)

    with django_assert_num_queries(3):  # data version, count, page
        response = client.get(reverse("ventures:notice_list"))
    with django_assert_num_queries(0):  # then the cached page: no SQL
        again = client.get(reverse("ventures:notice_list"))

    assert response.status_code == 200
    assert published.title in response.content.decode()
    assert again.content == response.content


def test_the_notice_page_is_public_and_shows_payees_amounts_and_hash(
    client_en, published, finance, approver, django_assert_num_queries
):
    client = client_en(None)

    with django_assert_num_queries(1):
        response = client.get(reverse("ventures:notice_detail", args=[published.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert published.content_hash in page
    assert "matches its hash" in page
    for name, amount in (
        ("峰山村", "600,000.00"),
        ("徐家埭村", "300,000.00"),
        ("山塘村", "100,000.00"),
    ):
        assert re.search(rf"{name}</th>.*?{amount}", page, re.S)
    # No personal data: the people who prepared and approved are not named.
    assert finance.username not in page
    assert approver.username not in page


def test_an_unknown_notice_is_404(client_en, db):
    assert client_en(None).get(reverse("ventures:notice_detail", args=[999])).status_code == 404


# --- Venture page -----------------------------------------------------------------------------


def test_the_venture_page_shows_returns_and_a_chart_per_holder(
    client_en, posted, auditor, django_assert_num_queries
):
    client = client_en(auditor)
    url = reverse("ventures:venture_detail", args=[posted.venture_id])

    # session, user, grants, venture, register aggregate, top stakes, income by year,
    # runs by year, top holders, their years, runs, assets, tenants; and the ledger's figure:
    # latest run end, payable accounts, balances (2), years with runs; the statement picker's
    # holders
    with django_assert_num_queries(19):
        response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="total-distributed">1,000,000.00<' in page
    chart = json.loads(re.search(r'id="returns-chart-data"[^>]*>(.*?)</script>', page, re.S)[1])
    assert chart["years"] == [2023]
    assert chart["distributed"] == [100_000_000]
    assert [(h["name"], h["yearly"]) for h in chart["holders"]] == [
        ("峰山村", [60_000_000]),
        ("徐家埭村", [30_000_000]),
        ("山塘村", [10_000_000]),
    ]
    # An auditor reads; the write buttons are not shown.
    assert reverse("ventures:run_prepare", args=[posted.venture_id]) not in page


def test_the_venture_page_query_count_does_not_grow_with_holders(
    client_en, posted, auditor, django_assert_num_queries, tree
):
    from registry.models import Village

    Village.objects.bulk_create(
        Village(
            code=f"330482107{n}",
            name=f"村{n}",
            short_name=f"村{n}",
            kind="village",
            township_id="330482107",
            county_id="330482",
        )
        for n in range(300, 340)
    )
    Stake.objects.bulk_create(
        Stake(
            venture_id=posted.venture_id,
            village_id=f"330482107{n}",
            units=n,
            effective_from=D("2018-01-01"),
        )
        for n in range(300, 340)
    )

    client = client_en(auditor)

    with django_assert_num_queries(19):
        response = client.get(reverse("ventures:venture_detail", args=[posted.venture_id]))

    assert 'data-testid="holder-count">43<' in response.content.decode()


def test_the_venture_list_shows_what_each_venture_distributed(client_en, posted, auditor):
    response = client_en(auditor).get(reverse("ventures:venture_list"))

    assert response.status_code == 200
    assert "100.00" in response.content.decode()  # 1,000,000 yuan = 100.00 万元


# --- Run page ---------------------------------------------------------------------------------


def test_the_run_page_shows_the_preview_and_the_buttons_the_user_may_use(
    client_en, prepared, approver, finance, django_assert_num_queries
):
    url = reverse("ventures:run_detail", args=[prepared.pk])
    client = client_en(approver)

    # session, user, grants, run (+ users), line count, lines page, notices
    with django_assert_num_queries(7):
        response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="run-total">1,000,000.00<' in page
    assert re.search(r"峰山村</a></th>.*?600,000.00", page, re.S)
    assert 'data-testid="approve"' in page
    # The preparer sees no approve button: someone else must approve.
    page = client_en(finance).get(url).content.decode()
    assert 'data-testid="approve"' not in page
    assert 'data-testid="discard"' in page


def test_the_run_page_pages_its_lines(
    client_en, venture, finance, auditor, tree, django_assert_num_queries
):
    from registry.models import Village

    Village.objects.bulk_create(
        Village(
            code=f"330482107{n}",
            name=f"村{n}",
            short_name=f"村{n}",
            kind="village",
            township_id="330482107",
            county_id="330482",
        )
        for n in range(300, 550)
    )
    Stake.objects.bulk_create(
        Stake(venture=venture, village_id=f"330482107{n}", units=1, effective_from=D("2018-01-01"))
        for n in range(300, 550)
    )
    services.record_income(venture, amount=25_000, received_on=D("2023-12-20"), actor=finance)
    run = services.prepare_run(
        venture,
        period_start=D("2023-01-01"),
        period_end=D("2023-12-31"),
        policy="equal",
        params={"total": 25_000},
        actor=finance,
    ).run

    client = client_en(auditor)

    with django_assert_num_queries(7):
        response = client.get(reverse("ventures:run_detail", args=[run.pk]) + "?page=3")

    page = response.content.decode()
    assert "Page 3 of 3" in page
    assert page.count('<td class="num">1.00</td>') == 50  # 250.00 yuan over 250 holders


# --- Run workflow: four ways ------------------------------------------------------------------

ACTIONS = {
    # action: (fixture holding the run in the right state, right-scope persona, data, status after)
    "approve": ("prepared", "approver", {}, RunStatus.APPROVED),
    "post": ("approved", "finance", {"date": "2024-01-15"}, RunStatus.POSTED),
    "publish": ("posted", "finance", {}, RunStatus.PUBLISHED),
    "reverse": (
        "posted",
        "approver",
        {"reason": "wrong register", "date": "2024-02-01"},
        RunStatus.REVERSED,
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_workflow_steps_send_anonymous_visitors_to_login_and_change_nothing(
    client_en, request, action
):
    run = request.getfixturevalue(ACTIONS[action][0])
    before = snapshot()

    response = client_en(None).post(
        reverse(f"ventures:run_{action}", args=[run.pk]), ACTIONS[action][2]
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["auditor", "other_finance", "other_approver"])
@pytest.mark.parametrize("action", ACTIONS)
def test_workflow_steps_are_refused_out_of_scope_and_change_nothing(
    client_en, request, outsiders, action, persona
):
    run = request.getfixturevalue(ACTIONS[action][0])
    user = request.getfixturevalue(persona) if persona == "auditor" else outsiders[persona[6:]]
    before = snapshot()

    response = client_en(user).post(
        reverse(f"ventures:run_{action}", args=[run.pk]), ACTIONS[action][2]
    )

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_workflow_steps_in_scope_take_effect(client_en, request, action):
    fixture, persona, data, status = ACTIONS[action]
    run = request.getfixturevalue(fixture)

    response = client_en(request.getfixturevalue(persona)).post(
        reverse(f"ventures:run_{action}", args=[run.pk]), data
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("ventures:run_detail", args=[run.pk])
    assert DistributionRun.objects.get(pk=run.pk).status == status


def test_the_preparer_cannot_approve_through_the_page_either(
    client_en, prepared, finance, enclave_company
):
    from accounts.models import Grant

    Grant.objects.create(user=finance, role=Role.APPROVER, organisation=enclave_company)
    before = snapshot()

    response = client_en(finance).post(reverse("ventures:run_approve", args=[prepared.pk]))

    assert response.status_code == 403
    assert snapshot() == before


def test_a_refused_step_is_explained_on_the_run_page(client_en, posted, finance):
    before = snapshot()

    response = client_en(finance).post(
        reverse("ventures:run_post", args=[posted.pk]), {"date": "2024-01-16"}, follow=True
    )

    assert "is posted already" in response.content.decode()
    assert snapshot() == before


def test_a_reversal_without_a_reason_is_refused(client_en, posted, approver):
    before = snapshot()

    response = client_en(approver).post(
        reverse("ventures:run_reverse", args=[posted.pk]), {}, follow=True
    )

    assert "This field is required." in response.content.decode()
    assert snapshot() == before


def test_discarding_a_prepared_run_returns_to_the_venture(client_en, prepared, finance):
    response = client_en(finance).post(reverse("ventures:run_discard", args=[prepared.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("ventures:venture_detail", args=[prepared.venture_id])
    assert not DistributionRun.objects.exists()


def test_workflow_steps_refuse_get(client_en, prepared, approver):
    response = client_en(approver).get(reverse("ventures:run_approve", args=[prepared.pk]))

    assert response.status_code == 405


# --- Preparing and recording: four ways -------------------------------------------------------

FORMS = {
    "run_prepare": {
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "policy": "pro_rata",
        "source": "income",
    },
    "income_add": {"kind": "rent", "amount": "1000000.00", "received_on": "2023-12-20"},
    "contribution_add": {
        "holder": FENGSHAN,
        "kind": "cash",
        "amount": "1500000.00",
        "contributed_on": "2018-01-10",
    },
}


@pytest.mark.parametrize("name", FORMS)
@pytest.mark.parametrize("persona", [None, "auditor", "other_finance", "approver"])
def test_money_forms_are_refused_without_the_finance_role_in_scope(
    client_en, income_2023, request, outsiders, name, persona
):
    if persona == "other_finance":
        user = outsiders["finance"]
    else:
        user = request.getfixturevalue(persona) if persona else None
    url = reverse(f"ventures:{name}", args=[income_2023.venture_id])
    before = snapshot()

    response = client_en(user).post(url, FORMS[name])

    assert response.status_code == (302 if user is None else 403)
    if user is None:
        assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot() == before


def test_finance_prepares_a_run_from_the_form(client_en, income_2023, finance):
    response = client_en(finance).post(
        reverse("ventures:run_prepare", args=[income_2023.venture_id]),
        {**FORMS["run_prepare"], "reserve_rate": "15", "welfare_rate": "5"},
    )

    run = DistributionRun.objects.get()
    assert response["Location"] == reverse("ventures:run_detail", args=[run.pk])
    assert run.params == {"source": "income", "reserve_rate": "15%", "welfare_rate": "5%"}
    assert (run.reserve_amount, run.welfare_amount, run.distributed_amount) == (
        15_000_000,
        5_000_000,
        80_000_000,
    )


def test_the_prepare_form_shows_a_refusal_and_changes_nothing(
    client_en, venture, register, finance
):
    before = snapshot()

    response = client_en(finance).post(
        reverse("ventures:run_prepare", args=[venture.pk]), FORMS["run_prepare"]
    )

    assert response.status_code == 200
    assert "Nothing to distribute" in response.content.decode()
    assert snapshot() == before


def test_finance_records_income_and_a_contribution_from_the_forms(
    client_en, venture, register, finance
):
    client = client_en(finance)

    income = client.post(reverse("ventures:income_add", args=[venture.pk]), FORMS["income_add"])
    contribution = client.post(
        reverse("ventures:contribution_add", args=[venture.pk]), FORMS["contribution_add"]
    )

    assert income.status_code == contribution.status_code == 302
    assert venture.income_receipts.get().amount == 100_000_000
    assert venture.contributions.get().amount == 150_000_000


def test_the_income_form_refuses_amounts_finer_than_a_fen(client_en, venture, finance):
    before = snapshot()

    response = client_en(finance).post(
        reverse("ventures:income_add", args=[venture.pk]),
        {**FORMS["income_add"], "amount": "1.001"},
    )

    assert response.status_code == 200
    assert snapshot() == before


# --- Statements -------------------------------------------------------------------------------


def test_the_statement_page_and_its_xlsx(client_en, posted, auditor):
    client = client_en(auditor)
    url = reverse("ventures:statement", args=[posted.venture_id, f"village:{XUJIADAI}"])

    page = client.get(url).content.decode()
    download = client.get(url + "?format=xlsx")

    assert 'data-testid="returned">300,000.00<' in page
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download.content[:2] == b"PK"


def test_the_statement_lookup_accepts_a_village_code(client_en, posted, auditor):
    response = client_en(auditor).get(
        reverse("ventures:holder_lookup", args=[posted.venture_id]), {"holder": SHANTANG}
    )

    assert response["Location"] == reverse(
        "ventures:statement", args=[posted.venture_id, f"village:{SHANTANG}"]
    )


@pytest.mark.parametrize("holder", ["village:999999999999", "nobody"])
def test_an_unknown_holder_statement_is_404(client_en, posted, auditor, holder):
    url = reverse("ventures:statement", args=[posted.venture_id, holder])

    assert client_en(auditor).get(url).status_code == 404


def test_the_venture_page_shows_the_ledger_returns_as_of_a_date(client_en, posted, auditor):
    venture = posted.venture
    end = posted.posted_entry.date

    on_the_day = client_en(auditor).get(
        reverse("ventures:venture_detail", args=[venture.pk]), {"as_of": end.isoformat()}
    )
    day_before = client_en(auditor).get(
        reverse("ventures:venture_detail", args=[venture.pk]),
        {"as_of": (end - dt.timedelta(days=1)).isoformat()},
    )

    booked = on_the_day.context["booked"]
    assert booked.total == posted.distributed_amount
    assert booked.holders == posted.lines.exclude(amount=0).count()
    assert booked.years == 1
    assert day_before.context["booked"].total == 0
