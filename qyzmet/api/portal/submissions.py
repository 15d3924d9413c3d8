"""POST /submissions: file a signed request through the portal channel of the regulation.

The channel's own table decides (`engine.channels.submit`): log-in, the applicant's record in
the state database, the fee, the EDS. This view picks the regulation in force at the provider
now and its portal channel, and makes the post idempotent: a `Submission` row keyed by the
SHA-256 of the signature value (per applicant) is claimed before the walk, so

* the same signed request posted again after it was filed answers with the same application;
* two posts of it arriving together walk the channel once (the second hears "waiting");
* after a refusal or a wait it is walked again, since the fee may be paid or the database back.

A walk that died half-way (its claim older than STALE_CLAIM) may be taken over; the application
carries the key in its data, so the one filed by the dead walk is found rather than filed twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import ValidationError

from qyzmet.access import applicant_number
from qyzmet.engine import channels
from qyzmet.engine.models import Application
from qyzmet.i18n import in_language

from ..models import Submission
from ..schemas import Error, ValidationErrors
from .access import portal_channel, provider_named, regulation_at, variant_of
from .cabinet import RETRY_AFTER_SECONDS
from .present import expected_path
from .schemas import Filed, Refused, SubmitRequest, Waiting

router = Router(tags=["portal: submissions"])

STALE_CLAIM = dt.timedelta(minutes=2)


def _invalid(field: str, msg: str) -> ValidationError:
    return ValidationError(
        [{"loc": ["body", "payload", *field.split(".")], "msg": msg, "type": "value_error"}]
    )


def signature_key(envelope: dict) -> str:
    signature = envelope.get("signature")
    value = signature.get("value") if isinstance(signature, dict) else None
    if not isinstance(value, str) or not value or not isinstance(envelope.get("request"), dict):
        raise _invalid("signed_request", _("A signed request needs `request` and `signature.value`."))
    return hashlib.sha256(value.encode()).hexdigest()


def _matches(envelope: dict, row, variant: str) -> None:
    """What the applicant signed must be what they ask for: the signed request's own service,
    regulation and variant, where it names them, against the payload's."""
    signed = envelope["request"]
    for name, wanted in (("service", row.service), ("regulation", row.pk), ("variant", variant)):
        if name in signed and signed[name] != wanted:
            raise _invalid(
                f"signed_request.request.{name}",
                _("The signed request is for %(signed)s, not %(wanted)s.")
                % {"signed": signed[name], "wanted": wanted},
            )


def _claim(key: str, applicant: str, user, fields: dict) -> tuple[Submission, bool]:
    """The submission row of this signed request, and whether this call walks the channel now."""
    now = timezone.now()
    try:
        # the INSERT first: a new request (the usual case) costs one statement, not a SELECT too
        with transaction.atomic():
            return Submission.objects.create(
                signature_sha256=key, applicant=applicant, user=user, claimed_at=now, **fields
            ), True
    except IntegrityError:
        row = Submission.objects.get(signature_sha256=key, applicant=applicant)
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


def _filed(app: Application, repeated: bool) -> Status:
    return Status(
        201,
        {
            "status": "filed",
            "application": app.number,
            "regulation": app.regulation_id,
            "channel": app.channel,
            "provider": app.provider.code,
            "filed_at": app.filed_at,
            "due_at": app.due_at,
            "expected_path": expected_path(app),
            "repeated": repeated,
        },
    )


def _waiting(response: HttpResponse, detail: str) -> Status:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Status(202, {"status": "waiting", "detail": detail, "retry_after": RETRY_AFTER_SECONDS})


def _refused(sub: Submission) -> Status:
    return Status(
        422,
        {
            "status": "refused",
            "step": sub.step,
            "message": sub.message,
            "text": in_language(sub.message),
            "detail": sub.reason,
        },
    )


@router.post(
    "/submissions",
    response={
        201: Filed,
        202: Waiting,
        403: Error,
        404: Error,
        409: Error,
        422: Refused | ValidationErrors,
    },
    summary="File a signed request through the portal channel (idempotent by its signature)",
)
def portal_submit(request, response: HttpResponse, payload: SubmitRequest):
    """201: filed, with the application number, its term and the expected path. 422 with
    `status: refused`: a check of the channel failed; `message` is the regulation's own. 202: a
    state database (or the payment gateway) cannot be reached, or the same request is being
    processed right now; post it again after Retry-After."""
    applicant = applicant_number(request.auth)
    provider = provider_named(payload.provider)
    row = regulation_at(provider, payload.service)
    variant = variant_of(row, payload.variant)
    channel = portal_channel(row)
    key = signature_key(payload.signed_request)
    _matches(payload.signed_request, row, variant)

    fields = dict(
        provider=provider.code, service=row.service, variant=variant, regulation=row.pk, channel=channel
    )
    sub, mine = _claim(key, applicant, request.auth, fields)
    if sub.status == Submission.FILED:
        return _filed(sub.application, repeated=True)
    if not mine:
        return _waiting(response, _("This signed request is being processed; ask again shortly."))
    # A walk that died after filing left its application behind: take it instead of filing again.
    orphan = None
    if sub.attempts > 1:
        orphan = Application.objects.filter(applicant=applicant, data__portal_submission=key).first()
    if orphan is None:
        try:
            result = channels.submit(
                channels.Submission(
                    regulation=row,
                    provider=provider,
                    channel=channel,
                    variant=variant,
                    applicant=applicant,
                    authenticated=True,  # the caller is signed in (token or session)
                    signed_request=payload.signed_request,
                    payment_id=payload.payment_id,
                    initiated_by="portal",
                    applicant_name=request.auth.get_full_name(),
                    applicant_user=request.auth,
                    data={"portal_submission": key},
                )
            )
        except Exception:
            # let the next post take it over at once rather than after STALE_CLAIM
            Submission.objects.filter(pk=sub.pk).update(claimed_at=timezone.now() - STALE_CLAIM)
            raise
    sub.status = Submission.FILED if orphan or result.status == "filed" else result.status
    sub.application = orphan or (result.application if result.status == "filed" else None)
    sub.step = "" if orphan else result.trace[-1].step if result.trace else ""
    sub.message = None if orphan else result.message
    sub.reason = "" if orphan else result.reason
    sub.save(update_fields=["status", "application", "step", "message", "reason", "updated_at"])
    if sub.status == Submission.FILED:
        return _filed(sub.application, repeated=False)
    if sub.status == Submission.REFUSED:
        return _refused(sub)
    return _waiting(response, result.reason)
