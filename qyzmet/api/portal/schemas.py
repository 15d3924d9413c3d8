"""What the applicant API reads and returns. Texts come in the request's language
(Accept-Language: kk, ru or en) unless given in all three; moments are ISO 8601 with their offset;
sums are whole tenge."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from qyzmet.engine.models import Status
from qyzmet.pki import faults


class Texts(Schema):
    kk: str
    ru: str
    en: str


# The catalogue ---------------------------------------------------------------------------------


class FeeDue(Schema):
    tenge: int = Field(description="the fee for an application filed this year")
    mci_units: float = Field(description="the rate in monthly calculation indices")
    mci_value: int = Field(description="tenge per MCI in the filing year")
    sources: list[str] = Field(description="the law that sets the rate, and the MCI's")


class VariantPassport(Schema):
    code: str
    name: str
    term: str = Field(
        description="the term of the service, as people read it ('—' where the regulation gives none)"
    )
    fee: FeeDue | None = Field(description="null: no fee for this variant, or no MCI known for this year")


class ChannelPassport(Schema):
    code: str
    name: str


class ServicePassport(Schema):
    service: str
    regulation: str = Field(description="id of the regulation version in force today")
    title: str
    provider: str = Field(description="the provider code the regulation names")
    provider_name: str
    in_force_from: dt.date
    in_force_until: dt.date | None
    variants: list[VariantPassport]
    channels: list[ChannelPassport]
    portal_channel: str | None = Field(
        description="the channel POST /submissions goes through; null: not on the portal"
    )
    providers: list[str] = Field(
        description="codes of the providers at which it is in force (POST /submissions `provider`)"
    )


class ProviderEntry(Schema):
    code: str
    name: str
    region: str
    regulation: str


# My data ---------------------------------------------------------------------------------------


class Prefill(Schema):
    system: Literal["individuals", "legal_entities"]
    number: str = Field(description="the IIN or BIN looked up (the caller's)")
    looked_up_at: dt.datetime
    data: dict[str, Any] = Field(description="the state database's record, as it answered")


class LookupRecord(Schema):
    at: dt.datetime
    system: str
    purpose: str
    initiated_by: str = Field(
        description="'portal' when the applicant's own action caused it, else a username"
    )
    found: bool
    application_number: str | None


# Payments --------------------------------------------------------------------------------------


class CreatePayment(Schema):
    provider: str
    service: str
    variant: str
    client_reference: str | None = Field(
        None,
        max_length=64,
        description="repeat it to get the same payment back; by default one per applicant, provider, "
        "regulation, variant and day",
    )


class Payment(Schema):
    payment_id: str
    client_reference: str
    amount: str = Field(description="tenge, two decimals")
    currency: str
    status: Literal["pending", "paid", "declined"]
    payer: str
    created_at: dt.datetime
    paid_at: dt.datetime | None


# Submissions -----------------------------------------------------------------------------------


class SubmitRequest(Schema):
    provider: str
    service: str
    variant: str
    signed_request: dict[str, Any] = Field(
        description="the envelope {request, signature} of qyzmet/pki/signing.py. `signature` is the "
        "base64 of a DER CMS (PKCS#7) SignedData, detached, over the canonical bytes of `request` (JSON "
        "with sorted keys, no spaces, UTF-8): what NCALayer makes (createCMSSignatureFromBase64, "
        "content detached), with SHA-256 and RSA, the signed attributes content type, signing time "
        "and message digest, and the signer's certificate, a signing key of the certification "
        "centre. The request names the applicant's iin (and bin), the service, variant and provider "
        "posted, the sha256 of each document (none through the API) and optionally contacts "
        "{phone, email} for notices",
        json_schema_extra={
            "example": {
                "request": {
                    "iin": "870412300129",
                    "service": "medical-activity-licence",
                    "variant": "issue",
                    "provider": "aed",
                },
                "signature": "MIIGnwYJKoZIhvcNAQcCoIIGkDCCBowCAQExDzANBglghkgBZQMEAgEFADALBgkqhkiG9w0BBwGg...",
            }
        },
    )
    payment_id: str | None = Field(None, description="from POST /payments, for a variant with a fee")


class ExpectedStep(Schema):
    step: str
    action: str
    actor: str
    starts: dt.datetime
    due: dt.datetime | None


class Filed(Schema):
    status: Literal["filed"]
    application: str = Field(description="the application number")
    regulation: str
    channel: str
    provider: str
    filed_at: dt.datetime
    due_at: dt.datetime | None = Field(description="the application's term")
    expected_path: list[ExpectedStep] = Field(description="the provider's steps with their due moments")
    repeated: bool = Field(description="true when this signed request had been filed before")


class Refused(Schema):
    status: Literal["refused"]
    step: str = Field(description="the refusal step of the regulation's channel")
    message: Texts = Field(description="the regulation's refusal message")
    text: str = Field(description="the message in the request's language")
    detail: str = Field(description="which check failed and why (English, for support)")


class SignatureFault(Schema):
    status: Literal["signature_not_accepted"]
    code: Literal[faults.CODES] = Field(
        description="what is wrong, stable: wrong_key_type (an authentication key signed), "
        "certificate_expired, certificate_not_yet_valid, certificate_revoked, untrusted_issuer, "
        "another_persons_certificate, signature_mismatch (the request changed after signing), "
        "signature_unreadable, not_signed"
    )
    message: str = Field(description="what is wrong and what to do, in the request's language")
    detail: str = Field(description="the check that failed, for support (English)")


class Waiting(Schema):
    status: Literal["waiting"]
    detail: str
    retry_after: int = Field(description="seconds; post the same signed request again then")


# My applications -------------------------------------------------------------------------------


class MyApplication(Schema):
    number: str
    service: str
    title: str
    regulation: str
    variant: str
    channel: str
    provider: str
    provider_name: str
    status: Status
    status_name: str = Field(
        description="the status as the application's regulation names it, in the request's language;"
        " the engine status's label where the regulation names none"
    )
    status_source: str | None = Field(
        description="where the regulation names the status: its seed file and lines;"
        " null: the regulation names no status for this state"
    )
    filed_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    result: str


class StepState(Schema):
    step: str
    action: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    outcome: str


class PathStep(Schema):
    step: str
    action: str
    actor: str
    state: Literal["done", "current", "planned"]
    started_at: dt.datetime = Field(description="real for done and current steps; the plan's for planned")
    completed_at: dt.datetime | None = Field(description="real; done steps only")
    due_at: dt.datetime | None
    outcome: str


class IssuedDocument(Schema):
    kind: str
    name: str = Field(description="what the document is, in the request's language")
    issued_at: dt.datetime
    sha256: str
    url: str = Field(description="where the applicant downloads it (signed in to the portal)")


class AnsweredFile(Schema):
    name: str
    size: int
    sha256: str


class AskedOfMe(Schema):
    """A stop of the legal clock on a ground that asks the applicant something (law_rules.yaml)."""

    rule: str = Field(description="the pause rule's code")
    law: str = Field(description="its legal source")
    asked: str = Field(description="what the provider asks of the applicant")
    started_at: dt.datetime
    open: bool = Field(description="still waiting for the answer: POST /me/applications/{number}/answer")
    answer: str
    answered_at: dt.datetime | None
    files: list[AnsweredFile]


class MyApplicationDetail(MyApplication):
    refusal_grounds: list[str] = Field(description="the regulation's texts of the grounds cited")
    refusal_text: str
    steps: list[StepState] = Field(description="the steps so far; open ones have no completed_at")
    expected_path: list[ExpectedStep] = Field(
        description="the plan as at registration (every step from the first); `path` says what happened"
    )
    term: Literal["running", "overdue", "kept", "missed", "none"] = Field(
        description="the legal term (due_at): running or overdue while open; kept or missed once "
        "decided; none where the regulation sets no term"
    )
    result_name: str = Field(description="the result's name in the request's language; empty while open")
    path: list[PathStep] = Field(
        description="the steps as the cabinet shows them: those that ran with their real start and "
        "end (done, current), then, while open, the plan for the rest (planned), counted from the "
        "current step's due moment; nothing planned once decided"
    )
    documents: list[IssuedDocument] = Field(description="the signed documents issued on the application")
    asked: list[AskedOfMe] = Field(
        description="what the provider asked of the applicant while the legal clock stood still, and the answers"
    )
