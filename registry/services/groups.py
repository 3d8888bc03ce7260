"""Loading the region groups the project ships (`registry/data/groups/<code>.json`).

A group file names the group, whether an enclave pairing must name one of its counties, its
source, and its counties as [code, name]. `load_region_groups` creates what is missing and
adds missing members, idempotently; counties not loaded yet (load_divisions) are reported,
not invented.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.actors import require_actor
from core.errors import Invalid, NotAllowed
from core.scope import may_write
from registry.models import Region, RegionGroup, RegionGroupMember
from registry.selectors import read_region_group, shipped_region_groups

__all__ = ["GroupLoadResult", "load_region_groups"]


@dataclass
class GroupLoadResult:
    groups: int = 0
    members: int = 0
    missing: list[str] = field(default_factory=list)  # counties of the file not loaded


@transaction.atomic
def load_region_groups(codes: Iterable[str] | None = None, *, actor) -> GroupLoadResult:
    """Create the shipped groups (all, or those of `codes`) and their loaded counties.

    Reference data: an unscoped city admin or the system only. An unknown group code is
    refused (`Invalid`) with nothing written.
    """
    actor = require_actor(actor)
    if not may_write(actor, RegionGroup):
        raise NotAllowed(_("Only a city administrator loads region groups."))
    shipped = shipped_region_groups()
    codes = shipped if codes is None else list(codes)
    unknown = [code for code in codes if code not in shipped]
    if unknown:
        raise Invalid(_("No such region group file: {codes}.").format(codes=", ".join(unknown)))
    result = GroupLoadResult()
    for code in codes:
        spec = read_region_group(code)
        group, created = RegionGroup.objects.get_or_create(
            code=code,
            defaults={
                "name": spec["name"],
                "requires_members_for_pairing": spec["requires_members_for_pairing"],
                "source": spec.get("source", ""),
            },
        )
        result.groups += created
        wanted = [county for county, _name in spec["members"]]
        loaded = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
        have = set(group.members.values_list("region_id", flat=True))
        for county in wanted:
            if county not in loaded:
                result.missing.append(county)
            elif county not in have:
                RegionGroupMember.objects.create(group=group, region_id=county)
                result.members += 1
    return result
