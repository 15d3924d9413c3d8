"""How the engine writes a change: after a read, one statement that re-checks what the read found.

On PostgreSQL a filing, a body's answer and a step's completion are each one statement run on its
own (its own transaction), with the audit entry carried along; the values come from a read made
just before. These tests make that read stale on purpose, and check that the statement then
changes nothing at all, on both backends.
"""

import datetime as dt
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qyzmet.audit.log import verify
from qyzmet.audit.models import GENESIS, AuditEntry, ChainHead
from qyzmet.engine import events, services, store
from qyzmet.engine.models import Application, ConclusionRequest, Status, StepRun
from qyzmet.identity.numbers import generate_iin
from qyzmet.outbox import subscribers
from qyzmet.outbox.models import Event
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from .engine_helpers import filing_moment, provider_for, staff_for

pytestmark = pytest.mark.django_db

CERTIFICATE = "mhsd-2015-401/specialist-certificate"
LICENCE = "almaty-2015-2-279/medical-licence"


@pytest.fixture
def loaded(db):
    """The whole catalogue, which conftest loads into the test database once per run."""


def _file(reg, provider, **extra):
    return services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="provider_office" if reg.id == LICENCE else "egov_portal",
        applicant=generate_iin(),
        filed_at=filing_moment(reg),
        **extra,
    )


def _complete_until(reg, provider, run, reached):
    """Complete steps along their first branch until the run's step is `reached(step)`;
    returns that run and the moment the last completion was made."""
    moment = run.started_at
    while not reached(reg.step(run.flow, run.step_id)):
        step = reg.step(run.flow, run.step_id)
        moment += dt.timedelta(minutes=5)
        outcome = step.branches[0].when if step.branches else "done"
        run = services.complete_step(run.pk, staff_for(provider, run.role), outcome, at=moment)
    return run, moment


def _after_read(monkeypatch, reader: str, meanwhile):
    """Make `store.<reader>` run `meanwhile()` (someone else's change) right after its read."""
    read = getattr(store, reader)

    def read_then_changed(*args):
        found = read(*args)
        meanwhile()
        return found

    monkeypatch.setattr(store, reader, read_then_changed)


def test_a_completion_whose_application_was_paused_after_the_read_changes_nothing(loaded, monkeypatch):
    reg = catalogue()[CERTIFICATE]
    provider = provider_for(reg)
    app = _file(reg, provider)
    run = app.steps.get()
    _after_read(
        monkeypatch, "read_run", lambda: Application.objects.filter(pk=app.pk).update(status=Status.PAUSED)
    )
    entries = AuditEntry.objects.count()
    with pytest.raises(services.InvalidTransition, match="paused"):
        services.complete_step(run.pk, staff_for(provider, "office-clerk"), at=run.started_at)
    run.refresh_from_db()
    assert run.completed_at is None  # the step is still open
    assert StepRun.objects.filter(application=app).count() == 1  # no next step was started
    assert AuditEntry.objects.count() == entries  # and nothing was recorded


def test_the_last_step_of_an_application_closed_after_the_read_changes_nothing(loaded, monkeypatch):
    reg = catalogue()[CERTIFICATE]
    provider = provider_for(reg)
    app = _file(reg, provider)
    # to the step that issues the certificate
    run, moment = _complete_until(reg, provider, app.steps.get(), lambda step: step.end)
    _after_read(
        monkeypatch,
        "read_run",
        lambda: Application.objects.filter(pk=app.pk).update(status=Status.DEEMED_ISSUED),
    )
    entries = AuditEntry.objects.count()
    with pytest.raises(services.InvalidTransition, match="closed"):
        services.complete_step(run.pk, staff_for(provider, run.role), at=moment + dt.timedelta(minutes=5))
    run.refresh_from_db()
    assert run.completed_at is None and AuditEntry.objects.count() == entries


def test_an_answer_already_given_after_the_read_is_not_given_twice(loaded, monkeypatch):
    reg = catalogue()[LICENCE]
    provider = provider_for(reg)
    app = _file(reg, provider)
    run, moment = _complete_until(reg, provider, app.steps.get(), lambda step: step.requests_conclusion_from)
    request = ConclusionRequest.objects.filter(application=app).first()
    _after_read(
        monkeypatch,
        "read_conclusion",
        lambda: ConclusionRequest.objects.filter(pk=request.pk).update(answer="negative"),
    )
    entries = AuditEntry.objects.count()
    with pytest.raises(services.StepAlreadyCompleted):
        services.answer_conclusion(request.pk, "positive", by="body", at=moment)
    request.refresh_from_db()
    # (on SQLite the other answer was written inside this very transaction, and undone with it)
    assert request.answer != "positive" and AuditEntry.objects.count() == entries


