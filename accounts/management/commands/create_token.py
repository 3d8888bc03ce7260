from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import issue_token
from core.actors import SYSTEM
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Issue an API token for USER, named NAME, and print its secret once "
        "(only its hash is stored). Clients send `Authorization: Token <secret>`; "
        "revoke tokens in the admin (API tokens)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what or who uses the token, e.g. 'county sync'")

    def handle(self, *args, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        try:
            token, secret = issue_token(user, name, actor=SYSTEM)
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stderr.write(
            f"token {token.prefix}… “{token.name}” for {user.username}; "
            "the secret is shown only now:"
        )
        self.stdout.write(secret)
