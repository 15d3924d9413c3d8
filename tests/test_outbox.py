"""The engine's events: written with each change, handed to every subscriber once it is committed,
retried when a subscriber fails, never lost, and never acted on twice."""

import datetime as dt
import os
import threading
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from qyzmet.engine import events
from qyzmet.engine.models import Application, Status
from qyzmet.notifications.models import Notification
from qyzmet.outbox import delivery, subscribers, tasks
from qyzmet.outbox.models import Delivery, Event
from qyzmet.registry.models import RegisterEntry, RegisterEvent
from qyzmet.regulations.loader import catalogue

from .engine_helpers import filing_moment, provider_for
from .registry_helpers import LICENCE, drive, make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(db):
    return make_provider(LICENCE)


@pytest.fixture
def extra_subscriber(monkeypatch):
    """Subscribe a test handler to filing events, for the length of a test."""

    def add(handle, name="test.handler"):
        monkeypatch.setitem(
            subscribers._subscribers, name, subscribers.Subscriber(name, frozenset({events.FILED}), handle)
        )
        return name

    return add


def _file(provider, **data):
    reg = catalogue()[LICENCE]
    from qyzmet.engine import services

    return services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant="870412300129",
        filed_at=filing_moment(reg),
        data=data,
    )


def test_every_change_of_an_issued_application_leaves_its_event(provider):
    app = drive(provider, LICENCE, "S6")
    kinds = list(
        Event.objects.filter(subject_id=app.pk).order_by("recorded_at", "at").values_list("kind", flat=True)
    )
    assert kinds[0] == events.FILED and kinds[-1] == events.CLOSED
    assert kinds.count(events.STEP_COMPLETED) == app.steps.count() - 1
    assert kinds.count(events.CONCLUSION_ANSWERED) == app.conclusions.count() >= 1
    closed = Event.objects.get(subject_id=app.pk, kind=events.CLOSED)
    assert closed.data["status"] == Status.ISSUED and closed.data["result"] == app.result


def test_the_register_entry_follows_the_issuing_event_once(provider):
    app = drive(provider, LICENCE, "S6")
    closed = Event.objects.get(subject_id=app.pk, kind=events.CLOSED)
    entry = RegisterEntry.objects.get(application=app)
    assert entry.entered_at == closed.at
    states = dict(Delivery.objects.filter(event=closed).values_list("subscriber", "state"))
    assert states == {
        "registry.enter_result": Delivery.State.DELIVERED,
        "notifications.tell_applicant": Delivery.State.DELIVERED,
        "psc.result_due": Delivery.State.DELIVERED,
    }


def test_a_failing_subscriber_loses_nothing_and_is_retried_until_it_succeeds(provider, extra_subscriber):
    calls = []

    def flaky(event):
        calls.append(event.id)
        if len(calls) < 3:
            raise ConnectionError("warehouse unreachable")

    name = extra_subscriber(flaky)
    app = _file(provider)
    assert Application.objects.filter(pk=app.pk, status=Status.IN_PROGRESS).exists()  # the change stays
    event = Event.objects.get(subject_id=app.pk, kind=events.FILED)
    row = Delivery.objects.get(event=event, subscriber=name)
    assert calls == [event.id] * 3  # two failures, then delivered, in Celery's bounded retries
    assert (row.state, row.attempts, row.error) == (Delivery.State.DELIVERED, 3, "")


def test_a_subscriber_that_keeps_failing_is_shown_failed_and_can_be_handed_the_event_again(
    provider, extra_subscriber, admin_client
):
    broken = {"yes": True}

    def down(event):
        if broken["yes"]:
            raise ConnectionError("warehouse unreachable")

    name = extra_subscriber(down)
    app = _file(provider)
    event = Event.objects.get(subject_id=app.pk, kind=events.FILED)
    row = Delivery.objects.get(event=event, subscriber=name)
    assert row.state == Delivery.State.FAILED and row.attempts == tasks.MAX_RETRIES + 1
    assert "warehouse unreachable" in row.error and Application.objects.filter(pk=app.pk).exists()
    page = admin_client.get("/admin/outbox/delivery/?state__exact=failed").content.decode()
    assert name in page and "warehouse unreachable" in page
    broken["yes"] = False
    assert delivery.retry_failed(Delivery.objects.filter(pk=row.pk)) == 1
    row.refresh_from_db()
    assert row.state == Delivery.State.DELIVERED


def _rows(app):
    return {
        "register": list(RegisterEntry.objects.filter(application=app).values()),
        "register_events": list(RegisterEvent.objects.values()),
        "notices": list(Notification.objects.filter(application=app).values()),
        "deliveries": list(Delivery.objects.order_by("id").values()),
        "audit": __import__("qyzmet.audit.models", fromlist=["AuditEntry"]).AuditEntry.objects.count(),
    }


