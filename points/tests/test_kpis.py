"""The KPIs rankings can use: participation, points per household, redemption rate."""

import datetime as dt

from analytics.kpis import KPI_SOURCES
from points import selectors, services
from points.tests.test_rules import effective_entry


def test_the_kpis(scheme, shared, member, scorer, today):
    hh = shared["outside"]
    effective_entry(scheme, hh, member, scorer, today)
    today["day"] = dt.date(2025, 3, 20)
    item = services.add_store_item(actor=scorer, scheme=scheme, name="毛巾", price=2, stock=5)
    services.redeem(actor=member, household=hh, item=item)
    code = scheme.village_id
    values = {
        k: KPI_SOURCES[k].values(None, [code, "330482107208"], 2025)
        for k in ("points_participation", "points_per_household", "points_redemption_rate")
    }
    assert values["points_participation"] == {code: 0.5, "330482107208": None}
    assert values["points_per_household"][code] == 2.5
    assert values["points_redemption_rate"][code] == 0.4
    assert selectors.points_distribution(scheme)["max"] == 5
