"""`manage.py tick [--every SECONDS]`: the periodic jobs without Celery (the embedded default).

Every task of the beat schedule runs once per round, in this process: the engine's clock (overdue
steps, escalation, silence-consent, deemed issue), the gateway's pending lookups and the paper
intake's queued registrations.
"""

import time

from django.core.management.base import BaseCommand

from qyzmet.engine.scheduler import run_scheduled_jobs


class Command(BaseCommand):
    help = "Run the periodic jobs: overdue steps, escalation, silence-consent, deemed issue, retries."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds (0: once)")

    def handle(self, *args, every=0, **options):
        while True:
            for job, counts in run_scheduled_jobs().items():
                figures = (
                    " ".join(f"{k}={v}" for k, v in counts.items()) if isinstance(counts, dict) else counts
                )
                self.stdout.write(f"{job}: {figures}")
            if not every:
                return
            time.sleep(every)
