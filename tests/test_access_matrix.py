"""Who may open which route: every URL pattern and every API operation, for every kind of person.

The routes are read from the URL resolver and the API's OpenAPI document, so a new route fails
`test_every_route_has_a_rule` until `RULES` says who may use it. Each rule names, for each role,
the answer that person gets, and `test_each_role_gets_what_the_rule_says` asks the route for real,
as that person, on real objects: an application filed for applicant A at provider P, another
waiting for other bodies' conclusions, a paused one and an issued one with its register entry,
A's draft with its attachment and fee payment, a refusal to accept at P's reception desk, an
acceptance at centre C with a result on its way back.

The cast: anonymous; applicant A, who owns the objects, and applicant B, who does not; P's
clerk (office-clerk), licensing officer and head; the clerk of another provider Q; the operator
of centre C and of another centre D; the supervisor at ministry M, which supervises P; a superuser.
What the answers mean:

* `login`: sent to a sign-in page (the office's, the portal's or the admin's);
* `403`: past the face's door, but not allowed (or not through that door at all);
* `404`: someone else's object, reported as absent so nobody learns it exists;
* `401`: the API without credentials;
* 200/201/302: allowed and done; 400/409/422: allowed, and the form or the object's state
  refuses (the request got past access).

The objects are made once for the module; each case runs in its own transaction, rolled back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qyzmet import clock
from qyzmet.api.api import api
from qyzmet.engine import paths, services
from qyzmet.engine.models import ConclusionRequest
from qyzmet.gateway.clients.payments import PaymentsClient
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway, ordinary_iin
from qyzmet.intake.online.models import Attachment
from qyzmet.intake.paper.models import ReceptionRefusal, Registration, ScannedDocument
from qyzmet.office.testing import load_regulations
from qyzmet.portal.models import Draft
from qyzmet.providers.models import SUPERVISOR, StaffRole
from qyzmet.psc.models import Acceptance, Transfer
from qyzmet.registry import documents
from qyzmet.registry import services as register
from qyzmet.registry.models import Proposal
from qyzmet.regulations.loader import catalogue

from .engine_helpers import complete_as_staff
from .pause_helpers import RULE, export_control_application
from .psc_helpers import make_centre, provider_for
from .worlds import made_once

# On one worker: the world below takes seconds to make and each of its 900 cases milliseconds, so a
# second worker making it again would cost more than it saves.
pytestmark = pytest.mark.xdist_group("access-matrix")

LICENCE = "almaty-2015-2-279/medical-licence"  # portal, office and PSC channels; asks for conclusions
ACT, SLUG = LICENCE.split("/")
DEMO_DAY = "2015-10-14"  # a Wednesday while the licence regulation was in force
PDF = b"%PDF-1.4\n% a scanned page\n"

ROLES = (
    "anonymous",
    "applicant",
    "other_applicant",
    "clerk",
    "officer",
    "head",
    "other_clerk",
    "operator",
    "other_operator",
    "supervisor",
    "admin",
)
WHO = {
    "anonymous": "someone not signed in",
    "applicant": "the applicant who owns it",
    "other_applicant": "another applicant",
    "clerk": "a clerk of the provider",
    "officer": "a licensing officer of the provider",
    "head": "the head of the provider",
    "other_clerk": "a clerk of another provider",
    "operator": "an operator of the centre",
    "other_operator": "an operator of another centre",
    "supervisor": "a ministry's supervisor over the provider",
    "admin": "a superuser",
}
SAYS = {
    "200": "may (200)",
    "201": "may, and it is created (201)",
    "302": "may, and is sent on (302)",
    "400": "may, and the form says what is wrong (400)",
    "409": "may, and the object's state refuses (409)",
    "422": "may, and the request is refused on its merits (422)",
    "login": "is sent to sign in",
    "401": "must authenticate (401)",
    "403": "is refused (403)",
    "404": "finds nothing (404)",
}
STAFF = ("clerk", "officer", "head", "other_clerk", "operator", "other_operator", "supervisor", "admin")
PROVIDER_STAFF = ("clerk", "officer", "head", "admin")  # who sees P's applications
APPLICANTS = ("applicant", "other_applicant")
SIGNED_IN = APPLICANTS + STAFF


# The doors of the faces: what everyone gets before the object is even looked at -------------------


def public(code: str = "200") -> dict:
    return dict.fromkeys(ROLES, code)


def office(**allowed) -> dict:
    """Staff of any provider pass the office's door; of them, those not named find nothing."""
    return {
        "anonymous": "login",
        **dict.fromkeys(APPLICANTS, "403"),
        **dict.fromkeys(STAFF, "404"),
        **allowed,
    }


