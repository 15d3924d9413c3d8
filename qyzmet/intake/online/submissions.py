"""A signed request submitted through the regulation's portal channel: the one path of both doors.

`submit_draft` (the web portal: a draft, its answers and uploads) and `submit_request` (the
applicant API: the service, variant and provider named in the post) both end in `submit`, which

1. checks that the signed request names what is filed: the applicant (IIN, and BIN for an
   entity), the service, variant and provider, and the SHA-256 of each document filed
   (`Rejected` names the field and says what differs);
2. verifies the signature (chain, key usage, validity, revocation, the certificate's IIN/BIN):
   every online request is signed, whatever the channel's table says; a failure is refused with
   the regulation's EDS refusal message, and nothing is written to the ledger;
3. only then decides idempotency on the ledger (`models.Submission`, keyed by the signature and
   the applicant): a filed one answers with its application, a different envelope reusing the
   signature is turned away, one being walked answers "waiting", a claim older than STALE_CLAIM
   (a dead worker) is taken over;
4. walks the channel (`engine.channels.walk`): look-ups and the payment check are outside calls
   and run before, and outside, the filing transaction; their evidence stays whatever follows;
5. files (`engine.channels.hand_over`), consuming the payment in the same statement, and records
   the outcome. The engine's `application_filed` event tells the applicant (`qyzmet.notifications`),
   whichever door it came through.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qyzmet import clock
from qyzmet.engine import channels
from qyzmet.engine.models import Application
from qyzmet.i18n import current_language, in_language
from qyzmet.pki import faults
from qyzmet.pki.signing import canonical
from qyzmet.pki.verify import verify_signed_request

from .drafts import documents_of, has_required_documents, is_entity, normalise_phone, request_of
from .models import Draft, Submission

# A walk holds its claim this long at most without renewing it; after that another post of the
# same request takes it over (the worker that claimed it is taken for dead).
STALE_CLAIM = dt.timedelta(seconds=10)
# Checks every online submission passes, even where the channel's table has no step for them.
ENSURED = ("eds", "payment")


class Rejected(Exception):
    """The post cannot be taken at all: `field` is what is wrong, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class AlreadySubmitted(Rejected):
    """A draft that became an application is signed again."""


@dataclass
class Intake:
    """What one post asks to file, as its door found it."""

    door: str  # Submission.WEB or Submission.API
    user: object
    applicant: str  # IIN/BIN: the account's number
    regulation: object  # the Regulation row in force at the provider
    provider: object
    variant: str
    channel: str
    envelope: object
    payment_id: str | None = None
    documents: list[dict] = field(default_factory=list)  # as `Attachment.described()`
    documents_complete: bool = True  # the documents the Standard requires are among them
    applicant_name: str = ""
    data: dict = field(default_factory=dict)  # what the door adds to the application's data
    draft: Draft | None = None
    expected_request: dict | None = None  # the request made from the draft, which must be signed


@dataclass
class Outcome:
    status: str  # Submission.FILED / REFUSED / WAITING
    application: Application | None = None
    repeated: bool = False  # filed by an earlier post of the same signed request
    busy: bool = False  # another post of it is being walked right now
    step: str = ""
    message: dict | None = None  # the regulation's refusal message, kk/ru/en
    reason: str = ""
    # A signature that does not stand (`pki.faults` code): nothing was filed or refused, the
    # applicant signs again; the faces say what is wrong instead of the refusal message.
    fault: str = ""

    def text(self, language: str | None = None) -> str:
        return in_language(self.message, language)


# The doors -------------------------------------------------------------------------------------


def submit_draft(draft: Draft, user, envelope) -> Outcome:
    """The web portal's post: the envelope must be the request made from this draft."""
    key = signature_key(envelope)
    if (
        draft.state != Draft.State.EDITING
        and not Submission.objects.filter(
            signature_sha256=key, applicant=user.get_username(), draft=draft
        ).exists()
    ):
        raise AlreadySubmitted("signed_request", _("This request was already submitted."))
    data = draft.data
    intake = Intake(
        door=Submission.WEB,
        user=user,
        applicant=user.get_username(),
        regulation=draft.regulation,
        provider=draft.provider,
        variant=draft.variant,
        channel=draft.channel,
        envelope=envelope,
        payment_id=draft.payment_id or None,
        documents=documents_of(draft),
        documents_complete=has_required_documents(draft),
        applicant_name=(data.get("applicant") or {}).get("name", ""),
        data={
            "portal_draft": draft.pk,
            "applicant": data.get("applicant") or {},
            "subtypes": data.get("subtypes") or [],
            "address": data.get("address", ""),
            "contacts": {"phone": data.get("phone", ""), "email": data.get("email", "")},
        },
        draft=draft,
        expected_request=request_of(draft),
    )
    return submit(intake)


