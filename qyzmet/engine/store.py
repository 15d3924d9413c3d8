"""The engine's hot path in hand-written SQL: filing, a body's answer, completing a step and
closing an application, each with its audit entry.

These are the engine's most frequent changes, so they do not go through the ORM: one SELECT
brings a step with its application, the regulation's digest, the provider's hours and the acting
person's right to act; the writes are plain INSERT/UPDATE statements. On PostgreSQL each change is
a single statement (common table expressions carry the rows and the audit entry) run on its own,
so it is its own transaction: one round trip instead of BEGIN, several statements and COMMIT.
Building model instances and compiling querysets cost several times what PostgreSQL needs to run
these statements (bench/engine.py prints the figures). SQLite runs the same writes as separate
statements inside the caller's transaction; moments are adapted with the backend's own
operations, as the ORM would. Each change also writes its event (`qyzmet.outbox`) in the same
statement or transaction. `tests/test_engine_backends.py` runs every change on both and compares
the rows they leave.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime, parse_time

from qyzmet.audit.log import CHAIN_CTES, append, chain_params
from qyzmet.outbox import events

from .models import Application


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
    term_due_at: dt.datetime | None  # the application's due moment (its variant's term)
    regulation_id: str
    regulation_digest: str
    hours: tuple  # the provider's (opens, closes, lunch_start, lunch_end)
    holds_role: bool  # the acting person holds the step's role, or the head's, at the provider
    conclusions_pending: bool
    channel: str = ""  # the channel the application came through
    applicant: str = ""  # the applicant's IIN or BIN


READ_RUN = """
SELECT r.id, r.flow, r.step_id, r.role, r.assignee_id, r.started_at, r.due_at, r.completed_at, r.completed_by_id,
       a.id, a.number, a.status, a.variant, a.filed_at, a.registered_at, a.due_at, a.regulation_id, g.digest,
       p.opens, p.closes, p.lunch_start, p.lunch_end,
       EXISTS (SELECT 1 FROM providers_staffrole s
               WHERE s.user_id = %s AND s.provider_id = a.provider_id AND s.role IN (r.role, 'head')),
       EXISTS (SELECT 1 FROM engine_conclusionrequest c WHERE c.step_run_id = r.id AND c.answer = 'pending'),
       a.channel, a.applicant
FROM engine_steprun r
JOIN engine_application a ON a.id = r.application_id
JOIN regulations_regulation g ON g.id = a.regulation_id
JOIN providers_provider p ON p.id = a.provider_id
WHERE r.id = %s
"""


def one_statement(connection) -> bool:
    """Whether a change is written as one statement on its own (PostgreSQL) rather than as
    separate statements inside a transaction (SQLite): the one place that asks the backend."""
    return connection.vendor == "postgresql"


def read_run(connection, run_id: int, user_id: int | None) -> RunState | None:
    with connection.cursor() as cursor:
        cursor.execute(READ_RUN, [user_id, run_id])
        row = cursor.fetchone()
    if row is None:
        return None
    t, h = _moment, _time
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
        term_due_at=t(row[15]),
        regulation_id=row[16],
        regulation_digest=row[17],
        hours=(h(row[18]), h(row[19]), h(row[20]), h(row[21])),
        holds_role=bool(row[22]),
        conclusions_pending=bool(row[23]),
        channel=row[24],
        applicant=row[25],
    )


# Closes a run only while it is open and its application in progress: the read a transition
# computed from may be stale by the time it writes (see below).
FINISH_RUN = """
UPDATE engine_steprun SET completed_at = %s, completed_by_id = %s, outcome = %s, note = %s, kept = %s,
       working_minutes = %s
WHERE id = %s AND completed_at IS NULL
  AND EXISTS (SELECT 1 FROM engine_application a
              WHERE a.id = engine_steprun.application_id AND a.status = 'in_progress')
