"""One clear status page of an application in the personal cabinet (issue 13, item 5).

Before, the page contradicted itself: "expected by 4 Nov" beside "licence delivered 23 Nov",
completed steps with dates in the future (the plan as at filing), no real history once closed, a
status that read as a sentence with the regulation's line numbers, and no refusal grounds. Now
the page gives the status, the legal term and what is still due (or whether the decision kept
the term), each step's real start and end or its plan marked as a plan, the refusal's grounds and
the documents issued; the applicant API and the office's task page say the same.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from qyzmet.engine import paths, services
from qyzmet.engine.models import Status
from qyzmet.engine.statuses import account
from qyzmet.registry import documents as issued_documents
from qyzmet.regulations.loader import catalogue

from . import portal_helpers, registry_helpers
from .api_helpers import bearer
from .engine_helpers import complete_as_staff, staff_for
from .portal_helpers import APPLICANT, LICENCE

centre, platform, provider, person, signed_in = (
    portal_helpers.centre,
    portal_helpers.platform,
    portal_helpers.provider,
    portal_helpers.person,
    portal_helpers.signed_in,
)

key_files = registry_helpers.key_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyed_provider(db, key_files):
    """A provider with its signing key installed (issued once per run), to issue documents."""
    return registry_helpers.make_provider(LICENCE, registry_helpers.PROVIDER_CODE, key_files)


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
FILED = dt.datetime(2015, 10, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=6)))


def _file(provider, user):
    return services.file_application(
        service=catalogue()[LICENCE].service,
        provider=provider,
        variant="issue",
        channel="egov_portal",
        applicant=APPLICANT,
        filed_at=FILED,
        actor="test",
        applicant_user=user,
    )


def _drive(app, branch="approve", every=dt.timedelta(minutes=30)):
    """Complete each open step `every` after it started, until the application closes."""
    reg = app.regulation.parsed
    refused = False
    for _ in range(60):
        run = app.steps.filter(completed_at__isnull=True).first()
        if run is None:
            break
        step = reg.step(run.flow, run.step_id)
        outcome = None
        if step.branches:
            outcome = paths.choose(step, app.variant, branch=branch, refused_yet=refused)
            refused = refused or outcome in paths.REFUSING
        complete_as_staff(reg, app.provider, run, outcome, run.started_at + every)
    app.refresh_from_db()
    return app


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


def _rows(html: str) -> list[dict]:
    """The steps table of the page: step, state and the two date cells as shown."""
    table = re.search(r'<table class="steps" id="steps">(.*?)</table>', html, re.S).group(1)
    rows = []
    for state, step, cells in re.findall(
        r'<tr class="(\w+)" data-step="([^"]+)" data-state="\w+">(.*?)</tr>', table, re.S
    ):
        tds = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        rows.append({"state": state, "step": step, "started": tds[3], "finished": tds[4]})
    return rows


def _page(client, app, **headers):
    return unescape(
        client.get(f"/portal/cabinet/applications/{app.number}/", **(headers or EN)).content.decode()
    )


def test_a_decided_application_shows_what_happened_and_no_plan(signed_in, provider, person):
    app = _drive(_file(provider, person))
    assert app.status == Status.ISSUED
    html = _page(signed_in, app)
    rows = _rows(html)
    runs = list(app.steps.all())
    assert [r["step"] for r in rows] == [run.step_id for run in runs]
    assert {r["state"] for r in rows} == {"done"} and "plan" not in html.split('id="steps"')[1]
    for row, run in zip(rows, runs, strict=True):
        assert row["started"] == _moment(run.started_at) and row["finished"] == _moment(run.completed_at)
        assert run.completed_at <= app.closed_at  # no finished step after the decision
    assert f'id="closed-at">{_moment(app.closed_at)}<' in html
    assert "kept: the term ran until" in html and "Still due" not in html


def test_a_decision_after_the_term_says_the_term_was_not_kept(signed_in, provider, person):
    app = _drive(_file(provider, person), every=dt.timedelta(days=9))
    assert app.closed_at > app.due_at
    html = _page(signed_in, app)
    assert f"not kept: the term ended on {_moment(app.due_at)}" in html
    # the old page's "Expected result by <due>" beside a later delivery is gone, in the text
    # summary too
    assert "Expected result by" not in html
    summary = signed_in.get(f"/portal/cabinet/applications/{app.number}/summary.txt", **EN).content.decode()
    assert "Expected result by" not in summary
    local = timezone.localtime
    assert f"Decided: {local(app.closed_at):%Y-%m-%d %H:%M}" in summary
    assert f"Legal term: not kept: the term ended on {local(app.due_at):%Y-%m-%d %H:%M}" in summary


def test_an_open_application_shows_real_dates_then_the_plan_marked_as_a_plan(signed_in, provider, person):
    app = _file(provider, person)
    first = app.steps.get()
    html = _page(signed_in, app)
    rows = _rows(html)
    assert rows[0]["state"] == "current" and rows[0]["started"] == _moment(first.started_at)
    assert "in progress" in rows[0]["finished"]
    planned = rows[1:]
    assert planned and all(r["state"] == "planned" for r in planned)
    assert all('<span class="tag">plan</span>' in r["started"] for r in planned)
    told = account(app)
    # the plan starts when the current step falls due (or now), never before what really happened
    assert all(line.started_at >= first.started_at for line in told.steps)
    assert f'id="due-at">{_moment(app.due_at)}<' in html and "by " + _moment(app.due_at) in html


def test_a_refusal_shows_its_grounds_and_reasons(signed_in, provider, person):
    app = _drive(_file(provider, person), branch="refuse")
    assert app.status == Status.REFUSED and app.refusal_grounds
    html = _page(signed_in, app)
    grounds = re.search(r'id="refusal-grounds">(.*?)</section>', html, re.S).group(1)
    reg = app.regulation.parsed
    for ground in reg.refusal_grounds:
        if ground.code in app.refusal_grounds:
            assert ground.text.en in grounds
    assert app.refusal_text in grounds


def test_the_status_is_a_name_not_a_sentence_with_line_numbers(signed_in, provider, person):
    app = _file(provider, person)
    html = _page(signed_in, app)
    status = re.search(r'<dd id="status">(.*?)</dd>', html, re.S).group(1)
    assert "lines" not in status and "as named in the regulation" not in status
    kazakh = _page(signed_in, app, HTTP_ACCEPT_LANGUAGE="kk")
    named = catalogue()[LICENCE].status_for("in_progress").name
    assert named.kk in re.search(r'<dd id="status">(.*?)</dd>', kazakh, re.S).group(1)
    assert "Белгіленген мерзім" in kazakh and "Өтінішіңіздің кезеңдері" in kazakh and ">жоспар<" in kazakh
    russian = _page(signed_in, app, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Установленный срок" in russian and "Этапы вашего заявления" in russian and ">план<" in russian


def test_the_documents_issued_are_listed_with_links_that_download_them_for_me_only(
    client, signed_in, keyed_provider, person
):
    # Slow (about 3 s, 12 s when it is the run's first PDF): one application driven to its
    # result and its signed PDF made, as tests/test_portal_document.py does.
    app = _drive(_file(keyed_provider, person))
    # issued once the closing commits (registry.tasks.issue_later); a test never commits
    documents = issued_documents.issue_for_application(app)
    assert documents
    html = _page(signed_in, app)
    section = re.search(r'<section class="card" id="documents">(.*?)</section>', html, re.S).group(1)
    links = []
    for document in documents:
        link = f"/portal/cabinet/applications/{app.number}/documents/{document.pk}/"
        assert f'href="{link}"' in section and document.sha256 in section
        response = signed_in.get(link)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        links.append(link)
    client.force_login(portal_helpers.applicant(portal_helpers.OTHER))
    assert all(client.get(link).status_code == 404 for link in links)


@pytest.mark.parametrize("branch", ["approve", "refuse"])
def test_the_page_the_api_and_the_office_tell_the_same_story(
    client, signed_in, keyed_provider, person, branch
):
    provider = keyed_provider
    app = _file(provider, person)
    reg = app.regulation.parsed
    run = app.steps.get()
    if branch == "refuse":
        app = _drive(app, branch="refuse")
        issued_documents.issue_for_application(app)
    else:  # one step done, one in progress, the rest planned
        step = reg.step(run.flow, run.step_id)
        outcome = paths.choose(step, app.variant) if step.branches else None
        complete_as_staff(reg, provider, run, outcome, run.started_at + dt.timedelta(hours=1))
        app.refresh_from_db()
    page = _page(signed_in, app)
    detail = client.get(
        f"/api/v1/portal/me/applications/{app.number}", headers={**bearer(person), "Accept-Language": "en"}
    ).json()
    rows = _rows(page)
    assert [(r["step"], r["state"]) for r in rows] == [(p["step"], p["state"]) for p in detail["path"]]
    for row, line in zip(rows, detail["path"], strict=True):
        started = _moment(dt.datetime.fromisoformat(line["started_at"]))
        assert started in row["started"]
        if line["completed_at"]:
            assert row["finished"] == _moment(dt.datetime.fromisoformat(line["completed_at"]))
    status = re.search(r'<dd id="status">(.*?)</dd>', page, re.S).group(1)
    assert detail["status_name"] in status
    assert detail["term"] == account(app).term
    # the office's task page shows the same steps with the same moments, and the same state
    office = staff_for(provider, run.role)
    client.force_login(office)
    task = unescape(client.get(f"/office/applications/{app.number}/", **EN).content.decode())
    assert f'id="status">{app.get_status_display()}<' in task
    for line in detail["path"]:
        if line["state"] != "planned":
            assert _moment(dt.datetime.fromisoformat(line["started_at"])) in task
        if line["completed_at"]:
            assert _moment(dt.datetime.fromisoformat(line["completed_at"])) in task
    if branch == "refuse":
        assert detail["refusal_grounds"] and all(g in page for g in detail["refusal_grounds"])
        assert [d["sha256"] for d in detail["documents"]] == [
            d.sha256 for d in app.issued_documents.order_by("created_at", "id")
        ]
