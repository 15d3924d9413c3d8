"""One online intake behind both doors: each submission case through the web portal's pages and
through the applicant API, with the same outcome.

A request is filed once, however often it is posted; the channel refuses with the regulation's
message; a state database or the payment gateway that does not answer keeps it waiting, and the
same post files it later. A payment belongs to its payer, its service and variant, and files one
application. Every request is signed, also where the channel's table forgot the EDS step (the
South-Kazakhstan licences), and the signed request names the applicant, service, variant,
provider and documents that are filed. An altered envelope never passes for an earlier filing.
The applicant is told of the filing whichever door they used.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from html import unescape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from qyzmet import clock
from qyzmet.access.people import is_entity
from qyzmet.cli import main
from qyzmet.engine import channels
from qyzmet.engine.fees import fee_for
from qyzmet.engine.models import Application
from qyzmet.gateway import faults, resilience, transport
from qyzmet.gateway.clients.payments import PaymentsClient
from qyzmet.gateway.models import Message
from qyzmet.gateway.testing import entity_bin
from qyzmet.intake.online import drafts
from qyzmet.intake.online.models import Draft, Submission
from qyzmet.intake.online.submissions import STALE_CLAIM, signature_key
from qyzmet.notifications.sms import MemorySmsClient
from qyzmet.office.testing import load_regulations
from qyzmet.pki.ca import SIGN
from qyzmet.pki.signing import canonical, sign
from qyzmet.providers.models import Provider
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.models import Regulation

from . import cast, portal_helpers
from .api_helpers import bearer
from .openssl import cms_verify
from .portal_helpers import APPLICANT, KEY_PASSWORD, LICENCE, OTHER, PDF

centre, keys, platform = portal_helpers.centre, portal_helpers.keys, portal_helpers.platform

pytestmark = pytest.mark.django_db

SK_NARCOTICS = "south-kazakhstan-2014-182/narcotics-licence"
SK_PHARMACY = "south-kazakhstan-2014-182/pharmaceutical-licence"
EMAIL, PHONE = "applicant@example.kz", "+7 701 234 56 78"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@dataclass
class Answer:
    status: str  # filed / refused / waiting / rejected / fault (the signature does not stand)
    number: str | None = None
    text: str = ""
    repeated: bool | None = None  # the API says so; the web page does not
    code: str = ""  # a fault's stable code (pki/faults.py)


class Door:
    """One applicant's request for one regulation, made and posted through one door."""

    def __init__(self, client, user, reg_id: str, provider: Provider):
        self.client, self.user, self.reg_id, self.provider = client, user, reg_id, provider
        self.reg = catalogue()[reg_id]
        self.payment_id = None

    def sign(self, request: dict, key) -> dict:
        return sign(request, key.private_key, key.certificate)


class WebDoor(Door):
    name = "web"

    def start(self, variant: str = "issue") -> None:
        self.client.force_login(self.user)
        response = self.client.post(f"/portal/services/{self.reg_id}/apply/", {"variant": variant})
        assert response.status_code == 302, response
        self.draft = Draft.objects.filter(user=self.user).latest("id")
        answers = {
            "subtypes": "Stomatology",
            "address": "Almaty, Abai avenue 10",
            "phone": PHONE,
            "email": EMAIL,
            "provider": self.provider.code,
            "document-standard-clause-9": SimpleUploadedFile(
                "clause9.pdf", PDF, content_type="application/pdf"
            ),
            "continue": "1",
        }
        response = self.client.post(f"/portal/drafts/{self.draft.pk}/", answers)
        assert response.status_code == 302, response.content.decode()[:2000]

    def pay(self) -> str:
        response = self.client.post(f"/portal/drafts/{self.draft.pk}/pay/")
        assert response.status_code == 302, response
        self.draft.refresh_from_db()
        self.payment_id = self.draft.payment_id
        return self.payment_id

    def use_payment(self, payment_id: str) -> None:
        Draft.objects.filter(pk=self.draft.pk).update(payment_id=payment_id, payment_status="paid")
        self.payment_id = payment_id

    def request(self) -> dict:
        self.draft.refresh_from_db()
        return drafts.request_of(self.draft)

    def post(self, envelope) -> Answer:
        response = self.client.post(
            f"/portal/drafts/{self.draft.pk}/submit/", {"envelope": json.dumps(envelope)}, **EN
        )
        page = unescape(response.content.decode()) if response.status_code != 302 else ""
        if response.status_code == 302 and "/cabinet/applications/" in response["Location"]:
            return Answer("filed", number=response["Location"].rstrip("/").rsplit("/", 1)[-1])
        fault = re.search(r'id="signature-fault" data-code="([a-z_]+)"', page)
        if response.status_code == 422 and fault:
            return Answer("fault", text=page, code=fault.group(1))
        statuses = {422: "refused", 202: "waiting", 400: "rejected", 404: "rejected"}
        return Answer(statuses.get(response.status_code, str(response.status_code)), text=page)


