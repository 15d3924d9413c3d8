"""The office inbox: what waits for me, only at my providers, filtered, searched and sorted."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from qyzmet.engine import services
from qyzmet.office.testing import FILED, make_cast

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def cast():
    return make_cast()


def _inbox(client, user, **params):
    client.force_login(user)
    response = client.get("/office/", params, **EN)
    assert response.status_code == 200
    return response


def _numbers(response):
    return [row["app"].number for row in response.context["rows"]]


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/office/")


def test_it_refuses_people_who_are_not_staff_of_any_provider(client):
    client.force_login(get_user_model().objects.create_user("citizen"))
    assert client.get("/office/").status_code == 403


def test_it_shows_the_clerk_the_registration_step_with_its_columns(client, cast):
    app = cast.file()
    html = _inbox(client, cast.clerk).content.decode()
    assert app.number in html
    assert "Issue of a specialist certificate for admission to clinical practice" in html
    assert app.applicant in html
    assert "S1" in html and "The office clerk registers the documents" in html
    assert timezone.localtime(app.steps.get().due_at).strftime("%d.%m.%Y %H:%M") in html
    assert 'class="overdue"' in html  # filed in 2018: long overdue


def test_steps_of_a_role_i_do_not_hold_are_not_mine(client, cast):
    app = cast.file()
    assert _numbers(_inbox(client, cast.executor)) == []
    services.complete_step(app.steps.get().pk, cast.clerk)
    assert _numbers(_inbox(client, cast.executor)) == [app.number]
    assert _numbers(_inbox(client, cast.clerk)) == []


def test_an_assigned_step_shows_its_assignee(client, cast):
    app = cast.file()
    run = services.complete_step(app.steps.get().pk, cast.clerk)
    services.assign(run.pk, cast.executor2, cast.head)
    response = _inbox(client, cast.executor)
    assert _numbers(response) == [app.number]
    assert "a.executor2" in response.content.decode()


def test_staff_of_another_provider_see_nothing_of_it(client, cast):
    app_a = cast.file()
    app_b = cast.file(provider=cast.provider_b, applicant="870412300129")
    assert _numbers(_inbox(client, cast.clerk_b)) == [app_b.number]
    assert app_a.number not in _inbox(client, cast.clerk_b).content.decode()


def test_it_filters_by_role_status_and_lateness(client, cast):
    first, second = cast.file(), cast.file()
    services.complete_step(second.steps.get().pk, cast.clerk)
    head = cast.head  # the head holds only "head": nothing waits for that role yet
    assert _numbers(_inbox(client, head)) == []
    cast.head.staff_roles.create(provider=cast.provider_a, role="office-clerk")
    cast.head.staff_roles.create(provider=cast.provider_a, role="executor")
    everything = _inbox(client, head)
    assert sorted(_numbers(everything)) == sorted([first.number, second.number])
    assert {r["role"]: r["count"] for r in everything.context["per_role"]} == {
        "executor": 1,
        "office-clerk": 1,
    }
    assert _numbers(_inbox(client, head, role="executor")) == [second.number]

    services.pause(first.pk, "state_database_unavailable", "gateway", note="the database is down")
    assert _numbers(_inbox(client, head, status="paused")) == [first.number]
    assert _numbers(_inbox(client, head, status="in_progress")) == [second.number]

    # the second's step was started now: not overdue yet
    assert _numbers(_inbox(client, head, overdue="1")) == [first.number]


def test_it_searches_by_number_iin_or_bin(client, cast):
    person = cast.file(applicant="870412300129")
    company = cast.file(applicant="000140000092")  # a BIN
    assert _numbers(_inbox(client, cast.clerk, q=person.number)) == [person.number]
    assert _numbers(_inbox(client, cast.clerk, q="870412300129")) == [person.number]
    assert _numbers(_inbox(client, cast.clerk, q="000140000092")) == [company.number]
    assert _numbers(_inbox(client, cast.clerk, q="nothing-like-it")) == []


def test_it_sorts_by_due_moment_either_way(client, cast):
    earlier = cast.file(filed_at=FILED)
    later = cast.file(filed_at=FILED + dt.timedelta(days=1))
    assert _numbers(_inbox(client, cast.clerk)) == [earlier.number, later.number]
    assert _numbers(_inbox(client, cast.clerk, sort="-due")) == [later.number, earlier.number]


def test_steps_escalated_as_overdue_wait_for_the_head_too(client, cast):
    app = cast.file()
    assert _numbers(_inbox(client, cast.head)) == []
    services.tick()  # filed in 2018: S1 is long overdue and goes up to the head
    response = _inbox(client, cast.head)
    assert _numbers(response) == [app.number]
    assert "escalated to the head" in response.content.decode()
