"""The event log for process mining: applications, their steps, officers and outcomes, written as
IEEE XES (1849-2016) or as OCEL 2.0 JSON, for tools such as pm4py, ProM, Celonis or Disco.

Both come from the same rows the conformance replay reads (`engine.StepRun`, the recorded
transitions with their role, officer and moments), read in bulk and written as they are read:

- XES: one trace per application (`concept:name` its number, with service, variant, channel,
  provider, regulation and status), an event for the filing, one per completed step
  (`concept:name` the procedure's step id and its action, `org:resource` the officer,
  `org:role` the step's role, `time:timestamp` the completion and `start_timestamp` the start,
  the attribute pm4py reads for interval logs, and `outcome`), and one for the closing.
- OCEL 2.0: the same events related to objects of four types, application, officer, provider and
  service, so that a case seen from the officer's or the provider's side needs no flattening.

XES has no place for an object-centric view and OCEL none for a case's lifecycle attributes: each
exists because process-mining tools read one or the other.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from xml.sax.saxutils import quoteattr

from django.contrib.auth import get_user_model

from qyzmet.engine.models import Application, StepRun
from qyzmet.regulations.models import parsed_document

from .conformance import chunks

CHUNK = 5000
FILED = "application filed"
CLOSED = "application closed"


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def cases(since=None) -> Iterator[tuple[dict, list[dict]]]:
    """Each application (filed since `since`) with its completed step runs, in filing order."""
    apps = Application.objects.order_by("id")
    if since:
        apps = apps.filter(filed_at__gte=since)
    users = dict(get_user_model().objects.values_list("id", "username"))
    rows = apps.values(
        "id",
        "number",
        "service",
        "variant",
        "channel",
        "procedure",
        "status",
        "result",
        "provider__code",
        "regulation_id",
        "regulation__digest",
        "filed_at",
        "closed_at",
    ).iterator(chunk_size=CHUNK)
    for chunk in chunks(rows, CHUNK):
        yield from _with_steps(chunk, users)


def _with_steps(chunk: list[dict], users: dict[int, str]) -> Iterator[tuple[dict, list[dict]]]:
    runs: dict[int, list[dict]] = {}
    query = StepRun.objects.filter(
        application_id__gte=chunk[0]["id"], application_id__lte=chunk[-1]["id"], completed_at__isnull=False
    ).order_by("application_id", "completed_at", "id")
    for run in query.values(
        "id",
        "application_id",
        "flow",
        "step_id",
        "role",
        "started_at",
        "completed_at",
        "completed_by_id",
        "outcome",
    ):
        run["officer"] = users.get(run["completed_by_id"], "system")
        runs.setdefault(run["application_id"], []).append(run)
    for app in chunk:
        yield app, runs.get(app["id"], [])


def _activity(app: dict, run: dict) -> str:
    step = parsed_document(app["regulation_id"], app["regulation__digest"]).step(run["flow"], run["step_id"])
    return f"{run['step_id']} {step.action.en}" if step is not None else run["step_id"]


def write_xes(out, since=None) -> int:
    """Write the log as XES to the text stream `out`; returns the number of events written."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        '<log xes.version="1849.2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">\n'
    )
    for name, prefix in (
        ("Concept", "concept"),
        ("Time", "time"),
        ("Organizational", "org"),
        ("Lifecycle", "lifecycle"),
    ):
        out.write(
            f' <extension name="{name}" prefix="{prefix}" uri="http://www.xes-standard.org/{prefix}.xesext"/>\n'
        )
    out.write(' <global scope="trace"><string key="concept:name" value="__INVALID__"/></global>\n')
    out.write(' <global scope="event"><string key="concept:name" value="__INVALID__"/>')
    out.write('<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/></global>\n')
    out.write(' <classifier name="Activity" keys="concept:name"/>\n')
    written = 0
    for app, runs in cases(since):
        out.write(" <trace>\n")
        for key in ("number", "service", "variant", "channel", "provider__code", "regulation_id", "status"):
            name = {
                "number": "concept:name",
                "provider__code": "provider",
                "regulation_id": "regulation",
            }.get(key, key)
            out.write(f"  <string key={quoteattr(name)} value={quoteattr(str(app[key]))}/>\n")
        written += _xes_event(out, FILED, app["filed_at"], "applicant", "applicant")
        for run in runs:
            written += _xes_event(
                out,
                _activity(app, run),
                run["completed_at"],
                run["officer"],
                run["role"],
                start=run["started_at"],
                outcome=run["outcome"],
            )
        if app["closed_at"] is not None:
            written += _xes_event(out, f"{CLOSED}: {app['status']}", app["closed_at"], "system", "system")
        out.write(" </trace>\n")
    out.write("</log>\n")
    return written


