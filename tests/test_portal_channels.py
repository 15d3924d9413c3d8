"""Each regulation's portal channel, walked as its table prescribes.

For every regulation with an e-government or E-licensing portal channel: the success path files
an application with the provider; each failing check (log-in, the applicant's record in the
state database, the licence fee, the EDS) ends in the refusal step the regulation's branch leads
to, with that step's message; an unreachable state database keeps the request waiting.
"""

import datetime as dt
import uuid

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import channels
from qyzmet.engine.fees import fee_for
from qyzmet.engine.models import Application
from qyzmet.gateway import faults
from qyzmet.gateway.clients.payments import PaymentsClient
from qyzmet.gateway.models import PendingLookup
from qyzmet.gateway.testing import FAST_POLICY, entity_bin, fresh_gateway, ordinary_iin
from qyzmet.pki.signing import sign
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from . import cast

pytestmark = pytest.mark.django_db

PORTALS = ("egov_portal", "elicense_portal")
PORTAL_CHECKS = ("login", "applicant_record", "payment", "eds")
SIGNER = ordinary_iin(seed=9)  # an entity's employee


@pytest.fixture(autouse=True)
def platform(centre, monkeypatch, settings):
    monkeypatch.setenv("QYZMET_PKI_DIR", str(centre.directory))
    settings.QYZMET_GATEWAY_URL = None
    settings.QYZMET_GATEWAY_POLICY = FAST_POLICY
    with fresh_gateway():
        yield


def _cases():
    for reg in catalogue().values():
        for channel in reg.channels:
            if channel.code in PORTALS:
                yield pytest.param(reg.id, channel.code, id=f"{reg.id}:{channel.code}")


def _refusal_cases():
    for reg in catalogue().values():
        for channel in reg.channels:
            if channel.code not in PORTALS:
                continue
            for step in channel.steps:
                if step.kind == "condition" and step.check in PORTAL_CHECKS and _reachable(channel, step.id):
                    yield pytest.param(reg.id, channel.code, step.id, id=f"{reg.id}:{channel.code}:{step.id}")


def _reachable(channel, step_id):
    """Reachable from the start through passing checks only (the way a real submission goes)."""
    steps = {s.id: s for s in channel.steps}
    sid, seen = channel.start, set()
    while sid and sid not in seen:
        if sid == step_id:
            return True
        seen.add(sid)
        step = steps[sid]
        if (
            step.procedure
            or step.end
            or (step.kind == "condition" and step.check in channels.PROVIDER_CHECKS)
        ):
            return False
        sid = step.next or (
            channels._passes(step, True)
            and next(b.to for b in step.branches if b.when == channels._passes(step, True))
        )
    return False


def _entities_only(reg) -> bool:
    """The regulation admits legal entities only (e.g. the narcotics licence, seed 004 lines 2620-2621)."""
    return reg.admitted_applicants() == ["legal_entity"]


def _submission(reg_id, channel, centre, **overrides):
    reg = catalogue()[reg_id]
    row = Regulation.objects.get(pk=reg_id)
    provider = cast.provider_for(reg, existing=True)
    day = reg.in_force.from_ + dt.timedelta(days=10)
    at = dt.datetime(day.year, day.month, day.day, 10, tzinfo=ALMATY)
    applicant = overrides.pop("applicant", None) or (
        entity_bin(7) if _entities_only(reg) else ordinary_iin(seed=7)
    )
    variant = next(v.code for v in reg.variants if reg.procedure_for(v.code) or not reg.procedures)
    request = {"iin": applicant, "regulation": reg_id, "service": reg.service, "variant": variant}
    key = cast.key_file(centre, applicant)
    if _entities_only(reg):  # the entity's employee signs its request
        request = {**request, "iin": SIGNER, "bin": applicant}
        key = cast.key_file(centre, SIGNER, bin=applicant)
    signed = sign(request, key.private_key, key.certificate)
    fee = fee_for(reg, variant, at.year)
    payment_id = None
    if fee is not None and "payment_id" not in overrides:
        payment = PaymentsClient().create(
            f"draft-{uuid.uuid4().hex[:8]}",
            fee.tenge,
            applicant,
            uuid.uuid4().hex,
            service=reg.service,
            variant=variant,
            provider=provider.code,
        )
        payment_id = payment["payment_id"]
    values = dict(
        regulation=row,
        provider=provider,
        channel=channel,
        variant=variant,
        applicant=applicant,
        signed_request=signed,
        payment_id=payment_id,
        at=at,
    )
    values.update(overrides)
    return channels.Submission(**values)


@pytest.mark.parametrize("reg_id,channel", list(_cases()))
def test_portal_success_path_files_the_application(reg_id, channel, centre):
    result = channels.submit(_submission(reg_id, channel, centre))
    assert result.status == "filed", (result.reason, [p.step for p in result.trace])
    app = result.application
    assert isinstance(app, Application) and app.channel == channel and app.regulation_id == reg_id
    checked = [p for p in result.trace if p.outcome is not None]
    assert all(
        p.outcome in ("yes", "complete", "approve", "positive") or p.outcome == app.variant for p in checked
    )
    assert app.steps.filter(completed_at__isnull=True).count() == 1


def _expected_refusal(reg_id, channel, step_id):
    flow = catalogue()[reg_id].channel(channel)
    steps = {s.id: s for s in flow.steps}
    step = steps[step_id]
    sid = next(b.to for b in step.branches if b.when == channels._passes(step, False))
    while steps[sid].end is None:
        sid = steps[sid].next
    return steps[sid]


@pytest.mark.parametrize("reg_id,channel,step_id", list(_refusal_cases()))
def test_portal_refuses_when_a_check_fails_with_the_regulations_message(reg_id, channel, step_id, centre):
    check = catalogue()[reg_id].channel(channel)
    check = next(s for s in check.steps if s.id == step_id).check
    if check == "login":
        sub = _submission(reg_id, channel, centre, authenticated=False)
    elif check == "applicant_record":
        entity = _entities_only(catalogue()[reg_id])
        unknown = faults.magic_bin("not_found") if entity else faults.magic_iin("not_found")
        sub = _submission(reg_id, channel, centre, applicant=unknown)
    elif check == "payment":
        sub = _submission(reg_id, channel, centre, payment_id=None)
        if fee_for(catalogue()[reg_id], sub.variant, sub.at.year) is None:
            pytest.skip("this variant carries no licence fee")  # the branch exists for fee-bearing variants
    else:  # eds: a request signed by someone else's key
        someone = entity_bin(8) if _entities_only(catalogue()[reg_id]) else ordinary_iin(seed=8)
        other = _submission(reg_id, channel, centre, applicant=someone)
        sub = _submission(reg_id, channel, centre, signed_request=other.signed_request)
    result = channels.submit(sub)
    expected = _expected_refusal(reg_id, channel, step_id)
    assert result.status == "refused"
    assert result.trace[-1].step == expected.id
    assert result.message == expected.message.model_dump()
    assert not Application.objects.exists()


def test_unreachable_state_database_keeps_the_request_waiting(centre):
    reg_id = "almaty-2015-2-279/medical-licence"
    # The provider office's condition 1 asks the state database for the applicant's record.
    sub = _submission(
        reg_id, "provider_office", centre, applicant=faults.magic_iin("timeout"), payment_id=None
    )
    result = channels.submit(sub)
    assert result.status == "waiting"
    assert result.trace[-1].step == "C1"
    assert PendingLookup.objects.filter(subject=result.waiting_for.subject).exists()
    assert not Application.objects.exists()
