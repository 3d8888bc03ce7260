from django.core.management.base import BaseCommand

from audit.context import change_context
from baotuan.demo import alliances, rankings, registry, ventures
from baotuan.demo import projects as demo_projects
from core.actors import SYSTEM


class Command(BaseCommand):
    help = "Load the Pinghu demo (idempotent: on an empty or an existing database)."

    def handle(self, *args, **options):
        with change_context(user=SYSTEM, source="cli", path="load_demo"):
            accounts = registry.load(stdout=self.stdout)
            accounts += alliances.load(stdout=self.stdout)
            accounts += ventures.load(stdout=self.stdout)
            accounts += demo_projects.load(stdout=self.stdout)
            accounts += rankings.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示账号 / demo accounts:"))
        for username, password, role in accounts:
            self.stdout.write(f"  {username:<10} {password:<14} {role}")
