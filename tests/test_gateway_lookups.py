"""Lookups kept as evidence, the message log, and the pending-lookup queue with its task."""

import datetime as dt

import pytest
from django.utils import timezone

from qyzmet.gateway import faults, lookups
from qyzmet.gateway.errors import NotFound, Unavailable
from qyzmet.gateway.models import DataLookup, Message, PendingLookup
from qyzmet.gateway.tasks import retry_pending_lookups
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_bin

pytestmark = pytest.mark.django_db

IIN = "870412300129"
APPLICATION = "KZ-2015-000321"


@pytest.fixture(autouse=True)
def gateway(settings):
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    settings.QYZMET_GATEWAY_PENDING_BACKOFF_BASE = 60
    with fresh_gateway():
        yield


def test_lookup_is_logged_with_correlation_id_and_kept_as_evidence():
    lookup = lookups.look_up_person(
        IIN, purpose="identity of the applicant", application_number=APPLICATION, correlation_id="corr-1"
    )
    assert lookup.found and lookup.answer["iin"] == IIN and lookup.system == "individuals"
    assert lookup.initiated_by == "portal" and lookup.application_number == APPLICATION
    message = Message.objects.get(correlation_id="corr-1")
    assert lookup.message == message and lookup.correlation_id == "corr-1"
    assert (message.system, message.operation, message.subject, message.outcome, message.attempts) == (
        "individuals",
        "person",
        IIN,
        "ok",
        1,
    )
    assert message.started_at <= message.finished_at


def test_not_found_is_evidence_too():
    iin = faults.magic_iin(faults.NOT_FOUND)
    with pytest.raises(NotFound) as caught:
        lookups.look_up_person(iin, purpose="identity of the applicant", initiated_by="officer1")
    lookup = DataLookup.objects.get(subject=iin)
    assert caught.value.lookup == lookup and not lookup.found and lookup.answer is None
    assert lookup.initiated_by == "officer1" and lookup.message.outcome == "not_found"


def test_unavailable_leaves_a_message_but_no_evidence():
    with pytest.raises(Unavailable):
        lookups.look_up_tax_debts(faults.magic_iin(faults.ERROR), purpose="tax debts of the applicant")
    assert not DataLookup.objects.exists()
    assert Message.objects.get().outcome == "error"


def test_personal_cabinet_lists_lookups_of_the_person_and_of_entities_she_heads():
    bin_ = ordinary_bin(3)
    entity = lookups.look_up_entity(bin_, purpose="applicant entity", initiated_by="officer1")
    head = entity.answer["head"]["iin"]
    own = lookups.look_up_person(head, purpose="identity of the head")
    lookups.look_up_person(IIN, purpose="someone else")
    mine = DataLookup.objects.of_person(head)
    assert set(mine) == {entity, own}
    assert list(DataLookup.objects.of_person(IIN).values_list("purpose", flat=True)) == ["someone else"]


def test_purpose_is_required():
    with pytest.raises(ValueError):
        lookups.look_up_person(IIN, purpose="")


def test_unavailable_lookup_is_queued_and_retried_to_completion_by_the_task():
    with faults.injected(error_rate=1.0):
        pending = lookups.look_up_or_queue(
            "individuals", IIN, purpose="identity of the applicant", application_number=APPLICATION
        )
    assert isinstance(pending, PendingLookup)
    assert pending.status == PendingLookup.WAITING and pending.last_error.startswith("error:")
    assert pending.next_attempt_at > timezone.now()

    # Not due yet: the task leaves it alone.
    assert retry_pending_lookups.apply().get() == {"done": 0, "not_found": 0, "waiting": 0}

    PendingLookup.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert retry_pending_lookups.apply().get() == {"done": 1, "not_found": 0, "waiting": 0}
    pending.refresh_from_db()
    assert pending.status == PendingLookup.DONE and pending.attempts == 2 and pending.last_error == ""
    assert pending.lookup.answer["iin"] == IIN and pending.lookup.application_number == APPLICATION
    # one correlation id ties the failed call, the successful one and the evidence together
    assert Message.objects.filter(correlation_id=pending.correlation_id).count() == 2


def test_still_unavailable_stays_waiting_with_its_last_error_and_a_longer_pause():
    timing_out = faults.magic_iin(faults.TIMEOUT)
    pending = lookups.look_up_or_queue("individuals", timing_out, purpose="identity of the applicant")
    first_pause = pending.next_attempt_at - pending.created_at

    PendingLookup.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert retry_pending_lookups() == {"done": 0, "not_found": 0, "waiting": 1}
    pending.refresh_from_db()
    assert pending.status == PendingLookup.WAITING and pending.attempts == 2
    assert pending.last_error.startswith("timeout:")
    assert pending.next_attempt_at - timezone.now() > first_pause  # backoff grew: 60 s, then 120 s


def test_pending_lookup_that_finds_no_record_ends_as_not_found():
    pending = PendingLookup.objects.create(
        system="individuals",
        subject=faults.magic_iin(faults.NOT_FOUND),
        purpose="identity of the applicant",
        initiated_by="portal",
        correlation_id="corr-2",
        next_attempt_at=timezone.now(),
    )
    assert retry_pending_lookups() == {"done": 0, "not_found": 1, "waiting": 0}
    pending.refresh_from_db()
    assert pending.status == PendingLookup.NOT_FOUND and not pending.lookup.found


def test_a_claimed_lookup_is_not_taken_twice():
    pending = PendingLookup.objects.create(
        system="tax",
        subject=IIN,
        purpose="p",
        initiated_by="portal",
        correlation_id="c",
        next_attempt_at=timezone.now(),
    )
    now = timezone.now()
    assert lookups._claim(pending, now)
    assert not lookups._claim(pending, now)  # a second worker holding the stale row loses


def test_evidence_cannot_be_changed():
    lookup = lookups.look_up_person(IIN, purpose="identity of the applicant")
    lookup.purpose = "something nicer"
    with pytest.raises(ValueError):
        lookup.save()