class ApiDoor(Door):
    name = "api"

    def start(self, variant: str = "issue") -> None:
        self.headers = {**bearer(self.user), "Accept-Language": "en"}
        self.variant = variant
        self.nonce = uuid.uuid4().hex  # a client's own reference: each request signs differently

    def pay(self) -> str:
        response = self.client.post(
            "/api/v1/portal/payments",
            {"provider": self.provider.code, "service": self.reg.service, "variant": self.variant},
            content_type="application/json",
            headers=self.headers,
        )
        assert response.status_code == 201, response.json()
        self.payment_id = response.json()["payment_id"]
        return self.payment_id

    def use_payment(self, payment_id: str) -> None:
        self.payment_id = payment_id

    def request(self) -> dict:
        # an entity's request names its BIN and is signed by an employee (OTHER)
        entity = {"iin": OTHER, "bin": self.user.username} if is_entity(self.user) else {}
        return {
            "iin": self.user.username,
            **entity,
            "regulation": self.reg_id,
            "service": self.reg.service,
            "variant": self.variant,
            "provider": self.provider.code,
            "documents": [],
            "contacts": {"phone": PHONE, "email": EMAIL},
            "reference": self.nonce,
        }

    def post(self, envelope) -> Answer:
        payload = {
            "provider": self.provider.code,
            "service": self.reg.service,
            "variant": self.variant,
            "signed_request": envelope,
        }
        if self.payment_id:
            payload["payment_id"] = self.payment_id
        response = self.client.post(
            "/api/v1/portal/submissions", payload, content_type="application/json", headers=self.headers
        )
        body = response.json()
        if response.status_code == 201:
            return Answer("filed", number=body["application"], repeated=body["repeated"])
        if response.status_code == 422 and body.get("status") == "signature_not_accepted":
            return Answer("fault", text=body["message"], code=body["code"])
        if response.status_code == 422 and body.get("status") == "refused":
            return Answer("refused", text=body["text"])
        if response.status_code == 422:
            return Answer("rejected", text=" ".join(d["msg"] for d in body["detail"]))
        if response.status_code == 202:
            return Answer("waiting", text=body["detail"])
        return Answer(str(response.status_code), text=json.dumps(body))


def _provider(reg_id: str, code: str) -> Provider:
    load_regulations(reg_id)
    reg = catalogue()[reg_id]
    provider, _ = Provider.objects.get_or_create(
        code=code, defaults={"acts_as": reg.provider.code, "name": reg.provider.name.model_dump()}
    )
    return provider


def _door(kind: str, client, reg_id: str = LICENCE, username: str = APPLICANT):
    from .portal_helpers import applicant

    user = applicant(username)
    code = "aed-test" if reg_id == LICENCE else f"sk-{reg_id.rsplit('/', 1)[-1]}"[:40]
    door = (WebDoor if kind == "web" else ApiDoor)(client, user, reg_id, _provider(reg_id, code))
    door.start()
    return door


