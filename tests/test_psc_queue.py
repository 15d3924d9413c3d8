"""The centre's electronic queue: numbers from 1 each day per centre, called by an operator in order."""

import datetime as dt

import pytest

from qyzmet.calendar.workcal import ALMATY
from qyzmet.psc import services
from qyzmet.psc.models import Ticket

from .psc_helpers import make_centre

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2015, 10, 14, 9, 5, tzinfo=ALMATY)


def test_tickets_are_numbered_from_one_each_day_and_per_centre():
    centre, _ = make_centre()
    other, _ = make_centre("psc-test-2")
    numbers = [services.issue_ticket(centre, at=MORNING).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert services.issue_ticket(other, at=MORNING).number == 1
    assert services.issue_ticket(centre, at=MORNING + dt.timedelta(days=1)).number == 1


def test_the_operator_calls_the_first_waiting_ticket_and_nobody_gets_it_twice():
    centre, operator = make_centre()
    first, second = services.issue_ticket(centre, at=MORNING), services.issue_ticket(centre, at=MORNING)
    called = services.call_next(centre, operator, window="3", at=MORNING + dt.timedelta(minutes=1))
    assert called == first and called.window == "3" and called.called_by == operator
    assert services.call_next(centre, operator, at=MORNING + dt.timedelta(minutes=2)) == second
    assert services.call_next(centre, operator, at=MORNING + dt.timedelta(minutes=3)) is None
    assert Ticket.objects.filter(called_at__isnull=True).count() == 0


def test_only_an_operator_of_the_centre_calls_its_queue():
    centre, _ = make_centre()
    _, stranger = make_centre("psc-test-2")
    services.issue_ticket(centre, at=MORNING)
    with pytest.raises(services.PscError):
        services.call_next(centre, stranger, at=MORNING)
