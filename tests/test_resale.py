"""Tests of ``aftermarkets.instances.resale``: the speculator's resale problem of Proposition 1
(Appendix B.2; Chapter 2, ``sec-02-resale``). The exact optimum is checked against price grids, the
library's resale market, and random prices."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import aftermarkets as am
from aftermarkets import Example1
from aftermarkets.instances.resale import optimal_resale_price, resale_revenue

MS = (4, 5, 10, 100, 1000)


def _quad_mean_z(ex):
    z = ex.z
    return (
        integrate.quad(lambda t: 1 - z.cdf(t), 0, 1, limit=400)[0]
        + integrate.quad(lambda t: 1 - z.cdf(t), 1, z.top)[0]
    )


@pytest.mark.parametrize("m", (4, 6, 10))
def test_optimal_resale_price_beats_a_fine_grid(m):
    """sec-02-resale: no price on a grid of step 1e-5 earns more than the exact optimum, for every outcome."""
    ex = Example1(m)
    t = ex.resale_price_table()
    grid = np.linspace(0, 2.5, 250001)
    rev = ex.resale_revenue(t["a"][:, None], t["b"][:, None], t["q"][:, None], grid[None, :])
    assert np.all(rev.max(axis=1) <= t["revenue"] + 1e-12)
    assert np.all(rev.max(axis=1) >= t["revenue"] - 1e-8)  # and the grid comes close


@pytest.mark.parametrize("m", (5, 8))
def test_resale_revenue_matches_the_library_market(m):
    """sec-02-resale: the revenue formula equals C's sales in the library's take-it-or-leave-it market
    (MC)."""
    ex = Example1(m)
    rng = np.random.default_rng(1)
    n = 100_000
    v = ex.sample_values(n, rng)
    for a, b, q, p in ((0, 0, m, 2.0), (1, 1, m - 2, 1.0), (0, 1, 2, 1.01), (2, 0, 3, 1.3), (1, 0, 2, 1.05)):
        out = am.take_it_or_leave_it(v, [a, b, q], seller=2, price=p, order=(0, 1))
        rev = -out.payments[:, 2]
        se = rev.std() / math.sqrt(n) + 1e-12
        assert abs(rev.mean() - float(ex.resale_revenue(a, b, q, p))) < 5 * se


def _price_one_predicted(a, b, q):
    one_first = ((a == 0) & (b >= 1)) | ((a == 1) & (b == 0))
    return ((a >= 1) & (b >= 1)) | (one_first & (q >= 3))


@pytest.mark.parametrize("m", range(4, 61))
def test_price_one_is_optimal_exactly_where_the_classes_say(m):
    """sec-02-resale: price 1 is optimal iff a, b >= 1, or exactly one first unit is unsold and q >= 3
    (every outcome, every m from 4 to 60); optima unique; with a >= 2, b = 0 price 1 earns
    1 + (q-1)/(2m) < 1.5 and price 2 earns 2."""
    t = Example1(m).resale_price_table()
    a, b, q = t["a"], t["b"], t["q"]
    assert np.array_equal(t["one_is_optimal"], _price_one_predicted(a, b, q))
    assert np.all(t["n_optimal"] == 1)
    sel = (a >= 2) & (b == 0)
    assert np.allclose(t["revenue_at_one"][sel], 1 + (q[sel] - 1) / (2 * m), rtol=0, atol=1e-12)
    assert np.all(t["revenue_at_one"][sel] < 1.5) and np.allclose(t["revenue"][sel], 2.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("m", (100, 1000, 10**4, 10**5))
def test_price_one_pattern_holds_for_large_m_by_class(m):
    """sec-02-resale: the same pattern for large m, class by class (revenue depends on the holdings only
    through min(a, 2), whether b = 0, and q; the full table is O(m^3))."""
    for row in Example1(m).resale_price_classes():
        a = {"0": 0, "1": 1, ">= 2": 2}[row["a"]]
        b = {"0": 0, ">= 1": 1}[row["b"]]
        q = np.arange(row["q_range"][0], row["q_range"][1] + 1)
        pred = _price_one_predicted(a, b, q)
        assert np.array_equal(row["q_one_optimal"], q[pred]) and np.array_equal(row["q_one_fails"], q[~pred])
        # the class summary agrees with the full optimiser at the same holdings
        c = optimal_resale_price(a, b, q, m)
        assert np.array_equal(c.one_is_optimal, pred)


def test_resale_price_classes_say_which_q_gets_which_price():
    """sec-02-resale: with exactly one first unit unsold, q = 1 gets price 2 and q = 2 an interior price."""
    for m in (10, 1000):
        rows = {(r["a"], r["b"]): r for r in Example1(m).resale_price_classes()}
        for key in (("0", ">= 1"), ("1", "0")):
            runs = rows[key]["price_runs"]
            assert [(lo, hi) for lo, hi, _ in runs] == [(1, 1), (2, 2)]
            assert runs[0][2] == 2.0 and 1.0 < runs[1][2] < 1 + 1 / (2 * m)
            assert runs[1][2] == pytest.approx(float(optimal_resale_price(0, 1, 2, m).price_low), abs=1e-6)
        assert rows[("0", "0")]["price_runs"] == [(1, m, 2.0)]


def test_failure_counts_under_both_allocation_conventions():
    """sec-02-resale (and ledger prop1-price-one): at m = 10 price 1 fails after 65 of the 220 outcomes
    with a + b + q <= m (zero bids never win; 165 leave units unsold) and after 11 of the 55 outcomes
    that allocate every unit."""
    t = Example1(10).resale_price_table()
    fails = ~t["one_is_optimal"]
    full = t["a"] + t["b"] + t["q"] == 10
    assert (fails.size, int(fails.sum()), int((~full).sum())) == (220, 65, 165)
    assert (int(full.sum()), int((fails & full).sum())) == (55, 11)
    # the 55 are exactly the outcomes of the auction when every unit is allocated
    assert int(full.sum()) == sum(1 for a in range(10) for b in range(10 - a))


def test_price_two_when_no_first_unit_was_won():
    """sec-02-resale: with a = b = 0 price 2 earns 2 min(q, 2), beating price 1."""
    c = optimal_resale_price(0, 0, [1, 2, 8], 10)
    assert np.allclose(c.price_low, 2.0) and np.allclose(c.revenue, [2, 4, 4])
    assert np.all(c.revenue_at_one < c.revenue)


@settings(max_examples=60)
@given(st.integers(4, 40), st.data())
def test_optimum_dominates_random_prices(m, data):
    """Property: the exact optimum is at least the revenue of any price, for any outcome."""
    a = data.draw(st.integers(0, m))
    b = data.draw(st.integers(0, m - a))
    q = data.draw(st.integers(1, max(1, m - a - b)))
    prices = np.array(data.draw(st.lists(st.floats(0, 3, allow_nan=False), min_size=1, max_size=20)))
    c = optimal_resale_price(a, b, q, m)
    assert np.all(resale_revenue(a, b, q, prices, m) <= float(c.revenue) + 1e-12)
    assert float(resale_revenue(a, b, q, c.price_low, m)) == pytest.approx(float(c.revenue), abs=1e-12)