@pytest.fixture(params=["web", "api"])
def door(request, client):
    return _door(request.param, client)


def _eds_refusal(reg_id: str) -> str:
    flow = catalogue()[reg_id].channel("egov_portal")
    return channels.refusal_step(flow, "eds").message.en


def _payment_refusal(reg_id: str = LICENCE) -> str:
    return channels.refusal_step(catalogue()[reg_id].channel("egov_portal"), "payment").message.en


def _paid_and_signed(door, keys, **changes) -> dict:
    door.pay()
    return door.sign({**door.request(), **changes}, keys[(APPLICANT, SIGN)])


def _payment_by(payer: str, service: str, variant: str = "issue", provider: str = "aed-test") -> str:
    reg = catalogue()[LICENCE]
    client = PaymentsClient()
    fee = fee_for(reg, variant, 2015)
    payment = client.create(
        "X", fee.tenge, payer, uuid.uuid4().hex, service=service, variant=variant, provider=provider
    )
    client.status(payment["payment_id"])  # the bank confirms it
    return payment["payment_id"]


# Filing, once --------------------------------------------------------------------------------


def test_a_paid_signed_request_is_filed_with_its_payment(door, keys):
    envelope = _paid_and_signed(door, keys)
    answer = door.post(envelope)
    assert answer.status == "filed", answer.text[:500]
    app = Application.objects.get(number=answer.number)
    assert (app.applicant, app.service, app.variant) == (APPLICANT, door.reg.service, "issue")
    assert app.provider == door.provider and app.payment_id == door.payment_id
    kept = Submission.objects.get(application=app)
    assert kept.door == door.name and kept.status == Submission.FILED
    assert kept.envelope == envelope  # the whole envelope with its CMS signature, not a hash of it


def test_the_same_signed_request_posted_again_gives_the_same_application(door, keys):
    envelope = _paid_and_signed(door, keys)
    first, again = door.post(envelope), door.post(envelope)
    assert first.status == again.status == "filed" and again.number == first.number
    assert again.repeated in (True, None)
    assert Application.objects.count() == 1 and Submission.objects.count() == 1


def test_the_applicant_is_told_of_the_filing_through_either_door(door, keys):
    assert door.post(_paid_and_signed(door, keys)).status == "filed"
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert [m["to"] for m in MemorySmsClient.outbox] == ["+77012345678"]


# Refused by the channel, or waiting ------------------------------------------------------------


def test_an_unpaid_request_is_refused_with_the_regulations_message(door, keys):
    answer = door.post(door.sign(door.request(), keys[(APPLICANT, SIGN)]))
    assert answer.status == "refused" and _payment_refusal() in answer.text
    assert not Application.objects.exists()


def test_an_unreachable_payment_gateway_keeps_the_request_waiting_and_the_same_post_files_it(door, keys):
    envelope = _paid_and_signed(door, keys)
    with faults.injected(timeout_rate=1.0, systems={"payments"}):
        waiting = door.post(envelope)
    assert waiting.status == "waiting" and not Application.objects.exists()
    resilience.reset_breakers()
    assert door.post(envelope).status == "filed" and Application.objects.count() == 1


def test_an_unreachable_state_database_keeps_the_request_waiting_and_the_same_post_files_it(
    client, centre, monkeypatch
):
    """The stem-cells conclusion, for legal entities (seed 003 lines 1405-1412), checks the
    applicant's record in the Legal entities database; the entity's employee signs."""
    monkeypatch.setenv("QYZMET_TODAY", "2018-03-14")
    stem = "mhsd-2015-401/stem-cells-import-export-conclusion"
    for kind, bin_ in (("web", entity_bin(1)), ("api", entity_bin(2))):
        door = _door(kind, client, stem, username=bin_)
        if kind == "web":
            drafts.sign_as(door.draft, OTHER)
        key = cast.key_file(centre, OTHER, SIGN, password=KEY_PASSWORD, bin=bin_)
        envelope = door.sign(door.request(), key)
        with faults.injected(timeout_rate=1.0, systems={"legal_entities"}):
            waiting = door.post(envelope)
        assert waiting.status == "waiting", (kind, waiting.text[:300])
        resilience.reset_breakers()
        filed = door.post(envelope)
        assert filed.status == "filed", (kind, filed.text[:300])
    assert Application.objects.count() == 2


