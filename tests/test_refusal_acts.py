"""Three refusals, three acts: the refusal to accept the documents, the reasoned refusal of further
consideration (an incomplete set, within 2 working days of registration: Law 202-V Art. 25 p.1)
and the reasoned refusal to provide the service (Law 202-V Art. 32 and the Standard's grounds).

Each regulation says which act each refusal end of its procedures gives; every such end of every
regulation in the catalogue is driven here and must produce its own act: the audit record and the
outbox event of the closing name it, the register issues its own kind of document from its own
template, and the cabinet and the applicant's notice call it by its own name.

Each case files an application and completes every step of its procedure to the end (up to a
dozen steps with conclusions and protocols), 1-3 s each; the one real PDF is rendered and signed
once (WeasyPrint and the PAdES signature, some seconds), the rest record their template only.
"""

import datetime as dt

import pytest
from django.core import mail

from qyzmet.audit.models import AuditEntry
from qyzmet.engine import paths
from qyzmet.engine.law import rules_for
from qyzmet.engine.statuses import refusal_act
from qyzmet.outbox.models import Event
from qyzmet.registry import documents
from qyzmet.registry.models import IssuedDocument
from qyzmet.regulations import refusals
from qyzmet.regulations.loader import catalogue

from . import registry_helpers
from .engine_helpers import complete_as_staff
from .registry_helpers import PROVIDER_CODE, make_provider

centre, key_files = registry_helpers.centre, registry_helpers.key_files

pytestmark = pytest.mark.django_db


def _ends():
    """(regulation, act, flow, end) for the first end of each act in each regulation's procedures."""
    for reg_id, reg in sorted(catalogue().items()):
        for act, ends in sorted(reg.refusal_acts().items()):
            flow, end = ends[0]
            yield pytest.param(reg_id, act, flow, end, id=f"{reg_id}:{act}")


def _variant_for(reg, flow_code):
    return next(v.code for v in reg.variants if reg.procedure_for(v.code).code == flow_code)


def _drive_to(provider, reg_id, flow_code, end_id, data=None):
    """File an application and complete each step the way that leads to `end_id`."""
    from qyzmet.engine import services

    reg = catalogue()[reg_id]
    day = reg.in_force.from_ + dt.timedelta(days=10)
    filed = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=registry_helpers.ALMATY)
    app = services.file_application(
        service=reg.service,
        provider=provider,
        variant=_variant_for(reg, flow_code),
        channel="provider_office",
        applicant=registry_helpers.holder_for(reg_id),
        applicant_name="ТОО «Шипагер»",
        filed_at=filed,
        data={"contacts": {"email": "applicant@example.kz"}, "language": "en", **(data or {})},
    )
    choices = reg.procedure(flow_code).path_to(end_id)
    run = app.steps.get()
    while run is not None:
        moment = run.started_at + dt.timedelta(minutes=1)
        run = complete_as_staff(
            reg, provider, run, choices.get(run.step_id), moment, note="Анықтама жоқ / Нет справки"
        )
    app.refresh_from_db()
    return app


@pytest.fixture
def rendered(monkeypatch):
    """Which template each document is made from and with what (the PDF step itself is checked
    with a real signature in `test_refusal_of_further_consideration_is_a_signed_pdf`)."""
    seen = []

    def render(template, context, signer, title, reason):
        seen.append({"template": template, **context})
        return b"%PDF-1.7 " + template.encode()

    monkeypatch.setattr(documents, "_render", render)
    return seen


@pytest.mark.parametrize(("reg_id", "act", "flow_code", "end_id"), list(_ends()))
def test_each_refusal_of_each_regulation_produces_its_own_act(
    reg_id, act, flow_code, end_id, key_files, rendered, django_capture_on_commit_callbacks
):
    provider = make_provider(reg_id, PROVIDER_CODE, key_files)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # documents follow the commit
        app = _drive_to(provider, reg_id, flow_code, end_id)
    assert app.status == "refused"
    assert refusal_act(app) == act
    # the audit record of the closing and the outbox event name the act
    closing = AuditEntry.objects.filter(action="step_completed", subject_id=str(app.pk)).order_by("-id")[0]
    assert closing.data["step"] == end_id and closing.data["closed"]["refusal"] == act
    event = Event.objects.get(subject_id=app.pk, kind="application_closed")
    assert event.data["refusal"] == act
    # the register issues the act's own document (made once the closing is committed)
    kind, template = documents.REFUSAL_DOCUMENTS[act]
    issued = IssuedDocument.objects.get(application=app, reference=app.number)
    assert issued.kind == kind
    assert documents.read(issued) == b"%PDF-1.7 " + template.encode()
    made = rendered[-1]
    assert made["template"] == template
    assert made["act"] is refusals.ACTS[act]
    # the applicant's notice names it
    assert any(str(refusals.ACTS[act].title) in m.body for m in mail.outbox), [m.body for m in mail.outbox]


