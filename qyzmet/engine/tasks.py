"""Celery tasks of the engine. Beat runs `qyzmet.engine.tick` every minute in production."""

from celery import shared_task

from .services import tick as run_tick


@shared_task(name="qyzmet.engine.tick")
def tick() -> dict:
    return run_tick()