def test_checks_make_their_outside_calls_outside_any_transaction_and_keep_their_evidence(
    door, keys, monkeypatch
):
    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen = []
    send = transport.InProcessTransport.send

    def watched(self, system, operation, *args, **kwargs):
        seen.append((system, operation, len(connection.atomic_blocks)))
        return send(self, system, operation, *args, **kwargs)

    monkeypatch.setattr(transport.InProcessTransport, "send", watched)
    envelope = _paid_and_signed(door, keys)
    before = Message.objects.filter(system="payments", operation="status").count()

    def failing(**kwargs):
        raise RuntimeError("the database went away while filing")

    with monkeypatch.context() as patch:
        patch.setattr("qyzmet.engine.services.file_application", failing)
        with pytest.raises(RuntimeError):
            door.post(envelope)
    assert ("payments", "status", depth) in seen and all(d == depth for _, _, d in seen)
    # the payment check's message rows stay although nothing was filed
    assert Message.objects.filter(system="payments", operation="status").count() == before + 1
    assert door.post(envelope).status == "filed"  # and the claim was let go at once


# Payments ------------------------------------------------------------------------------------


def test_another_payers_payment_is_refused(door, keys):
    door.use_payment(_payment_by(OTHER, door.reg.service))
    answer = door.post(door.sign(door.request(), keys[(APPLICANT, SIGN)]))
    assert answer.status == "refused" and _payment_refusal() in answer.text
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "service,variant,provider",
    [
        ("narcotics-activity-licence", "issue", "aed-test"),
        (None, "reissue", "aed-test"),
        (None, "issue", "other"),
    ],
    ids=["another-service", "another-variant", "another-provider"],
)
def test_a_payment_for_something_else_is_refused(door, keys, service, variant, provider):
    door.use_payment(_payment_by(APPLICANT, service or door.reg.service, variant, provider))
    answer = door.post(door.sign(door.request(), keys[(APPLICANT, SIGN)]))
    assert answer.status == "refused" and _payment_refusal() in answer.text
    assert not Application.objects.exists()


def test_one_payment_files_one_application(door, keys, client):
    assert door.post(_paid_and_signed(door, keys)).status == "filed"
    payment = door.payment_id
    door.start()  # a second request by the same applicant
    door.use_payment(payment)
    answer = door.post(door.sign(door.request(), keys[(APPLICANT, SIGN)]))
    assert answer.status == "refused" and _payment_refusal() in answer.text
    assert Application.objects.count() == 1


def test_after_a_filing_asking_for_the_fee_again_gives_a_new_payment(door, keys):
    """A repeated click on "pay" finds the same payment; once filed, the next application needs its own."""
    first = door.pay()
    assert door.pay() == first
    assert door.post(door.sign(door.request(), keys[(APPLICANT, SIGN)])).status == "filed"
    door.start()
    assert door.pay() != first
    assert door.post(door.sign(door.request(), keys[(APPLICANT, SIGN)])).status == "filed"
    assert Application.objects.count() == 2


def test_two_filings_racing_for_one_payment_file_one_application(keys):
    """Both walks passed the payment check; the filing statement lets one of them have it."""
    provider = _provider(LICENCE, "aed-test")
    reg = catalogue()[LICENCE]
    payment = _payment_by(APPLICANT, reg.service)
    at = clock.now()
    subs = [
        channels.Submission(
            regulation=Regulation.objects.get(pk=LICENCE),
            provider=provider,
            channel="egov_portal",
            variant="issue",
            applicant=APPLICANT,
            signed_request=sign(
                {"iin": APPLICANT, "service": reg.service, "variant": "issue", "n": n},
                keys[(APPLICANT, SIGN)].private_key,
                keys[(APPLICANT, SIGN)].certificate,
            ),
            payment_id=payment,
            at=at,
        )
        for n in range(2)
    ]
    ready = [channels.walk(sub) for sub in subs]
    assert all(isinstance(r, channels.Ready) and r.payment_id == payment for r in ready)
    results = [channels.hand_over(sub, r) for sub, r in zip(subs, ready, strict=True)]
    assert [r.status for r in results] == ["filed", "refused"]
    assert Application.objects.get().payment_id == payment


