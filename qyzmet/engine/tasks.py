"""Celery tasks of the engine. Beat runs `qyzmet.engine.tick` every minute in production and
`qyzmet.engine.roll_up_figures` every hour."""

from celery import shared_task

from . import figures
from .services import tick as run_tick


@shared_task(name="qyzmet.engine.tick")
def tick() -> dict:
    return run_tick()


@shared_task(name="qyzmet.engine.roll_up_figures")
def roll_up_figures() -> dict:
    """The dashboards' totals of closed applications (`figures`; other domains add theirs on its
    `rolled_up` signal): what they count live is what was filed or still open since."""
    mark = figures.roll_up()
    return {"generation": mark.generation, "upto_id": mark.upto_id}
