"""Collegial steps: a commission or council decides at a meeting, and its protocol is the record.

Three steps of order No. 401's regulations are taken at a meeting (`collegial: true`): the
Council of Medical Scientists decides on a clinical research permit (seed 003, lines 1851-1853),
the Joint Commission reviews a qualification assessment body and its secretary draws up the
minutes (lines 2226-2228), the accreditation commission examines a medical organisation with the
executor as secretary minuting the meeting (lines 559-562). Such a step is completed only with
its protocol, stored in the same transaction as the completion and written in its audit entry;
every other step refuses one.
"""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from qyzmet.audit.log import verify
from qyzmet.audit.models import AppendOnlyError, AuditEntry
from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.engine.models import Protocol, Status
from qyzmet.identity.numbers import generate_iin
from qyzmet.providers.models import Provider
from qyzmet.regulations.loader import catalogue

from .engine_helpers import COMMISSION, complete_as_staff, provider_for, staff_for

pytestmark = pytest.mark.django_db

CLINICAL = "mhsd-2015-401/clinical-research-permit"  # S5: the Council of Medical Scientists decides
ASSESSMENT_BODY = "mhsd-2015-401/qualification-assessment-body-accreditation"  # S3: the Joint Commission
MEDICAL_ORGANISATION = "mhsd-2015-401/medical-organisation-accreditation"  # S8-commission
CERTIFICATE = "mhsd-2015-401/specialist-certificate"  # no step is taken at a meeting


def _reach(reg_id: str, step_id: str, end_id: str | None = None):
    """File an application under the regulation and complete its steps up to `step_id`."""
    reg = catalogue()[reg_id]
    provider = provider_for(reg)
    day = reg.in_force.from_ + dt.timedelta(days=40)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="provider_office",
        applicant=generate_iin(),
        filed_at=dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ALMATY),
    )
    proc = reg.procedure(app.procedure)
    end_id = end_id or next(s.id for s in proc.steps if s.end == "result")
    choices = proc.path_to(end_id)
    run = app.steps.get()
    while run.step_id != step_id:
        moment = run.started_at + dt.timedelta(minutes=5)
        run = complete_as_staff(reg, provider, run, choices.get(run.step_id), moment)
    return reg, provider, app, run


def _minutes(moment, **changes) -> dict:
    protocol = {
        "number": "No. 7",
        "meeting_at": moment,
        "chair": COMMISSION[0],
        "members": COMMISSION,
        "secretary": "Жұмабаева А. С.",
        "reasoning": "The organisation meets the accreditation standards.",
    }
    protocol.update(changes)
    return protocol


def test_accreditation_commission_decides_only_with_a_protocol():
    _reg, provider, app, run = _reach(MEDICAL_ORGANISATION, "S8-commission")
    commission = staff_for(provider, "accreditation-commission")
    meeting = run.started_at + dt.timedelta(hours=1)
    decided = meeting + dt.timedelta(hours=2)
    entries = AuditEntry.objects.count()

    with pytest.raises(services.InvalidTransition, match="needs its meeting's protocol"):
        services.complete_step(run.pk, commission, at=decided, note="examined at the meeting")
    run.refresh_from_db()
    assert run.is_open and not Protocol.objects.exists() and AuditEntry.objects.count() == entries

    nxt = services.complete_step(run.pk, commission, at=decided, protocol=_minutes(meeting))
    assert nxt.step_id == "S9" and nxt.role == "head"
    run.refresh_from_db()
    assert run.completed_at == decided and run.outcome == "done"
    protocol = Protocol.objects.get()
    assert protocol.step_run_id == run.pk and protocol.application_id == app.pk
    assert (protocol.number, protocol.meeting_at, protocol.decision) == ("No. 7", meeting, "done")
    assert protocol.chair == COMMISSION[0] and protocol.members == COMMISSION
    assert protocol.secretary == "Жұмабаева А. С." and protocol.recorded_at == decided
    assert list(app.protocols.all()) == [protocol] and run.protocol == protocol

    # one change, one audit entry: the completion, with the protocol's number and members in it
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "step_completed" and entry.subject_id == str(app.pk)
    assert entry.data["protocol"]["number"] == "No. 7"
    assert entry.data["protocol"]["members"] == COMMISSION
    assert entry.data["started"]["step"] == "S9"
    assert verify()[1] is None


def test_scientific_council_refuses_a_permit_by_the_protocol_of_its_meeting():
    reg, provider, app, run = _reach(CLINICAL, "S5", end_id="S6-refusal-sign")
    council = staff_for(provider, "scientific-council")
    meeting = run.started_at + dt.timedelta(minutes=30)
    nxt = services.complete_step(
        run.pk,
        council,
        "refuse",
        at=meeting + dt.timedelta(minutes=30),
        grounds=[reg.refusal_grounds[0].code],
        note="The expert review found the study's design unsafe.",
        protocol=_minutes(meeting, number="No. 3", reasoning="Unsafe design; refused by 5 votes to 1."),
    )
    assert nxt.step_id == "S6-refusal"
    protocol = Protocol.objects.get(step_run_id=run.pk)
    assert protocol.decision == "refuse" and protocol.reasoning.startswith("Unsafe design")
    app.refresh_from_db()
    assert app.status == Status.IN_PROGRESS and app.refusal_grounds == [reg.refusal_grounds[0].code]


