"""Demo data for `make run`: logins, providers with staff, a few hundred applications."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from qyzmet import clock
from qyzmet.demo.applicants import seed_demo_applicants
from qyzmet.demo.applications import create_demo_applications
from qyzmet.demo.office import seed_reception_clerks
from qyzmet.demo.providers import DEMO_PASSWORD, seed_providers
from qyzmet.demo.psc import seed_centres

ADMIN = ("admin", "admin")


class Command(BaseCommand):
    help = "Create the demo logins, providers, staff and applications (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--per-regulation", type=int, default=30)

    def handle(self, *args, per_regulation=30, **options):
        User = get_user_model()
        admin, created = User.objects.get_or_create(username=ADMIN[0])
        if created:
            admin.set_password(ADMIN[1])
            admin.is_staff = admin.is_superuser = True
            admin.save()
        providers = seed_providers()
        seed_centres()
        seed_reception_clerks()
        applicants = seed_demo_applicants()
        today = clock.today()
        counts = create_demo_applications(today, per_regulation=per_regulation)
        self.stdout.write(f"demo login: {ADMIN[0]} / {ADMIN[1]} (superuser)")
        self.stdout.write(
            f"providers: {len(providers)}; staff logins <provider>.<role> / {DEMO_PASSWORD}, e.g. "
            + ", ".join(
                sorted(User.objects.filter(username__startswith="aed.").values_list("username", flat=True))[
                    :4
                ]
            )
        )
        for a in applicants:
            self.stdout.write(
                f"portal: {a.username} / demo; key files {a.auth_key}, {a.sign_key} (password demo)"
            )
        self.stdout.write(f"demo day {today:%d.%m.%Y}: " + " ".join(f"{k}={v}" for k, v in counts.items()))