def _xes_event(out, activity, at, resource, role, start=None, outcome="") -> int:
    out.write("  <event>")
    out.write(f'<string key="concept:name" value={quoteattr(activity)}/>')
    out.write('<string key="lifecycle:transition" value="complete"/>')
    out.write(f'<date key="time:timestamp" value="{_moment(at)}"/>')
    if start is not None:
        out.write(f'<date key="start_timestamp" value="{_moment(start)}"/>')
    out.write(f'<string key="org:resource" value={quoteattr(resource)}/>')
    out.write(f'<string key="org:role" value={quoteattr(role)}/>')
    if outcome:
        out.write(f'<string key="outcome" value={quoteattr(outcome)}/>')
    out.write("</event>\n")
    return 1


def write_ocel(out, since=None) -> int:
    """Write the log as OCEL 2.0 JSON to the text stream `out`; returns the number of events.

    Events are written as they are read, a completed step's type being its activity (the step
    and its action); the event and object types and the objects (applications, officers,
    providers, services) follow once all are known, which JSON allows (keys have no order)."""
    out.write('{"events": [')
    objects: dict[str, dict] = {}
    activities: set[str] = set()
    written = 0

    def event(kind: str, at: dt.datetime, attributes: list, relationships: list) -> None:
        nonlocal written
        out.write(",\n" if written else "\n")
        record = {
            "id": f"e{written + 1}",
            "type": kind,
            "time": _moment(at),
            "attributes": attributes,
            "relationships": relationships,
        }
        json.dump(record, out, ensure_ascii=False)
        written += 1

    for app, runs in cases(since):
        application = f"application:{app['number']}"
        provider = f"provider:{app['provider__code']}"
        service = f"service:{app['service']}"
        objects[application] = {
            "id": application,
            "type": "application",
            "attributes": [
                {"name": "variant", "time": _moment(app["filed_at"]), "value": app["variant"]},
                {"name": "channel", "time": _moment(app["filed_at"]), "value": app["channel"]},
                {"name": "regulation", "time": _moment(app["filed_at"]), "value": app["regulation_id"]},
                {
                    "name": "status",
                    "time": _moment(app["closed_at"] or app["filed_at"]),
                    "value": app["status"],
                },
            ],
            "relationships": [
                {"objectId": provider, "qualifier": "provided by"},
                {"objectId": service, "qualifier": "of service"},
            ],
        }
        objects.setdefault(
            provider, {"id": provider, "type": "provider", "attributes": [], "relationships": []}
        )
        objects.setdefault(service, {"id": service, "type": "service", "attributes": [], "relationships": []})
        case = [
            {"objectId": application, "qualifier": "case"},
            {"objectId": provider, "qualifier": "provider"},
            {"objectId": service, "qualifier": "service"},
        ]
        event(FILED, app["filed_at"], [], case)
        for run in runs:
            officer = f"officer:{run['officer']}"
            objects.setdefault(
                officer, {"id": officer, "type": "officer", "attributes": [], "relationships": []}
            )
            attributes = [
                {"name": "step", "value": run["step_id"]},
                {"name": "role", "value": run["role"]},
                {"name": "outcome", "value": run["outcome"]},
                {"name": "started", "value": _moment(run["started_at"])},
            ]
            activity = _activity(app, run)
            activities.add(activity)
            event(
                activity,
                run["completed_at"],
                attributes,
                [*case, {"objectId": officer, "qualifier": "performed by"}],
            )
        if app["closed_at"] is not None:
            event(CLOSED, app["closed_at"], [{"name": "status", "value": app["status"]}], case)
    step_attributes = [{"name": n, "type": "string"} for n in ("step", "role", "outcome")]
    out.write('\n], "eventTypes": ')
    json.dump(
        [
            {"name": FILED, "attributes": []},
            {"name": CLOSED, "attributes": [{"name": "status", "type": "string"}]},
        ]
        + [
            {"name": name, "attributes": [*step_attributes, {"name": "started", "type": "time"}]}
            for name in sorted(activities)
        ],
        out,
        ensure_ascii=False,
    )
    out.write(', "objectTypes": ')
    json.dump(
        [
            {
                "name": "application",
                "attributes": [
                    {"name": n, "type": "string"} for n in ("variant", "channel", "regulation", "status")
                ],
            },
            {"name": "officer", "attributes": []},
            {"name": "provider", "attributes": []},
            {"name": "service", "attributes": []},
        ],
        out,
    )
    out.write(', "objects": [\n')
    for n, obj in enumerate(objects.values()):
        out.write(",\n" if n else "")
        json.dump(obj, out, ensure_ascii=False)
    out.write("\n]}\n")
    return written