def test_payment_ids_are_unguessable_and_survive_a_simulator_restart():
    client = PaymentsClient()
    payment = client.create("X", 19820, APPLICANT, "fee-1", service="s", variant="issue", provider="p")
    other = client.create("X", 19820, APPLICANT, "fee-2", service="s", variant="issue", provider="p")
    assert len(payment["payment_id"]) >= 33 and payment["payment_id"] != other["payment_id"]
    transport.reset_simulators()  # the simulator restarts
    assert client.status(payment["payment_id"])["status"] == "paid"
    assert (
        client.create("X", 19820, APPLICANT, "fee-1", service="s", variant="issue", provider="p")[
            "payment_id"
        ]
        == payment["payment_id"]
    )


# Signatures ----------------------------------------------------------------------------------


def _garbage(request: dict) -> dict:
    return {"request": request, "signature": base64.b64encode(b"not a CMS signature").decode()}


@pytest.mark.parametrize("reg_id", [LICENCE, SK_NARCOTICS, SK_PHARMACY])
@pytest.mark.parametrize("kind", ["web", "api"])
def test_a_garbage_signature_is_not_accepted_in_every_regulation_and_nothing_is_refused(client, kind, reg_id):
    door = _door(kind, client, reg_id)
    door.pay()
    answer = door.post(_garbage(door.request()))
    assert answer.status == "fault" and answer.code == "signature_unreadable"
    assert "sign once more" in answer.text and _eds_refusal(reg_id) not in answer.text
    assert not Application.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize("reg_id", [LICENCE, SK_NARCOTICS])
@pytest.mark.parametrize("kind", ["web", "api"])
def test_an_unsigned_request_is_refused(client, kind, reg_id):
    door = _door(kind, client, reg_id)
    for envelope in (
        {"request": door.request()},
        {"request": door.request(), "signature": ""},
        {"request": door.request(), "signature": "not base64!"},
        {"request": door.request(), "signature": {"algorithm": "RSASSA-PKCS1-v1_5-SHA256"}},  # the old form
    ):
        answer = door.post(envelope)
        assert answer.status == "rejected" and "signature" in answer.text
    assert not Application.objects.exists()


@pytest.mark.parametrize("reg_id", [SK_NARCOTICS, SK_PHARMACY])
@pytest.mark.parametrize("kind", ["web", "api"])
def test_the_south_kazakhstan_licences_file_a_signed_paid_request(client, keys, kind, reg_id):
    door = _door(kind, client, reg_id)
    answer = door.post(_paid_and_signed(door, keys))
    assert answer.status == "filed", answer.text[:500]
    trace = Application.objects.get().data["channel_trace"]
    assert any(p["step"] == "C6" and p["outcome"] == "yes" for p in trace)


@pytest.mark.parametrize(
    "name,value,says",
    [
        ("service", "narcotics-activity-licence", "narcotics-activity-licence"),
        ("variant", "reissue", "reissue"),
        ("provider", "another-provider", "another-provider"),
        ("documents", [{"name": "other.pdf", "sha256": "0" * 64}], "0" * 64),
        ("service", None, "service"),
        ("provider", None, "provider"),
    ],
    ids=[
        "another-service",
        "another-variant",
        "another-provider",
        "another-document",
        "no-service",
        "no-provider",
    ],
)
def test_a_signed_request_naming_something_else_than_is_filed_is_refused(door, keys, name, value, says):
    request = door.request()
    if value is None:
        request.pop(name)
    else:
        request[name] = value
    door.pay()
    answer = door.post(door.sign(request, keys[(APPLICANT, SIGN)]))
    assert answer.status == "rejected" and says in answer.text
    assert not Application.objects.exists()