def reception(**allowed) -> dict:
    """Only office clerks pass the reception desk's door."""
    return {
        **dict.fromkeys(ROLES, "403"),
        "anonymous": "login",
        "clerk": "404",
        "other_clerk": "404",
        **allowed,
    }


def centre(**allowed) -> dict:
    """Only centre operators pass the centre's door (a superuser is no operator)."""
    return {
        **dict.fromkeys(ROLES, "403"),
        "anonymous": "login",
        "operator": "404",
        "other_operator": "404",
        **allowed,
    }


def portal(**allowed) -> dict:
    """Only applicants pass the portal's door; staff and strangers are sent to its sign-in."""
    return {**dict.fromkeys(ROLES, "login"), **dict.fromkeys(APPLICANTS, "404"), **allowed}


def staff_api(**allowed) -> dict:
    """Anyone with credentials passes; only what is theirs as staff exists for them."""
    return {**dict.fromkeys(SIGNED_IN, "404"), "anonymous": "401", **allowed}


def applicant_api(**allowed) -> dict:
    """Only applicants; staff accounts are refused rather than shown an empty cabinet."""
    return {**dict.fromkeys(STAFF, "403"), "anonymous": "401", **dict.fromkeys(APPLICANTS, "404"), **allowed}


def signed_in(code: str = "200") -> dict:
    return {**dict.fromkeys(SIGNED_IN, code), "anonymous": "login"}


def given(code: str, *roles: str) -> dict:
    return dict.fromkeys(roles, code)


@dataclasses.dataclass
class Rule:
    method: str
    expect: dict
    args: object = None  # world -> URL kwargs
    data: object = None  # world -> the form or JSON body
    query: str = ""
    shows: tuple = ()  # roles whose answer lists the application A owns (list pages)
    json: bool = False


def app_number(w):
    return {"number": w.app.number}


def s1(w):
    return w.app.steps.get(completed_at__isnull=True)


def kept(w):
    return {"code": w.centre.code, "number": w.kept.number}


