"""The engine's hot path in hand-written SQL: reading a step with what its transition needs,
closing it, and starting the next one.

Completing a step is the engine's most frequent change, so it does not go through the ORM: one
SELECT brings the step, its application, the regulation's digest, the provider's hours and the
acting person's right to act; the writes are plain INSERT/UPDATE statements. Building model
instances and compiling querysets cost several times what PostgreSQL needs to run these
statements (bench/engine.py prints the figures). The SQL is portable between PostgreSQL and
SQLite; moments are adapted with the backend's own operations, as the ORM would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime, parse_time

from qyzmet.audit.log import CHAIN_CTES, append, chain_params


@dataclass(frozen=True)
class RunState:
    """A step run as a transition sees it, with its application's facts."""

    run_id: int
    flow: str
    step_id: str
    role: str
    assignee_id: int | None
    started_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    completed_by_id: int | None
    application_id: int
    number: str
    status: str
    variant: str
    filed_at: dt.datetime
    registered_at: dt.datetime
    regulation_id: str
    regulation_digest: str
    hours: tuple  # the provider's (opens, closes, lunch_start, lunch_end)
    holds_role: bool  # the acting person holds the step's role, or the head's, at the provider
    conclusions_pending: bool


READ_RUN = """
SELECT r.id, r.flow, r.step_id, r.role, r.assignee_id, r.started_at, r.due_at, r.completed_at, r.completed_by_id,
       a.id, a.number, a.status, a.variant, a.filed_at, a.registered_at, a.regulation_id, g.digest,
       p.opens, p.closes, p.lunch_start, p.lunch_end,
       EXISTS (SELECT 1 FROM providers_staffrole s
               WHERE s.user_id = %s AND s.provider_id = a.provider_id AND s.role IN (r.role, 'head')),
       EXISTS (SELECT 1 FROM engine_conclusionrequest c WHERE c.step_run_id = r.id AND c.answer = 'pending')
FROM engine_steprun r
JOIN engine_application a ON a.id = r.application_id
JOIN regulations_regulation g ON g.id = a.regulation_id
JOIN providers_provider p ON p.id = a.provider_id
WHERE r.id = %s
"""


def read_run(connection, run_id: int, user_id: int | None) -> RunState | None:
    with connection.cursor() as cursor:
        cursor.execute(READ_RUN, [user_id, run_id])
        row = cursor.fetchone()
    if row is None:
        return None
    t = _moment_reader(connection)
    h = _time_reader(connection)
    return RunState(
        run_id=row[0],
        flow=row[1],
        step_id=row[2],
        role=row[3],
        assignee_id=row[4],
        started_at=t(row[5]),
        due_at=t(row[6]),
        completed_at=t(row[7]),
        completed_by_id=row[8],
        application_id=row[9],
        number=row[10],
        status=row[11],
        variant=row[12],
        filed_at=t(row[13]),
        registered_at=t(row[14]),
        regulation_id=row[15],
        regulation_digest=row[16],
        hours=(h(row[17]), h(row[18]), h(row[19]), h(row[20])),
        holds_role=bool(row[21]),
        conclusions_pending=bool(row[22]),
    )


FINISH_RUN = """
UPDATE engine_steprun SET completed_at = %s, completed_by_id = %s, outcome = %s, note = %s, kept = %s,
       working_minutes = %s
WHERE id = %s AND completed_at IS NULL
"""


def finish_run(connection, run_id: int, at, by_id, outcome: str, note: str, kept, took) -> bool:
    """Close an open run (`took`: its working minutes); False when someone else closed it first
    (nothing is changed then)."""
    with connection.cursor() as cursor:
        cursor.execute(FINISH_RUN, [_db_moment(connection, at), by_id, outcome, note, kept, took, run_id])
        return cursor.rowcount == 1


INSERT_RUN = """
INSERT INTO engine_steprun (application_id, flow, step_id, role, started_at, due_at, due_rule, outcome, note)
VALUES (%s, %s, %s, %s, %s, %s, %s, '', '')
"""


