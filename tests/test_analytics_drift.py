"""Refusal drift: each provider's and officer's refusal rate, on the whole and per ground, against
the rest of its service by Fisher's exact test, adjusted together by Benjamini-Hochberg."""

import random

import pytest

from qyzmet.analytics.drift import ANY, refusal_drift
from qyzmet.analytics.stats import benjamini_hochberg, fisher_exact
from qyzmet.office.testing import make_cast, provider_for, staff
from qyzmet.providers.models import Provider

from .analytics_helpers import application, day, run

INCOMPLETE, NOT_COMPLIANT = "documents-incomplete", "documents-not-compliant"


def test_fishers_exact_test_gives_the_lady_tasting_teas_p_value():
    # Fisher (1935): 3 of 4 cups right each way; two-sided p = 34/70
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70, rel=1e-12)
    assert fisher_exact(0, 5, 0, 7) == 1.0  # no refusal anywhere: nothing to see


def _scipy_stats():
    # Imported by the test that needs it, not at collection: scipy.stats takes a second to import,
    # and every test worker collects this module.
    import scipy.stats

    return scipy.stats


def test_fishers_exact_test_agrees_with_scipy_on_many_tables():
    rng = random.Random(15)
    for _ in range(300):
        table = [rng.randint(0, 40) for _ in range(4)]
        expected = _scipy_stats().fisher_exact([table[:2], table[2:]]).pvalue
        assert fisher_exact(*table) == pytest.approx(expected, rel=1e-9, abs=1e-15), table


def test_fishers_exact_test_agrees_with_scipy_on_a_million_decisions():
    # the sizes of the analytics bench: a provider's or officer's decisions against the rest of
    # its service, near the service's rate and far from it (lgamma of numbers near a million
    # keeps about nine digits, as scipy's own computation does)
    rng = random.Random(15)
    for _ in range(40):
        n, rest = rng.randint(1000, 200_000), rng.randint(100_000, 900_000)
        rate = rng.uniform(0.01, 0.5)
        a = round(n * rate + rng.gauss(0, (n * rate * (1 - rate)) ** 0.5 * rng.choice((0.5, 2, 8, 40))))
        a, c = max(0, min(n, a)), round(rest * rate)
        expected = _scipy_stats().fisher_exact([[a, n - a], [c, rest - c]]).pvalue
        assert fisher_exact(a, n - a, c, rest - c) == pytest.approx(expected, rel=1e-8, abs=1e-300)


def test_benjamini_hochberg_q_values():
    # by hand: sorted 0.005, 0.01, 0.03, 0.04 times 4/rank = 0.02, 0.02, 0.04, 0.04
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    ps = [random.Random(i).random() ** 4 for i in range(40)]
    assert benjamini_hochberg(ps) == pytest.approx(list(_scipy_stats().false_discovery_control(ps)))


def _decided(provider, officer, refused_grounds, issued):
    for grounds in refused_grounds:
        app = application(provider, status="refused", due=day(3, 20), closed=day(3, 15), grounds=grounds)
        run(app, "S3", by=officer, minutes=60, kept=True, outcome="refuse")
    for _ in range(issued):
        app = application(provider, status="issued", due=day(3, 20), closed=day(3, 15))
        run(app, "S3", by=officer, minutes=60, kept=True, outcome="approve")


@pytest.fixture
def service(db):
    cast = make_cast()
    c = provider_for("mhsd-2015-401/specialist-certificate", "health-c")
    # A refuses 8 of 10 (6 of them as incomplete), B 2 of 20, C 3 of 20 (2 as incomplete)
    _decided(cast.provider_a, cast.executor, [[INCOMPLETE]] * 6 + [[NOT_COMPLIANT]] * 2, 2)
    _decided(cast.provider_b, cast.clerk_b, [[NOT_COMPLIANT]] * 2, 18)
    _decided(c, staff(c, "c.executor", "executor"), [[INCOMPLETE]] * 2 + [[NOT_COMPLIANT]], 17)
    application(cast.provider_a, status="deemed_issued", due=day(3, 20), closed=day(3, 20))  # no decision
    return cast


def _row(rows, unit, who, ground=ANY):
    (found,) = [r for r in rows if (r.unit, r.who, r.ground) == (unit, who, ground)]
    return found


def test_a_provider_refusing_far_more_than_the_rest_of_its_service_is_flagged_with_its_numbers(service):
    rows = refusal_drift()
    a = _row(rows, "provider", "health-a")
    assert (a.count, a.decided, a.rest_count, a.rest_decided) == (8, 10, 5, 40)
    assert a.rate == 0.8 and a.rest_rate == pytest.approx(5 / 40) and a.service_rate == pytest.approx(13 / 50)
    assert a.p == pytest.approx(
        8.604546969740016e-05, rel=1e-9
    )  # scipy.stats.fisher_exact([[8, 2], [5, 35]])
    assert a.flagged and a.higher
    incomplete = _row(rows, "provider", "health-a", INCOMPLETE)
    assert (incomplete.count, incomplete.rest_count) == (6, 2)
    assert incomplete.p == pytest.approx(0.0003141212637157392, rel=1e-9)  # [[6, 4], [2, 38]]
    c = _row(rows, "provider", "health-c")
    assert c.p == pytest.approx(0.19687053923501768, rel=1e-9) and not c.flagged  # [[3, 17], [10, 20]]
    b = _row(rows, "provider", "health-b")
    assert b.p == pytest.approx(0.049762604754306425, rel=1e-9)  # [[2, 18], [11, 19]]
    assert not b.flagged  # under 0.05 alone, but not among 15 comparisons: q above 5 %
    # the officers who decided: A's executor is A, so the same numbers
    assert _row(rows, "officer", "a.executor").p == pytest.approx(a.p)
    # one family: every q is Benjamini-Hochberg of all the p-values shown together
    assert [r.q for r in rows] == pytest.approx(
        list(_scipy_stats().false_discovery_control([r.p for r in rows]))
    )
    assert rows[0].flagged and not rows[-1].flagged  # flagged first


def test_a_supervisor_sees_only_its_providers_rows_against_the_whole_service(service):
    rows = refusal_drift(providers=Provider.objects.filter(code="health-b"))
    assert {(r.unit, r.who) for r in rows} == {("provider", "health-b"), ("officer", "b.clerk")}
    assert _row(rows, "provider", "health-b").rest_decided == 30  # A's and C's decisions all count


def test_decisions_outside_the_period_are_not_compared(service):
    assert refusal_drift(since=day(3, 16)) == []