def submit_request(
    user, *, applicant: str, provider, regulation, variant: str, channel: str, envelope, payment_id
):
    """The applicant API's post: what is filed is what the post names; no documents travel."""
    signature_key(envelope)
    data = {"contacts": contacts_of(envelope["request"])}
    return submit(
        Intake(
            door=Submission.API,
            user=user,
            applicant=applicant,
            regulation=regulation,
            provider=provider,
            variant=variant,
            channel=channel,
            envelope=envelope,
            payment_id=payment_id or None,
            applicant_name=user.get_full_name(),
            data=data,
        )
    )


def contacts_of(signed: dict) -> dict:
    """The phone and e-mail the signed request gives for notices, checked as the web form checks them."""
    contacts = signed.get("contacts") or {}
    if not isinstance(contacts, dict):
        raise Rejected(
            "signed_request.request.contacts", _("Contacts are an object with `phone` and `email`.")
        )
    phone, email = str(contacts.get("phone") or "").strip(), str(contacts.get("email") or "").strip()
    if phone and not normalise_phone(phone):
        raise Rejected(
            "signed_request.request.contacts.phone", _("Enter a Kazakhstan mobile number: +7 and ten digits.")
        )
    try:
        if email:
            validate_email(email)
    except ValidationError:
        raise Rejected("signed_request.request.contacts.email", _("Enter a valid email address.")) from None
    return {"phone": normalise_phone(phone), "email": email}


# Checks before anything is written ------------------------------------------------------------


def signature_der(envelope) -> bytes:
    """The envelope's CMS signature as DER (its `signature` is base64); Rejected when there is none."""
    signature = envelope.get("signature") if isinstance(envelope, dict) else None
    if not isinstance(signature, str) or not signature or not isinstance(envelope.get("request"), dict):
        raise Rejected(
            "signed_request",
            _("A signed request needs `request` and `signature` (a CMS signature in base64)."),
        )
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected("signed_request", _("The signature is not valid base64.")) from None


def signature_key(envelope) -> str:
    """The ledger key of a signed envelope: the SHA-256 of its CMS signature (DER)."""
    return hashlib.sha256(signature_der(envelope)).hexdigest()


def check_binding(intake: Intake) -> None:
    """The signed request names the service, variant, provider and documents that are filed."""
    signed = intake.envelope["request"]
    provider = intake.provider.code if intake.provider is not None else ""
    required = {"service": intake.regulation.service, "variant": intake.variant, "provider": provider}
    optional = {"regulation": intake.regulation.pk, "channel": intake.channel}
    if intake.payment_id:
        optional["payment_id"] = intake.payment_id
    for name, wanted in [*required.items(), *optional.items()]:
        if name not in signed and name in optional:
            continue
        if signed.get(name) in (None, ""):
            raise Rejected(
                f"signed_request.request.{name}",
                _("The signed request names no %(name)s; it must name %(wanted)s.")
                % {"name": name, "wanted": wanted},
            )
        if signed[name] != wanted:
            raise Rejected(
                f"signed_request.request.{name}",
                _("The signed request is for %(signed)s, not %(wanted)s.")
                % {"signed": signed[name], "wanted": wanted},
            )
    documents = signed.get("documents", [])
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise Rejected(
            "signed_request.request.documents", _("The signed request's documents are not a list.")
        )
    named = sorted(str(d.get("sha256", "")) for d in documents)
    filed = sorted(d["sha256"] for d in intake.documents)
    if named != filed:
        raise Rejected(
            "signed_request.request.documents",
            _(
                "The signed request names documents with SHA-256 %(signed)s, but the documents filed are %(filed)s."
            )
            % {"signed": ", ".join(named) or "-", "filed": ", ".join(filed) or "-"},
        )


def signature_problem(intake: Intake) -> tuple[str, str]:
    """Why the signature does not stand for this applicant's request: the fault's stable code
    (`pki.faults`) and the detail for the record; ("", "") when it does."""
    verification = verify_signed_request(intake.envelope)
    if not verification.valid:
        return faults.code_of(verification.reason), f"{verification.reason}: {verification.detail}"
    signed = intake.envelope["request"]
    if is_entity(intake.user):
        if signed.get("bin") != intake.applicant:
            return faults.ANOTHER_PERSONS_CERTIFICATE, "the signed request is for another applicant"
    elif signed.get("iin") != intake.applicant or "bin" in signed:
        return faults.ANOTHER_PERSONS_CERTIFICATE, "the signed request is for another applicant"
    return "", ""


# The submission --------------------------------------------------------------------------------


