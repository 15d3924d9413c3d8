"""`manage.py seed_demo_applicants`: the portal's demo applicants and their key files."""

from django.core.management.base import BaseCommand

from qyzmet.demo.applicants import DEMO_PASSWORD, KEY_PASSWORD, seed_demo_applicants


class Command(BaseCommand):
    help = "Create the portal's demo applicants (password demo) and their key files in var/demo-keys/."

    def handle(self, *args, **options):
        for applicant in seed_demo_applicants():
            self.stdout.write(
                f"portal applicant {applicant.username} ({applicant.name}) / {DEMO_PASSWORD}; "
                f"keys {applicant.auth_key} and {applicant.sign_key} (password {KEY_PASSWORD})"
            )
