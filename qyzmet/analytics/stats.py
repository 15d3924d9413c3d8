"""The two statistics the refusal-drift check needs, exact and small enough to keep here.

`fisher_exact` is Fisher's exact test on a 2x2 table, two-sided: the probability, with the
table's margins fixed, of a table at least as unlikely as the one seen (the hypergeometric
distribution; tables within a relative 1e-7 of the observed probability count as equally likely,
as R and SciPy do). `benjamini_hochberg` turns the p-values of many comparisons into q-values
(adjusted p-values) controlling the false discovery rate. scipy is a development dependency
only; tests check both against it.
"""

from __future__ import annotations

import math

# Tables whose probability is within this relative margin of the observed one count as "as
# extreme" (floating-point ties; the same margin as R's fisher.test and scipy.stats.fisher_exact).
RELATIVE_TIE = 1 + 1e-7


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


# Terms this far (in log) below the observed table's probability are left out of the sum: each is
# under e**-60 (1e-26) of it and they shrink geometrically away from the mode, so all of them
# together change no digit a double holds.
NEGLIGIBLE = 60.0


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the table [[a, b], [c, d]].

    The hypergeometric probability falls away from its mode on both sides, so the tables at most
    as likely as the one seen form two tails. Where each tail starts is found by bisection (a
    table's probability by lgamma, a few dozen of them); each tail is then walked outwards by the
    ratio of neighbours (a product, no logarithm), relative to the observed table's probability,
    until its terms are negligible beside it: the cost is the width of the tails' significant
    part, not the size of the table nor the distance of the observed table from the mode (a
    provider's hundred thousand decisions take a few hundred to a few thousand products)."""
    if min(a, b, c, d) < 0:
        raise ValueError("a contingency table counts, it cannot be negative")
    row1, row2, col1 = a + b, c + d, a + c
    total = row1 + row2
    if row1 == 0 or row2 == 0 or col1 == 0 or col1 == total:
        return 1.0  # a margin of zero: every table with these margins is the one seen
    low, high = max(0, col1 - row2), min(col1, row1)
    base = _log_choose(total, col1)
    shift = row2 - col1  # the fourth cell of the table whose first is x is shift + x

    def log_p(x: int) -> float:
        return _log_choose(row1, x) + _log_choose(row2, col1 - x) - base

    mode = min(high, max(low, (row1 + 1) * (col1 + 1) // (total + 2)))
    seen = log_p(a)
    observed = seen + math.log(RELATIVE_TIE)
    tiny = math.exp(-NEGLIGIBLE)
    terms = [math.exp(log_p(mode) - seen)] if log_p(mode) <= observed else []
    # the right tail: the first x above the mode at most as likely as the observed table, onwards
    lo, hi = mode + 1, high + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if log_p(mid) <= observed:
            hi = mid
        else:
            lo = mid + 1
    if lo <= high:
        x, term = lo, math.exp(log_p(lo) - seen)
        terms.append(term)
        while x < high and term >= tiny:  # p(x + 1) / p(x) = (row1 - x)(col1 - x) / ((x + 1)(shift + x + 1))
            term *= (row1 - x) * (col1 - x) / ((x + 1) * (shift + x + 1))
            x += 1
            terms.append(term)
    # the left tail: the last x below the mode at most as likely as the observed table, downwards
    lo, hi = low - 1, mode - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if log_p(mid) <= observed:
            lo = mid
        else:
            hi = mid - 1
    if lo >= low:
        x, term = lo, math.exp(log_p(lo) - seen)
        terms.append(term)
        while x > low and term >= tiny:  # p(x - 1) / p(x) = x (shift + x) / ((row1 - x + 1)(col1 - x + 1))
            term *= x * (shift + x) / ((row1 - x + 1) * (col1 - x + 1))
            x -= 1
            terms.append(term)
    return min(1.0, math.exp(seen) * math.fsum(terms))


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """The Benjamini-Hochberg q-value of each p-value, in the order given: the smallest false
    discovery rate at which it would be called a discovery (p * m / rank, made monotone from the
    largest p down, at most 1)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q
