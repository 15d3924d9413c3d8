"""The applicant's cabinet: GET /me/applications[/{number}], /me/prefill, /me/lookups.

Only the caller's own applications exist for them; pre-filling looks the caller up in the state
database with a purpose, and every such lookup shows in /me/lookups.
"""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.engine.models import Status
from qyzmet.gateway import faults
from qyzmet.gateway.models import DataLookup
from qyzmet.regulations.loader import catalogue

from .portal_api_helpers import (
    MEDICAL,
    applicant,
    get,
    paid,
    platform,  # noqa: F401 (an autouse fixture)
    post,
    provider_of,
    signed,
)
from .psc_helpers import drive

pytestmark = pytest.mark.django_db
SERVICE = catalogue()[MEDICAL].service
# names the statuses «Қанағаттанарлық» and «Бас тарту» of the application in the personal cabinet
NARCOTICS = "south-kazakhstan-2014-182/narcotics-licence"


def _filed(client, centre, user, headers) -> str:
    request = {"iin": user.username, "service": SERVICE, "variant": "issue", "provider": "aed"}
    payload = {
        "provider": "aed",
        "service": SERVICE,
        "variant": "issue",
        "signed_request": signed(centre, user.username, request),
        "payment_id": paid(client, headers, "aed", SERVICE),
    }
    answer = post(client, "/submissions", headers, payload)
    assert answer.status_code == 201, answer.json()
    return answer.json()["application"]


def test_my_applications_list_and_detail(client, centre):
    provider_of(MEDICAL)
    user, headers = applicant()
    number = _filed(client, centre, user, headers)
    mine = get(client, "/me/applications", headers).json()
    assert [a["number"] for a in mine] == [number]
    detail = get(client, f"/me/applications/{number}", headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "in_progress" and body["provider"] == "aed"
    # the Almaty regulation's name for a request in progress: its acceptance notice-report
    assert body["status_name"].startswith("Notice that the request has been accepted")
    assert body["status_source"] == "004_3efdef2f532858ca.txt lines 239-242"
    assert mine[0]["status_name"] == body["status_name"]
    assert len(body["steps"]) == 1 and body["steps"][0]["completed_at"] is None and body["steps"][0]["action"]
    assert body["expected_path"][0]["step"] == body["steps"][0]["step"]


def test_another_applicants_application_is_not_found(client, centre):
    provider_of(MEDICAL)
    owner, owner_headers = applicant(seed=1)
    number = _filed(client, centre, owner, owner_headers)
    _, headers = applicant(seed=2)
    answer = get(client, f"/me/applications/{number}", headers)
    assert answer.status_code == 404
    assert get(client, "/me/applications", headers).json() == []


def test_prefill_looks_me_up_with_a_purpose_and_shows_in_my_lookups(client):
    user, headers = applicant()
    answer = get(client, "/me/prefill", headers, service=SERVICE)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["system"] == "individuals" and answer.json()["number"] == user.username
    lookup = DataLookup.objects.get(subject=user.username)
    # caused by the applicant, as on the web portal (one intake behind both doors)
    assert SERVICE in lookup.purpose and lookup.initiated_by == user.username
    seen = get(client, "/me/lookups", headers).json()
    assert [(x["system"], x["purpose"], x["initiated_by"]) for x in seen] == [
        ("individuals", lookup.purpose, user.username)
    ]
    _, stranger = applicant(seed=5)
    assert get(client, "/me/lookups", stranger).json() == []


def test_prefill_without_a_record_is_not_found(client):
    _, headers = applicant(faults.magic_iin("not_found"))
    answer = get(client, "/me/prefill", headers, service=SERVICE)
    assert answer.status_code == 404 and answer.json()["detail"]


def test_prefill_with_the_database_unreachable_asks_to_retry_later(client):
    _, headers = applicant(faults.magic_iin("timeout"))
    answer = get(client, "/me/prefill", headers, service=SERVICE)
    assert answer.status_code == 503 and int(answer["Retry-After"]) > 0


def test_the_cabinet_needs_a_signed_in_applicant(client):
    assert get(client, "/me/applications").status_code == 401
    _, headers = applicant("aed.head")
    assert get(client, "/me/applications", headers).status_code == 403


def _narcotics(user) -> object:
    return services.file_application(
        service=catalogue()[NARCOTICS].service,
        provider=provider_of(NARCOTICS, "skhd"),
        variant="issue",
        channel="egov_portal",
        applicant=user.username,
        filed_at=dt.datetime(2015, 10, 12, 10, 0, tzinfo=ALMATY),
        actor="test",
    )


def test_my_application_carries_the_status_the_regulation_names(client):
    user, headers = applicant()
    issued, refused = drive(_narcotics(user), "approve"), drive(_narcotics(user), "refuse")
    assert (issued.status, refused.status) == (Status.ISSUED, Status.REFUSED)
    body = get(client, f"/me/applications/{issued.number}", headers).json()
    assert (body["status"], body["status_name"]) == ("issued", "Satisfied")
    assert body["status_source"] == "002_125443c6e5e6ccb1.txt lines 422-424"
    mine = {a["number"]: a for a in get(client, "/me/applications", headers).json()}
    assert (mine[refused.number]["status"], mine[refused.number]["status_name"]) == ("refused", "Refusal")
    kazakh = get(client, f"/me/applications/{refused.number}", {**headers, "Accept-Language": "kk"}).json()
    assert kazakh["status_name"] == "Бас тарту"


def test_a_status_the_regulation_does_not_name_is_the_engine_label(client):
    user, headers = applicant()
    app = _narcotics(user)  # the South Kazakhstan regulation names no status while in progress
    body = get(client, f"/me/applications/{app.number}", headers).json()
    assert (body["status"], body["status_name"], body["status_source"]) == (
        "in_progress",
        "in progress",
        None,
    )
