"""The provider dashboard: applications by status, due today, overdue, each step's time against its norm."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from qyzmet.engine import services
from qyzmet.engine.models import Application, Status
from qyzmet.office.testing import FILED, make_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return make_cast()


def _dashboard(client, user):
    client.force_login(user)
    response = client.get("/office/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def test_it_counts_my_providers_applications_by_status_and_lateness(client, cast):
    late, today, paused = cast.file(), cast.file(), cast.file()
    cast.file(provider=cast.provider_b)  # not ours
    # The catalogue's regulations are all repealed, so filings are in the past; a due moment
    # of "today" is set by hand, and the clock stopped at noon of that day.
    noon = timezone.make_aware(dt.datetime(2026, 11, 24, 12))
    Application.objects.filter(pk=today.pk).update(due_at=noon + dt.timedelta(hours=6))
    services.pause(paused.pk, "state_database_unavailable", "gateway", note="the database is down")
    with mock.patch("django.utils.timezone.now", return_value=noon):
        context = _dashboard(client, cast.clerk).context
    assert context["total"] == 3
    assert dict(context["by_status"])[Status.IN_PROGRESS.label] == 2
    assert dict(context["by_status"])[Status.PAUSED.label] == 1
    assert context["due_today"] == 1
    assert context["overdue"] == 2  # the late one and the paused one; today's is not due yet
    assert late.number  # (filed in 2018, due 20.03.2018)


def test_it_sets_each_steps_average_time_beside_its_norm_with_the_share_kept(client, cast):
    quick, slow = cast.file(), cast.file()
    # S1's norm is 1 working day from 12.03.2018 10:00: due 13.03.2018 18:30
    services.complete_step(quick.steps.get().pk, cast.clerk, at=FILED + dt.timedelta(hours=2))
    services.complete_step(slow.steps.get().pk, cast.clerk, at=FILED + dt.timedelta(days=3))
    # each completion keeps its working minutes, which the dashboard sums in the database
    assert quick.steps.get(step_id="S1").working_minutes == pytest.approx(120)
    assert slow.steps.get(step_id="S1").working_minutes == pytest.approx(3 * 8 * 60)
    steps = _dashboard(client, cast.head).context["steps"]
    s1 = next(s for s in steps if s["step"].id == "S1")
    assert s1["count"] == 2 and s1["kept_share"] == 50
    # 2 working hours, and 3 days later at 10:00 = 3 working days of 8 hours
    assert s1["average_hours"] == pytest.approx((2 + 24) / 2)
    assert s1["norm_hours"] == pytest.approx(8)
    assert s1["slower"] is True
    html = _dashboard(client, cast.head).content.decode()
    assert "The office clerk registers the documents" in html and "50%" in html


def test_staff_of_another_provider_see_none_of_it(client, cast):
    app = cast.file()
    services.complete_step(app.steps.get().pk, cast.clerk)
    context = _dashboard(client, cast.clerk_b).context
    assert context["total"] == 0 and context["overdue"] == 0 and context["steps"] == []