def test_a_signed_request_naming_another_applicant_is_said_to_carry_another_persons_certificate(door, keys):
    door.pay()
    envelope = door.sign({**door.request(), "iin": OTHER}, keys[(OTHER, SIGN)])
    answer = door.post(envelope)
    assert answer.status == "fault" and answer.code == "another_persons_certificate"
    assert "Sign with your own signing key" in answer.text and _eds_refusal(LICENCE) not in answer.text
    assert not Application.objects.exists()


def test_an_altered_envelope_reusing_a_filed_signature_is_refused(door, keys):
    envelope = _paid_and_signed(door, keys)
    assert door.post(envelope).status == "filed"
    altered = {**envelope, "request": {**envelope["request"], "address": "elsewhere", "note": "altered"}}
    answer = door.post(altered)
    assert answer.status == "fault" and answer.code == "signature_mismatch"
    assert Application.objects.count() == 1


# The ledger ----------------------------------------------------------------------------------


def _claim(door, envelope, age: dt.timedelta) -> Submission:
    return Submission.objects.create(
        signature_sha256=signature_key(envelope),
        applicant=APPLICANT,
        user=door.user,
        door=door.name,
        draft=getattr(door, "draft", None),
        provider=door.provider.code,
        service=door.reg.service,
        variant="issue",
        envelope=envelope,
        claimed_at=timezone.now() - age,
    )


def test_a_request_being_walked_is_not_walked_twice(door, keys):
    envelope = _paid_and_signed(door, keys)
    _claim(door, envelope, dt.timedelta(seconds=3))
    assert door.post(envelope).status == "waiting" and not Application.objects.exists()


def test_a_claim_left_by_a_dead_worker_is_taken_over_within_ten_seconds(door, keys):
    assert dt.timedelta(seconds=10) >= STALE_CLAIM
    envelope = _paid_and_signed(door, keys)
    _claim(door, envelope, dt.timedelta(seconds=11))
    assert door.post(envelope).status == "filed" and Application.objects.count() == 1


# Evidence ------------------------------------------------------------------------------------


def test_a_filed_applications_signed_request_is_verified_again_from_the_kept_envelope(door, keys, capsys):
    number = door.post(_paid_and_signed(door, keys)).number
    assert main(["verify", "--application", number]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith("valid") and "ok  documents" in out and "ok  provider" in out
    kept = Submission.objects.get(application__number=number)
    kept.envelope = {**kept.envelope, "request": {**kept.envelope["request"], "service": "other-service"}}
    kept.save(update_fields=["envelope"])
    assert main(["verify", "--application", number]) == 1
    out = capsys.readouterr().out
    assert "FAILED  signature" in out and "FAILED  service" in out and out.strip().endswith("invalid")


def test_a_filed_requests_kept_cms_signature_verifies_with_openssl(door, keys, centre, tmp_path, capsys):
    """The evidence is standard: OpenSSL checks the kept CMS over the exact signed bytes, with
    the centre's root and issuing CA and its revocation list."""
    envelope = _paid_and_signed(door, keys)
    number = door.post(envelope).number
    assert main(["verify", "--application", number, "--export", str(tmp_path)]) == 0
    assert "CMS valid as at filing: signed by" in capsys.readouterr().out
    content = (tmp_path / "request.json").read_bytes()
    assert content == canonical(envelope["request"])
    result = cms_verify(tmp_path, centre, content, (tmp_path / "request.p7s").read_bytes())
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr
    altered = canonical({**envelope["request"], "address": "elsewhere"})
    altered_result = cms_verify(tmp_path, centre, altered, (tmp_path / "request.p7s").read_bytes())
    assert altered_result.returncode != 0 and "verification failure" in altered_result.stderr.lower()