def test_the_first_filing_into_an_empty_audit_log_gives_the_chain_its_head(loaded):
    AuditEntry.objects.all()._raw_delete(AuditEntry.objects.db)  # an empty log: no entries, no head
    ChainHead.objects.all().delete()
    reg = catalogue()[CERTIFICATE]
    app = _file(reg, provider_for(reg))
    assert app.steps.count() == 1
    entry = AuditEntry.objects.get()
    assert entry.action == "application_filed" and entry.prev_hash == GENESIS
    assert ChainHead.objects.get(pk=entry.chain).last_id == entry.pk
    assert verify()[1] is None


def test_on_postgresql_each_change_is_one_statement_after_its_read(loaded, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs the same writes as separate statements in a transaction")
    # the events' deliveries are a worker's business, queued after the change: not counted here
    monkeypatch.setattr(subscribers, "after_commit", lambda callback, using: None)
    reg = catalogue()[LICENCE]
    provider = provider_for(reg)
    _file(reg, provider)  # the audit log has its head from now on
    row = Regulation.objects.get(pk=reg.id)
    with CaptureQueriesContext(connection) as filing:
        # with the version the channel walked, as every channel passes it
        app = _file(reg, provider, regulation=row)
    run = app.steps.get()
    clerk = staff_for(provider, run.role)
    with CaptureQueriesContext(connection) as completing:
        run = services.complete_step(run.pk, clerk, at=run.started_at)
    # the application, its first run and its audit entry; before it, at most a block of ids
    # drawn from the sequence (one filing in `store.ID_BLOCK` needs that)
    writes = [q for q in filing.captured_queries if "nextval" not in q["sql"]]
    assert len(writes) == 1 and len(filing.captured_queries) <= 2
    # the read, then the run closed, the next one started and the audit entry appended
    assert len(completing.captured_queries) == 2
    assert not any(q["sql"].startswith(("BEGIN", "SAVEPOINT")) for q in completing.captured_queries)
    assert run.step_id and StepRun.objects.get(pk=run.pk).completed_at is None
    assert verify()[1] is None
    # each statement also wrote the change's event
    assert set(Event.objects.filter(subject_id=app.pk).values_list("kind", flat=True)) == {
        events.FILED,
        events.STEP_COMPLETED,
    }


def test_filing_and_completing_hand_back_what_they_started(loaded, django_assert_num_queries):
    reg = catalogue()[LICENCE]
    provider = provider_for(reg)
    filed = services.file(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant=generate_iin(),
        filed_at=filing_moment(reg),
    )
    first = filed.first.run
    assert (first.pk, first.step_id) == (StepRun.objects.get(application=filed.application).pk, "S1")
    begun, moment = filed.first, first.started_at
    while not begun.conclusions:  # each completion hands back the run it started
        run = begun.run
        step = reg.step(run.flow, run.step_id)
        moment += dt.timedelta(minutes=5)
        outcome = step.branches[0].when if step.branches else "done"
        begun = services.advance(run.pk, staff_for(provider, run.role), outcome, at=moment)
    with django_assert_num_queries(0):  # the requests the step opened come with it
        opened = [(r.pk, r.body, r.due_at, r.answer) for r in begun.conclusions]
    stored = ConclusionRequest.objects.filter(step_run_id=begun.run.pk).order_by("id")
    assert opened == [(r.pk, r.body, r.due_at, r.answer) for r in stored] and len(opened) >= 1
    assert reg.step(begun.run.flow, begun.run.step_id).requests_conclusion_from


def test_ids_come_in_blocks_that_a_forked_process_does_not_share(loaded, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite numbers rows itself")
    first = store.new_application_id(connection)
    second = store.new_application_id(connection)
    assert second > first  # the next id of the same block, with no statement of its own
    parents = set(store._id_blocks.blocks[(os.getpid(), connection.alias, connection.settings_dict["NAME"])])
    monkeypatch.setattr(store.os, "getpid", lambda: -1)  # as in a child forked after `second`
    child = store.new_application_id(connection)
    assert child > max(parents | {second})  # a block of its own, not the parent's remainder
