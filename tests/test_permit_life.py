"""A permit's life after its issue (Law 202-V Arts. 33-35, 43-45; the Licensing Law before it).

Each staff action goes office -> register status -> public verification -> the holder's notice;
duplicates and re-issues replace the entry they stand for; terms end and are reminded of; the
watch over the state databases proposes terminations and never makes one.
"""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from qyzmet.audit.models import AuditEntry
from qyzmet.gateway import synthetic
from qyzmet.gateway.testing import FAST_POLICY, fresh_gateway
from qyzmet.notifications.models import Notification
from qyzmet.registry import chain, services, watch
from qyzmet.registry.models import EntryStatus, Proposal, RegisterEvent
from qyzmet.regulations.schema import Source, Validity

from . import cast, registry_helpers
from .registry_helpers import ENTITY, HOLDER, LICENCE, drive, make_provider

# fixtures
centre, key_files, provider = registry_helpers.centre, registry_helpers.key_files, registry_helpers.provider

pytestmark = pytest.mark.django_db

VETERINARY = "almaty-2015-2-279/veterinary-licence"
CONTACTS = {"contacts": {"email": "holder@example.kz"}, "language": "en"}


@pytest.fixture(autouse=True)
def platform_day(monkeypatch):
    """The platform's clock in the autumn of 2015, after the licences below were issued."""
    monkeypatch.setenv("QYZMET_TODAY", "2015-09-01")


def _licence(provider, **kwargs):
    kwargs.setdefault("data", CONTACTS)
    return services.enter_result(drive(provider, LICENCE, "S6", **kwargs))


def _officer(provider, role="licensing-department"):
    user = cast.staff_for(provider, role)
    user.email = f"{role}@licensor.kz"
    user.save()
    return user


def _office(client, user):
    client.force_login(user)
    return client


def _public(client, number):
    """The public verification page, as anyone reads it (not signed in)."""
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("registry:verify-number", args=[number]))
    return page.content.decode()


def _holder_notices(entry, event):
    return Notification.objects.filter(application=entry.application, event=event, to="holder@example.kz")


# Each staff action: office -> register -> public page -> the holder -----------------------------------

SUSPEND = {"action": "suspended", "ground": "violations-found", "until": "2015-12-31", "note": "Order 12"}


def test_suspension_in_the_office_is_registered_shown_publicly_and_told_to_the_holder(provider, client):
    entry = _licence(provider)
    officer = _officer(provider)
    response = _office(client, officer).post(reverse("office:register-change", args=[entry.number]), SUSPEND)
    assert response.status_code == 302
    assert services.current_status(entry) == EntryStatus.SUSPENDED
    event = entry.events.order_by("-seq").first()
    assert (event.action, event.actor, event.note) == ("suspended", officer.username, "Order 12")
    assert event.data["until"] == "2015-12-31"
    assert event.data["source"].endswith("Art. 45 p.1-2")  # the Law on permissions, in force that day
    assert chain.verify().intact
    audit = AuditEntry.objects.get(action="register_entry_suspended")
    assert audit.actor == officer.username and audit.data["ground"] == "violations-found"
    page = _public(client, entry.number)
    assert "is not valid (suspended)" in page and "suspended until 31.12.2015" in page
    assert "Violations found by an inspection" in page and "Art. 45 p.1-2" in page
    notice = _holder_notices(entry, "suspended").get()
    assert entry.number in notice.text and "until 2015-12-31" in notice.text
    assert "Violations found by an inspection" in notice.text and "Art. 45 p.1-2" in notice.text
    assert mail.outbox[-1].to == ["holder@example.kz"]


