"""The Django admin for the registry and accounts: pages render, changes are logged, and
staff without an unscoped grant change only rows in their scope."""

import pytest
from django.contrib.auth.models import Permission

from audit.models import ObjectChange
from registry.models import VillageStat

XUJIADAI, FENGSHAN = "330482107208", "331121201201"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw")


@pytest.fixture
def stats(tree):
    return {
        code: VillageStat.objects.create(village_id=code, year=2023, total_income=100_000_00)
        for code in (XUJIADAI, FENGSHAN)
    }


@pytest.mark.parametrize(
    "path",
    [
        "registry/region",
        "registry/village",
        "registry/organisation",
        "registry/villagestat",
        "registry/weakvillagethreshold",
        "registry/importjob",
        "accounts/user",
        "accounts/grant",
        "audit/objectchange",
    ],
)
def test_admin_change_lists_render(client_for, superuser, stats, path):
    response = client_for(superuser).get(f"/admin/{path}/")

    assert response.status_code == 200


def test_admin_user_page_edits_grants_inline(client_for, superuser, clerk):
    response = client_for(superuser).get(f"/admin/accounts/user/{clerk.pk}/change/")

    assert response.status_code == 200
    assert 'name="grants-0-role"' in response.content.decode()


@pytest.fixture
def staff_clerk(clerk):
    """The clerk of 徐家埭村, made staff with the admin permissions on statistics."""
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=["view_villagestat", "change_villagestat"])
    )
    return clerk


def test_admin_lets_staff_change_statistics_in_their_scope_and_logs_it(
    client_for, staff_clerk, stats
):
    stat = stats[XUJIADAI]
    url = f"/admin/registry/villagestat/{stat.pk}/change/"

    response = client_for(staff_clerk).post(
        url, {"village": XUJIADAI, "year": "2023", "total_income": "12345"}
    )

    assert response.status_code == 302
    stat.refresh_from_db()
    assert stat.total_income == 12345
    change = ObjectChange.objects.get(action="update", object_pk=str(stat.pk))
    assert change.user_id == staff_clerk.pk


def test_admin_refuses_staff_changes_outside_their_scope(client_for, staff_clerk, stats):
    stat = stats[FENGSHAN]
    url = f"/admin/registry/villagestat/{stat.pk}/change/"
    logged = ObjectChange.objects.count()

    response = client_for(staff_clerk).post(
        url, {"village": FENGSHAN, "year": "2023", "total_income": "12345"}
    )

    stat.refresh_from_db()
    assert stat.total_income == 100_000_00
    assert ObjectChange.objects.count() == logged
    # Viewable (read-only) but not savable.
    assert response.status_code == 403
