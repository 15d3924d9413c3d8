"""Demo data for `make run`: logins, providers with staff, a few hundred applications."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from qyzmet import clock
from qyzmet.engine.demo import create_demo_applications
from qyzmet.providers.seed import DEMO_PASSWORD, seed_providers

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
        from qyzmet.office.seed import seed_reception_clerks
        from qyzmet.psc.seed import seed_centres

        seed_centres()
        seed_reception_clerks()
        from qyzmet.portal.seed import seed_demo_applicants

        applicants = seed_demo_applicants()
        today = clock.today()
        from qyzmet.registry.tasks import made_on_first_download

        # Years of demo history: their signed documents are made when first downloaded.
        with made_on_first_download():
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
