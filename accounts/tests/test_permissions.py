"""restrict / may_write / scope_q: who may see and write which rows.

Personas come from the root conftest; the region-scoped ones (平湖 = 330482) are made here.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import Grant, User
from audit.models import ObjectChange
from core.roles import Role
from core.scope import ScopePolicy, may_write, restrict, scope_q
from registry.choices import OrganisationKind
from registry.models import Organisation, Region, Village, VillageStat, WeakVillageThreshold

XUJIADAI, SHANTANG, FENGSHAN = "330482107208", "330482106209", "331121201201"
STAT_POLICY = VillageStat.scope_policy
ORGANISATION_POLICY = Organisation.scope_policy


def _user(username, role, **scope):
    user = User.objects.create_user(username=username, password="pw")
    Grant.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def stats(tree):
    """One 2023 row per village: 徐家埭村 and 山塘村 (平湖), 峰山村 (青田)."""
    return {
        code: VillageStat.objects.create(village_id=code, year=2023, total_income=100_000_00)
        for code in (XUJIADAI, SHANTANG, FENGSHAN)
    }


@pytest.fixture
def organisations(enclave_company):
    pinghu = Organisation.objects.create(
        name="平湖市强村公司", kind=OrganisationKind.VILLAGE_COMPANY, region_id="330482"
    )
    nowhere = Organisation.objects.create(name="无属地协会", kind=OrganisationKind.OTHER)
    return {"enclave": enclave_company, "pinghu": pinghu, "nowhere": nowhere}


@pytest.fixture
def threshold(tree):
    return WeakVillageThreshold.objects.create(
        name="浙江省消薄标准", region_id="33", valid_from=2021, total_income_below=20_000_000
    )


@pytest.fixture
def personas(admin, clerk, other_clerk, auditor, finance, organisations):
    """Every persona by name, including region- and organisation-scoped ones."""
    inactive_admin = _user("inactive_admin", Role.CITY_ADMIN)
    inactive_admin.is_active = False
    inactive_admin.save()
    return {
        "anonymous": AnonymousUser(),
        "admin": admin,
        "inactive_admin": inactive_admin,
        "clerk": clerk,
        "other_clerk": other_clerk,
        "pinghu_clerk": _user("pinghu_clerk", Role.VILLAGE_CLERK, region_id="330482"),
        "pinghu_admin": _user("pinghu_admin", Role.CITY_ADMIN, region_id="330482"),
        "enclave_admin": _user(
            "enclave_admin", Role.CITY_ADMIN, organisation=organisations["enclave"]
        ),
        "auditor": auditor,
        "finance": finance,
    }


# --- scope_q --------------------------------------------------------------------------------


def test_scope_q_is_true_for_an_unscoped_grant():
    grants = [Grant(role=Role.VILLAGE_CLERK, village_id=XUJIADAI), Grant(role=Role.CITY_ADMIN)]

    assert scope_q(grants, STAT_POLICY) is True


def test_scope_q_is_false_without_grants():
    assert scope_q([], STAT_POLICY) is False


@pytest.mark.parametrize(
    ("grant", "policy", "expected"),
    [
        pytest.param(
            Grant(village_id=XUJIADAI),
            STAT_POLICY,
            Q(village__pk=XUJIADAI),
            id="village_grant_on_village_path_case",
        ),
        pytest.param(
            Grant(region_id="330482"),
            STAT_POLICY,
            Q(village__code__startswith="330482"),
            id="region_grant_on_village_path_case",
        ),
        pytest.param(
            Grant(village_id=XUJIADAI),
            Village.scope_policy,
            Q(pk=XUJIADAI),
            id="village_grant_on_the_village_itself_case",
        ),
        pytest.param(
            Grant(organisation_id=7),
            ORGANISATION_POLICY,
            Q(pk=7),
            id="organisation_grant_on_the_organisation_itself_case",
        ),
        pytest.param(
            Grant(region_id="331121"),
            ORGANISATION_POLICY,
            Q(region__code__startswith="331121"),
            id="region_grant_on_organisation_path_case",
        ),
    ],
)
def test_scope_q_turns_a_scoped_grant_into_a_lookup(grant, policy, expected):
    assert scope_q([grant], policy) == expected


def test_scope_q_ors_the_grants_together():
    grants = [Grant(village_id=XUJIADAI), Grant(region_id="331121")]

    assert scope_q(grants, STAT_POLICY) == (
        Q(village__pk=XUJIADAI) | Q(village__code__startswith="331121")
    )


@pytest.mark.parametrize(
    "grant",
    [
        pytest.param(Grant(village_id=XUJIADAI), id="village_grant_case"),
        pytest.param(Grant(region_id="330482"), id="region_grant_case"),
        pytest.param(Grant(organisation_id=7), id="organisation_grant_case"),
    ],
)
def test_scope_q_is_false_when_no_grant_reaches_a_model_without_owners(grant):
    assert scope_q([grant], Region.scope_policy) is False


def test_scope_q_ignores_an_organisation_grant_for_village_owned_rows():
    assert scope_q([Grant(organisation_id=7)], STAT_POLICY) is False


# --- restrict: reading ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["clerk", "other_clerk", "auditor", "finance", "pinghu_admin", "admin"]
)
def test_every_signed_in_user_reads_registry_data(personas, stats, persona):
    rows = restrict(VillageStat.objects.all(), personas[persona], "view")

    assert set(rows.values_list("village_id", flat=True)) == {XUJIADAI, SHANTANG, FENGSHAN}


def test_anonymous_visitors_read_nothing_that_is_not_public(personas, stats):
    assert not restrict(VillageStat.objects.all(), personas["anonymous"], "view").exists()
    assert not restrict(VillageStat.objects.all(), None, "view").exists()


def test_anonymous_visitors_read_a_public_model(personas, stats, monkeypatch):
    monkeypatch.setattr(VillageStat, "scope_policy", ScopePolicy(public=True))

    assert restrict(VillageStat.objects.all(), personas["anonymous"], "view").count() == 3


@pytest.mark.parametrize(
    ("persona", "reads"),
    [
        pytest.param("auditor", True, id="auditor_case"),
        pytest.param("admin", True, id="unscoped_admin_case"),
        pytest.param("pinghu_admin", True, id="region_admin_case"),
        pytest.param("clerk", False, id="clerk_case"),
        pytest.param("finance", False, id="finance_case"),
        pytest.param("anonymous", False, id="anonymous_case"),
    ],
)
def test_only_auditors_and_city_admins_read_the_change_log(personas, stats, persona, reads):
    logged = ObjectChange.objects.count()

    rows = restrict(ObjectChange.objects.all(), personas[persona], "view")

    assert logged > 0
    assert rows.count() == (logged if reads else 0)


# --- restrict: writing ----------------------------------------------------------------------


@pytest.mark.parametrize("action", ["add", "change", "delete"])
@pytest.mark.parametrize(
    ("persona", "villages"),
    [
        pytest.param("admin", {XUJIADAI, SHANTANG, FENGSHAN}, id="unscoped_admin_case"),
        pytest.param("clerk", {XUJIADAI}, id="village_clerk_case"),
        pytest.param("other_clerk", {FENGSHAN}, id="other_village_clerk_case"),
        pytest.param("pinghu_clerk", {XUJIADAI, SHANTANG}, id="region_clerk_case"),
        pytest.param("pinghu_admin", {XUJIADAI, SHANTANG}, id="region_admin_case"),
        pytest.param("enclave_admin", set(), id="organisation_admin_case"),
        pytest.param("auditor", set(), id="auditor_case"),
        pytest.param("finance", set(), id="finance_case"),
        pytest.param("inactive_admin", set(), id="inactive_admin_case"),
        pytest.param("anonymous", set(), id="anonymous_case"),
    ],
)
def test_restrict_limits_writes_on_statistics_to_the_scope(
    personas, stats, persona, villages, action
):
    rows = restrict(VillageStat.objects.all(), personas[persona], action)

    assert set(rows.values_list("village_id", flat=True)) == villages


@pytest.mark.parametrize(
    ("persona", "villages"),
    [
        pytest.param("admin", {XUJIADAI, SHANTANG, FENGSHAN}, id="unscoped_admin_case"),
        pytest.param("pinghu_admin", {XUJIADAI, SHANTANG}, id="region_admin_case"),
        pytest.param("clerk", set(), id="clerk_has_no_village_write_role_case"),
        pytest.param("pinghu_clerk", set(), id="region_clerk_case"),
        pytest.param("auditor", set(), id="auditor_case"),
    ],
)
def test_only_admins_write_villages(personas, stats, persona, villages):
    rows = restrict(Village.objects.all(), personas[persona], "change")

    assert set(rows.values_list("code", flat=True)) == villages


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        pytest.param("admin", {"enclave", "pinghu", "nowhere"}, id="unscoped_admin_case"),
        pytest.param("pinghu_admin", {"pinghu"}, id="region_admin_case"),
        pytest.param("enclave_admin", {"enclave"}, id="organisation_admin_case"),
        pytest.param("finance", set(), id="finance_case"),
        pytest.param("clerk", set(), id="clerk_case"),
        pytest.param("auditor", set(), id="auditor_case"),
    ],
)
def test_organisation_writes_follow_region_and_organisation_grants(
    personas, organisations, persona, names
):
    rows = restrict(Organisation.objects.all(), personas[persona], "change")

    assert set(rows) == {organisations[name] for name in names}


@pytest.mark.parametrize("model", [Region, WeakVillageThreshold])
@pytest.mark.parametrize(
    ("persona", "writes"),
    [
        pytest.param("admin", True, id="unscoped_admin_case"),
        pytest.param("pinghu_admin", False, id="region_admin_case"),
        pytest.param("enclave_admin", False, id="organisation_admin_case"),
        pytest.param("clerk", False, id="clerk_case"),
        pytest.param("auditor", False, id="auditor_case"),
    ],
)
def test_reference_data_is_written_by_unscoped_admins_only(
    personas, threshold, model, persona, writes
):
    everything = model.objects.count()

    rows = restrict(model.objects.all(), personas[persona], "change")

    assert rows.count() == (everything if writes else 0)


def test_a_user_with_two_grants_writes_in_both_scopes(personas, stats, xujiadai, fengshan):
    both = _user("both", Role.VILLAGE_CLERK, village=xujiadai)
    Grant.objects.create(user=both, role=Role.VILLAGE_CLERK, village=fengshan)

    rows = restrict(VillageStat.objects.all(), both, "change")

    assert set(rows.values_list("village_id", flat=True)) == {XUJIADAI, FENGSHAN}


def test_an_auditor_grant_adds_no_write_scope_to_a_clerk(personas, stats, xujiadai):
    clerk_and_auditor = _user("clerk_and_auditor", Role.VILLAGE_CLERK, village=xujiadai)
    Grant.objects.create(user=clerk_and_auditor, role=Role.AUDITOR)

    rows = restrict(VillageStat.objects.all(), clerk_and_auditor, "change")

    assert set(rows.values_list("village_id", flat=True)) == {XUJIADAI}


def test_the_manager_method_is_the_same_entry_point(personas, stats):
    clerk = personas["clerk"]

    assert list(VillageStat.objects.restrict(clerk, "delete")) == list(
        restrict(VillageStat.objects.all(), clerk, "delete")
    )


def test_restrict_refuses_an_unknown_action(personas):
    with pytest.raises(ValueError, match="unknown action 'approve'"):
        restrict(VillageStat.objects.all(), personas["admin"], "approve")


def test_restrict_builds_one_query_for_the_rows(personas, stats, django_assert_num_queries):
    clerk = User.objects.get(username="clerk")  # fresh: grants not loaded yet

    with django_assert_num_queries(2):  # the grants, then the rows
        rows = list(restrict(VillageStat.objects.all(), clerk, "change"))

    assert [row.village_id for row in rows] == [XUJIADAI]


# --- may_write ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "village", "allowed"),
    [
        pytest.param("admin", FENGSHAN, True, id="unscoped_admin_case"),
        pytest.param("clerk", XUJIADAI, True, id="own_village_case"),
        pytest.param("clerk", FENGSHAN, False, id="other_village_case"),
        pytest.param("pinghu_clerk", SHANTANG, True, id="region_clerk_inside_case"),
        pytest.param("pinghu_clerk", FENGSHAN, False, id="region_clerk_outside_case"),
        pytest.param("pinghu_admin", XUJIADAI, True, id="region_admin_inside_case"),
        pytest.param("pinghu_admin", FENGSHAN, False, id="region_admin_outside_case"),
        pytest.param("auditor", XUJIADAI, False, id="auditor_case"),
        pytest.param("finance", XUJIADAI, False, id="finance_case"),
        pytest.param("inactive_admin", XUJIADAI, False, id="inactive_admin_case"),
        pytest.param("anonymous", XUJIADAI, False, id="anonymous_case"),
    ],
)
def test_may_write_statistics_of_a_village_in_scope(personas, tree, persona, village, allowed):
    target = Village.objects.get(pk=village)

    assert may_write(personas[persona], VillageStat, village=target) is allowed


def test_may_write_refuses_a_missing_user():
    assert may_write(None, VillageStat, village=Village(code=XUJIADAI)) is False


@pytest.mark.parametrize(
    ("persona", "code", "allowed"),
    [
        pytest.param("admin", "331121201299", True, id="unscoped_admin_case"),
        pytest.param("pinghu_admin", "330482107299", True, id="region_admin_inside_case"),
        pytest.param("pinghu_admin", "331121201299", False, id="region_admin_outside_case"),
        pytest.param("clerk", "330482107299", False, id="clerk_case"),
    ],
)
def test_may_write_a_new_village_by_its_code(personas, persona, code, allowed):
    new_village = Village(code=code)

    assert may_write(personas[persona], Village, village=new_village) is allowed


@pytest.mark.parametrize(
    ("persona", "name", "allowed"),
    [
        pytest.param("admin", "nowhere", True, id="unscoped_admin_case"),
        pytest.param("pinghu_admin", "pinghu", True, id="region_admin_inside_case"),
        pytest.param("pinghu_admin", "enclave", False, id="region_admin_outside_case"),
        pytest.param("pinghu_admin", "nowhere", False, id="region_admin_no_region_case"),
        pytest.param("enclave_admin", "enclave", True, id="organisation_admin_own_case"),
        pytest.param("enclave_admin", "pinghu", False, id="organisation_admin_other_case"),
        pytest.param("finance", "enclave", False, id="finance_case"),
    ],
)
def test_may_write_an_existing_organisation(personas, organisations, persona, name, allowed):
    assert may_write(personas[persona], Organisation, organisation=organisations[name]) is allowed


@pytest.mark.parametrize(
    ("region", "allowed"),
    [
        pytest.param("330482", True, id="inside_case"),
        pytest.param("331121", False, id="outside_case"),
        pytest.param(None, False, id="no_region_case"),
    ],
)
def test_a_region_admin_may_create_an_organisation_only_in_the_region(personas, region, allowed):
    new_organisation = Organisation(name="新公司", region_id=region)

    assert may_write(personas["pinghu_admin"], Organisation, organisation=new_organisation) is (
        allowed
    )


@pytest.mark.parametrize("model", [Region, WeakVillageThreshold])
def test_may_write_reference_data_only_as_unscoped_admin(personas, xujiadai, model):
    assert may_write(personas["admin"], model) is True
    assert may_write(personas["pinghu_admin"], model, village=xujiadai) is False
    assert may_write(personas["clerk"], model, village=xujiadai) is False


def test_may_write_costs_no_queries_once_the_grants_are_loaded(
    personas, tree, django_assert_num_queries
):
    clerk = personas["clerk"]
    clerk.grant_list  # noqa: B018 - load the grants once, as a request does
    villages = list(Village.objects.all())

    with django_assert_num_queries(0):
        allowed = [may_write(clerk, VillageStat, village=v) for v in villages]

    assert allowed == [v.code == XUJIADAI for v in villages]


def test_an_organisation_with_grants_cannot_be_deleted_and_grants_are_logged(finance):
    from django.db.models import ProtectedError

    from audit.models import ObjectChange

    organisation = finance.grants.get().organisation
    with pytest.raises(ProtectedError):
        organisation.delete()

    logged = ObjectChange.objects.get(
        content_type__model="grant", object_pk=str(finance.grants.get().pk)
    )
    assert logged.action == "create"
    assert logged.postchange_data["organisation_id"] == organisation.pk


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("admin", True), ("clerk", True), ("auditor", False), ("finance", False)],
    ids=["admin_case", "clerk_case", "auditor_case", "finance_case"],
)
def test_may_write_any_says_who_sees_the_statistics_import(request, persona, expected):
    from core.scope import may_write_any
    from registry.models import VillageStat

    assert may_write_any(request.getfixturevalue(persona), VillageStat) is expected