"""


def finish_run(connection, run_id: int, at, by_id, outcome: str, note: str, kept, took) -> bool:
    """Close an open run (`took`: its working minutes); False when someone else closed it first
    or the application is no longer in progress (nothing is changed then)."""
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


# Each change on PostgreSQL is one statement, run on its own (autocommit): the statement is the
# transaction, so a change costs one round trip instead of BEGIN, its statements and COMMIT. The
# values it writes are computed in Python from a read made just before, outside any transaction;
# the statement re-checks, in its first write, what that computation relied on (the run is still
# open, the application still in progress, the conclusion still pending), so a change that lost a
# race does nothing at all. It also writes only when the entry's audit chain has its head row, so
# that nothing is ever committed without its audit entry; `audit.log.ensure_heads` creates the
# heads, and the caller tries once more.
_CHAIN_HEAD_EXISTS = "EXISTS (SELECT 1 FROM audit_chainhead WHERE id = %s)"  # the entry's chain
_CHAIN_IF_DONE = CHAIN_CTES.format(condition="EXISTS (SELECT 1 FROM done)")


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
ANSWER_ONE = (  # constants only
    "WITH done AS ("  # noqa: S608
    + ANSWER_CONCLUSION
    + "  AND "
    + _CHAIN_HEAD_EXISTS
    + "\n  RETURNING id, application_id),\n"
    + events.cte("event", "done")
    + _CHAIN_IF_DONE
    + "SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM moved)"
)


def answer_conclusion(
    connection, request_id: int, application_id: int, answer: str, at, note: str, entry, event
) -> bool:
    """Record an answer with its audit entry and event; False when nothing was changed: the
    request was already answered, or (PostgreSQL) the audit chain has no head yet.

    On SQLite these are separate statements; call it inside a transaction there."""
    params = [answer, _db_moment(connection, at), note, request_id]
    if not one_statement(connection):
        with connection.cursor() as cursor:
            cursor.execute(ANSWER_CONCLUSION, params)
            if cursor.rowcount != 1:
                return False
        append(entry)
        events.record(event, application_id)
        return True
    with connection.cursor() as cursor:
        params = [*params, entry.chain, *events.cte_params(event), *chain_params(entry, entry.digest())]
        cursor.execute(ANSWER_ONE, params)
        answered, appended = cursor.fetchone()
    return bool(answered and appended)


# The conclusion requests of a step that has just started ({run}: a CTE returning the run's id
# and application_id); one row per body, none when the arrays are empty.
_ASK_CTE = """asked AS (
  INSERT INTO engine_conclusionrequest (application_id, step_run_id, body, requested_at, due_at, answer, note)
  SELECT {run}.application_id, {run}.id, c.body, %s::timestamptz, c.due_at, 'pending', ''
  FROM {run}, unnest(%s::text[], %s::timestamptz[]) AS c(body, due_at)
  RETURNING id, body),
"""
# The new run's id and its requests' ids with their bodies, as the last columns of a statement.
_STARTED_COLUMNS = (
    "(SELECT array_agg(id ORDER BY id) FROM asked), (SELECT array_agg(body ORDER BY id) FROM asked)"
)

# The run closed by a transition (the very UPDATE `finish_run` runs, written only when the entry's
# audit chain has its head), as the first CTE of ADVANCE and CLOSE.
_DONE_CTE = "WITH done AS (" + FINISH_RUN + "  AND " + _CHAIN_HEAD_EXISTS + "\n  RETURNING application_id),\n"  # noqa: S608

# Completing a step: close the run (the very UPDATE `finish_run` runs, with the guards above),
# start the next one with its conclusion requests, record refusal grounds when given, append the
# audit entry. Two people completing the same step: the second UPDATE waits for the first to
# commit, then finds the run closed and the whole statement changes nothing.
ADVANCE = (  # constants only
    _DONE_CTE  # noqa: S608
    + """nxt AS (
  INSERT INTO engine_steprun (application_id, flow, step_id, role, started_at, due_at, due_rule, outcome, note)
  SELECT application_id, %s, %s, %s, %s::timestamptz, %s::timestamptz, %s, '', '' FROM done
  RETURNING id, application_id),
"""
    + _ASK_CTE.format(run="nxt")
    + """refused AS (
  UPDATE engine_application SET refusal_grounds = %s::jsonb, refusal_text = %s
  FROM done WHERE engine_application.id = done.application_id AND %s::boolean),