def test_resumption_after_the_violations_are_removed(provider, client):
    entry = _licence(provider)
    officer = _officer(provider, "head")
    office = _office(client, officer)
    office.post(reverse("office:register-change", args=[entry.number]), SUSPEND)
    response = office.post(
        reverse("office:register-change", args=[entry.number]),
        {"action": "resumed", "ground": "violations-removed", "note": "Act of 20.11.2015: fixed"},
    )
    assert response.status_code == 302 and services.current_status(entry) == EntryStatus.VALID
    assert services.suspended_until(entry) is None
    page = _public(client, entry.number)
    assert f"{entry.number} is valid." in page and "The violations were removed" in page
    assert _holder_notices(entry, "resumed").count() == 1
    assert AuditEntry.objects.filter(action="register_entry_resumed").count() == 1


@pytest.mark.parametrize(
    ("action", "ground", "label"),
    [
        ("withdrawn", "court-withdrawal", "Withdrawn by a court decision"),
        (
            "withdrawn",
            "violations-not-removed",
            "The violations were not removed by the end of the suspension",
        ),
        ("terminated", "expiry", "The term of validity has ended"),
        ("terminated", "liquidation", "The legal entity was liquidated"),
        ("terminated", "death", "The licensee died"),
        ("terminated", "voluntary-return", "The licensee asked of their own will to end the licence"),
    ],
)
def test_withdrawal_and_each_termination_ground_end_the_permit(provider, client, action, ground, label):
    entry = _licence(provider)
    office = _office(client, _officer(provider))
    response = office.post(
        reverse("office:register-change", args=[entry.number]),
        {"action": action, "ground": ground, "note": "Decision No. 7"},
    )
    assert response.status_code == 302
    assert services.current_status(entry) == EntryStatus.TERMINATED
    assert entry.events.order_by("-seq").first().data["ground"] == ground
    page = _public(client, entry.number)
    assert "is not valid (terminated)" in page, page
    assert label in page and ("Art. 35" in page or "Art. 45" in page)
    assert label in _holder_notices(entry, action).get().text
    assert AuditEntry.objects.filter(action=f"register_entry_{action}").count() == 1
    # ended is ended: nothing more is recorded on it
    again = office.post(reverse("office:register-change", args=[entry.number]), SUSPEND)
    assert again.status_code == 409 and services.current_status(entry) == EntryStatus.TERMINATED


def test_a_ground_of_another_action_or_of_the_register_itself_is_refused(provider, client):
    entry = _licence(provider)
    office = _office(client, _officer(provider))
    url = reverse("office:register-change", args=[entry.number])
    mixed = office.post(url, {"action": "terminated", "ground": "violations-found", "note": "x"})
    assert mixed.status_code == 400
    no_end = office.post(url, {"action": "suspended", "ground": "violations-found", "note": "x"})
    assert no_end.status_code == 400
    with pytest.raises(services.RegistryError):
        services.change_status(entry, "terminated", _officer(provider), note="x", ground="reissued")
    assert services.current_status(entry) == EntryStatus.VALID and entry.events.count() == 1


def test_the_clerk_and_another_providers_staff_may_not_change_a_permit(provider, client):
    entry = _licence(provider)
    url = reverse("office:register-change", args=[entry.number])
    assert _office(client, cast.staff_for(provider, "office-clerk")).post(url, SUSPEND).status_code == 403
    other = make_provider(LICENCE, "reg-test-other")
    assert _office(client, cast.staff_for(other, "head")).post(url, SUSPEND).status_code == 404
    assert services.current_status(entry) == EntryStatus.VALID


def test_a_change_under_the_licensing_law_cites_it(provider):
    """Before 2014-11-20 the Law "On licensing" governs: its article is the one cited."""
    entry = _licence(provider)
    event = services.change_status(
        entry, "terminated", "system", ground="voluntary-return", effective=dt.date(2014, 6, 1)
    )
    assert "214-III" in event.data["source"] and "Art. 48" in event.data["source"]


# Duplicates and re-issues -----------------------------------------------------------------------------