def insert_run(
    connection, application_id: int, flow: str, step_id: str, role: str, started, due, rule
) -> int:
    sql = INSERT_RUN + (" RETURNING id" if connection.features.can_return_columns_from_insert else "")
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                application_id,
                flow,
                step_id,
                role,
                _db_moment(connection, started),
                _db_moment(connection, due),
                rule,
            ],
        )
        if connection.features.can_return_columns_from_insert:
            return cursor.fetchone()[0]
        return cursor.lastrowid


READ_CONCLUSION = """
SELECT c.application_id, c.body,
       EXISTS (SELECT 1 FROM providers_staffrole s WHERE s.user_id = %s AND s.provider_id = a.provider_id)
FROM engine_conclusionrequest c JOIN engine_application a ON a.id = c.application_id
WHERE c.id = %s
"""


def read_conclusion(connection, request_id: int, user_id: int | None):
    """(application id, body, whether the person is on the provider's staff), or None."""
    with connection.cursor() as cursor:
        cursor.execute(READ_CONCLUSION, [user_id, request_id])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], bool(row[2]))


ANSWER_CONCLUSION = """
UPDATE engine_conclusionrequest SET answer = %s, answered_at = %s, note = %s
WHERE id = %s AND answer = 'pending'
"""


def answer_conclusion(connection, request_id: int, answer: str, at, note: str) -> bool:
    """Record an answer; False when the request was already answered (nothing is changed then)."""
    with connection.cursor() as cursor:
        cursor.execute(ANSWER_CONCLUSION, [answer, _db_moment(connection, at), note, request_id])
        return cursor.rowcount == 1


# On PostgreSQL a step's transition is one statement: close the run, insert the next, append the
# audit entry (the chain's head is locked only when the close succeeded). Two people completing
# the same step: the second UPDATE waits for the first to commit, then finds the run closed and
# the whole statement changes nothing.
_START_NEXT = """  RETURNING application_id),
nxt AS (
  INSERT INTO engine_steprun (application_id, flow, step_id, role, started_at, due_at, due_rule, outcome, note)
  SELECT application_id, %s, %s, %s, %s::timestamptz, %s::timestamptz, %s, '', '' FROM done
  RETURNING id),
"""
_ADVANCE_RESULT = "SELECT (SELECT count(*) FROM done), (SELECT id FROM nxt), (SELECT count(*) FROM moved)"
_CHAIN_IF_DONE = CHAIN_CTES.format(condition="EXISTS (SELECT 1 FROM done)")
ADVANCE = "WITH done AS (" + FINISH_RUN + _START_NEXT + _CHAIN_IF_DONE + _ADVANCE_RESULT  # noqa: S608


def advance(
    connection, run: RunState, at, by_id, outcome: str, note: str, kept, took, nxt: tuple, entry
) -> int | None:
    """Close `run` and start the next step, `nxt` = (flow, step_id, role, started, due, rule),
    recording `entry` (an unsaved audit entry). Returns the new run's id, or None when someone
    else closed the run first (nothing is changed then)."""
    if connection.vendor != "postgresql":
        if not finish_run(connection, run.run_id, at, by_id, outcome, note, kept, took):
            return None
        next_id = insert_run(connection, run.application_id, *nxt)
        append(entry)
        return next_id
    flow, step_id, role, started, due, rule = nxt
    params = [at, by_id, outcome, note, kept, took, run.run_id, flow, step_id, role, started, due, rule]
    with connection.cursor() as cursor:
        cursor.execute(ADVANCE, params + chain_params(entry, entry.digest()))
        closed, next_id, appended = cursor.fetchone()
    if closed and not appended:  # the chain has no head yet (an empty log): append the usual way
        append(entry)
    return next_id if closed else None


# Moments and times as the backend stores them -------------------------------------------------


def _db_moment(connection, value):
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def _moment_reader(connection):
    if connection.vendor == "postgresql":
        return _same
    return _sqlite_moment


def _time_reader(connection):
    if connection.vendor == "postgresql":
        return _same
    return lambda v: v if v is None or isinstance(v, dt.time) else parse_time(v)


def _same(value):
    return value


def _sqlite_moment(value):
    """SQLite keeps moments as naive UTC (Django's convention with USE_TZ); its converters may
    already have parsed the text, but never attach the zone."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
