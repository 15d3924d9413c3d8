"""Two people acting on the same step at the same moment: exactly one succeeds.

Runs real concurrent transactions, so it needs PostgreSQL (SQLite serialises writers itself;
the sequential double-completion test in test_engine_procedures.py covers it there).
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from qyzmet.calendar.workcal import ALMATY
from qyzmet.engine import services
from qyzmet.engine.models import StepRun
from qyzmet.identity.numbers import generate_iin
from qyzmet.providers.models import Provider

from .engine_helpers import staff_for


@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_simultaneous_completions_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    provider = Provider.objects.create(
        code="p-conc",
        acts_as="mh-public-health-committee-territorial-departments",
        name={"kk": "x", "ru": "x", "en": "x"},
    )
    app = services.file_application(
        service="specialist-certificate",
        provider=provider,
        variant="issue",
        channel="egov_portal",
        applicant=generate_iin(),
        filed_at=dt.datetime(2018, 6, 4, 10, tzinfo=ALMATY),
    )
    run = app.steps.get()
    people = [staff_for(provider, "office-clerk"), staff_for(provider, "head")]
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user):
        from django.utils import translation

        translation.activate("en")  # each thread has its own active language
        try:
            barrier.wait()
            services.complete_step(run.pk, user, at=run.started_at + dt.timedelta(minutes=1))
            outcomes.append("won")
        except services.StepAlreadyCompleted as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o == "won" for o in outcomes) == [False, True]
    assert any("already completed by" in o for o in outcomes)
    assert StepRun.objects.filter(application=app).count() == 2  # one next step, not two
    from qyzmet.audit.log import verify

    assert verify()[1] is None