def test_a_duplicate_voids_the_original_from_its_application_and_is_marked_with_its_dates(provider, client):
    licence = _licence(provider)
    app = drive(provider, LICENCE, "S6-duplicate", variant="duplicate", days=20, data=CONTACTS)
    duplicate = app.register_entry
    assert duplicate.kind == "duplicate" and duplicate.original == licence
    assert services.current_status(licence) == EntryStatus.VOID
    voided = licence.events.order_by("-seq").first()
    assert voided.action == "voided" and voided.data["replaced_by"] == duplicate.number
    assert voided.data["from"] == app.registered_at.date().isoformat()  # Art. 43 p.3
    assert "Art. 43 p.3" in voided.data["source"]
    assert services.lineage_dates(duplicate) == {"first_issued_on": licence.issued_on, "reissued_on": None}
    page = _public(client, duplicate.number)
    assert "Duplicate" in page and f"{duplicate.number} is valid." in page
    assert "First issued on" in page and licence.number in page
    original_page = _public(client, licence.number)
    assert "void: replaced by a duplicate" in original_page and duplicate.number in original_page
    assert _holder_notices(licence, "voided").count() == 1
    assert chain.verify().intact


def test_a_reissue_ends_the_permit_it_replaces_and_a_later_duplicate_names_both_dates(provider, client):
    licence = _licence(provider)
    reissued = drive(provider, LICENCE, "S6-reissue", variant="reissue", days=25).register_entry
    assert reissued.kind == "reissued_licence" and reissued.original == licence
    ended = licence.events.order_by("-seq").first()
    assert (ended.action, ended.data["ground"]) == ("terminated", "reissued")
    assert ended.data["from"] == reissued.issued_on.isoformat() and "Art. 33" in ended.data["source"]
    duplicate = drive(provider, LICENCE, "S6-duplicate", variant="duplicate", days=40).register_entry
    assert duplicate.original == reissued
    assert services.lineage_dates(duplicate) == {
        "first_issued_on": licence.issued_on,
        "reissued_on": reissued.issued_on,
    }
    # the public page of any link shows the whole chain, in order
    page = _public(client, reissued.number)
    page = page[page.index("Chain of the permit") :]
    assert page.index(licence.number) < page.index(reissued.number) < page.index(duplicate.number)
    assert "Re-issued on" in _public(client, duplicate.number)
    assert [services.current_status(e) for e in (licence, reissued, duplicate)] == [
        "terminated",
        "void",
        "valid",
    ]


def test_a_veterinary_duplicate_is_entered_as_a_duplicate_not_a_new_licence(key_files):
    """The regulation's end steps named the licence for every variant (fixed: the variant decides)."""
    vet = make_provider(VETERINARY, "reg-test-vet")
    licence = services.enter_result(drive(vet, VETERINARY, "S3"))
    duplicate = services.enter_result(drive(vet, VETERINARY, "S3", variant="duplicate", days=20))
    assert (licence.kind, duplicate.kind) == ("licence", "duplicate")
    assert duplicate.number.startswith("DUP-") and duplicate.original == licence
    reissued = services.enter_result(drive(vet, VETERINARY, "S3", variant="reissue", days=30))
    assert reissued.kind == "reissued_licence" and reissued.original == duplicate


# Terms of validity --------------------------------------------------------------------------------------


def test_a_licence_is_indefinite_with_the_law_that_says_so(provider, client):
    entry = _licence(provider)
    assert entry.valid_until is None
    page = _public(client, entry.number)
    assert "indefinite" in page and "Art. 29 p.7" in page


@pytest.fixture
def one_year_term(monkeypatch):
    """The licence result given a term of one year (no regulation of the catalogue has one)."""
    from qyzmet.regulations.models import Regulation

    result = next(r for r in Regulation.objects.get(pk=LICENCE).parsed.results if r.code == "licence")
    term = Validity(value=1, unit="years", source=Source(law="a term for this test"))
    monkeypatch.setattr(result, "validity", term)
    return term


