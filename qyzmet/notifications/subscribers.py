"""The applicant is told when an application is filed and when it closes, whatever the channel,
and what a stop of the legal clock asks of them; the holder of a permit when its status changes
or its term is about to end; the licensor's staff when the register's watch proposes a
termination."""

from django.utils import formats
from django.utils.translation import gettext as _

from qyzmet.engine import events
from qyzmet.engine.models import Application
from qyzmet.i18n import in_language
from qyzmet.outbox.subscribers import subscriber
from qyzmet.registry import events as register_events
from qyzmet.registry import grounds, services
from qyzmet.registry.models import EntryStatus, Proposal, RegisterEntry, RegisterEvent
from qyzmet.regulations.citations import citation

from .notify import CLOSED, FILED, PAUSED, RESUMED, notify_holder, notify_staff, notify_status


@subscriber("notifications.tell_applicant", events.FILED, events.CLOSED)
def tell_applicant(event) -> None:
    """Each (application, channel, notice) is sent at most once (`notify_status`), so handing
    the same event again sends nothing twice."""
    application = Application.objects.select_related("provider", "applicant_user", "regulation").get(
        pk=event.subject_id
    )
    notify_status(application, FILED if event.kind == events.FILED else CLOSED)


@subscriber("notifications.tell_applicant_of_pause", events.PAUSED, events.RESUMED)
def tell_applicant_of_pause(event) -> None:
    """A stop of the clock that asks the applicant something is told to them (what is asked), and
    so is the clock's restart; a stop for the platform's own reasons (a state database) is not."""
    pause_id = event.data.get("pause")
    if pause_id is None:
        return
    application = Application.objects.select_related("provider", "applicant_user", "regulation").get(
        pk=event.subject_id
    )
    pause = application.pauses.get(pk=pause_id)
    if not pause.asked:
        return
    notify_status(application, f"{PAUSED if event.kind == events.PAUSED else RESUMED}:{pause_id}")


def _entry(event) -> RegisterEntry:
    return RegisterEntry.objects.select_related("application__applicant_user", "provider").get(
        pk=event.subject_id
    )


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


@subscriber("notifications.tell_holder_of_status", register_events.STATUS_CHANGED)
def tell_holder_of_status(event) -> None:
    """The holder learns each change of the permit's status, its ground and since when."""
    entry = _entry(event)
    change = RegisterEvent.objects.get(entry=entry, seq=event.data["seq"])
    data = change.data

    def compose():
        status = EntryStatus(change.status).label
        subject = _("Permit %(number)s: %(action)s") % {
            "number": entry.number,
            "action": change.get_action_display(),
        }
        body = _(
            "%(name)s %(number)s (%(provider)s): %(action)s from %(day)s. Ground: %(ground)s (%(source)s)."
        ) % {
            "name": in_language(entry.name),
            "number": entry.number,
            "provider": entry.provider.display_name,
            "action": change.get_action_display(),
            "day": data.get("from") or "",
            "ground": grounds.label_of(data.get("ground", "")),
            "source": in_language(citation(data.get("source"))),
        }
        if data.get("until"):
            body += " " + _("The suspension lasts until %(day)s.") % {"day": data["until"]}
        if data.get("replaced_by"):
            body += " " + _("It is replaced by %(number)s.") % {"number": data["replaced_by"]}
        body += " " + _("Status now: %(status)s.") % {"status": status}
        return subject, body

    notify_holder(entry, change.action, f"{entry.number}#{change.seq}", compose)


@subscriber("notifications.remind_holder_of_term", register_events.TERM_ENDING)
def remind_holder_of_term(event) -> None:
    """The holder is reminded before the permit's term ends (once per entry and end day)."""
    entry = _entry(event)

    def compose():
        subject = _("Permit %(number)s: its term ends on %(day)s") % {
            "number": entry.number,
            "day": _day(entry.valid_until),
        }
        body = _(
            "%(name)s %(number)s (%(provider)s) is valid until %(day)s. "
            "To go on with the activity after that day, apply for a new one in time."
        ) % {
            "name": in_language(entry.name),
            "number": entry.number,
            "provider": entry.provider.display_name,
            "day": _day(entry.valid_until),
        }
        return subject, body

    notify_holder(entry, "term_ending", f"{entry.number}:{entry.valid_until}", compose)


@subscriber("notifications.tell_licensor_of_proposal", register_events.TERMINATION_PROPOSED)
def tell_licensor_of_proposal(event) -> None:
    """The licensor's staff learn that the register proposes to end a permit, and why (in the
    site's language: staff have no language of their own here)."""
    proposal = Proposal.objects.select_related("entry__application", "entry__provider").get(
        pk=event.data["proposal"]
    )
    entry = proposal.entry

    def compose():
        subject = _("Termination of %(number)s proposed: %(ground)s") % {
            "number": entry.number,
            "ground": grounds.label_of(proposal.ground),
        }
        values = {
            "number": entry.number,
            "ground": grounds.label_of(proposal.ground),
            "day": _day(proposal.found_on),
        }
        if proposal.lookup_id is None:  # a suspension that ended without being lifted
            body = (
                _(
                    "The suspension of %(number)s ended before %(day)s and was not lifted: %(ground)s. "
                    "The law has the licensor initiate the withdrawal within 10 working days. "
                    "Decide in the office; nothing has been changed."
                )
                % values
            )
        else:
            body = (
                _(
                    "The state database reports for the holder of %(number)s: %(ground)s (%(day)s). "
                    "Decide in the office whether to terminate the permit; nothing has been changed."
                )
                % values
            )
        return subject, body

    notify_staff(entry, services.licensor_staff(entry), "proposed", f"proposal:{proposal.pk}", compose)