RULES: dict[str, Rule] = {
    # Django's own: language, sign-in, the admin (which guards each of its views itself)
    # probes read the health page without signing in; it names checks and their state, no data
    "health": Rule("GET", public()),
    "set_language": Rule("POST", public("302"), data=lambda w: {"language": "en"}),
    "login": Rule("GET", public()),
    "logout": Rule("POST", public()),
    "password_change": Rule("GET", signed_in()),
    "password_change_done": Rule("GET", signed_in()),
    "password_reset": Rule("GET", public()),
    "password_reset_done": Rule("GET", public()),
    "password_reset_confirm": Rule("GET", public(), args=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": Rule("GET", public()),
    "admin:*": Rule("GET", {**dict.fromkeys(ROLES, "login"), "admin": "200"}),
    # The catalogue and the public register: nobody needs to sign in
    "regulations:catalogue": Rule("GET", public()),
    "regulations:catalogue-json": Rule("GET", public()),
    "regulations:detail": Rule("GET", public(), args=lambda w: {"act": ACT, "slug": SLUG}),
    "regulations:json": Rule("GET", public(), args=lambda w: {"act": ACT, "slug": SLUG}),
    "regulations:bpmn": Rule(
        "GET", public(), args=lambda w: {"act": ACT, "slug": SLUG, "flow": "examination"}
    ),
    "registry:search": Rule("GET", public(), query="holder=" + "{applicant}"),
    "registry:verify": Rule("GET", public()),
    "registry:verify-number": Rule("GET", public(), args=lambda w: {"number": w.entry.number}),
    "registry:entry-pdf": Rule("GET", public(), args=lambda w: {"number": w.entry.number}),
    "registry:decision-pdf": Rule(
        "GET", public(), args=lambda w: {"number": w.decision.register_entry.number, "seq": w.decision_seq}
    ),
    "registry:head": Rule("GET", public()),
    "registry:heads": Rule("GET", public()),
    "registry:heads-file": Rule("GET", public()),
    # The back office: staff of the application's provider; acting needs the step's role or head
    "office:inbox": Rule("GET", office(**given("200", *STAFF)), shows=("clerk", "admin")),
    "office:dashboard": Rule("GET", office(**given("200", *STAFF))),
    "office:conformance": Rule("GET", office(**given("200", *STAFF))),
    # figures of their own providers, and a supervisor's of those it supervises (aggregates only)
    "office:figures": Rule("GET", office(**given("200", *STAFF))),
    "office:task": Rule("GET", office(**given("200", *PROVIDER_STAFF)), args=app_number),
    "office:complete": Rule(
        "POST",
        office(**given("302", "clerk", "head", "admin"), officer="403"),
        args=app_number,
        data=lambda w: {"run": s1(w).pk, "outcome": "done"},
    ),
    "office:assign": Rule(
        "POST",
        office(**given("302", "clerk", "head", "admin"), officer="403"),
        args=app_number,
        data=lambda w: {"run": s1(w).pk, "assignee": w.users["clerk"].pk},
    ),
    "office:answer-conclusion": Rule(
        "POST",
        office(**given("302", "officer", "head", "admin"), clerk="403"),
        args=lambda w: {"number": w.asking.number},
        data=lambda w: {"request": w.conclusion.pk, "answer": "positive", "note": ""},
    ),
    # Only where a rule of the law gives a ground: A's export-control licence (tests/pause_helpers.py)
    "office:pause": Rule(
        "POST",
        office(**given("302", "clerk", "head", "admin"), officer="403"),
        args=lambda w: {"number": w.exported.number},
        data=lambda w: {"reason": RULE, "note": "certificate No. 17-04"},
    ),
    "office:pause-file": Rule(
        "GET",
        office(**given("200", "clerk", "officer", "head", "admin")),
        args=lambda w: {"number": w.answered.number, "file_id": w.answer_file.pk},
    ),
    "office:resume": Rule(
        "POST",
        office(**given("302", "clerk", "head", "admin"), officer="403"),
        args=lambda w: {"number": w.paused.number},
    ),
    "office:reception-scan": Rule(
        "GET",
        office(**given("200", *PROVIDER_STAFF)),
        args=lambda w: {"number": w.app.number, "scan": w.scan.pk},
    ),
    # a document A uploaded with the request that became the issued application
    "office:attachment": Rule(
        "GET",
        office(**given("200", *PROVIDER_STAFF)),
        args=lambda w: {"number": w.issued.number, "pk": w.filed_attachment.pk},
    ),
    # the head's EDS signature on a result: S1 is no signing step, so those who may act hear so
    "office:sign": Rule(
        "POST",
        office(**given("400", "clerk", "head", "admin"), officer="403"),
        args=app_number,
        data=lambda w: {"run": s1(w).pk, "outcome": "done", "envelope": ""},
    ),
    "office:document": Rule(
        "GET",
        office(**given("200", *PROVIDER_STAFF)),
        args=lambda w: {"number": w.issued.number, "pk": w.document.pk},
    ),
    "office:closing-document": Rule(
        "GET", office(**given("200", *PROVIDER_STAFF)), args=lambda w: {"number": w.issued.number}
    ),
    # The permits in the register: the licensor's staff of the issuing provider act; its clerk only sees
    "office:register": Rule("GET", office(**given("200", *STAFF)), shows=()),
    "office:register-entry": Rule(
        "GET", office(**given("200", *PROVIDER_STAFF)), args=lambda w: {"number": w.entry.number}
    ),
    "office:register-change": Rule(
        "POST",
        office(**given("302", "officer", "head", "admin"), clerk="403"),
        args=lambda w: {"number": w.entry.number},
        data=lambda w: {
            "action": "suspended",
            "ground": "violations-found",
            "until": "2099-01-01",
            "note": "Order No. 12: the premises fail the sanitary rules",
        },
    ),
    "office:register-proposal": Rule(
        "POST",
        office(**given("302", "officer", "head", "admin"), clerk="403"),
        args=lambda w: {"number": w.entry.number, "pk": w.proposal.pk},
        data=lambda w: {"decision": "dismiss", "note": "the entity was reorganised, not liquidated"},
    ),
    "office:reception-registration": Rule(
        "GET", reception(clerk="200"), args=lambda w: {"pk": w.registration.pk}
    ),
    "office:reception": Rule("GET", reception(clerk="200", other_clerk="200")),
    "office:reception-submit": Rule("POST", reception(clerk="400", other_clerk="400"), data=lambda w: {}),
    "office:reception-accepted": Rule("GET", reception(clerk="200"), args=app_number),
    "office:reception-receipt": Rule("GET", reception(clerk="200"), args=app_number),
    "office:reception-refusal": Rule(
        "GET", reception(clerk="200"), args=lambda w: {"number": w.refusal.number}
    ),
    "office:reception-refusal-pdf": Rule(
        "GET", reception(clerk="200"), args=lambda w: {"number": w.refusal.number}
    ),
    # The service centre: its own operators, nobody else
    "psc:index": Rule("GET", centre(operator="302", other_operator="302")),
    "psc:queue": Rule("GET", centre(operator="200"), args=lambda w: {"code": w.centre.code}),
    "psc:issue-ticket": Rule("POST", centre(operator="302"), args=lambda w: {"code": w.centre.code}),
    "psc:call-next": Rule("POST", centre(operator="302"), args=lambda w: {"code": w.centre.code}),
    "psc:accept": Rule("GET", centre(operator="200"), args=lambda w: {"code": w.centre.code}),
    "psc:storage": Rule("GET", centre(operator="200"), args=lambda w: {"code": w.centre.code}),
    "psc:acceptance": Rule("GET", centre(operator="200"), args=kept),
    "psc:receipt": Rule("GET", centre(operator="200"), args=kept),
    "psc:receipt-pdf": Rule("GET", centre(operator="200"), args=kept),
    "psc:receive": Rule(
        "POST", centre(operator="302"), args=kept, data=lambda w: {"transfer": w.transfer.pk}
    ),
    "psc:send-result": Rule("POST", centre(operator="409"), args=kept),  # the result is already back
    "psc:hand-over": Rule("POST", centre(operator="302"), args=kept, data=lambda w: {"handed_to": "A"}),
    "psc:return": Rule("POST", centre(operator="302"), args=kept),
    "psc:resubmit": Rule("POST", centre(operator="409"), args=kept),  # nothing waits to be sent again
    # The portal: the applicant's own applications and drafts
    "portal:catalogue": Rule("GET", public()),
    "portal:service": Rule("GET", public(), args=lambda w: {"act": ACT, "slug": SLUG}),
    "portal:start": Rule(
        "POST",
        portal(**given("302", *APPLICANTS)),
        args=lambda w: {"act": ACT, "slug": SLUG},
        data=lambda w: {"variant": "issue"},
    ),
    # open data: every provider's figures per service, for anyone
    "portal:open-data": Rule("GET", public()),
    "portal:open-data-csv": Rule("GET", public()),
    "portal:open-data-json": Rule("GET", public()),
    "portal:login": Rule("GET", public()),
    "portal:login-eds": Rule("POST", public("400"), data=lambda w: {}),
    "portal:logout": Rule("POST", public("302")),
    "portal:draft": Rule("GET", portal(applicant="200"), args=lambda w: {"draft_id": w.draft.pk}),
    "portal:check": Rule("GET", portal(applicant="200"), args=lambda w: {"draft_id": w.draft.pk}),
    "portal:pay": Rule("POST", portal(applicant="302"), args=lambda w: {"draft_id": w.draft.pk}),
    "portal:sign": Rule("GET", portal(applicant="200"), args=lambda w: {"draft_id": w.draft.pk}),
    "portal:submit": Rule(
        "POST", portal(applicant="400"), args=lambda w: {"draft_id": w.draft.pk}, data=lambda w: {}
    ),
    "portal:attachment": Rule(
        "GET",
        portal(applicant="200"),
        args=lambda w: {"draft_id": w.draft.pk, "attachment_id": w.attachment.pk},
    ),
    "portal:delete-attachment": Rule(
        "POST",
        portal(applicant="302"),
        args=lambda w: {"draft_id": w.draft.pk, "attachment_id": w.attachment.pk},
    ),
    "portal:cabinet": Rule("GET", portal(**given("200", *APPLICANTS)), shows=("applicant",)),
    "portal:application": Rule("GET", portal(applicant="200"), args=app_number),
    "portal:summary": Rule("GET", portal(applicant="200"), args=app_number),
    # the applicant answers what a stop of the clock asks of them, with documents
    "portal:answer": Rule(
        "POST",
        portal(applicant="302"),
        args=lambda w: {"number": w.asked.number},
        data=lambda w: {"answer": "attached"},
    ),
    "portal:document": Rule("GET", portal(applicant="200"), args=lambda w: {"number": w.issued.number}),
    "portal:questionnaire": Rule("GET", portal(applicant="200"), args=lambda w: {"number": w.issued.number}),
    "portal:issued-document": Rule(
        "GET", portal(applicant="200"), args=lambda w: {"number": w.issued.number, "pk": w.document.pk}
    ),
    # The API's own pages
    "api:docs-asset": Rule("GET", public(), args=lambda w: {"name": "swagger-ui.css"}),
    "api:openapi-json": Rule("GET", public()),
    "api:openapi-view": Rule("GET", public()),
    "api:api-root": Rule("GET", public("404")),  # nothing lives at the bare prefix
    # The back-office API: as the office, with 401 for no credentials
    "api:inbox": Rule("GET", staff_api(**given("200", *SIGNED_IN)), shows=("clerk", "head", "admin")),
    "api:get_application": Rule("GET", staff_api(**given("200", *PROVIDER_STAFF)), args=app_number),
    "api:complete_step": Rule(
        "POST",
        staff_api(**given("200", "clerk", "head", "admin"), officer="403"),
        args=lambda w: {"number": w.app.number, "run_id": s1(w).pk},
        data=lambda w: {"outcome": "done"},
        json=True,
    ),
    "api:assign_step": Rule(
        "POST",
        staff_api(**given("200", "clerk", "head", "admin"), officer="403"),
        args=lambda w: {"number": w.app.number, "run_id": s1(w).pk},
        data=lambda w: {"username": w.users["clerk"].username},
        json=True,
    ),
    "api:answer_conclusion": Rule(
        "POST",
        staff_api(**given("200", "officer", "head", "admin"), clerk="403"),
        args=lambda w: {"number": w.asking.number, "conclusion_id": w.conclusion.pk},
        data=lambda w: {"answer": "positive"},
        json=True,
    ),
    "api:pause_clock": Rule(
        "POST",
        staff_api(**given("200", "clerk", "head", "admin"), officer="403"),
        args=lambda w: {"number": w.exported.number},
        data=lambda w: {"reason": RULE},
        json=True,
    ),
    "api:resume_clock": Rule(
        "POST",
        staff_api(**given("200", "clerk", "head", "admin"), officer="403"),
        args=lambda w: {"number": w.paused.number},
    ),
    "api:provider_dashboard": Rule(
        "GET", staff_api(**given("200", *PROVIDER_STAFF)), args=lambda w: {"code": w.provider.code}
    ),
    # The applicant API: as the portal, with 401 and 403 instead of sign-in pages
    "api:portal_services": Rule("GET", public()),
    "api:portal_service_providers": Rule("GET", public(), args=lambda w: {"service": w.app.service}),
    "api:portal_prefill": Rule("GET", applicant_api(**given("200", *APPLICANTS)), query="service={service}"),
    "api:portal_my_applications": Rule(
        "GET", applicant_api(**given("200", *APPLICANTS)), shows=("applicant",)
    ),
    "api:portal_my_application": Rule("GET", applicant_api(applicant="200"), args=app_number),
    "api:portal_my_lookups": Rule("GET", applicant_api(**given("200", *APPLICANTS))),
    "api:portal_answer_pause": Rule(
        "POST",
        applicant_api(applicant="200"),
        args=lambda w: {"number": w.asked.number},
        data=lambda w: {"answer": "attached"},
    ),
    "api:portal_create_payment": Rule(
        "POST",
        applicant_api(**given("201", *APPLICANTS)),
        data=lambda w: {"provider": w.provider.code, "service": w.app.service, "variant": "issue"},
        json=True,
    ),
    "api:portal_get_payment": Rule(
        "GET", applicant_api(applicant="200"), args=lambda w: {"payment_id": w.payment_id}
    ),
    "api:portal_submit": Rule(
        "POST",
        applicant_api(**given("422", *APPLICANTS)),
        data=lambda w: {
            "provider": w.provider.code,
            "service": w.app.service,
            "variant": "issue",
            "signed_request": {"request": {}, "signature": {"value": "not a signature"}},
        },
        json=True,
    ),
}


# The routes, as the resolver and the API know them ----------------------------------------------


def _django_routes(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
            yield from _django_routes(entry.url_patterns, inner or namespace)
        elif isinstance(entry, URLPattern):
            if entry.callback.__module__.startswith("ninja.operation"):
                continue  # an API operation: listed from the OpenAPI document below
            name = "*" if namespace == "admin" else entry.name
            yield f"{namespace}:{name}" if namespace else name


def _api_routes():
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            yield f"api:{operation['operationId']}", method.upper(), path


def all_routes() -> set[str]:
    return set(_django_routes()) | {key for key, _method, _path in _api_routes()}


API_PATHS = {key: (method, path) for key, method, path in _api_routes()}


def test_every_route_has_a_rule():
    """A new URL or API operation fails here until the table says who may use it."""
    assert sorted(all_routes() - set(RULES)) == []


def test_every_rule_is_of_a_route_that_exists():
    assert sorted(set(RULES) - all_routes()) == []


def test_every_rule_says_what_each_role_gets():
    incomplete = {key: sorted(set(ROLES) - set(rule.expect)) for key, rule in RULES.items()}
    assert {key: missing for key, missing in incomplete.items() if missing} == {}


def test_api_operations_are_called_as_the_rule_says():
    assert {key: rule.method for key, rule in RULES.items() if key in API_PATHS} == {
        key: method for key, (method, _path) in API_PATHS.items()
    }


# The world ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    users: dict
    sessions: dict  # role -> the session key of a log-in as that role
    client: Client
    provider: object
    centre: object
    app: object  # filed for A at P, its first step (the clerk's) open
    asking: object  # A's application waiting for other bodies' conclusions
    conclusion: object
    paused: object
    exported: object  # A's export-control licence at P, whose clock the law lets stop (Art. 37 p.2)
    asked: object  # another, its clock stopped: A is asked for the end-user certificate's confirmation
    answered: object  # a third, whose stop A answered with a document
    answer_file: object
    issued: object
    entry: object
    scan: object
    refusal: object
    registration: object  # a set taken at P's office, waiting for a state database
    document: object  # the issued result as stored
    draft: object
    attachment: object
    filed_attachment: object  # uploaded with the request that became `issued`
    payment_id: str
    kept: object  # an acceptance at centre C whose result is kept there
    transfer: object
    proposal: object  # the register's watch proposes to terminate the issued entry
    decision: object  # the signed decision that terminated another of A's permits
    decision_seq: int


def _person(username, *, superuser=False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username=username, email="", password=None)
    return User.objects.create_user(username=username)


def _staff(username, provider, role):
    user = _person(username)
    StaffRole.objects.create(user=user, provider=provider, role=role)
    return user


def _drive(app, *, until=None):
    """Complete the open steps as P's staff, on the way to the result, until a step of `until`."""
    reg = app.regulation.parsed
    for _ in range(60):
        run = app.steps.filter(completed_at__isnull=True).first()
        if run is None or run.step_id == until:
            break
        step = reg.step(run.flow, run.step_id)
        outcome = paths.choose(step, app.variant) if step.branches else None
        complete_as_staff(reg, app.provider, run, outcome, run.started_at + dt.timedelta(minutes=1))
    app.refresh_from_db()
    return app


def _build() -> World:
    load_regulations(LICENCE)
    reg = catalogue()[LICENCE]
    p = provider_for(LICENCE, "matrix-p")
    q = provider_for(LICENCE, "matrix-q")
    c, operator = make_centre("matrix-c")
    _d, other_operator = make_centre("matrix-d")
    ministry = provider_for(LICENCE, "matrix-m")
    ministry.supervises.add(p)
    users = {
        "applicant": _person(ordinary_iin(seed=301)),
        "other_applicant": _person(ordinary_iin(seed=302)),
        "clerk": _staff("p.clerk", p, "office-clerk"),
        "officer": _staff("p.officer", p, "licensing-department"),
        "head": _staff("p.head", p, "head"),
        "other_clerk": _staff("q.clerk", q, "office-clerk"),
        "operator": operator,
        "other_operator": other_operator,
        "supervisor": _staff("m.supervisor", ministry, SUPERVISOR),
        "admin": _person("root", superuser=True),
    }
    a = users["applicant"]
    filed = clock.now() - dt.timedelta(days=1)

    def file(**kwargs):
        return services.file_application(
            service=reg.service,
            provider=p,
            variant="issue",
            channel="egov_portal",
            applicant=a.username,
            applicant_user=a,
            filed_at=filed,
            **kwargs,
        )

    app = file()
    asking = _drive(file(), until="S3")
    paused = file()
    services.pause(paused.pk, "state_database_unavailable", by="matrix")
    exported = export_control_application(p, applicant=a.username, filed_at=filed)
    asked = export_control_application(p, applicant=a.username, filed_at=filed)
    services.pause(asked.pk, RULE, users["clerk"], note="certificate No. 17-04")
    answered = export_control_application(p, applicant=a.username, filed_at=filed)
    services.pause(answered.pk, RULE, users["clerk"])
    confirmation = {"name": "confirmation.pdf", "content_type": "application/pdf", "size": len(PDF)}
    confirmation.update(sha256="0" * 64, content=PDF)
    services.answer_pause(answered.pk, a, "attached", [confirmation], at=filed + dt.timedelta(hours=1))
    issued = _drive(file())
    entry = issued.register_entry
    # Issued documents are made after the issuing commit; this world never commits, so now.
    document = documents.issue_result(entry)
    ended = register.change_status(
        _drive(file()).register_entry, "terminated", "matrix", ground="voluntary-return"
    )
    decision = documents.issue_decision(ended)
    scan = ScannedDocument.objects.create(
        application=app,
        name="diploma.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        content=PDF,
        uploaded_by=users["clerk"],
        uploaded_at=filed,
    )
    refusal = ReceptionRefusal.objects.create(
        number="QZ-R-MATRIX-1",
        provider=p,
        regulation=issued.regulation,
        variant="issue",
        channel="provider_office",
        applicant=a.username,
        missing=["the inventory of documents"],
        clerk=users["clerk"],
        at=filed,
    )
    registration = Registration.objects.create(
        desk=Registration.Desk.OFFICE,
        provider=p,
        regulation=issued.regulation,
        channel="provider_office",
        variant="issue",
        applicant=a.username,
        staff=users["clerk"],
        initiated_by=users["clerk"].username,
        received_at=filed,
        next_attempt_at=filed,
    )
    # A's draft, through the portal as A fills it in: the form, a document, the fee
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(a)
    assert browser.post(f"/portal/services/{LICENCE}/apply/", {"variant": "issue"}).status_code == 302
    draft = Draft.objects.filter(user=a).latest("id")
    answers = {
        "provider": p.code,
        "subtypes": "Stomatology",
        "address": "Almaty, Abai avenue 10",
        "phone": "+7 701 234 56 78",
        "email": "applicant@example.kz",
        "document-standard-clause-9": SimpleUploadedFile("clause9.pdf", PDF, content_type="application/pdf"),
        "continue": "1",
    }
    assert browser.post(f"/portal/drafts/{draft.pk}/", answers).status_code == 302
    assert browser.post(f"/portal/drafts/{draft.pk}/pay/").status_code == 302
    draft.refresh_from_db()
    filed_draft = Draft.objects.create(
        user=a,
        regulation=issued.regulation,
        variant="issue",
        channel="egov_portal",
        provider=p,
        state=Draft.State.SUBMITTED,
        application=issued,
    )
    filed_attachment = Attachment.objects.create(
        draft=filed_draft,
        kind=Attachment.Kind.REQUIRED,
        name="clause9.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        content=PDF,
    )
    payment = PaymentsClient().create("matrix", 1000, a.username, f"{a.username}:matrix")
    kept = Acceptance.objects.create(
        number="PSC-MATRIX-1",
        centre=c,
        operator=operator,
        regulation=issued.regulation,
        provider=p,
        variant="issue",
        applicant=a.username,
        consent_at=filed,
        accepted_at=filed,
        state=Acceptance.State.RESULT_AT_CENTRE,
        application=issued,
        result_at_centre_at=filed,
        keep_until=filed,
    )
    transfer = Transfer.objects.create(
        acceptance=kept, direction=Transfer.Direction.RESULT, sent_at=filed, sent_by="p.clerk"
    )
    sessions = {}
    browser.cookies.clear()
    for role, user in users.items():
        browser.force_login(user)
        sessions[role] = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
        browser.cookies.clear()
    return World(
        users=users,
        sessions=sessions,
        client=browser,
        provider=p,
        centre=c,
        app=app,
        asking=asking,
        conclusion=asking.conclusions.filter(answer=ConclusionRequest.Answer.PENDING).first(),
        paused=paused,
        exported=exported,
        asked=asked,
        answered=answered,
        answer_file=answered.pauses.get().files.get(),
        issued=issued,
        entry=entry,
        scan=scan,
        refusal=refusal,
        registration=registration,
        document=document,
        draft=draft,
        attachment=draft.attachments.first(),
        filed_attachment=filed_attachment,
        payment_id=payment["payment_id"],
        kept=kept,
        transfer=transfer,
        proposal=Proposal.objects.create(
            entry=entry, ground="death", found_on=filed.date(), proposed_at=filed
        ),
        decision=decision,
        decision_seq=ended.seq,
    )


# Signed documents are rendered and signed once (seconds each); who may download them is what is
# asked here, so their bytes are a stand-in. tests/test_registry_documents.py and
# tests/test_portal_document.py check the documents themselves.
RENDERERS = tuple(
    f"qyzmet.registry.documents.{name}"
    for name in (
        "entry_pdf",
        "receipt_pdf",
        "refusal_pdf",
        "protocol_pdf",
        "incomplete_set_pdf",
        "psc_receipt_pdf",
        "decision_pdf",
    )
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Made once, in a transaction the module rolls back; each case runs in a savepoint of it."""
    with (
        override_settings(
            QYZMET_GATEWAY_URL=None,
            QYZMET_GATEWAY_POLICY=FAST_POLICY,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            QYZMET_SMS_BACKEND="qyzmet.notifications.sms.MemorySmsClient",
        ),
        fresh_gateway(),
        made_once(django_db_blocker) as patch,
    ):
        patch.setenv("QYZMET_TODAY", DEMO_DAY)
        for renderer in RENDERERS:
            patch.setattr(renderer, lambda *args, **kwargs: PDF)
        yield _build()


# The matrix --------------------------------------------------------------------------------------


# A route that answers everyone alike (the catalogue, the public register, sign-in pages) is asked
# as nobody, as an applicant and as a superuser: any view that told people apart would show there.
ALIKE = ("anonymous", "applicant", "admin")


def _cases():
    for key, rule in RULES.items():
        roles = ALIKE if len(set(rule.expect.values())) == 1 else ROLES
        for role in roles:
            yield pytest.param(key, role, id=f"{key}: {WHO[role]} {SAYS[rule.expect[role]]}")


def _url(key: str, rule: Rule, w: World) -> str:
    kwargs = rule.args(w) if rule.args else {}
    if key in API_PATHS:
        path = API_PATHS[key][1]
        for name, value in kwargs.items():
            path = path.replace("{" + name + "}", str(value))
        url = path
    elif key == "admin:*":
        url = reverse("admin:index")
    else:
        url = reverse(key, kwargs=kwargs)
    if rule.query:
        url += "?" + rule.query.format(applicant=w.users["applicant"].username, service=w.app.service)
    return url


SIGN_IN_PAGES = re.compile(r"^/(accounts/login|portal/login|admin/login)/")


def _outcome(response) -> str:
    if response.status_code == 302 and SIGN_IN_PAGES.match(response["Location"]):
        return "login"
    return str(response.status_code)


@pytest.mark.parametrize(("key", "role"), list(_cases()))
def test_each_role_gets_what_the_rule_says(world, db, key, role):
    rule = RULES[key]
    # One client for the module: a new one loads the middleware again, and WhiteNoise's scan of
    # the static files costs more than the case itself.
    client = world.client
    client.cookies.clear()
    if role != "anonymous":  # signed in once for the module (a log-in per case costs more than the case)
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = _url(key, rule, world)
    data = rule.data(world) if rule.data else None
    if rule.method == "GET":
        response = client.get(url)
    elif rule.json:
        response = client.post(url, data or {}, content_type="application/json")
    else:
        response = client.post(url, data or {})
    assert _outcome(response) == rule.expect[role], response.content[:300]
    if rule.shows and response.status_code == 200:
        body = response.content.decode()
        assert (world.app.number in body) == (role in rule.shows)
