"""The Celery application; workers start it with `celery -A qyzmet worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qyzmet.settings")

app = Celery("qyzmet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