def test_a_term_is_reminded_30_days_before_and_the_permit_expires_after_it(provider, client, one_year_term):
    entry = _licence(provider)
    assert entry.valid_until == entry.issued_on.replace(year=entry.issued_on.year + 1) - dt.timedelta(days=1)
    assert watch.end_terms(entry.valid_until - dt.timedelta(days=31)) == {
        "expired": 0,
        "suspension_ended": 0,
        "reminded": 0,
    }
    assert watch.end_terms(entry.valid_until - dt.timedelta(days=30)) == {
        "expired": 0,
        "suspension_ended": 0,
        "reminded": 1,
    }
    assert watch.end_terms(entry.valid_until - dt.timedelta(days=29)) == {
        "expired": 0,
        "suspension_ended": 0,
        "reminded": 0,
    }
    reminder = _holder_notices(entry, "term_ending").get()
    assert entry.valid_until.strftime("%Y") in reminder.text and entry.number in reminder.text
    # on its last day it is still valid; the day after, it has ended by itself
    assert watch.end_terms(entry.valid_until) == {"expired": 0, "suspension_ended": 0, "reminded": 0}
    assert watch.end_terms(entry.valid_until + dt.timedelta(days=1)) == {
        "expired": 1,
        "suspension_ended": 0,
        "reminded": 0,
    }
    ended = entry.events.order_by("-seq").first()
    assert (ended.action, ended.actor, ended.data["ground"]) == ("terminated", "system", "expiry")
    assert ended.data["from"] == (entry.valid_until + dt.timedelta(days=1)).isoformat()
    assert "is not valid (terminated)" in _public(client, entry.number)
    assert _holder_notices(entry, "terminated").count() == 1


def test_a_suspension_not_lifted_by_its_end_is_proposed_for_withdrawal(provider, client):
    """Law 202-V Art. 45 p.4: the licensor initiates the withdrawal; the register only proposes it."""
    entry = _licence(provider)
    head = _officer(provider, "head")
    office = _office(client, head)
    office.post(reverse("office:register-change", args=[entry.number]), SUSPEND)  # until 31.12.2015
    assert watch.end_terms(dt.date(2015, 12, 31))["suspension_ended"] == 0  # its last day
    assert watch.end_terms(dt.date(2016, 1, 1))["suspension_ended"] == 1
    assert watch.end_terms(dt.date(2016, 1, 2))["suspension_ended"] == 0  # proposed once
    proposal = Proposal.objects.get()
    assert (proposal.ground, proposal.found_on) == ("violations-not-removed", dt.date(2016, 1, 1))
    assert services.current_status(entry) == EntryStatus.SUSPENDED
    told = Notification.objects.get(event="proposed")
    assert told.to == head.email and "10 жұмыс күні" in told.text  # in the site's language
    office.post(
        reverse("office:register-proposal", args=[entry.number, proposal.pk]),
        {"decision": "accept", "note": "Order No. 9"},
    )
    ended = entry.events.order_by("-seq").first()
    assert (ended.action, ended.data["ground"]) == ("withdrawn", "violations-not-removed")
    assert "Art. 45 p.4" in ended.data["source"]
    assert "is not valid (terminated)" in _public(client, entry.number)


def test_the_daily_jobs_are_scheduled():
    from django.conf import settings

    tasks = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"qyzmet.registry.permit_terms", "qyzmet.registry.watch_holders"} <= tasks


# The watch over the state databases ------------------------------------------------------------------


@pytest.fixture
def gateway():
    with override_settings(QYZMET_GATEWAY_URL=None, QYZMET_GATEWAY_POLICY=FAST_POLICY), fresh_gateway():
        yield


