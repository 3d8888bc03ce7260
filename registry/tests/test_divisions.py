import pytest

from audit.models import ObjectChange
from core.actors import SYSTEM
from core.errors import NotAllowed
from registry.models import Region, Village
from registry.services.divisions import load_divisions


@pytest.mark.django_db
def test_it_loads_a_county_with_its_ancestors_and_is_idempotent():
    first = load_divisions(areas=["330482"], actor=SYSTEM)

    assert first.created == {"regions": 1 + 1 + 1 + 9, "villages": 136}
    assert Region.objects.get(code="330482107").parent_id == "330482"
    xujiadai = Village.objects.get(code="330482107208")
    assert (xujiadai.short_name, xujiadai.township_id, xujiadai.county_id) == (
        "徐家埭村",
        "330482107",
        "330482",
    )
    logged = ObjectChange.objects.filter(action="create").count()
    assert logged == 12 + 136

    second = load_divisions(areas=["330482"], actor=SYSTEM)

    assert second.total_created == 0
    assert second.updated == {"regions": 0, "villages": 0}
    assert ObjectChange.objects.count() == logged


@pytest.mark.django_db
def test_it_renames_a_changed_unit_and_logs_the_rename():
    load_divisions(areas=["331121"], actor=SYSTEM)
    Village.objects.filter(code="331121201201").update(name="旧名村村委会", short_name="旧名村")

    result = load_divisions(areas=["331121"], actor=SYSTEM)

    assert result.updated["villages"] == 1
    assert Village.objects.get(code="331121201201").short_name == "峰山村"
    change = ObjectChange.objects.get(action="update", object_pk="331121201201")
    assert change.prechange_data == {"name": "旧名村村委会"}


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [["3"], ["999999"]])
def test_it_refuses_unknown_or_malformed_codes(bad):
    with pytest.raises(ValueError):
        load_divisions(areas=bad, actor=SYSTEM)
    assert not Region.objects.exists()


def test_only_a_city_admin_loads_the_tree(clerk):
    before = Region.objects.count(), Village.objects.count(), ObjectChange.objects.count()

    with pytest.raises(NotAllowed):
        load_divisions(areas=["330482"], actor=clerk)

    assert (Region.objects.count(), Village.objects.count(), ObjectChange.objects.count()) == before
