"""`baotuan remind`: open duties due within N days or overdue, grouped per owner, and grid
matters past their deadline and not yet handled (for cron and the daily beat).

Exit status 0 whether or not anything is due (cron mails the output when there is some).
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from alliances.models import Duty
from grids.selectors import overdue_matters


class Command(BaseCommand):
    help = "List open duties due within N days or overdue, grouped per owner."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Due within this many days.")
        parser.add_argument("--today", help="Count from this day (YYYY-MM-DD); default today.")
        parser.add_argument("--alliance", type=int, help="Only this alliance (id).")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, days, today, alliance, format, **options):
        if days < 0:
            raise CommandError("--days cannot be negative")
        try:
            day = parse_date(today) if today else timezone.localdate()
        except ValueError:  # well formed but impossible, e.g. 2024-13-01
            day = None
        if day is None:
            raise CommandError(
                _("Not a date: %(value)s (write YYYY-MM-DD, e.g. 2024-06-30).") % {"value": today}
            )
        duties = Duty.objects.due_or_overdue(day + timedelta(days=days)).with_overdue(day)
        if alliance is not None:
            duties = duties.filter(alliance_id=alliance)
        duties = duties.select_related(
            "alliance", "owner_village", "owner_organisation", "owner_user"
        ).order_by("owner_village_id", "owner_organisation_id", "due_on", "pk")
        groups: dict[str, dict] = {}
        for duty in duties:
            key = duty.owner_village_id or f"org-{duty.owner_organisation_id}"
            group = groups.setdefault(key, {"owner": duty.owner_label, "code": key, "duties": []})
            group["duties"].append(
                {
                    "id": duty.pk,
                    "title": duty.title,
                    "alliance": duty.alliance.name,
                    "due_on": duty.due_on.isoformat(),
                    "status": duty.status,
                    "percent": duty.percent,
                    "overdue": duty.overdue,
                    "days_late": (day - duty.due_on).days if duty.overdue else 0,
                    "person": duty.person,
                }
            )
        matters = [
            {
                "id": m.pk,
                "grid": m.grid.name,
                "category": m.get_category_display(),
                "place": m.place,
                "due_at": timezone.localtime(m.due_at).isoformat(timespec="minutes"),
            }
            for m in overdue_matters(timezone.now())
        ]
        if format == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "today": day.isoformat(),
                        "days": days,
                        "owners": list(groups.values()),
                        "grid_matters": matters,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self._matters(matters)
        if not groups:
            self.stdout.write(f"{day}: 没有 {days} 天内到期或逾期的责任事项。")
            return
        total = sum(len(g["duties"]) for g in groups.values())
        self.stdout.write(
            f"{day}: {total} 项责任事项 {days} 天内到期或已逾期，涉及 {len(groups)} 个责任主体"
        )
        for group in groups.values():
            self.stdout.write("")
            self.stdout.write(f"{group['owner']} ({group['code']})")
            for d in group["duties"]:
                late = f"逾期 {d['days_late']} 天" if d["overdue"] else f"{d['due_on']} 到期"
                person = f" · {d['person']}" if d["person"] else ""
                self.stdout.write(f"  - [{late}] {d['title']} ({d['percent']}%){person}")

    def _matters(self, matters):
        if not matters:
            return
        self.stdout.write(f"{len(matters)} 件网格事件已过处置时限")
        for m in matters:
            self.stdout.write(
                f"  - [{m['due_at']} 到期] {m['grid']} · {m['category']} · {m['place']}"
            )
        self.stdout.write("")