@pytest.mark.parametrize(
    ("holder", "ground"),
    [
        (synthetic.life_event_number(HOLDER[:7]), "death"),
        (synthetic.life_event_number(ENTITY[:7]), "liquidation"),
    ],
)
def test_the_watch_proposes_a_termination_and_the_licensor_decides(provider, client, gateway, holder, ground):
    entry = _licence(provider, applicant=holder)
    living = _licence(provider, applicant=registry_helpers.OTHER_HOLDER, days=11)
    head = _officer(provider, "head")
    assert watch.watch() == {"holders": 2, "proposed": 1}
    proposal = Proposal.objects.get()
    assert (proposal.entry, proposal.ground, proposal.state) == (entry, ground, Proposal.State.OPEN)
    # nothing is terminated by the watch; the licensor is told
    assert services.current_status(entry) == EntryStatus.VALID and entry.events.count() == 1
    told = Notification.objects.get(event="proposed")
    assert told.to == head.email and entry.number in told.text
    assert AuditEntry.objects.filter(action="register_termination_proposed").count() == 1
    assert watch.watch() == {"holders": 0, "proposed": 0}  # each holder is asked once a day
    assert watch.watch(every=dt.timedelta(0)) == {"holders": 2, "proposed": 0}  # and proposed once
    page = _office(client, head).get(reverse("office:register-entry", args=[entry.number]))
    assert page.status_code == 200 and "Terminations proposed" in page.content.decode()
    response = client.post(
        reverse("office:register-proposal", args=[entry.number, proposal.pk]),
        {"decision": "accept", "note": "Order No. 3"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED and proposal.decided_by == head.username
    ended = entry.events.order_by("-seq").first()
    assert (ended.action, ended.data["ground"], ended.data["from"]) == (
        "terminated",
        ground,
        proposal.found_on.isoformat(),
    )
    assert "is not valid (terminated)" in _public(client, entry.number)
    assert services.current_status(living) == EntryStatus.VALID


def test_a_dismissed_proposal_is_not_made_again(provider, client, gateway):
    entry = _licence(provider, applicant=synthetic.life_event_number(HOLDER[:7]))
    watch.watch()
    proposal = Proposal.objects.get()
    response = _office(client, _officer(provider)).post(
        reverse("office:register-proposal", args=[entry.number, proposal.pk]),
        {"decision": "dismiss", "note": "the civil registry corrected its record"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.DISMISSED
    assert (
        watch.watch(every=dt.timedelta(0))["proposed"] == 0
        and services.current_status(entry) == EntryStatus.VALID
    )
    assert AuditEntry.objects.filter(action="register_proposal_dismissed").count() == 1
    assert RegisterEvent.objects.filter(entry=entry).count() == 1


# The licensor's decision, signed ------------------------------------------------------------------------


def test_each_change_is_issued_as_a_signed_decision_anyone_can_check(
    provider, client, centre, django_capture_on_commit_callbacks
):
    """Slow (a real PDF rendered by WeasyPrint and signed, seconds): the signature is what is checked."""
    from qyzmet.registry import documents, qr
    from qyzmet.registry.models import IssuedDocument

    from .test_registry_documents import _validate

    entry = _licence(provider)
    with django_capture_on_commit_callbacks(execute=True):
        _office(client, _officer(provider)).post(
            reverse("office:register-change", args=[entry.number]), SUSPEND
        )
    event = entry.events.order_by("-seq").first()
    decision = IssuedDocument.objects.get(kind="decision", reference=f"{entry.number}#{event.seq}")
    assert decision.register_entry == entry
    status = _validate(documents.read(decision), centre)
    assert status.intact and status.valid and status.trusted
    page = _public(client, entry.number)
    url = reverse("registry:decision-pdf", args=[entry.number, event.seq])
    assert "Signed decision" in page and url in page
    served = Client().get(url)
    assert served.status_code == 200 and served["ETag"] == f'"{decision.sha256}"'
    # its QR payload opens the entry's live state, not a mismatch
    payload = qr.make_payload(
        documents.signer_for(provider),
        number=entry.number,
        holder=entry.holder,
        kind="decision",
        issued=event.data["from"],
        provider=provider.code,
    )
    checked = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("registry:verify"), {"q": payload})
    body = checked.content.decode()
    assert checked.status_code == 200 and "is not valid (suspended)" in body and "differ" not in body
