"""The demo alliance: 金平湖"抱团富"联盟, its 16 villages, six mechanisms and 8 consortia.

Named facts come from `baotuan.demo.facts`. The 12 unnamed member villages are real 平湖
village committees, picked deterministically (highest 2022 total income in the demo
statistics, then by code) and marked illustrative (示例). Idempotent: a second load
changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from alliances import services
from alliances.choices import MembershipRole
from alliances.models import Alliance, Consortium, ConsortiumType, Mechanism, Membership
from baotuan.demo import facts
from registry.choices import VillageKind
from registry.models import Village, VillageStat

__all__ = ["load", "load_alliance", "other_members"]

STATS_YEAR = 2022


def other_members(count: int) -> list[Village]:
    """The `count` 平湖 villages (村委会) the demo adds to the alliance, best 2022 income first."""
    named = {facts.VILLAGES[n] for n in facts.ALLIANCE_FACTS["cores"] + facts.ALLIANCE_FACTS["members"]}
    income = VillageStat.objects.filter(village=OuterRef("pk"), year=STATS_YEAR).values(
        "total_income"
    )[:1]
    return list(
        Village.objects.in_region(facts.PINGHU)
        .filter(kind=VillageKind.VILLAGE)
        .exclude(pk__in=named)
        .annotate(income=Subquery(income))
        .order_by(F("income").desc(nulls_last=True), "code")[:count]
    )


def _join_once(group, village, role, joined_on, *, is_illustrative, note) -> bool:
    """Join unless the village already has a membership of the group; True if it joined."""
    if Membership.objects.filter(
        **{"alliance" if isinstance(group, Alliance) else "consortium": group}, village=village
    ).exists():
        return False
    services.join(
        group, village, role, joined_on, is_illustrative=is_illustrative, note=note
    )
    return True


@transaction.atomic
def load_alliance() -> dict[str, int]:
    """Create or complete the demo alliance; returns counts of what it added."""
    af, demo = facts.ALLIANCE_FACTS, facts.ALLIANCE_DEMO
    joined_on = date.fromisoformat(demo["joined_on"])
    added = {"alliances": 0, "mechanisms": 0, "consortia": 0, "memberships": 0}
    alliance, created = Alliance.objects.get_or_create(
        name=af["name"],
        defaults={
            "region_id": af["region"],
            "description": af["description"],
            "agreement": af["agreement"],
        },
    )
    added["alliances"] += created
    for order, (name, description) in enumerate(facts.ALLIANCE_MECHANISMS, start=1):
        _mechanism, created = Mechanism.objects.get_or_create(
            alliance=alliance, name=name, defaults={"description": description, "order": order}
        )
        added["mechanisms"] += created

    named = [(n, MembershipRole.CORE) for n in af["cores"]]
    named += [(n, MembershipRole.MEMBER) for n in af["members"]]
    for name, role in named:
        village = Village.objects.get(pk=facts.VILLAGES[name])
        added["memberships"] += _join_once(
            alliance, village, role, joined_on, is_illustrative=False, note=demo["date_note"]
        )
    current = Membership.objects.filter(alliance=alliance).count()
    if current < af["size"]:
        for village in other_members(af["size"] - len(named)):
            added["memberships"] += _join_once(
                alliance, village, MembershipRole.MEMBER, joined_on,
                is_illustrative=True, note=demo["illustrative_note"],
            )

    for name, type_name, illustrative in facts.CONSORTIA:
        kind, _created = ConsortiumType.objects.get_or_create(name=type_name)
        consortium, created = Consortium.objects.get_or_create(
            alliance=alliance, name=name, defaults={"type": kind, "is_illustrative": illustrative}
        )
        added["consortia"] += created
        for member in facts.CONSORTIUM_MEMBERS.get(name, []):
            village = Village.objects.get(pk=facts.VILLAGES[member])
            added["memberships"] += _join_once(
                consortium, village, MembershipRole.MEMBER, joined_on,
                is_illustrative=False, note=demo["date_note"],
            )
    return added


def load(stdout=None) -> list[tuple[str, str, str]]:
    """Load the demo alliance (idempotent); it makes no demo accounts."""
    added = load_alliance()
    if stdout is not None:
        alliance = Alliance.objects.get(name=facts.ALLIANCE_FACTS["name"])
        stdout.write(
            f"联盟: {alliance.name}: {alliance.memberships.count()} 个成员村, "
            f"{alliance.mechanisms.count()} 项机制, {alliance.consortia.count()} 个共富体; "
            f"本次新增 {added['memberships']} 条成员关系, {added['consortia']} 个共富体"
        )
    return []