def test_the_three_acts_differ_in_kind_template_wording_and_law():
    acts = refusals.ACTS.values()
    assert len({documents.REFUSAL_DOCUMENTS[a.code] for a in acts}) == 3
    for field in ("kk", "ru"):
        assert len({getattr(a, field) for a in acts}) == 3
    for language in ("kk", "ru", "en"):
        assert len({a.law[language] for a in acts}) == 3
    assert "дальнейшем рассмотрении" in refusals.ACTS["consideration"].ru
    assert "қараудан бас тарту" in refusals.ACTS["consideration"].kk
    assert "Art. 25 p.1" in refusals.ACTS["consideration"].law["en"]


def test_an_incomplete_set_is_never_refused_as_the_service_unless_the_seed_says_so():
    """The completeness check's incomplete branch ends in the refusal to accept or of further
    consideration; the one exception is the accreditation's reissue, whose clause words it as the
    refusal of the service (seed 003 lines 590-593)."""
    found = {}
    for reg_id, reg in catalogue().items():
        for flow in reg.procedures:
            for step in flow.steps:
                if step.check != "documents_complete":
                    continue
                target = flow.step(step.after("incomplete"))
                while target.next:
                    target = flow.step(target.next)
                found[(reg_id, flow.code, target.id)] = reg.refusal_act(flow.code, target.id)
    service = {k for k, act in found.items() if act == "service"}
    assert service == {("mhsd-2015-401/medical-organisation-accreditation", "reissue", "R5-refusal")}
    assert (
        found[("mhsd-2015-401/specialist-certificate", "examination", "S3-not-considered")] == "consideration"
    )
    assert found[
        ("mhsd-2015-401/stem-cells-import-export-conclusion", "examination", "S3-not-considered")
    ] == ("consideration")
    assert found[("mhsd-2015-401/free-medical-care-provider-compliance", "examination", "S1-refusal")] == (
        "acceptance"
    )


def test_specialist_certificate_refuses_consideration_of_an_incomplete_set_not_the_certificate(
    key_files, rendered
):
    reg_id = "mhsd-2015-401/specialist-certificate"
    provider = make_provider(reg_id, PROVIDER_CODE, key_files)
    app = _drive_to(provider, reg_id, "examination", "S3-not-considered")
    assert app.result == "refusal-to-consider"
    assert documents.obtain_for_application(app).kind == documents.NOT_CONSIDERED
    refused = _drive_to(provider, reg_id, "examination", "S5-refusal")  # on the merits (S3)
    assert refused.result == "reasoned-refusal"
    assert documents.obtain_for_application(refused).kind == documents.REFUSAL


def test_refusal_of_further_consideration_falls_due_within_2_working_days_of_registration(
    key_files, rendered
):
    reg_id = "mhsd-2015-401/stem-cells-import-export-conclusion"  # a conclusion: the Law applies
    reg = catalogue()[reg_id]
    provider = make_provider(reg_id, PROVIDER_CODE, key_files)
    app = _drive_to(provider, reg_id, "examination", "S3-not-considered")
    limit = provider.calendar().due(
        app.registered_at, rules_for(reg, app.registered_at.date())["completeness-check"].term
    )
    for run in app.steps.filter(step_id__in=["S1-complete", "S3-not-considered"]):
        assert run.due_at is not None and run.due_at <= limit, run.step_id
        assert run.kept
    assert paths.due_of(
        reg,
        reg.step("examination", "S3-not-considered"),
        app.registered_at,
        app.registered_at,
        provider.calendar(),
        rules_for(reg, app.registered_at.date()),
    ) == (limit, "completeness-check")


def test_refusal_of_further_consideration_is_a_signed_pdf(key_files, centre):
    from .test_registry_documents import _validate

    reg_id = "mhsd-2015-401/clinical-research-permit"
    provider = make_provider(reg_id, PROVIDER_CODE, key_files)
    app = _drive_to(provider, reg_id, "examination", "S2-refusal")
    issued = documents.obtain_for_application(app)
    assert issued.kind == documents.NOT_CONSIDERED
    assert _validate(documents.read(issued), centre).bottom_line


def test_the_cabinet_names_the_refusal_by_its_act(key_files, rendered, client):
    from .cast import person

    reg_id = "mhsd-2015-401/qualification-assessment-body-accreditation"
    provider = make_provider(reg_id, PROVIDER_CODE, key_files)
    app = _drive_to(provider, reg_id, "examination", "S2-refusal")
    user = person(registry_helpers.HOLDER)
    app.applicant_user = user
    app.save(update_fields=["applicant_user"])
    client.force_login(user)
    page = client.get(f"/portal/cabinet/applications/{app.number}/").content.decode()
    assert str(refusals.ACTS["consideration"].title) in page
    assert str(refusals.ACTS["service"].title) not in page
