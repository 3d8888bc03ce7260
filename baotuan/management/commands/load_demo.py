from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from audit.context import change_context
from baotuan.demo import alliances, rankings, registry, ventures
from baotuan.demo import grids as demo_grids
from baotuan.demo import points as demo_points
from baotuan.demo import projects as demo_projects
from baotuan.demo import tourism as demo_tourism
from baotuan.demo.passwords import give_password
from core.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Load the Pinghu demo (idempotent: on an empty or an existing database). Each demo "
        "account gets its own random password, printed when it is made; a later load keeps "
        "it unless --reset-passwords is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give every demo account a new random password (and print them)",
        )

    def handle(self, *args, reset_passwords=False, **options):
        # The demo acts as the system: the change log names it on every change set it writes.
        with change_context(user=SYSTEM, source="cli", path="load_demo"):
            accounts = registry.load(stdout=self.stdout)
            accounts += alliances.load(stdout=self.stdout)
            accounts += ventures.load(stdout=self.stdout)
            accounts += demo_projects.load(stdout=self.stdout)
            accounts += rankings.load(stdout=self.stdout)
            accounts += demo_grids.load(stdout=self.stdout)
            accounts += demo_tourism.load(stdout=self.stdout)
            accounts += demo_points.load(stdout=self.stdout)
            if reset_passwords:
                accounts = self.reset(accounts)
        self.stdout.write(self.style.SUCCESS("演示账号 / demo accounts:"))
        for username, password, role in accounts:
            shown = password or "(未变 unchanged)"
            self.stdout.write(f"  {username:<10} {shown:<19} {role}")
        if not all(password for _username, password, _role in accounts):
            self.stdout.write(
                "  已有账号保留原密码；重新生成：baotuan load_demo --reset-passwords\n"
                "  Existing accounts keep their passwords; new ones: load_demo --reset-passwords"
            )

    @staticmethod
    @transaction.atomic
    def reset(accounts):
        fresh = []
        for username, _password, role in accounts:
            user = User.objects.get(username=username)
            password = give_password(user, reset=True)
            user.save(update_fields=["password"])
            fresh.append((username, password, role))
        return fresh
