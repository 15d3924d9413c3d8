"""Telling the applicant by e-mail and SMS when an application is filed and when it closes.

`notify_status(application, notice)` sends the "filed" or "closed" notice (result issued, refused,
deemed issued); left out, the application's status decides (open means "filed"). It sends to the e-mail address and phone the
applicant gave in the request (kept in `application.data["contacts"]`), or the account's e-mail,
in the language the request was made in. Each (application, channel, event) is sent at most
once, so an event handed over again (`subscribers.py`) never repeats a message.
A failed delivery is recorded and never raises: a lost SMS must not undo a state change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from qyzmet import clock
from qyzmet.engine.models import Application
from qyzmet.engine.statuses import refusal_act, regulation_status
from qyzmet.i18n import in_language
from qyzmet.regulations import refusals
from qyzmet.regulations.citations import citation

from . import sms
from .models import Notification

log = logging.getLogger(__name__)

FILED, CLOSED = "filed", "closed"
PAUSED, RESUMED = "paused", "resumed"  # with the pause's id: "paused:12"


def _event(app: Application) -> str:
    return FILED if app.is_open else CLOSED


def _text(app: Application, event: str) -> tuple[str, str]:
    """Subject and body of the message, in the active language."""
    title = app.regulation.parsed.title
    service = in_language(title)
    kind, _sep, pause_id = event.partition(":")
    if kind in (PAUSED, RESUMED):
        return _pause_text(app, kind, app.pauses.get(pk=pause_id), service)
    if event == FILED:
        due = (
            formats.date_format(timezone.localtime(app.due_at), "DATE_FORMAT") if app.due_at else _("not set")
        )
        subject = _("Application %(number)s filed") % {"number": app.number}
        body = _(
            "Your application %(number)s (%(service)s) was filed with %(provider)s. "
            "The result is expected by %(due)s."
        ) % {"number": app.number, "service": service, "provider": app.provider.display_name, "due": due}
    else:
        status = regulation_status(app).label  # as the regulation names it, where it does
        subject = _("Application %(number)s: %(status)s") % {"number": app.number, "status": status}
        body = _(
            "Your application %(number)s (%(service)s) is closed: %(status)s. "
            "See your personal cabinet for the document."
        ) % {"number": app.number, "service": service, "status": status}
        act = refusals.act(refusal_act(app))
        if act is not None:
            body = f"{body} " + _("The document: %(act)s (%(law)s).") % {
                "act": act.title,
                "law": in_language(act.law),
            }
        if app.regulation.parsed.quality_indicators:
            # the regulation measures its quality by its questionnaire (`analytics.questionnaire`)
            link = settings.QYZMET_PUBLIC_URL.rstrip("/") + reverse("portal:questionnaire", args=[app.number])
            body = f"{body} " + _(
                "How did the service go? The regulation's short questionnaire: %(link)s"
            ) % {"link": link}
    return str(subject), str(body)


def _pause_text(app: Application, kind: str, pause, service: str) -> tuple[str, str]:
    """The applicant is told what a stop of the clock asks of them, and when it runs again."""
    from qyzmet.engine.law import pauses_for

    rule = pauses_for(app.regulation.parsed, timezone.localtime(app.filed_at).date()).get(pause.reason)
    ground = (
        f"{in_language(rule.title)} ({in_language(citation(rule.source))})"
        if rule
        else in_language(citation(pause.law))
    )
    if kind == PAUSED:
        subject = _("Application %(number)s: you are asked for documents") % {"number": app.number}
        body = _(
            "The term of your application %(number)s (%(service)s) stands still: %(ground)s. "
            "You are asked: %(asked)s. Answer in your personal cabinet; the term runs again with your answer."
        ) % {"number": app.number, "service": service, "ground": ground, "asked": pause.asked}
    else:
        due = (
            formats.date_format(timezone.localtime(app.due_at), "DATE_FORMAT") if app.due_at else _("not set")
        )
        subject = _("Application %(number)s: the term runs again") % {"number": app.number}
        body = _(
            "The term of your application %(number)s (%(service)s) runs again. "
            "The result is expected by %(due)s."
        ) % {"number": app.number, "service": service, "due": due}
    return str(subject), str(body)


def _addresses(app: Application) -> dict[str, str]:
    contacts = (app.data or {}).get("contacts") or {}
    email = contacts.get("email") or (app.applicant_user.email if app.applicant_user else "")
    return {"email": email or "", "sms": contacts.get("phone") or ""}


def notify_status(application: Application, notice: str | None = None) -> list[Notification]:
    """Send the `notice` (FILED or CLOSED; by default what the application's status calls for);
    returns the notifications made now."""
    app = application
    event = notice or _event(app)
    language = _language_of(app)
    made = []
    due = {channel: to for channel, to in _addresses(app).items() if to}
    if not due:  # nowhere to send: do not compose the message at all
        return made
    with translation.override(language):
        subject, body = _text(app, event)
        for channel, to in due.items():
            sent = _send_once(app, channel, to, event, "", subject, body)
            if sent is not None:
                made.append(sent)
    return made


def _send_once(app: Application, channel: str, to: str, event: str, reference: str, subject: str, body: str):
    """Send one message unless this (application, channel, event, reference) was sent already;
    a failed delivery is recorded, never raised. Returns the notification made, or None."""
    if Notification.objects.filter(
        application=app, channel=channel, event=event, reference=reference
    ).exists():
        return None
    sent, error = True, ""
    try:
        if channel == "email":
            send_mail(subject, body, None, [to])
        else:
            sms.client().send(to, body)
    except Exception as exc:  # noqa: BLE001 - any failure of delivery is recorded, never raised
        log.warning("notification %s to %s for %s failed: %s", channel, to, app.number, exc)
        sent, error = False, str(exc)
    try:
        with transaction.atomic():
            return Notification.objects.create(
                application=app,
                channel=channel,
                event=event,
                reference=reference,
                to=to,
                text=body,
                sent=sent,
                error=error,
                sent_at=clock.now(),
            )
    except IntegrityError:  # another process sent it at the same moment
        return None


def _language_of(app: Application) -> str:
    return (app.data or {}).get("language") or settings.LANGUAGE_CODE


# A permit's life after its issue (the register's events) ----------------------------------------


def notify_holder(entry, event_kind: str, reference: str, compose) -> list[Notification]:
    """Tell the holder of a register entry about it: `compose()` gives (subject, body) in the
    active language, which is the one the application was made in. Sent to the addresses of the
    application that obtained the entry, once per (channel, event, reference)."""
    app = entry.application
    if app is None:
        return []
    due = {channel: to for channel, to in _addresses(app).items() if to}
    made = []
    if not due:
        return made
    with translation.override(_language_of(app)):
        subject, body = (str(text) for text in compose())
        for channel, to in due.items():
            notification = _send_once(app, channel, to, event_kind, reference, subject, body)
            if notification is not None:
                made.append(notification)
    return made


def notify_staff(entry, users, event_kind: str, reference: str, compose) -> list[Notification]:
    """Tell members of the licensor's staff by e-mail (those who have an address)."""
    app = entry.application
    made = []
    if app is None:
        return made
    for user in users:
        if not user.email:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = (str(text) for text in compose())
        notification = _send_once(
            app, "email", user.email, event_kind, f"{reference}:{user.username}"[:60], subject, body
        )
        if notification is not None:
            made.append(notification)
    return made