"""
    + events.cte("event", "done")
    + _CHAIN_IF_DONE
    + "SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM moved), (SELECT id FROM nxt), "
    + _STARTED_COLUMNS
)


@dataclass(frozen=True)
class NextStep:
    """The step a transition starts: its run's fields, the bodies asked for a conclusion with
    their answer terms, and the refusal (grounds, text) the completion records, if any."""

    flow: str
    step_id: str
    role: str
    started: dt.datetime
    due: dt.datetime | None
    rule: str
    asked: tuple = ()  # ((body, due_at), ...)
    refusal: tuple | None = None  # (grounds, text)


@dataclass(frozen=True)
class Started:
    """A run a change has just inserted, with the conclusion requests it opened: (id, body)."""

    run_id: int
    requests: tuple = ()


def _started(row) -> Started | None:
    """The last columns of ADVANCE or FILE: (changed, appended, run id, request ids, bodies)."""
    changed, appended, run_id, ids, bodies = row
    if not (changed and appended):
        return None
    return Started(run_id, tuple(zip(ids or (), bodies or (), strict=True)))


def advance(
    connection, run: RunState, at, by_id, outcome: str, note: str, kept, took, nxt: NextStep, entry, event
):
    """Close `run` and start `nxt`, recording `entry` (an unsaved audit entry) and `event`.
    Returns the new run (`Started`), or None when nothing was changed: the run was closed by
    someone else, the application is no longer in progress, or (PostgreSQL) the audit chain has
    no head yet.

    On SQLite the same writes are separate statements; call it inside a transaction there."""
    if not one_statement(connection):
        if not finish_run(connection, run.run_id, at, by_id, outcome, note, kept, took):
            return None
        next_id = insert_run(
            connection, run.application_id, nxt.flow, nxt.step_id, nxt.role, nxt.started, nxt.due, nxt.rule
        )
        requests = insert_conclusions(connection, run.application_id, next_id, nxt.started, nxt.asked)
        if nxt.refusal is not None:
            grounds, text = nxt.refusal
            Application.objects.filter(pk=run.application_id).update(
                refusal_grounds=list(grounds), refusal_text=text
            )
        append(entry)
        events.record(event, run.application_id)
        return Started(next_id, requests)
    grounds, text = nxt.refusal if nxt.refusal is not None else ((), "")
    params = [
        *[at, by_id, outcome, note, kept, took, run.run_id, entry.chain],
        *[nxt.flow, nxt.step_id, nxt.role, nxt.started, nxt.due, nxt.rule],
        *_ask_params(nxt.started, nxt.asked),
        *[json.dumps(list(grounds), ensure_ascii=False), text, nxt.refusal is not None],
        *events.cte_params(event),
    ]
    with connection.cursor() as cursor:
        cursor.execute(ADVANCE, params + chain_params(entry, entry.digest()))
        return _started(cursor.fetchone())


# Completing a step that ends the procedure: close the run and the application (result or
# refusal), append the audit entry and the event. Same guards as ADVANCE; the register entry and
# the notice are made by the event's subscribers once this is committed, from the rows, so the
# statement hands back only whether it closed the application.
CLOSE = (  # constants only
    _DONE_CTE  # noqa: S608
    + """closed AS (
  UPDATE engine_application SET status = %s, closed_at = %s::timestamptz, result = %s,
      refusal_grounds = CASE WHEN %s::boolean THEN %s::jsonb ELSE refusal_grounds END,
      refusal_text = CASE WHEN %s::boolean THEN %s ELSE refusal_text END
  FROM done WHERE engine_application.id = done.application_id AND engine_application.status = 'in_progress'
  RETURNING engine_application.id),
"""
    + events.cte("event", "closed", "id")
    + CHAIN_CTES.format(condition="EXISTS (SELECT 1 FROM closed)")
    + "SELECT (SELECT count(*) FROM closed), (SELECT count(*) FROM moved)"
)


def close(
    connection, run: RunState, at, by_id, outcome: str, note: str, kept, took, closing: dict, entry, event
) -> bool:
    """Close `run` and its application with `closing` (status, result and, for a refusal with
    grounds, refusal_grounds and refusal_text), recording `entry` and `event`. Returns whether it
    did; False when nothing was changed (as `advance`). On SQLite these are separate
    statements; call it inside a transaction there."""
    if not one_statement(connection):
        if not finish_run(connection, run.run_id, at, by_id, outcome, note, kept, took):
            return False
        # SQLite is the embedded default, not the hot path: the ORM writes the application.
        if not Application.objects.filter(pk=run.application_id, status="in_progress").update(
            closed_at=at, **closing
        ):
            return False
        append(entry)
        events.record(event, run.application_id)
        return True
    refusal = "refusal_grounds" in closing
    grounds, text = closing.get("refusal_grounds", []), closing.get("refusal_text", "")
    params = [
        *[at, by_id, outcome, note, kept, took, run.run_id, entry.chain],
        *[closing["status"], at, closing["result"]],
        *[refusal, json.dumps(list(grounds), ensure_ascii=False), refusal, text],
        *events.cte_params(event),
    ]
    with connection.cursor() as cursor:
        cursor.execute(CLOSE, params + chain_params(entry, entry.digest()))
        closed, appended = cursor.fetchone()
    return bool(closed and appended)


def _ask_params(started, asked) -> list:
    return [started, [body for body, _due in asked], [due for _body, due in asked]]


INSERT_CONCLUSION = """
INSERT INTO engine_conclusionrequest (application_id, step_run_id, body, requested_at, due_at, answer, note)
VALUES (%s, %s, %s, %s, %s, 'pending', '')
"""


def insert_conclusions(connection, application_id: int, run_id: int, started, asked) -> tuple:
    """The separate-statement form of `_ASK_CTE` (SQLite); returns the requests as (id, body)."""
    ids = []
    with connection.cursor() as cursor:
        for body, due in asked:
            cursor.execute(
                INSERT_CONCLUSION,
                [application_id, run_id, body, _db_moment(connection, started), _db_moment(connection, due)],
            )
            ids.append((cursor.lastrowid, body))
    return tuple(ids)


# Filing: the application, its first run with its conclusion requests, and the audit entry. The
# id is drawn from the table's sequence first (`new_application_id`), because the number and the
# audit entry, hashed in Python, both carry it.
FILE = (  # constants only
    "WITH app AS ("  # noqa: S608
    + """
  INSERT INTO engine_application (id, number, regulation_id, service, variant, channel, procedure, applicant,
      applicant_name, applicant_user_id, provider_id, status, filed_at, registered_at, due_at, result,
      refusal_grounds, refusal_text, data, payment_id)
  SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'in_progress', %s::timestamptz, %s::timestamptz,
      %s::timestamptz, '', '[]'::jsonb, '', %s::jsonb, %s
  WHERE """
    + _CHAIN_HEAD_EXISTS
    + """
  RETURNING id),
