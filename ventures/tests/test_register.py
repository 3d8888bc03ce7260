"""The share register: stakes by holder and day, overlaps refused, register read at a date."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit.models import ObjectChange
from tests.support import D
from ventures import selectors, services
from ventures.exceptions import NotAllowed, OverlappingStake, VentureError
from ventures.models import Stake, holder_key, parse_holder_key
from ventures.tests.support import FENGSHAN, SHANTANG, XUJIADAI, snapshot


def test_holder_keys_name_villages_and_organisations():
    assert holder_key("330482107208", None) == "village:330482107208"
    assert holder_key(None, 12) == "organisation:12"
    assert parse_holder_key("village:330482107208") == ("330482107208", None)
    assert parse_holder_key("organisation:12") == (None, 12)


@pytest.mark.parametrize("key", ["village:3304", "organisation:x", "330482107208", "", None])
def test_malformed_holder_keys_are_refused(key):
    with pytest.raises(VentureError):
        parse_holder_key(key)


def test_add_stake_registers_and_logs_it(venture, xujiadai, finance):
    stake = services.add_stake(
        venture, holder=xujiadai, units=300, effective_from="2018-01-01", actor=finance
    )

    assert (stake.village_id, stake.organisation_id, stake.units) == (XUJIADAI, None, 300)
    assert stake.effective_from == D("2018-01-01")
    assert stake.effective_to is None
    change = ObjectChange.objects.get(object_pk=str(stake.pk), content_type__model="stake")
    assert change.action == "create"
    assert change.postchange_data["units"] == 300


def test_an_organisation_can_hold_a_stake(venture, enclave_company, tree, finance):
    stake = services.add_stake(
        venture,
        holder=f"organisation:{enclave_company.pk}",
        units=5,
        effective_from=D("2020-01-01"),
        actor=finance,
    )

    assert stake.holder == enclave_company
    assert stake.holder_key == f"organisation:{enclave_company.pk}"


@pytest.mark.parametrize(
    ("start", "end", "case"),
    [
        ("2019-06-01", None, "inside an open stake"),
        ("2017-01-01", "2018-01-01", "ends on the first day"),
        ("2017-01-01", None, "starts earlier, open"),
        ("2030-01-01", "2031-01-01", "far later, open stake"),
    ],
)
def test_an_overlapping_stake_is_refused_and_nothing_changes(
    venture, register, finance, start, end, case
):
    before = snapshot()

    with pytest.raises(OverlappingStake, match="already holds a stake"):
        services.add_stake(
            venture,
            holder=f"village:{FENGSHAN}",
            units=1,
            effective_from=start,
            effective_to=end,
            actor=finance,
        )

    assert snapshot() == before


def test_consecutive_stakes_do_not_overlap(venture, tree, finance):
    first = services.add_stake(
        venture,
        holder=f"village:{XUJIADAI}",
        units=100,
        effective_from=D("2018-01-01"),
        effective_to=D("2020-12-31"),
        actor=finance,
    )
    second = services.add_stake(
        venture,
        holder=f"village:{XUJIADAI}",
        units=150,
        effective_from=D("2021-01-01"),
        actor=finance,
    )

    assert list(selectors.register_at(venture, D("2020-12-31"))) == [first]
    assert list(selectors.register_at(venture, D("2021-01-01"))) == [second]
    assert list(selectors.register_at(venture, D("2017-12-31"))) == []


def test_end_stake_closes_it_and_a_new_one_can_follow(venture, register, finance):
    stake = register[FENGSHAN]

    services.end_stake(stake, effective_to=D("2022-12-31"), actor=finance)
    services.add_stake(
        venture,
        holder=f"village:{FENGSHAN}",
        units=650,
        effective_from=D("2023-01-01"),
        actor=finance,
    )

    units = {s.holder_key: s.units for s in selectors.register_at(venture, D("2023-06-30"))}
    assert units == {
        f"village:{FENGSHAN}": 650,
        f"village:{XUJIADAI}": 300,
        f"village:{SHANTANG}": 100,
    }


def test_end_stake_refuses_to_extend_into_a_later_stake(venture, tree, finance):
    first = services.add_stake(
        venture,
        holder=f"village:{XUJIADAI}",
        units=100,
        effective_from=D("2018-01-01"),
        effective_to=D("2020-12-31"),
        actor=finance,
    )
    services.add_stake(
        venture,
        holder=f"village:{XUJIADAI}",
        units=150,
        effective_from=D("2021-01-01"),
        actor=finance,
    )
    before = snapshot()

    with pytest.raises(OverlappingStake):
        services.end_stake(first, effective_to=D("2021-06-30"), actor=finance)

    assert snapshot() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"units": -1}, "zero or more"),
        ({"units": 1.5}, "zero or more"),
        ({"units": True}, "zero or more"),
        ({"effective_to": "2017-01-01"}, "end before it starts"),
        ({"effective_from": "2018-02-30"}, "not a date"),
        ({"holder": "village:999999999999"}, "No such holder"),
        ({"holder": "nobody"}, "is not a holder"),
    ],
)
def test_bad_stakes_are_refused_and_nothing_changes(venture, tree, finance, kwargs, message):
    arguments = {
        "holder": f"village:{XUJIADAI}",
        "units": 1,
        "effective_from": "2018-01-01",
        "effective_to": None,
        **kwargs,
    }
    before = snapshot()

    with pytest.raises(VentureError, match=message):
        services.add_stake(venture, actor=finance, **arguments)

    assert snapshot() == before


@pytest.mark.parametrize("persona", ["clerk", "auditor", "approver", "other_finance", None])
def test_only_finance_in_scope_registers_stakes(venture, tree, request, persona, enclave_company):
    if persona == "other_finance":
        from core.roles import Role
        from registry.models import Organisation
        from tests.support import make_user

        other = Organisation.objects.create(name="平湖市强村公司", kind="village_company")
        user = make_user("other_finance", Role.FINANCE, organisation=other)
    else:
        user = request.getfixturevalue(persona) if persona else None
    before = snapshot()

    with pytest.raises(NotAllowed):
        services.add_stake(
            venture,
            holder=f"village:{XUJIADAI}",
            units=1,
            effective_from="2018-01-01",
            actor=user,
        )

    assert snapshot() == before


def test_a_city_admin_registers_stakes(venture, tree, admin):
    stake = services.add_stake(
        venture, holder=f"village:{XUJIADAI}", units=1, effective_from="2018-01-01", actor=admin
    )

    assert stake.pk is not None


@pytest.mark.postgres
def test_postgres_refuses_overlapping_stakes_written_past_the_service(venture, register):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    stake = register[FENGSHAN]

    with (
        pytest.raises(IntegrityError, match="ventures_stake_no_overlap_village"),
        transaction.atomic(),
    ):
        Stake.objects.create(
            venture=stake.venture,
            village_id=FENGSHAN,
            units=1,
            effective_from=D("2020-01-01"),
            effective_to=D("2020-12-31"),
        )


def test_entry_descriptions_are_kept_in_the_books_language_whoever_posts(venture, finance):
    from django.utils import translation

    with translation.override("en"):
        in_english = services.record_income(
            venture, amount=100, received_on=D("2023-03-01"), actor=finance
        )
    with translation.override("zh-hans"):
        in_chinese = services.record_income(
            venture, amount=100, received_on=D("2023-03-02"), actor=finance
        )

    assert in_english.entry.description == in_chinese.entry.description
    assert "received" not in in_english.entry.description
