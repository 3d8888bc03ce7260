import time

from django.core.management.base import BaseCommand, CommandError

from audit.context import change_context
from core.actors import SYSTEM
from registry.services.divisions import load_divisions
from registry.services.groups import load_region_groups


class Command(BaseCommand):
    help = "Load NBS 2023 divisions (统计用区划代码) for provinces and/or counties. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", default=[], help="2-digit code, e.g. 33")
        parser.add_argument("--area", action="append", default=[], help="6-digit county code")

    def handle(self, *args, province, area, **options):
        if not province and not area:
            raise CommandError("请指定 --province 或 --area（例如 --province 33 --area 310116）")
        started = time.perf_counter()
        with change_context(user=SYSTEM, source="cli", path="load_divisions"):
            try:
                result = load_divisions(province, area, actor=SYSTEM)
                groups = load_region_groups(actor=SYSTEM)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"区划: 新增 {result.created['regions']} 个, 更名 {result.updated['regions']} 个; "
                f"村级单位: 新增 {result.created['villages']} 个, 更名 {result.updated['villages']} 个 "
                f"({time.perf_counter() - started:.1f}s)"
            )
        )
        self.stdout.write(
            f"区域组（如山区26县）: 新增 {groups.groups} 个, 成员 {groups.members} 个"
            + (f"; 未载入的县 {len(groups.missing)} 个" if groups.missing else "")
        )
