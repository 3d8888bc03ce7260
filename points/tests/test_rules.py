"""The rules of points: the workflow, the bad inputs the issue names (each refused with a
clear error and nothing changed), caps, appeals, balances and the store."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from audit.context import change_context
from core.actors import SYSTEM
from core.errors import Conflict, Invalid, NotAllowed
from points import selectors, services
from points.choices import AppealOutcome, EntryState
from points.models import Appeal, Entry, EntryImmutable, PointsNotice, Redemption, Tally

D = dt.date


def snapshot():
    return (
        list(Entry.objects.order_by("pk").values_list("pk", "state", "points")),
        list(
            Tally.objects.order_by("pk").values_list(
                "proposed", "verified", "published", "effective", "redeemed"
            )
        ),
        Appeal.objects.count(),
        PointsNotice.objects.count(),
        Redemption.objects.count(),
    )


def refused(error, call, match=None):
    before = snapshot()
    with pytest.raises(error, match=match), transaction.atomic():
        call()
    assert snapshot() == before


@pytest.fixture
def hh(shared):
    return shared["outside"]


def propose(scheme, household, code="B01", day=None, actor=None, **kw):
    day = day or D(2025, 3, 3)
    return services.propose_entry(
        actor=actor or SYSTEM,
        scheme=scheme,
        household=household,
        item_code=code,
        occurred_on=day,
        **kw,
    )


def effective_entry(scheme, household, member, scorer, today, code="B01", day=None):
    day = day or D(2025, 3, 3)
    entry = propose(scheme, household, code, day, actor=member)
    services.verify_entry(actor=scorer, entry=entry)
    services.publish_notice(actor=scorer, scheme=scheme, published_on=today["day"])
    return Entry.objects.get(pk=entry.pk)


def test_the_workflow_to_effective(scheme, hh, member, scorer, today):
    entry = propose(scheme, hh, actor=member)
    assert entry.state == EntryState.PROPOSED
    assert entry.version.number == 1
    services.verify_entry(actor=scorer, entry=entry)
    notice = services.publish_notice(actor=scorer, scheme=scheme, published_on=D(2025, 3, 10))
    entry.refresh_from_db()
    assert entry.state == EntryState.PUBLISHED
    assert entry.notice == notice
    assert notice.ends_on == D(2025, 3, 16)
    assert entry.effective_on == D(2025, 3, 17)
    assert notice.is_intact
    assert notice.payload["entries"][0]["head"] == "李*"
    assert "李四" not in str(notice.payload)
    # Effective only once the notice period is over.
    assert not Entry.objects.effective_on(D(2025, 3, 16)).exists()
    assert Entry.objects.effective_on(D(2025, 3, 17)).get() == entry
    today["day"] = D(2025, 3, 17)
    b = selectors.household_balance(scheme, hh)
    assert (b.effective, b.pending, b.base, b.balance) == (5, 0, 10, 15)
    assert services.settle(actor=SYSTEM, scheme=scheme) == 1
    assert Entry.objects.get(pk=entry.pk).state == EntryState.EFFECTIVE
    assert selectors.household_balance(scheme, hh).balance == 15


def test_an_item_not_in_the_version_in_force(scheme, hh, member, today):
    services.adopt_version(
        actor=SYSTEM,
        scheme=scheme,
        effective_from=D(2025, 3, 1),
        adopted_on=D(2025, 2, 20),
        document_no="山塘村〔2025〕3号",
        items=[{"code": "Z01", "name": "新项目", "category": "affairs", "points": 1}],
    )
    refused(
        Invalid,
        lambda: propose(scheme, hh, "B01", D(2025, 3, 3), actor=member),
        match="不在|not in",
    )
    # The old version is in force on an earlier day: the entry keeps it.
    assert propose(scheme, hh, "B01", D(2025, 2, 3), actor=member).version.number == 1
    assert propose(scheme, hh, "Z01", D(2025, 3, 3), actor=member).version.number == 2


def test_a_cap_exceeded(scheme, hh, member, today):
    propose(scheme, hh, "A01", D(2025, 3, 3), actor=member)
    propose(scheme, hh, "A01", D(2025, 3, 4), actor=member)
    refused(
        Invalid, lambda: propose(scheme, hh, "A01", D(2025, 3, 5), actor=member), match="上限|cap"
    )
    propose(scheme, hh, "A01", D(2025, 2, 5), actor=member)  # another month


def test_a_scorer_verifying_their_own_proposal(scheme, hh, scorer, today):
    entry = propose(scheme, hh, actor=scorer)
    refused(NotAllowed, lambda: services.verify_entry(actor=scorer, entry=entry))
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(verified_by=scorer)


def test_a_deduction_needs_evidence_and_a_second_reviewer(
    scheme, hh, member, scorer, reviewer, today
):
    refused(Invalid, lambda: propose(scheme, hh, "C01", actor=member), match="佐证|evidence")
    entry = propose(scheme, hh, "C01", actor=member, evidence_note="照片 2025-03-03")
    services.verify_entry(actor=scorer, entry=entry)
    assert Entry.objects.get(pk=entry.pk).state == EntryState.REVIEW
    refused(NotAllowed, lambda: services.verify_entry(actor=scorer, entry=entry))
    services.verify_entry(actor=reviewer, entry=entry)
    entry.refresh_from_db()
    assert entry.state == EntryState.VERIFIED
    assert entry.second_reviewer == reviewer


def test_an_item_needing_evidence(scheme, hh, member, today):
    refused(Invalid, lambda: propose(scheme, hh, "D01", actor=member))
    assert propose(scheme, hh, "D01", actor=member, evidence_note="派出所证明").points == 20


def test_appeals_hold_then_decide(scheme, hh, member, scorer, reviewer, today):
    entry = effective_entry(scheme, hh, member, scorer, today)
    appeal = services.file_appeal(
        actor=scorer, entry=entry, reason="未参加", filed_on=D(2025, 3, 12)
    )
    entry.refresh_from_db()
    assert entry.state == EntryState.HELD
    assert entry.effective_on is None
    assert not Entry.objects.effective_on(D(2025, 12, 31)).exists()
    refused(Conflict, lambda: services.file_appeal(actor=scorer, entry=entry, reason="再次"))
    services.decide_appeal(
        actor=reviewer,
        appeal=appeal,
        outcome=AppealOutcome.REJECTED,
        reason="核实已参加",
        decided_on=D(2025, 3, 20),
    )
    entry.refresh_from_db()
    assert entry.state == EntryState.PUBLISHED
    assert entry.effective_on == D(2025, 3, 21)
    # An upheld appeal: the entry does not count.
    other = effective_entry(scheme, hh, member, scorer, today, day=D(2025, 3, 4))
    appeal = services.file_appeal(actor=scorer, entry=other, reason="重复记分")
    services.decide_appeal(
        actor=reviewer, appeal=appeal, outcome=AppealOutcome.UPHELD, reason="确属重复"
    )
    other.refresh_from_db()
    assert other.state == EntryState.REJECTED
    today["day"] = D(2025, 4, 1)
    assert selectors.household_balance(scheme, hh).effective == 5


def test_an_appeal_after_the_notice_period(scheme, hh, member, scorer, today):
    entry = effective_entry(scheme, hh, member, scorer, today)
    refused(
        Invalid,
        lambda: services.file_appeal(
            actor=scorer, entry=entry, reason="太迟", filed_on=D(2025, 3, 17)
        ),
        match="公示期|notice period",
    )


def test_a_public_appeal_needs_the_notice_code(scheme, hh, member, scorer, today):
    entry = effective_entry(scheme, hh, member, scorer, today)
    refused(
        Invalid,
        lambda: services.file_appeal(
            actor=SYSTEM, entry=entry, reason="不对", notice_code="wrong", household_number="002"
        ),
    )
    refused(
        Invalid,
        lambda: services.file_appeal(
            actor=SYSTEM,
            entry=entry,
            reason="不对",
            notice_code=entry.notice.code,
            household_number="001",
        ),
    )
    appeal = services.file_appeal(
        actor=SYSTEM,
        entry=entry,
        reason="不对",
        notice_code=entry.notice.code,
        household_number="002",
    )
    assert appeal.channel == "public"


def test_the_store(scheme, hh, member, scorer, today):
    item = services.add_store_item(actor=scorer, scheme=scheme, name="洗衣液", price=4, stock=2)
    # Nothing effective yet, and the base points are not redeemable.
    refused(
        Invalid, lambda: services.redeem(actor=member, household=hh, item=item), match="积分|points"
    )
    effective_entry(scheme, hh, member, scorer, today)
    today["day"] = D(2025, 3, 20)
    services.redeem(actor=member, household=hh, item=item, quantity=1)
    refused(
        Invalid,
        lambda: services.redeem(actor=member, household=hh, item=item, quantity=1),
        match="积分|points",
    )  # 1 point left
    refused(Invalid, lambda: services.restock(actor=scorer, item=item, quantity=0))
    effective_entry(scheme, hh, member, scorer, today, day=D(2025, 3, 18))
    today["day"] = D(2025, 4, 1)
    refused(
        Conflict,
        lambda: services.redeem(actor=member, household=hh, item=item, quantity=2),
        match="库存|stock",
    )
    r = services.redeem(actor=member, household=hh, item=item, quantity=1)
    assert r.cost_fen == 40
    assert r.handed_out_name
    b = selectors.household_balance(scheme, hh)
    assert (b.effective, b.redeemed, b.redeemable) == (10, 8, 2)
    assert selectors.store_cost(scheme, D(2025, 1, 1), D(2025, 12, 31))["cost_fen"] == 80
    with pytest.raises(EntryImmutable):
        r.save()


def test_a_correction_is_a_reversing_entry(scheme, hh, member, scorer, reviewer, today):
    entry = effective_entry(scheme, hh, member, scorer, today)
    reversal = services.reverse_entry(actor=scorer, entry=entry, reason="记错户")
    assert reversal.points == -5
    assert reversal.reverses == entry
    refused(Conflict, lambda: services.reverse_entry(actor=scorer, entry=entry, reason="again"))
    services.verify_entry(actor=reviewer, entry=reversal)
    services.verify_entry(actor=SYSTEM, entry=reversal)  # its second review
    services.publish_notice(actor=scorer, scheme=scheme, published_on=D(2025, 3, 10))
    today["day"] = D(2025, 4, 1)
    assert selectors.household_balance(scheme, hh).effective == 0


def test_the_database_refuses_an_edit_of_points(scheme, hh, member, today):
    entry = propose(scheme, hh, actor=member)
    with (
        pytest.raises(Exception, match="points|append"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE points_entry SET points = 50 WHERE id = %s", [entry.pk])
    with pytest.raises(EntryImmutable):
        entry.delete()
    with pytest.raises(EntryImmutable):
        Entry.objects.filter(pk=entry.pk).delete()
    assert Entry.objects.get(pk=entry.pk).points == 5


def test_balances_as_of_a_past_day_match_the_tallies(
    scheme, hh, shared, member, scorer, reviewer, today
):
    effective_entry(scheme, hh, member, scorer, today)
    propose(scheme, hh, "A01", actor=member)
    e = propose(scheme, shared["in_grid"], "C01", actor=member, evidence_note="照片")
    services.verify_entry(actor=scorer, entry=e)
    services.verify_entry(actor=reviewer, entry=e)
    services.publish_notice(actor=scorer, scheme=scheme, published_on=D(2025, 3, 10))
    today["day"] = D(2025, 3, 31)
    fast = selectors.balances(scheme)
    today["day"] = D(2026, 1, 1)
    slow = selectors.balances(scheme, D(2025, 3, 31))
    assert [(b.number, b.effective, b.pending, b.proposed, b.balance) for b in fast] == [
        (b.number, b.effective, b.pending, b.proposed, b.balance) for b in slow
    ]
    assert [(b.number, b.effective, b.proposed) for b in fast] == [("001", -3, 0), ("002", 5, 2)]


def test_the_year_close_resets_or_carries(scheme, hh, member, scorer, today):
    effective_entry(scheme, hh, member, scorer, today)
    assert selectors.balances(scheme, D(2026, 1, 2), households=[hh])[0].effective == 0
    version = scheme.versions.get()
    from points.models import RuleVersion

    RuleVersion.objects.filter(pk=version.pk).update(year_close="carry")
    assert selectors.balances(scheme, D(2026, 1, 2), households=[hh])[0].effective == 5


def test_rules_need_a_recorded_decision(scheme):
    with pytest.raises(Invalid):
        services.adopt_version(
            actor=SYSTEM,
            scheme=scheme,
            effective_from=D(2026, 1, 1),
            adopted_on=D(2025, 12, 1),
            items=[],
        )


def test_the_ranking_shows_numbers_and_masked_heads(scheme, hh, shared, member, scorer, today):
    effective_entry(scheme, hh, member, scorer, today)
    today["day"] = D(2025, 4, 1)
    rows = selectors.ranking(scheme)
    assert [(r.rank, r.number, r.head, r.effective) for r in rows] == [(1, "002", "李*", 5)]


def test_the_change_log_records_each_move(scheme, hh, member, scorer, today):
    from audit.models import ObjectChange

    with change_context(user=SYSTEM, source="test"):
        entry = propose(scheme, hh, actor=member)
        services.verify_entry(actor=scorer, entry=entry)
    assert ObjectChange.objects.filter(object_pk=str(entry.pk)).count() >= 2


def test_the_nightly_settlement(scheme, hh, member, scorer, today):
    from points.tasks import settle

    entry = effective_entry(scheme, hh, member, scorer, today)
    today["day"] = D(2025, 3, 17)
    assert settle() == 1
    assert Entry.objects.get(pk=entry.pk).state == EntryState.EFFECTIVE
    assert Tally.objects.get(household=hh).effective == 5