done AS (
  INSERT INTO engine_steprun (application_id, flow, step_id, role, started_at, due_at, due_rule, outcome, note)
  SELECT id, %s, %s, %s, %s::timestamptz, %s::timestamptz, %s, '', '' FROM app
  RETURNING id, application_id),
"""
    + _ASK_CTE.format(run="done")
    + events.cte("event", "app", "id")
    + _CHAIN_IF_DONE
    + "SELECT 1, (SELECT count(*) FROM moved), (SELECT id FROM done), "
    + _STARTED_COLUMNS
)


# Ids are drawn from the table's sequence in blocks, as a sequence's own CACHE option does for
# each session, so that most filings need no round trip of their own for it. Numbers stay
# unique; across worker processes they are not in filing order, and ids a worker never used are
# gaps, as a rolled-back filing's is. Blocks are kept per process, thread and database: a forked
# process must not hand out its parent's.
ID_BLOCK = 20
_id_blocks = threading.local()


def new_application_id(connection) -> int:
    key = (os.getpid(), connection.alias, connection.settings_dict["NAME"])
    blocks = _id_blocks.__dict__.setdefault("blocks", {})
    block = blocks.get(key)
    if not block:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('engine_application', 'id')) FROM generate_series(1, %s)",
                [ID_BLOCK],
            )
            block = blocks[key] = sorted((row[0] for row in cursor.fetchall()), reverse=True)
    return block.pop()


def file(connection, app, first: NextStep, identified, event) -> Started | None:
    """Insert `app` (an unsaved Application) with its first run, its audit entry and `event`.
    `identified(app)`, called once the application has its id, gives it its number and returns
    the audit entry (both carry the id). Returns the first run, or None when the audit chain has
    no head yet (nothing was written).

    On PostgreSQL the id comes from `new_application_id` and the rest is one statement; on SQLite
    these are separate statements: call it inside a transaction there."""
    if not one_statement(connection):
        app.number = f"new-{uuid.uuid4().hex[:24]}"  # replaced below, once the row has its id
        app.save(using=connection.alias)
        entry = identified(app)
        app.save(using=connection.alias, update_fields=["number"])
        run_id = insert_run(
            connection, app.pk, first.flow, first.step_id, first.role, first.started, first.due, first.rule
        )
        requests = insert_conclusions(connection, app.pk, run_id, first.started, first.asked)
        append(entry)
        events.record(event, app.pk)
        return Started(run_id, requests)
    app.pk = new_application_id(connection)
    entry = identified(app)
    params = [
        *[app.pk, app.number, app.regulation_id, app.service, app.variant, app.channel, app.procedure],
        *[app.applicant, app.applicant_name, app.applicant_user_id, app.provider_id],
        *[app.filed_at, app.registered_at, app.due_at, json.dumps(app.data, ensure_ascii=False)],
        *[app.payment_id, entry.chain],
        *[first.flow, first.step_id, first.role, first.started, first.due, first.rule],
        *_ask_params(first.started, first.asked),
        *events.cte_params(event),
    ]
    with connection.cursor() as cursor:
        cursor.execute(FILE, params + chain_params(entry, entry.digest()))
        started = _started(cursor.fetchone())
    if started is not None:
        app._state.adding, app._state.db = False, connection.alias
    return started


# Moments and times as the backend stores them -------------------------------------------------


def _db_moment(connection, value):
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def _moment(value):
    """A moment as read: PostgreSQL's driver gives it aware; SQLite keeps moments as naive UTC
    text (Django's convention with USE_TZ), which its converters may have parsed already but
    never with the zone."""
    if value is None or isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if not isinstance(value, dt.datetime):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _time(value):
    return value if value is None or isinstance(value, dt.time) else parse_time(value)