def submit(intake: Intake) -> Outcome:
    key = signature_key(intake.envelope)
    check_binding(intake)
    fault, problem = signature_problem(intake)
    if problem:
        flow = intake.regulation.parsed.channel(intake.channel)
        result = channels.refused(_channel_submission(intake, key), flow, "eds", [], problem)
        return Outcome(
            Submission.REFUSED,
            step=result.trace[-1].step,
            message=result.message,
            reason=problem,
            fault=fault,
        )
    if intake.expected_request is not None and intake.envelope["request"] != intake.expected_request:
        raise Rejected(
            "signed_request",
            _(
                "The signed request does not match your answers (they changed, or signing failed). Sign it again."
            ),
        )
    row, mine = _claim(intake, key)
    if row.status == Submission.FILED:
        return Outcome(Submission.FILED, application=row.application, repeated=True)
    if not mine:
        return Outcome(
            Submission.WAITING,
            busy=True,
            reason=_("This signed request is being processed; ask again shortly."),
        )
    # A walk that died after filing left its application behind: take it instead of filing again.
    orphan = None
    if row.attempts > 1:
        orphan = Application.objects.filter(applicant=intake.applicant, data__portal_submission=key).first()
    if orphan is not None:
        result = channels.ChannelResult("filed", [], application=orphan)
    else:
        try:
            result = _walk(intake, key, row)
        except Exception:
            # let the next post take it over at once rather than after STALE_CLAIM
            Submission.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - STALE_CLAIM)
            raise
        if result is None:
            return Outcome(
                Submission.WAITING,
                busy=True,
                reason=_("This signed request is being processed; ask again shortly."),
            )
    filed = result.status == "filed" and result.application is not None
    row.status = Submission.FILED if filed else result.status
    row.application = result.application if filed else None
    row.step = result.trace[-1].step if result.trace and not filed else ""
    row.message, row.reason = (None, "") if filed else (result.message, result.reason)
    row.save(update_fields=["status", "application", "step", "message", "reason", "updated_at"])
    if filed and intake.draft is not None:
        Draft.objects.filter(pk=intake.draft.pk).update(
            state=Draft.State.SUBMITTED, application=row.application, updated_at=timezone.now()
        )
        intake.draft.state, intake.draft.application = Draft.State.SUBMITTED, row.application
    return Outcome(
        row.status, application=row.application, step=row.step, message=row.message, reason=row.reason
    )


def _walk(intake: Intake, key: str, row: Submission) -> channels.ChannelResult | None:
    """The channel's checks, then the filing; None when another post took the claim meanwhile."""
    sub = _channel_submission(intake, key)
    walked = channels.walk(sub, ensure=ENSURED)
    if not isinstance(walked, channels.Ready):
        return walked
    # Renew the claim right before filing: a walk slower than STALE_CLAIM may have been taken
    # over, and then the one that took it files, not this one.
    now = timezone.now()
    if not Submission.objects.filter(pk=row.pk, claimed_at=row.claimed_at).update(claimed_at=now):
        return None
    row.claimed_at = now
    return channels.hand_over(sub, walked)


def _claim(intake: Intake, key: str) -> tuple[Submission, bool]:
    """The ledger row of this signed request, and whether this call walks the channel now."""
    now = timezone.now()
    fields = dict(
        door=intake.door,
        draft=intake.draft,
        provider=intake.provider.code,
        service=intake.regulation.service,
        variant=intake.variant,
        regulation=intake.regulation.pk,
        channel=intake.channel,
        payment_id=intake.payment_id or "",
        envelope=intake.envelope,
    )
    try:
        # the INSERT first: a new request (the usual case) costs one statement, not a SELECT too
        with transaction.atomic():
            return Submission.objects.create(
                signature_sha256=key, applicant=intake.applicant, user=intake.user, claimed_at=now, **fields
            ), True
    except IntegrityError:
        row = Submission.objects.get(signature_sha256=key, applicant=intake.applicant)
    if row.envelope is not None and canonical(row.envelope) != canonical(intake.envelope):
        # The signature verified and covers the request, so only its base64 text differs (the
        # same DER written otherwise), or it is posted for something else: not the envelope filed.
        raise Rejected(
            "signed_request",
            _("This signature was already submitted in another envelope; sign the request again."),
        )
    if row.draft_id != (intake.draft.pk if intake.draft is not None else row.draft_id):
        raise Rejected("signed_request", _("This signature was submitted for another request."))
    if row.status == Submission.FILED:
        return row, False
    # A conditional update only one caller can win (the row as we read it, and not being walked).
    taken = (
        Submission.objects.filter(pk=row.pk, status=row.status, claimed_at=row.claimed_at)
        .filter(Q(status__in=[Submission.REFUSED, Submission.WAITING]) | Q(claimed_at__lt=now - STALE_CLAIM))
        .update(**fields, status=Submission.RUNNING, claimed_at=now, attempts=F("attempts") + 1)
    )
    row.refresh_from_db()
    return row, taken == 1


def _channel_submission(intake: Intake, key: str) -> channels.Submission:
    return channels.Submission(
        regulation=intake.regulation,
        provider=intake.provider,
        channel=intake.channel,
        variant=intake.variant,
        applicant=intake.applicant,
        authenticated=True,  # both doors let only a signed-in applicant post
        signed_request=intake.envelope,
        payment_id=intake.payment_id,
        documents_complete=intake.documents_complete,
        initiated_by=intake.applicant,
        applicant_name=intake.applicant_name,
        applicant_user=intake.user,
        data={
            **intake.data,
            "portal_submission": key,
            "signature_sha256": key,
            "documents": intake.documents,
            "payment_id": intake.payment_id or "",
            "language": current_language(),
        },
        at=clock.now(),
    )
