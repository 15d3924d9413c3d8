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

    The hypergeometric probabilities are walked outward from the mode by the ratio of neighbours
    (two logarithms a step, no lgamma), each way until they are negligible beside the observed
    table's: the cost is the spread of the distribution, not the size of the table (a provider's
    hundred thousand decisions take a few thousand steps, not a hundred thousand)."""
    if min(a, b, c, d) < 0:
        raise ValueError("a contingency table counts, it cannot be negative")
    row1, row2, col1 = a + b, c + d, a + c
    total = row1 + row2
    if row1 == 0 or row2 == 0 or col1 == 0 or col1 == total:
        return 1.0  # a margin of zero: every table with these margins is the one seen
    low, high = max(0, col1 - row2), min(col1, row1)
    base = _log_choose(total, col1)

    def log_p(x: int) -> float:
        return _log_choose(row1, x) + _log_choose(row2, col1 - x) - base

    mode = min(high, max(low, (row1 + 1) * (col1 + 1) // (total + 2)))
    at_mode = log_p(mode)
    observed = log_p(a) - at_mode + math.log(RELATIVE_TIE)  # relative to the mode
    floor = min(observed, 0.0) - NEGLIGIBLE
    terms = [1.0] if observed >= 0 else []
    # rightwards: p(x + 1) / p(x) = (row1 - x)(col1 - x) / ((x + 1)(row2 - col1 + x + 1))
    lr, x = 0.0, mode
    while x < high:
        lr += math.log((row1 - x) * (col1 - x)) - math.log((x + 1) * (row2 - col1 + x + 1))
        x += 1
        if lr <= observed:
            terms.append(math.exp(lr))
        if lr < floor:
            break
    lr, x = 0.0, mode
    while x > low:
        lr += math.log(x * (row2 - col1 + x)) - math.log((row1 - x + 1) * (col1 - x + 1))
        x -= 1
        if lr <= observed:
            terms.append(math.exp(lr))
        if lr < floor:
            break
    return min(1.0, math.exp(at_mode) * math.fsum(terms))


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
