"""Demo data for `make run`: the logins printed by the Makefile and the README."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERS = [
    # username, password, superuser
    ("admin", "admin", True),
]


class Command(BaseCommand):
    help = "Create the demo logins (idempotent)."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, password, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = superuser
                user.save()
            self.stdout.write(f"demo login: {username} / {password}" + (" (created)" if created else ""))
