"""Demo applications for `make run`: a few hundred, spread over the steps, some of them overdue.

Applications are filed on working days before the demo day under the regulation in force then,
and driven along their expected path (approve, or now and then refuse) by the demo staff, each
step taking a random share of its norm (sometimes more than the norm, so some are late). An
application whose next completion would fall after the demo day stays open at that step.
Regulations not in force on the demo day get a handful of closed applications from their period.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import paths, services
from qyzmet.engine.models import Application
from qyzmet.gateway import synthetic
from qyzmet.identity.numbers import generate_bin, generate_iin
from qyzmet.providers.models import Provider, StaffRole
from qyzmet.regulations.models import Regulation


def _staff(provider: Provider, role: str):
    sr = StaffRole.objects.filter(provider=provider, role=role).select_related("user").first()
    return sr.user if sr else None


def _drive(
    app: Application, reg, rng: random.Random, until: dt.datetime, refuse: bool, stop_after: int
) -> None:
    """Complete steps along the expected path while they fall before `until`, at most `stop_after`."""
    proc = reg.procedure(app.procedure)
    outcomes = dict(
        (s.id, o)
        for s, o in paths.walk(
            proc, app.variant, "refuse" if refuse else "approve", app.channel, app.applicant_kind
        )
    )
    run = app.steps.get()
    done = 0
    while run is not None and done < stop_after:
        done += 1
        step = proc.step(run.step_id)
        # a step can start already past its due moment (the term ran out on an earlier step):
        # it is then done within two hours, never before it started
        span = (run.due_at - run.started_at) if run.due_at else dt.timedelta(hours=2)
        span = max(span, dt.timedelta(hours=2))
        done_at = run.started_at + span * rng.uniform(0.2, 1.25)
        if done_at > until:
            return
        for req in run.conclusions.all():
            answer = "negative" if outcomes.get(step.id) in paths.REFUSING else "positive"
            services.answer_conclusion(req.pk, answer, by=req.body, at=done_at)
        outcome = outcomes.get(step.id)
        kwargs = {}
        if outcome in paths.REFUSING:
            kwargs = {
                "grounds": [g.code for g in reg.refusal_grounds[:1]],
                "note": "Қажетті құжаттар толық емес / documents incomplete",
            }
        if step.collegial:
            kwargs["protocol"] = _protocol(app, run, outcome or "done", done_at)
        user = _staff(app.provider, step.actor) or _staff(app.provider, "head")
        run = services.complete_step(run.pk, user, outcome, at=done_at, **kwargs)


REASONING = {
    "approve": "Сараптама нәтижелері талаптарға сәйкес: рұқсат беру туралы шешім қабылданды. / "
    "Результаты экспертизы соответствуют требованиям: принято решение о выдаче разрешения.",
    "refuse": "Сараптама нәтижелері талаптарға сәйкес емес: уәжді бас тарту туралы шешім қабылданды. / "
    "Результаты экспертизы не соответствуют требованиям: принято решение о мотивированном отказе.",
    "done": "Материалдар аккредиттеу стандарттарына сәйкестігі тұрғысынан қаралды, ұсыныстар берілді. / "
    "Материалы рассмотрены на соответствие стандартам аккредитации, даны рекомендации.",
}


def _protocol(app: Application, run, outcome: str, done_at: dt.datetime) -> dict:
    """The minutes of a commission's or council's meeting (a collegial step): its standing members
    (the same at each provider), those present, a number, a meeting held while the step ran."""
    roster = synthetic.rng_for("commission", app.provider.code)
    names = []
    for stem in roster.sample(synthetic.SURNAME_STEMS, 7):
        first = roster.choice(synthetic.MALE_NAMES + synthetic.FEMALE_NAMES)
        surname = stem + ("а" if first in synthetic.FEMALE_NAMES else "")
        names.append(f"{surname} {first[0]}. {roster.choice(synthetic.FATHER_NAMES)[0]}.")
    chair, secretary, members = names[0], names[-1], names[:-1]
    rng = synthetic.rng_for("protocol", app.number, run.step_id)
    present = [chair] + [m for m in members[1:] if rng.random() < 0.85]
    return {
        "number": f"No. {rng.randint(3, 48)}",
        "meeting_at": _meeting_moment(app, run.started_at, done_at, rng),
        "chair": chair,
        "members": present,
        "secretary": secretary,
        "reasoning": REASONING.get(outcome, REASONING["done"]),
    }


def _meeting_moment(app: Application, started: dt.datetime, done: dt.datetime, rng) -> dt.datetime:
    """A meeting at a usual hour of a working day between the step's start and its completion
    (or, when no such hour falls in between, the minute of the completion)."""
    calendar = app.provider.calendar()
    day, last = started.astimezone(ALMATY).date(), done.astimezone(ALMATY).date()
    slots = []
    while day <= last:
        if calendar.is_working_day(day):
            for hour, minute in ((10, 0), (11, 0), (14, 30), (15, 0), (16, 0)):
                moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ALMATY)
                if started <= moment <= done:
                    slots.append(moment)
        day += dt.timedelta(days=1)
    return rng.choice(slots) if slots else max(started, done.replace(second=0, microsecond=0))


def _file(reg, provider, rng, filed):
    variant = rng.choice([v.code for v in reg.variants if reg.procedure_for(v.code)] or [None])
    if variant is None:
        return None
    entity = rng.random() < 0.6
    # a regulation that admits only legal entities (or only individuals) is applied for by them
    admitted = reg.admitted_applicants(variant)
    if admitted:
        entity = "individual" not in admitted
    applicant = generate_bin(rng=rng) if entity else generate_iin(rng=rng)
    # the name the state database simulator gives this number, as a clerk would see it
    if entity:
        name = synthetic.entity(applicant)["name"]
    else:
        p = synthetic.person(applicant)
        name = " ".join(filter(None, [p["surname"], p["first_name"], p["patronymic"]]))
    return services.file_application(
        service=reg.service,
        provider=provider,
        variant=variant,
        channel=rng.choice([c.code for c in reg.channels]),
        applicant=applicant,
        filed_at=filed,
        actor="demo",
        applicant_name=name,
    )


def _working_moments(calendar, end: dt.date, count: int, span_days: int, rng) -> list[dt.datetime]:
    days = []
    day = end
    while len(days) < span_days:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return sorted(
        dt.datetime.combine(
            rng.choice(days), dt.time(rng.randint(9, 17), rng.choice([0, 15, 30, 45])), tzinfo=ALMATY
        )
        for _ in range(count)
    )


@transaction.atomic
def create_demo_applications(today: dt.date, per_regulation: int = 30, seed: int = 2015) -> dict[str, int]:
    """Idempotent: does nothing when demo applications already exist."""
    if Application.objects.exists():
        return {"created": 0}
    rng = random.Random(seed)
    until = dt.datetime.combine(today, dt.time(12, 0), tzinfo=ALMATY)
    created = 0
    for row in Regulation.objects.all():
        reg = row.parsed
        if not reg.procedures:
            continue
        providers = list(Provider.objects.filter(acts_as=reg.provider.code))
        in_force = row.in_force_from <= today and (row.in_force_until is None or today < row.in_force_until)
        if in_force:
            count, end, limit = per_regulation, today, until
        else:
            count = 5
            end = (row.in_force_until or today) - dt.timedelta(days=40)
            limit = dt.datetime.combine(row.in_force_until or today, dt.time(9), tzinfo=ALMATY)
        for filed in _working_moments(providers[0].calendar(), end, count, 25, rng):
            provider = rng.choice(providers)
            app = _file(reg, provider, rng, filed)
            if app is None:
                continue
            # two in five stay open somewhere along the way (those whose step is past due are overdue)
            stop_after = (
                rng.randint(0, len(reg.procedure(app.procedure).steps))
                if in_force and rng.random() < 0.4
                else 10**6
            )
            _drive(app, reg, rng, limit, refuse=rng.random() < 0.2, stop_after=stop_after)
            created += 1
    counts = services.tick(now=until)
    return {"created": created, **counts}
