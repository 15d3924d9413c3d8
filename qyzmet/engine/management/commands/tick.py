"""`manage.py tick [--every SECONDS]`: the periodic job without Celery (the embedded default)."""

import time

from django.core.management.base import BaseCommand

from qyzmet.engine.services import tick


class Command(BaseCommand):
    help = "Mark overdue steps, escalate, apply silence-consent and deemed issue."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds (0: once)")

    def handle(self, *args, every=0, **options):
        while True:
            counts = tick()
            self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
            if not every:
                return
            time.sleep(every)
