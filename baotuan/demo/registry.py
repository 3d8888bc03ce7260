"""Demo registry: divisions, weak-village lines, organisations, statistics, users."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Grant, User
from baotuan.demo import facts
from baotuan.demo.passwords import give_password
from baotuan.demo.stats import write_demo_stats
from core.actors import SYSTEM
from core.roles import Role
from registry.models import Organisation, Village, WeakVillageThreshold
from registry.services.divisions import load_divisions
from registry.services.groups import load_region_groups
from registry.services.stats_io import import_stats

# (username, display name, role, scope kind, scope key)
DEMO_USERS = [
    ("admin", "市级管理员（联盟秘书处）", Role.CITY_ADMIN, None, None),
    # Minutes are signed off by someone who neither wrote nor amended them, and only those
    # who may write minutes (city admins over everything) sign: a second one, so that the
    # minutes the admin writes can be signed off in the demo.
    ("secretary", "联盟秘书处签核人", Role.CITY_ADMIN, None, None),
    ("clerk", "徐家埭村填报员", Role.VILLAGE_CLERK, "village", facts.VILLAGES["徐家埭村"]),
    ("finance", "强村联合投资公司财务", Role.FINANCE, "organisation", "青田强村联合投资发展有限责任公司"),
    ("approver", "强村联合投资公司审批人", Role.APPROVER, "organisation", "青田强村联合投资发展有限责任公司"),
    ("auditor", "纪检监督", Role.AUDITOR, None, None),
    ("partner", "金山区协作方", Role.PARTNER, "region", facts.JINSHAN),
]


@transaction.atomic
def load_thresholds() -> int:
    created = 0
    for spec in facts.THRESHOLDS:
        values = {
            key: (spec.get(key) * 100 if spec.get(key) is not None else None)
            for key in ("total_income_below", "operating_income_below", "recurring_income_below")
        }
        _, was_created = WeakVillageThreshold.objects.update_or_create(
            name=spec["name"],
            defaults={
                "region_id": spec["region"],
                "valid_from": spec["valid_from"],
                "valid_to": spec["valid_to"],
                "source": spec["source"],
                **values,
            },
        )
        created += was_created
    return created


@transaction.atomic
def load_organisations() -> int:
    created = 0
    for name, kind, region, villages, description, illustrative in facts.ORGANISATIONS:
        org, was_created = Organisation.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "region_id": region,
                "description": description,
                "is_illustrative": illustrative,
            },
        )
        org.villages.set([facts.VILLAGES[v] for v in villages])
        created += was_created
    return created


@transaction.atomic
def load_users() -> list[tuple[str, str | None, str]]:
    """Create (or update) one demo user per role; returns (username, password, role), the
    password None when the user already had one (it is kept: baotuan.demo.passwords)."""
    accounts = []
    for username, display, role, scope_kind, key in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.display_name = display
        user.is_staff = user.is_superuser = username == "admin"
        password = give_password(user)
        user.save()
        scope = {}
        if scope_kind == "village":
            scope["village"] = Village.objects.get(code=key)
        elif scope_kind == "organisation":
            scope["organisation"] = Organisation.objects.get(name=key)
        elif scope_kind == "region":
            scope["region_id"] = key
        Grant.objects.filter(user=user).exclude(role=role).delete()
        Grant.objects.get_or_create(user=user, role=role, **scope)
        accounts.append((username, password, str(Role(role).label)))
    return accounts


def load(stdout=None) -> list[tuple[str, str, str]]:
    def say(text):
        if stdout is not None:
            stdout.write(text)

    result = load_divisions([facts.PROVINCE], [facts.JINSHAN], actor=SYSTEM)
    say(f"区划: 新增 {result.created['regions']} 个区划, {result.created['villages']} 个村级单位")
    groups = load_region_groups(actor=SYSTEM)
    say(f"区域组（山区26县）: 新增 {groups.groups} 个, 成员 {groups.members} 个")
    say(f"薄弱村标准: 新增 {load_thresholds()} 条")
    say(f"组织: 新增 {load_organisations()} 个")
    path = Path(settings.BASE_DIR) / "var" / "demo" / "demo-stats-2018-2022.csv"
    rows = write_demo_stats(path)
    outcome = import_stats(path, actor=SYSTEM)
    if outcome.errors:
        raise RuntimeError(f"demo statistics did not import: {outcome.errors[:5]}")
    say(
        f"统计数据 ({rows} 行, 平湖+青田+文成+龙泉 2018—2022, 示例): 新增 {outcome.created}, "
        f"更新 {outcome.updated}, 未变 {outcome.unchanged}"
    )
    return load_users()
