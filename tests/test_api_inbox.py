"""GET /inbox: the open steps I may act on, across my providers, with filters."""

import datetime as dt

import pytest

from .api_helpers import MONDAY, bearer, freeze, new_application, provider, staff_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    a, b = provider("dept-almaty"), provider("dept-astana")
    early = new_application(a, applicant="870412300129")
    late = new_application(a, filed_at=MONDAY + dt.timedelta(days=1))
    other = new_application(b)
    # Wednesday 11:00: the first step (1 working day, to the end of the next day) of the
    # Monday application is overdue, the Tuesday one's is not
    freeze(monkeypatch, MONDAY + dt.timedelta(days=2, hours=1))
    return {
        "early": early,
        "late": late,
        "other": other,
        "clerk": staff_for(a, "office-clerk"),
        "executor": staff_for(a, "executor"),
        "head": staff_for(a, "head"),
    }


def inbox(client, user, **params):
    response = client.get("/api/v1/inbox", params, headers=bearer(user))
    assert response.status_code == 200, response.content
    return response.json()


def numbers(body):
    return [item["application"] for item in body["items"]]


def test_my_steps_at_my_provider_most_urgent_first(client, world):
    body = inbox(client, world["clerk"])
    assert numbers(body) == [world["early"].number, world["late"].number] and body["count"] == 2
    first = body["items"][0]
    assert first["step"] == "S1" and first["role"] == "office-clerk" and first["overdue"] is True
    assert body["items"][1]["overdue"] is False


def test_steps_of_other_roles_are_not_mine_but_the_heads(client, world):
    assert inbox(client, world["executor"])["items"] == []
    assert set(numbers(inbox(client, world["head"]))) == {world["early"].number, world["late"].number}


def test_an_assigned_step_is_in_the_assignees_inbox(client, world):
    run = world["early"].steps.get()
    run.assignee = world["executor"]  # as if assigned before a change of roles
    run.save(update_fields=["assignee"])
    assert numbers(inbox(client, world["executor"])) == [world["early"].number]


def test_filters_role_overdue_and_number_or_iin(client, world):
    head = world["head"]
    assert inbox(client, head, role="executor")["count"] == 0
    assert inbox(client, head, role="office-clerk")["count"] == 2
    assert numbers(inbox(client, head, overdue="true")) == [world["early"].number]
    assert numbers(inbox(client, head, overdue="false")) == [world["late"].number]
    assert numbers(inbox(client, head, q=world["late"].number.lower())) == [world["late"].number]
    assert numbers(inbox(client, head, q="870412300129")) == [world["early"].number]
    assert numbers(inbox(client, head, q=world["other"].number)) == []  # another provider's


def test_limit_and_offset_page_the_list(client, world):
    body = inbox(client, world["head"], limit=1, offset=1)
    assert body["count"] == 2 and numbers(body) == [world["late"].number]


def test_bad_filter_is_422_naming_it(client, world):
    response = client.get("/api/v1/inbox", {"overdue": "maybe"}, headers=bearer(world["head"]))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "overdue"]


def test_overdue_follows_the_platform_clock_on_a_demo_day(client, world, monkeypatch):
    # Real time is years later, but the platform runs on the Wednesday of those applications:
    # only the Monday application's step is late, as in the office.
    wednesday = MONDAY + dt.timedelta(days=2)
    freeze(monkeypatch, dt.datetime(2026, 11, 24, 11, 0, tzinfo=MONDAY.tzinfo))
    monkeypatch.setenv("QYZMET_TODAY", wednesday.date().isoformat())
    body = inbox(client, world["clerk"])
    assert [item["overdue"] for item in body["items"]] == [True, False]