def test_replaying_an_event_changes_nothing(provider, django_capture_on_commit_callbacks):
    app = drive(provider, LICENCE, "S6", data={"contacts": {"email": "me@example.kz"}})
    closed = Event.objects.get(subject_id=app.pk, kind=events.CLOSED)
    before = _rows(app)
    assert before["register"] and len(before["notices"]) == 2  # filed and closed, by e-mail
    for sub in subscribers.subscribers_of(events.CLOSED):
        assert tasks.deliver.delay(str(closed.id), sub.name).get() == delivery.ALREADY
        sub.handle(closed)  # even handed over past its receipt, a handler does its work once
    subscribers.send(
        [(str(e.id), s.name) for e in Event.objects.all() for s in subscribers.subscribers_of(e.kind)]
    )
    assert _rows(app) == before


def test_events_are_handed_over_only_once_the_change_is_committed(
    provider, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        subscribers,
        "after_commit",
        lambda callback, using: transaction.on_commit(callback, using=using, robust=True),
    )
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            app = drive(provider, LICENCE, "S6")
            assert not Delivery.objects.exists()  # nothing is handed over inside the transaction
            assert not RegisterEntry.objects.filter(application=app).exists()
    assert RegisterEntry.objects.filter(application=app).exists()


def test_a_change_rolled_back_leaves_no_event(provider):
    with pytest.raises(RuntimeError), transaction.atomic():
        app = _file(provider)
        raise RuntimeError("the caller's transaction fails after filing")
    assert not Event.objects.filter(subject_id=app.pk).exists()


def test_redispatch_hands_out_what_a_lost_broker_never_delivered(provider, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.deliver_events, "delay", broker_down)
        app = drive(provider, LICENCE, "S6")
    assert Application.objects.get(pk=app.pk).status == Status.ISSUED  # the change did not wait
    assert not Delivery.objects.exists() and not RegisterEntry.objects.filter(application=app).exists()
    assert delivery.redispatch()["queued"] == 0  # too young: they may still be on their way
    later = timezone.now() + delivery.WAITED + dt.timedelta(seconds=1)
    first = delivery.redispatch(now=later)
    assert first["queued"] == Delivery.objects.count() >= 3
    assert RegisterEntry.objects.filter(application=app).exists()
    assert delivery.redispatch(now=later)["queued"] == 0  # all delivered: nothing to hand out again
    assert not Event.objects.filter(settled=False).exists()


# A real worker on RabbitMQ ----------------------------------------------------------------------

AMQP = os.environ.get("QYZMET_TEST_AMQP_URL", "amqp://guest@127.0.0.1//")


def _broker_reachable() -> str:
    from kombu import Connection

    try:
        with Connection(AMQP, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means: no broker here
        return f"{type(exc).__name__}: {exc}"
    return ""


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_on_rabbitmq_delivers_an_event_end_to_end(monkeypatch):
    """The application is driven to its result first, its events queued on RabbitMQ; then a
    worker takes them (the test touches the database again only once the worker has stopped:
    SQLite's shared in-memory test database does not wait for locks between threads)."""
    unreachable = _broker_reachable()
    if unreachable:
        pytest.skip(f"RabbitMQ at {AMQP} is unreachable ({unreachable})")
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from kombu import Connection

    from qyzmet.celery import app as celery_app
    from qyzmet.regulations.catalogue_sync import sync_catalogue

    sync_catalogue()
    queue = f"qyzmet-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(
        subscribers,
        "after_commit",
        lambda callback, using: transaction.on_commit(callback, using=using, robust=True),
    )
    # An app of its own, configured as the platform's but on RabbitMQ and a queue of this test's,
    # made the current one: the tasks the outbox queues (`deliver_events.delay`) go through it.
    worker_app = Celery("qyzmet-test", set_as_current=False)
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    # no AMQP heartbeats: with them the test worker takes 10 s to notice it is asked to stop
    worker_app.conf.update(
        broker_url=AMQP, task_always_eager=False, task_default_queue=queue, broker_heartbeat=0
    )
    worker_app.set_current()
    finished, done = [], threading.Event()

    def count(sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == tasks.deliver_events.name:
            finished.extend(retval)  # one task per change, a result per subscriber
            if len(finished) >= expected:
                done.set()

    task_postrun.connect(count, weak=False)
    try:
        reg = catalogue()[LICENCE]
        app = drive(provider_for(reg), LICENCE, "S6")
        closed = Event.objects.get(subject_id=app.pk, kind=events.CLOSED)
        assert not Delivery.objects.exists()  # queued on the broker, not delivered yet
        expected = sum(
            len(subscribers.subscribers_of(kind))
            for kind in Event.objects.filter(subject_id=app.pk).values_list("kind", flat=True)
        )
        with start_worker(
            worker_app,
            pool="solo",
            perform_ping_check=False,
            loglevel="WARNING",
            queues=[queue],
            shutdown_timeout=60,
        ):
            assert done.wait(60), f"the worker finished {len(finished)} of {expected} deliveries"
        assert finished == [delivery.DELIVERED] * expected
        row = Delivery.objects.get(event=closed, subscriber="registry.enter_result")
        assert (row.state, row.attempts) == (Delivery.State.DELIVERED, 1)
        assert RegisterEntry.objects.get(application=app).entered_at == closed.at
    finally:
        task_postrun.disconnect(count)
        celery_app.set_current()
        worker_app.close()
        with Connection(AMQP) as conn:
            conn.default_channel.queue_delete(queue)