def test_joint_commission_secretary_draws_up_the_minutes_the_first_member_chairing():
    _reg, provider, _app, run = _reach(ASSESSMENT_BODY, "S3")
    secretary = staff_for(provider, "commission-secretary")
    meeting = run.started_at + dt.timedelta(days=2)
    minutes = _minutes(meeting, members=["  Омарова Г. Б. ", "", "Исаев Д. С.", "Омарова Г. Б."])
    del minutes["chair"]
    nxt = services.complete_step(run.pk, secretary, at=meeting + dt.timedelta(hours=3), protocol=minutes)
    assert nxt.step_id == "S4"
    protocol = Protocol.objects.get()
    assert protocol.chair == "Омарова Г. Б." and protocol.members == ["Омарова Г. Б.", "Исаев Д. С."]


def test_a_chair_not_listed_among_the_members_is_counted_present():
    _reg, provider, _app, run = _reach(ASSESSMENT_BODY, "S3")
    meeting = run.started_at + dt.timedelta(hours=1)
    services.complete_step(
        run.pk,
        staff_for(provider, "commission-secretary"),
        at=meeting,
        protocol=_minutes(meeting, chair="Тоқтаров Е. Б.", members=["Исаев Д. С."]),
    )
    assert Protocol.objects.get().members == ["Тоқтаров Е. Б.", "Исаев Д. С."]


def test_a_step_not_decided_at_a_meeting_takes_no_protocol():
    reg = catalogue()[CERTIFICATE]
    provider = Provider.objects.create(
        code="cert", acts_as=reg.provider.code, name=reg.provider.name.model_dump()
    )
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant="issue",
        channel="egov_portal",
        applicant=generate_iin(),
        filed_at=dt.datetime(2018, 6, 4, 10, tzinfo=ALMATY),
    )
    run = app.steps.get()
    moment = run.started_at + dt.timedelta(minutes=10)
    with pytest.raises(services.InvalidTransition, match="not decided at a meeting"):
        services.complete_step(
            run.pk, staff_for(provider, "office-clerk"), at=moment, protocol=_minutes(moment)
        )
    run.refresh_from_db()
    assert run.is_open and not Protocol.objects.exists()


def test_the_meeting_is_held_while_the_step_runs():
    _reg, provider, app, run = _reach(MEDICAL_ORGANISATION, "S8-commission")
    commission = staff_for(provider, "accreditation-commission")
    decided = run.started_at + dt.timedelta(hours=4)
    entries = AuditEntry.objects.count()
    with pytest.raises(services.InvalidTransition, match="cannot be before step S8-commission started"):
        services.complete_step(
            run.pk, commission, at=decided, protocol=_minutes(run.started_at - dt.timedelta(minutes=1))
        )
    with pytest.raises(services.InvalidTransition, match="cannot be after the decision is recorded"):
        services.complete_step(
            run.pk, commission, at=decided, protocol=_minutes(decided + dt.timedelta(minutes=1))
        )
    run.refresh_from_db()
    assert run.is_open and not Protocol.objects.exists() and AuditEntry.objects.count() == entries
    # the bounds themselves are allowed; a moment given as text without an offset is Almaty time
    meeting = decided - dt.timedelta(hours=1)
    text = meeting.astimezone(ALMATY).replace(tzinfo=None).isoformat()
    services.complete_step(run.pk, commission, at=decided, protocol=_minutes(text))
    assert Protocol.objects.get(application=app).meeting_at == meeting


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"number": "  "}, "needs its number"),
        ({"number": "x" * 41}, "at most 40 characters"),
        ({"meeting_at": None}, "date and time of the meeting"),
        ({"meeting_at": "the day before yesterday"}, "date and time of the meeting"),
        ({"chair": "", "members": [" ", ""]}, "members present, at least one"),
        ({"place": "Astana"}, "no field place"),
    ],
)
def test_a_protocol_needs_its_number_moment_and_members(changes, message):
    _reg, provider, _app, run = _reach(ASSESSMENT_BODY, "S3")
    moment = run.started_at + dt.timedelta(hours=1)
    with pytest.raises(services.InvalidTransition, match=message):
        services.complete_step(
            run.pk,
            staff_for(provider, "commission-secretary"),
            at=moment,
            protocol=_minutes(moment, **changes),
        )
    run.refresh_from_db()
    assert run.is_open and not Protocol.objects.exists()


def test_a_protocol_is_never_changed_or_deleted():
    _reg, provider, _app, run = _reach(ASSESSMENT_BODY, "S3")
    moment = run.started_at + dt.timedelta(hours=1)
    services.complete_step(
        run.pk, staff_for(provider, "commission-secretary"), at=moment, protocol=_minutes(moment)
    )
    protocol = Protocol.objects.get()
    protocol.number = "No. 8"
    with pytest.raises(AppendOnlyError):
        protocol.save()
    with pytest.raises(AppendOnlyError):
        protocol.delete()
    if connection.vendor == "postgresql":  # the database refuses it too
        for sql in ("UPDATE engine_protocol SET number = 'No. 8'", "DELETE FROM engine_protocol"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql)
    assert Protocol.objects.get().number == "No. 7"
