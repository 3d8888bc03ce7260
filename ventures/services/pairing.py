"""An enclave park's pairing: the county where it stands, the county whose villages own it,
and the programme (a registry region group, e.g. 山区26县) it belongs to."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.actors import require_actor
from registry.choices import RegionLevel
from registry.models import Region, RegionGroup
from ventures.choices import VentureKind
from ventures.exceptions import VentureError
from ventures.models import Venture
from ventures.selectors import PAIRING_ROLES
from ventures.services._base import _lock_venture, _require

__all__ = ["set_pairing"]


def _county(code, what: str) -> Region:
    code = getattr(code, "pk", code)
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None or region.level != RegionLevel.COUNTY:
        raise VentureError(
            _("{what} “{code}” is not a county-level region.").format(what=what, code=code or "")
        )
    return region


def set_pairing(venture: Venture, *, site_county, owner_county, programme=None, actor) -> Venture:
    """Pair an enclave park: `site_county` (where it stands) ↔ `owner_county` (whose
    villages own it), in `programme` (a RegionGroup or its code; None: none).

    Refused with nothing changed (VentureError) when the venture is not an enclave park,
    a county is unknown or not a county, both are the same county, or the programme says
    its pairings must name one of its counties and `owner_county` is not one of them.

    Args:
      actor: finance staff of the venture's operating organisation, or a city admin.
    """
    actor = require_actor(actor)
    with transaction.atomic():
        venture = _lock_venture(venture)
        _require(actor, venture, PAIRING_ROLES, _("pair enclave parks"))
        if venture.kind != VentureKind.ENCLAVE_PARK:
            raise VentureError(
                _("{venture} is not an enclave park: only enclave parks are paired.").format(
                    venture=venture
                )
            )
        site = _county(site_county, _("The site county"))
        owner = _county(owner_county, _("The owner county"))
        if site.pk == owner.pk:
            raise VentureError(
                _(
                    "An enclave park pairs two counties: {county} cannot be paired with itself."
                ).format(county=site.name)
            )
        group = None
        if programme is not None:
            code = getattr(programme, "pk", programme)
            group = RegionGroup.objects.filter(code=code).first()
            if group is None:
                raise VentureError(_("No such programme “{code}”.").format(code=code))
            if group.requires_members_for_pairing and not group.has_member(owner.pk):
                raise VentureError(
                    _(
                        "{county} is not one of {group}: an enclave park of this programme "
                        "must be owned by one of its counties."
                    ).format(county=owner.name, group=group.name)
                )
        venture.site_county, venture.owner_county, venture.programme = site, owner, group
        venture.save(update_fields=["site_county", "owner_county", "programme"])
        return venture
