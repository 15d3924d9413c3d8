"""`python -m qyzmet demo load`: providers, staff for every role, applications spread over the steps."""

import pytest

from qyzmet.audit.actions import AuditAction
from qyzmet.audit.log import verify
from qyzmet.audit.models import AuditEntry
from qyzmet.cli import main
from qyzmet.engine.models import Application, Protocol, Status, StepRun
from qyzmet.providers.models import Officer, Provider, StaffRole

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_fills_every_provider_and_leaves_some_work_open(monkeypatch):
    monkeypatch.setenv("QYZMET_TODAY", "2015-10-14")
    assert main(["demo", "load", "--per-regulation", "6"]) == 0
    assert Provider.objects.count() >= 10
    # every provider of a regulation has a head; service centres (acts_as "psc") have operators
    providers = Provider.objects.exclude(acts_as="psc")
    assert StaffRole.objects.filter(role="head", provider__in=providers).count() == providers.count()
    assert StaffRole.objects.filter(role="psc-operator").exists()
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {Status.ISSUED, Status.IN_PROGRESS} <= statuses
    assert StepRun.objects.filter(completed_at__isnull=True).exists()
    # commissions and councils decided their steps at meetings, each with its protocol
    protocols = list(Protocol.objects.select_related("step_run"))
    assert protocols and all(p.members and p.chair == p.members[0] and p.number for p in protocols)
    assert all(p.step_run.started_at <= p.meeting_at <= p.step_run.completed_at for p in protocols)
    assert verify()[1] is None
    # every head is recorded with her IIN and has a signing key file for results (var/demo-keys/)
    heads = StaffRole.objects.filter(role="head").values("user")
    assert Officer.objects.filter(user__in=heads).count() == heads.distinct().count()
    # the ministry's supervisor sees the health providers' figures, not the entrepreneurship department's
    supervised = set(
        Provider.objects.get(code="ministry-of-health").supervises.values_list("acts_as", flat=True)
    )
    assert (
        "mh-public-health-committee" in supervised and "almaty-entrepreneurship-department" not in supervised
    )
    assert StaffRole.objects.filter(user__username="moh.supervisor", role="supervisor").exists()
    # every action the demo's journeys recorded is one the audit log knows
    assert set(AuditEntry.objects.values_list("action", flat=True)) <= set(AuditAction.values)
    before = Application.objects.count()
    assert main(["demo", "load", "--per-regulation", "6"]) == 0
    assert Application.objects.count() == before  # idempotent
