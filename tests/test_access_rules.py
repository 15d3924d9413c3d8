"""The rules of `qyzmet.access` that no route shows yet, and the engine and the register asking it.

The route-by-route matrix is tests/test_access_matrix.py; here are the kinds staff reach without a
page of their own (register entries, look-ups), the engine's own refusals (it asks access too),
and the layer rule that access imports no face.
"""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from qyzmet import access
from qyzmet.engine import services
from qyzmet.engine.models import Status
from qyzmet.gateway.models import DataLookup
from qyzmet.office.testing import FILED, make_cast
from qyzmet.registry import services as register

from .pause_helpers import RULE, export_control_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast()


def _issued(cast):
    """An application of provider A driven to its result, and its register entry."""
    app = cast.file()
    moment = FILED
    for _ in range(20):
        run = app.steps.filter(completed_at__isnull=True).first()
        if run is None:
            break
        moment += dt.timedelta(hours=1)
        outcome = {"S2": "complete", "S3": "approve"}.get(run.step_id)
        services.complete_step(run.pk, cast.head, outcome, at=moment)
    app.refresh_from_db()
    assert app.status == Status.ISSUED
    return app.register_entry


def test_the_head_of_the_issuing_provider_changes_an_entrys_status_and_its_clerk_may_not(cast):
    entry = _issued(cast)
    with pytest.raises(access.Forbidden):
        register.change_status(
            entry,
            "suspended",
            cast.clerk,
            note="inspection",
            ground="violations-found",
            until=dt.date(2099, 1, 1),
        )
    with pytest.raises(access.NotFound):
        register.change_status(
            entry,
            "suspended",
            cast.clerk_b,
            note="inspection",
            ground="violations-found",
            until=dt.date(2099, 1, 1),
        )
    register.change_status(
        entry, "suspended", cast.head, note="inspection", ground="violations-found", until=dt.date(2099, 1, 1)
    )
    assert register.current_status(entry) == "suspended"


def test_staff_see_their_providers_register_entries_and_no_others(cast):
    entry = _issued(cast)
    assert access.access_register_entry_as_staff(cast.clerk, entry.number) == entry
    assert list(access.register_entries_as_staff(cast.clerk_b)) == []
    with pytest.raises(access.NotFound):
        access.access_register_entry_as_staff(cast.clerk_b, entry.number)


def _lookup(subject, **fields):
    return DataLookup.objects.create(
        subject=subject, system="individuals", purpose="a test", correlation_id="c", **fields
    )


def test_staff_read_the_lookups_made_for_their_providers_applications_or_by_themselves(cast):
    app = cast.file()
    for_ours = _lookup(app.applicant, application_number=app.number, initiated_by="system")
    at_our_counter = _lookup("870412300129", initiated_by=cast.clerk.username)
    for_theirs = _lookup(app.applicant, application_number="QZ-ELSEWHERE", initiated_by="system")
    assert set(access.lookups_for(cast.clerk)) == {for_ours, at_our_counter}
    assert set(access.lookups_for(cast.clerk_b)) == set()
    with pytest.raises(access.NotFound):
        access.access_lookup(cast.clerk_b, for_ours.pk)
    assert for_theirs not in access.lookups_for(cast.head)


def test_the_applicant_reads_every_lookup_of_their_data_whoever_asked(cast, django_user_model):
    person = django_user_model.objects.create_user(username="870412300129")
    mine = _lookup("870412300129", initiated_by=cast.clerk.username)
    _lookup("000140000092", initiated_by="portal")
    assert list(access.lookups_for(person)) == [mine]


def test_the_engine_stops_the_clock_only_for_who_handles_a_current_step(cast):
    app = export_control_application(cast.provider_a)  # its open step is the clerk's
    with pytest.raises(services.NotPermitted):
        services.pause(app.pk, RULE, cast.executor, note="x")
    with pytest.raises(services.NotPermitted):
        services.pause(app.pk, RULE, cast.clerk_b, note="x")
    services.pause(app.pk, RULE, cast.clerk, note="x")
    with pytest.raises(services.NotPermitted):
        services.resume(app.pk, cast.executor)
    services.resume(app.pk, cast.head)


def test_the_scheduler_and_other_system_actors_stop_the_clock_as_themselves(cast):
    app = cast.file()
    services.pause(app.pk, "state_database_unavailable", "gateway")
    services.resume(app.pk, "gateway")


def test_nobody_signed_out_acts_on_a_step_even_one_assigned_to_nobody(cast):
    run = cast.file().steps.get()
    assert run.assignee_id is None
    assert access.may_act_on_step(AnonymousUser(), run) is False
    assert access.may_act_given(AnonymousUser(), False, None) is False
    assert access.may_manage_clock(AnonymousUser(), run.application) is False


def test_an_assignee_acts_on_the_step_assigned_to_them(cast):
    run = services.complete_step(cast.file().steps.get().pk, cast.clerk, at=FILED)
    assert not access.may_act_on_step(cast.clerk, run)
    services.assign(run.pk, cast.executor2, cast.head)
    run.refresh_from_db()
    assert access.may_act_on_step(cast.executor2, run)


def test_applicant_and_staff_see_an_application_each_in_their_own_capacity(cast, django_user_model):
    app = cast.file(applicant="870412300129")
    person = django_user_model.objects.create_user(username="870412300129")
    assert access.access_own_application(person, app.number) == app
    assert access.access_application_as_staff(cast.clerk, app.number) == app
    with pytest.raises(access.NotFound):
        access.access_application_as_staff(person, app.number)  # the applicant is not staff
    with pytest.raises(access.NotFound):
        access.access_own_application(cast.clerk, app.number)  # staff own no applications
    with pytest.raises(access.Forbidden):
        access.applicant_number(cast.clerk)


FACES = ("qyzmet.portal", "qyzmet.api", "qyzmet.office", "qyzmet.psc", "qyzmet.intake")


def test_access_imports_no_face_and_no_intake():
    """Access is domain: faces and the intake call it, never the other way round."""
    found = []
    for path in sorted((Path(access.__file__).parent).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found += [f"{path.name}: {n}" for n in names if n.startswith(FACES)]
    assert found == []
