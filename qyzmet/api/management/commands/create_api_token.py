"""`manage.py create_api_token USERNAME [--name NAME]`: make an API token and print it, once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from qyzmet.api.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for a user and print it (only its hash is kept; it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="which system will use it (shown in the admin)")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is not active")
        row, token = ApiToken.issue(user, name)
        self.stderr.write(f"token #{row.pk} for {username} ({name}); store it now, it is not shown again:")
        self.stdout.write(token)
