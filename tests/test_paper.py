"""Tests of ``aftermarkets.paper`` (Chapter 2, ``book/02_uniform_price_speculation.ipynb``).

Every exact value is checked against an independent computation (numerical integration of the
library's CDFs, brute force over price grids, Monte Carlo through the library's mechanisms);
docstrings name the chapter's label of the number they check: a section target such as
``sec-02-welfare`` (written ``(sec-02-welfare)=`` in the notebook), a prf label (``example-1``) or an
exercise label (``ex-02-2``). ``test_cited_labels_exist`` checks that every cited label exists.
"""
from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import aftermarkets as am
from aftermarkets.paper import (
    Estimate,
    Example1,
    Example4,
    bid_family,
    optimal_resale_price,
    resale_revenue,
)

MS = (4, 5, 10, 100, 1000)


def _quad_mean_z(ex):
    z = ex.z
    return integrate.quad(lambda t: 1 - z.cdf(t), 0, 1, limit=400)[0] + integrate.quad(lambda t: 1 - z.cdf(t), 1, z.top)[0]


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("m", [3, 2, 0, -5, 4.5, "10", None, True, float("nan"), float("inf")])
def test_example1_rejects_bad_m(m):
    """example-1: Example 1 needs a whole number m > 3."""
    with pytest.raises(ValueError, match="m must be a whole number"):
        Example1(m)


def test_example1_accepts_whole_floats_and_numpy_ints():
    """m = 1e9 and numpy integers are whole numbers; exact values need no O(m) memory."""
    assert Example1(1e9).m == 10**9
    assert Example1(np.int64(7)).m == 7


@pytest.mark.parametrize("gamma,r", [(0, 5), (1, 5), (1.5, 5), (-0.1, 5), (float("nan"), 5), (0.5, 3), (0.5, 4.5), (0.5, "5"), (True, 5)])
def test_example4_rejects_bad_parameters(gamma, r):
    """example-4: Example 4 needs 0 < gamma < 1 and a whole number r > 3."""
    with pytest.raises(ValueError):
        Example4(gamma, r)


def test_bad_arguments_raise_value_errors():
    """Bad holdings, prices, agents, price rules and sample sizes are ValueErrors naming the problem."""
    ex = Example1(6)
    with pytest.raises(ValueError, match="holdings"):
        ex.optimal_resale_price(-1, 0, 2)
    with pytest.raises(ValueError, match="price"):
        ex.resale_revenue(1, 1, 2, -1.0)
    with pytest.raises(ValueError, match="agent"):
        ex.deviation_check("D")
    with pytest.raises(ValueError, match="price_rule"):
        ex.deviation_check("A", price_rule="best")
    with pytest.raises(ValueError, match="n must be"):
        ex.simulate(1)
    with pytest.raises(ValueError, match="alternatives"):
        ex.deviation_check("A", alternatives=np.zeros((3, 5)))
    with pytest.raises(ValueError, match="level"):
        Estimate(0.0, 1.0).interval(1.5)


# ----------------------------------------------------------------------------- exact values
@pytest.mark.parametrize("m", MS)
def test_mean_z_matches_quadrature(m):
    """sec-02-ez: E[z] = ln(2m)/(2m-1) + 1/(8m^2) equals the integral of 1 - F_B."""
    ex = Example1(m)
    assert ex.expected_z() == pytest.approx(_quad_mean_z(ex), abs=1e-11)
    assert ex.expected_z() == pytest.approx(ex.z.mean(), rel=1e-14)


@pytest.mark.parametrize("m", MS)
def test_optimal_welfare_matches_quadrature(m):
    """sec-02-welfare: E[Wel] = 4 + (m-3)E[z] + E[max(U, z)], E[max] = int (1 - F_U F_z) by quad."""
    ex = Example1(m)
    e_max = 1.0 + integrate.quad(lambda t: 1 - ex.second_unit.cdf(t) * ex.z.cdf(t), 1.0, 1.5, points=[ex.z.top])[0]
    assert ex.expected_optimal_welfare() == pytest.approx(4 + (m - 3) * _quad_mean_z(ex) + e_max, abs=1e-10)


@pytest.mark.parametrize("m", MS)
def test_equilibrium_welfare_and_utilities_match_quadrature(m):
    """sec-02-welfare, sec-02-utility: E[z 1{z>=1}] by quad gives the equilibrium welfare and C's utility."""
    ex = Example1(m)
    tail = integrate.quad(lambda t: 1 - ex.z.cdf(t), 1, ex.z.top)[0] + 1.0 * (1 - ex.z.cdf(1.0))  # E[z 1{z>=1}]
    prob = 1 - float(ex.z.cdf(1.0))
    assert ex.expected_equilibrium_welfare() == pytest.approx(4 + 1.25 + (m - 3) * tail, abs=1e-12)
    assert ex.speculator_utility() == pytest.approx(1 + (m - 3) * prob, abs=1e-12)
    assert sum(ex.utilities()) == pytest.approx(ex.expected_equilibrium_welfare(), abs=1e-12)  # revenue 0


@pytest.mark.parametrize("m", (4, 7, 30))
def test_exact_payoffs_through_the_mechanisms_match_closed_forms(m):
    """sec-02-utility: the library's auction and resale, integrated exactly over types, give the closed forms."""
    ex = Example1(m)
    u = ex.expected_payoffs(ex.bids(), "paper")
    assert u == pytest.approx(ex.utilities(), abs=1e-12)
    assert float(ex.expected_welfare_of(ex.bids())) == pytest.approx(ex.expected_equilibrium_welfare(), abs=1e-12)


def test_paper_bounds_hold_and_are_not_tight():
    """sec-02-welfare: equilibrium welfare < paper bound <= 6 and optimal welfare > 4 + (m-2)E[z]."""
    for m in (4, 5, 10, 100, 10**4, 10**9):
        ex = Example1(m)
        assert ex.expected_equilibrium_welfare() < ex.paper_equilibrium_bound() <= 6
        assert ex.expected_optimal_welfare() > ex.paper_optimal_bound()


def test_symbolic_agrees_with_floats_and_with_integration():
    """sec-02-ez, sec-02-welfare: Example1.symbolic() equals the floats and the sympy integrals."""
    s = Example1.symbolic()
    m, z = s["m"], s["z"]
    pieces = {cond: expr for expr, cond in s["F_B"].args}
    low, high = pieces[z < 1], pieces[z <= 1 + 1 / (2 * m)]
    ez = sp.integrate(1 - low, (z, 0, 1)) + sp.integrate(1 - high, (z, 1, 1 + 1 / (2 * m)))
    assert sp.simplify(ez - s["E_z"]) == 0
    for mm in (4, 10, 1000):
        ex = Example1(mm)
        for key, val in (("E_z", ex.expected_z()), ("expected_optimal_welfare", ex.expected_optimal_welfare()),
                         ("expected_equilibrium_welfare", ex.expected_equilibrium_welfare()),
                         ("price_of_anarchy", ex.price_of_anarchy()), ("speculator_utility", ex.speculator_utility()),
                         ("paper_optimal_bound", ex.paper_optimal_bound()),
                         ("paper_equilibrium_bound", ex.paper_equilibrium_bound())):
            assert float(s[key].subs(m, mm)) == pytest.approx(val, rel=1e-13), key


def test_closed_forms_are_fast_and_accurate_at_a_billion():
    """sec-02-poa: exact values at m = 1e9 in microseconds, equal to 50-digit sympy arithmetic."""
    ex = Example1(10**9)
    s = Example1.symbolic()
    exact = sp.N(s["price_of_anarchy"].subs(s["m"], 10**9), 50)
    assert ex.price_of_anarchy() == pytest.approx(float(exact), rel=1e-14)
    start = time.perf_counter()
    for _ in range(1000):
        ex.price_of_anarchy()
    assert (time.perf_counter() - start) / 1000 < 1e-4  # typically ~1 microsecond


def test_poa_rate_is_two_23rds_log_m():
    """sec-02-poa: PoA / ln m -> 2/23 (sympy) and the PoA increases in m."""
    s = Example1.symbolic()
    assert sp.limit(s["price_of_anarchy"] / sp.log(s["m"]), s["m"], sp.oo) == sp.Rational(2, 23)
    poa = Example1.closed_forms(np.geomspace(4, 1e9, 200))["price_of_anarchy"]
    assert np.all(np.diff(poa) > 0)


def test_revenue_curve_maximised_at_one():
    """sec-02-revenue: p (1 - F_B(p)) on a fine grid peaks at 1 with value 1/(2m)."""
    for m in MS:
        ex = Example1(m)
        p = np.linspace(0, 2, 400001)
        rev = p * (1 - ex.z.cdf(p))
        assert p[rev.argmax()] == pytest.approx(1.0, abs=1e-5)
        assert rev.max() == pytest.approx(ex.max_revenue_per_unit(), rel=1e-9)


# ----------------------------------------------------------------------------- Monte Carlo
@pytest.mark.parametrize("m", (4, 10, 100, 1000))
def test_monte_carlo_agrees_with_exact_values(m):
    """sec-02-mc: the library's mechanisms on sampled types agree with the exact values (99.9% CI)."""
    ex = Example1(m)
    sim = ex.simulate(200_000, seed=m)
    assert sim.clearing_price == 0.0 and sim.auction_revenue == 0.0
    for est, exact in ((sim.equilibrium_welfare, ex.expected_equilibrium_welfare()),
                       (sim.optimal_welfare, ex.expected_optimal_welfare()),
                       (sim.price_of_anarchy, ex.price_of_anarchy()),
                       (sim.speculator_utility, ex.speculator_utility())):
        assert est.contains(exact, level=0.999), (est, exact)
    for est, exact in zip(sim.utilities, ex.utilities()):
        assert est.contains(exact, level=0.999)


def test_simulation_is_deterministic_given_the_seed():
    """Same seed, same estimates."""
    ex = Example1(10)
    assert ex.simulate(1000, seed=3) == ex.simulate(1000, seed=3)


def test_simulation_speed():
    """sec-02-mc: 10^6 profiles at m = 1000 run in seconds.

    The chapter states the target (under 2 s on an idle core) and measures it in a cell that nbval
    does not compare; this regression guard allows 6 s so that a loaded machine does not fail it.
    It does not prove the 2 s target."""
    ex = Example1(1000)
    ex.simulate(1000, seed=0)  # warm up
    start = time.perf_counter()
    ex.simulate(10**6, seed=1)
    assert time.perf_counter() - start < 6.0


# ----------------------------------------------------------------------------- Proposition 1 (a)
@pytest.mark.parametrize("m", (4, 6, 10))
def test_optimal_resale_price_beats_a_fine_grid(m):
    """sec-02-resale: no price on a grid of step 1e-5 earns more than the exact optimum, for every outcome."""
    ex = Example1(m)
    t = ex.resale_price_table()
    grid = np.linspace(0, 2.5, 250001)
    rev = ex.resale_revenue(t["a"][:, None], t["b"][:, None], t["q"][:, None], grid[None, :])
    assert np.all(rev.max(axis=1) <= t["revenue"] + 1e-12)
    assert np.all(rev.max(axis=1) >= t["revenue"] - 1e-8)   # and the grid comes close


@pytest.mark.parametrize("m", (5, 8))
def test_resale_revenue_matches_the_library_market(m):
    """sec-02-resale: the revenue formula equals C's sales in the library's take-it-or-leave-it market (MC)."""
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


# ----------------------------------------------------------------------------- Proposition 1 (b), (c)
def test_exact_payoffs_match_monte_carlo_off_the_path():
    """sec-02-deviations: exact expected payoffs of arbitrary bids agree with Monte Carlo of the mechanisms."""
    m = 6
    ex = Example1(m)
    rng = np.random.default_rng(0)
    fam = bid_family(m, two_level=False)
    bids = np.stack([fam[rng.integers(len(fam), size=12)] for _ in range(3)], axis=1)
    n = 100_000
    v = ex.sample_values(n, rng)
    for rule in ("paper", "optimal-low"):
        exact = ex.expected_payoffs(bids, rule)
        auc = am.uniform_price_auction(bids, m)
        price = np.ones(12) if rule == "paper" else ex.optimal_resale_price(*auc.allocation.T).price_low
        for s in range(12):
            sub = am.AuctionOutcome(auc.allocation[s], auc.payments[s], None)
            out = am.combined_market(v, sub, lambda vv, h: ex.resale(vv, h, price[s]))
            mc, se = out.utilities.mean(0), out.utilities.std(0) / math.sqrt(n)
            assert np.all(np.abs(mc - exact[s]) <= 5 * se + 1e-9)


@pytest.mark.parametrize("m", (4, 6))
@pytest.mark.parametrize("rule", ("optimal", "paper"))
def test_no_profitable_deviation(m, rule):
    """sec-02-deviations: the largest gain of A, B and C over the bid family is 0 (all tie orders)."""
    ex = Example1(m)
    for c in ex.deviation_checks(rule):
        assert c.largest_gain <= 1e-9, (c.report.agent, c.priority, c.report.best_action)


def test_deviation_check_finds_a_profitable_deviation_when_there_is_one():
    """The search has teeth: at a non-equilibrium profile a gain is found."""
    ex = Example1(6)
    # If A bid nothing, C would resell her at 1 and she would pay for both units: A's own bid is better,
    # so check from A's 'no bid' deviation as the prescribed action by swapping roles.
    alts = np.vstack([ex.bids()[0], np.zeros(6)])
    rep = am.deviation_search(lambda k: ex.expected_payoffs(np.stack([alts[k], ex.bids()[1], ex.bids()[2]]))[0], 1, [0])
    assert rep.best_gain == pytest.approx(1.0)  # 9/4 - 5/4


def test_deviation_check_is_wired_to_the_real_payoffs():
    """sec-02-deviations: at m = 6, C's alternative bid 3 on all 6 units wins every unit at price 2 (A's and
    B's bids of 2 are the highest losing bids); she pays 12; with a = b = 0, q = 6 her optimal resale
    price is 2 and she sells the two first units (revenue 4): utility -8 against 1 + 3/12 = 1.25 on the
    path, a gain of -9.25."""
    ex = Example1(6)
    alt = np.full((1, 6), 3.0)
    profile = ex.bids().copy()
    profile[2] = alt[0]
    auction = am.uniform_price_auction(profile, 6)
    assert auction.price == 2.0 and auction.allocation.tolist() == [0, 0, 6] and auction.payments.tolist() == [0, 0, 12]
    choice = ex.optimal_resale_price(0, 0, 6)
    assert float(choice.price_low) == 2.0 and float(choice.revenue) == 4.0
    for rule in ("optimal", "paper"):
        c = ex.deviation_check("C", rule, alternatives=alt)
        assert c.report.equilibrium_utility == pytest.approx(1.25, abs=1e-12)
        assert c.report.checked == 1
        # price 1 (paper): all 6 units sell if z >= 1 (prob 1/12), else both first units and A's second
        revenue = 4.0 if rule == "optimal" else 6 / 12 + (1 - 1 / 12) * 3
        expected = revenue - 12.0 - 1.25
        assert c.report.best_gain == pytest.approx(expected, abs=1e-12)
    assert ex.deviation_check("C", alternatives=alt).report.best_gain == pytest.approx(-9.25, abs=1e-12)


class _PlantedExample1(Example1):
    """Example 1 with a non-equilibrium profile: C bids 1 on a single unit only."""

    def bids(self):
        b = np.zeros((3, self.m))
        b[0, 0] = b[1, 0] = 2.0
        b[2, 0] = 1.0
        return b


def test_deviation_check_reports_a_planted_profitable_deviation():
    """Planted case: if C bid 1 on only one unit she would win one unit at price 0 and resell it to A
    (utility 1); bidding on m - 2 units adds the sales to B, (m - 3)/(2m) = 1/4 at m = 6. The check
    must report that gain, not 0."""
    ex = _PlantedExample1(6)
    u = ex.expected_payoffs(ex.bids(), "optimal-low")
    assert u[2] == pytest.approx(1.0, abs=1e-12)
    c = ex.deviation_check("C")
    assert c.report.best_gain == pytest.approx(0.25, abs=1e-12)
    assert c.largest_gain > 0.2
    # and the equilibrium bid itself is among the profitable alternatives
    eq_bid = Example1(6).bids()[2][None, :]
    assert ex.deviation_check("C", alternatives=eq_bid).report.best_gain == pytest.approx(0.25, abs=1e-12)


def test_zero_bid_convention_does_not_matter():
    """sec-02-deviations: with a tiny floor on every bid (zero bids may win leftovers) no deviation gains."""
    ex = Example1(5)
    for c in ex.deviation_checks("optimal", bid_floor=1e-9):
        assert c.largest_gain <= 1e-6


def test_dominance_witnesses_are_strict():
    """sec-02-witnesses: each equilibrium bid is strictly better than the alternative at its witness."""
    for m in (4, 10, 50):
        w = Example1(m).dominance_witnesses()
        assert len(w) == 14
        for x in w:
            assert x.margin > 1e-6 and x.worst_type_margin > 1e-6, x


# ----------------------------------------------------------------------------- Example 4
@pytest.mark.parametrize("k,r", [(1, 4), (2, 4), (3, 10), (5, 50), (20, 4), (10, 1000)])
def test_example4_max_moments_match_quadrature(k, r):
    """sec-02-ex4: E[max z] and E[(U - max z)^+] in closed form equal 1-D integrals."""
    from aftermarkets.paper import _max_z_moments

    ez, eu = _max_z_moments(k, r)
    F = am.ExampleOneZ(r)
    h = 1 / (2 * r)
    q1 = integrate.quad(lambda t: 1 - F.cdf(t) ** k, 0, 1, limit=400)[0] + integrate.quad(lambda t: 1 - F.cdf(t) ** k, 1, 1 + h)[0]
    q2 = integrate.quad(lambda t: F.cdf(t) ** k, 0, 1, limit=400)[0] + integrate.quad(lambda t: F.cdf(t) ** k * (3 - 2 * t), 1, 1.5, points=[1 + h])[0]
    assert ez == pytest.approx(q1, abs=1e-10)
    assert eu == pytest.approx(q2, abs=1e-10)


def test_example4_formula_reduces_to_example1_with_one_group():
    """sec-02-ex4: with k = 1 the formula 4k + (m-2k)E[Z] + k E[(U-Z)^+] is Example 1's optimum."""
    from aftermarkets.paper import _max_z_moments

    for r in (4, 10, 1000):
        ez, eu = _max_z_moments(1, r)
        assert 4 + (r - 2) * ez + eu == pytest.approx(Example1(r).expected_optimal_welfare(), rel=1e-13)


@pytest.mark.parametrize("gamma,r", [(0.5, 10), (0.2, 8)])
def test_example4_monte_carlo(gamma, r):
    """sec-02-ex4: simulated welfare (library mechanisms) agrees with the exact values."""
    ex = Example4(gamma, r)
    sim = ex.simulate(100_000, seed=7)
    assert sim.clearing_price == 0.0
    assert sim.equilibrium_welfare.contains(ex.expected_equilibrium_welfare(), 0.999)
    assert sim.optimal_welfare.contains(ex.expected_optimal_welfare(), 0.999)
    assert sim.group_optimal_welfare.contains(ex.expected_group_optimal_welfare(), 0.999)
    assert sim.speculator_utility.contains(ex.speculator_utility(), 0.999)


def test_example4_share_and_bounds():
    """sec-02-ex4: share (r-2)/m <= gamma; per-group bounds hold; global optimum > per-group optimum."""
    for g in (0.5, 1 / 3, 0.2, 0.1, 0.05):
        for r in (4, 10, 100):
            ex = Example4(g, r)
            assert ex.speculator_share() <= g
            x = ex.auction().allocation
            assert np.array_equal(x[2::3], np.full(ex.k, r - 2)) and ex.auction().price == 0.0
            assert ex.expected_equilibrium_welfare() < 6 * ex.k
            assert ex.expected_optimal_welfare() > ex.expected_group_optimal_welfare() > ex.paper_optimal_bound()


def test_example4_symbolic_matches_floats():
    """sec-02-ex4: Example4.symbolic() evaluates to the floats."""
    s = Example4.symbolic()
    for g, r in ((0.5, 10), (0.25, 7)):
        ex = Example4(g, r)
        sub = {s["r"]: r, s["k"]: ex.k}
        assert float(s["expected_optimal_welfare"].subs(sub).doit()) == pytest.approx(ex.expected_optimal_welfare(), rel=1e-12)
        assert float(s["expected_equilibrium_welfare"].subs(sub)) == pytest.approx(ex.expected_equilibrium_welfare(), rel=1e-13)
        assert float(s["speculator_share"].subs(sub)) == pytest.approx(ex.speculator_share())


def test_example4_poa_grows_about_k_times_faster_than_per_group():
    """sec-02-ex4: the slope of the PoA in ln r is about k * 2/23 (per group: 2/23)."""
    for k in (2, 5):
        a, b = Example4(1 / k, 10**6), Example4(1 / k, 10**9)
        slope = (b.price_of_anarchy() - a.price_of_anarchy()) / math.log(1000)
        assert slope == pytest.approx(k * 2 / 23, rel=0.05)


def test_proposition7_no_profitable_deviation():
    """sec-02-ex4 (proposition-7): no agent of either group gains by deviating (k = 2, r = 4)."""
    ex = Example4(0.5, 4)
    alts = bid_family(ex.m, levels=(0.5, 1.0, 1.5, 2.0, 2.5), quantities=(1, 2, 3, 4, 6, 8))
    for role in "ABC":
        for g in range(2):
            assert ex.deviation_check(role, g, alternatives=alts).report.best_gain <= 1e-9


@settings(max_examples=40)
@given(st.data())
def test_exact_payoffs_respect_the_accounting_identity(data):
    """Property: for any bids, E[welfare] = sum of E[utilities] + auction revenue (resale is budget balanced)."""
    m = data.draw(st.integers(4, 7))
    ex = Example1(m)
    fam = bid_family(m, levels=(0.5, 1.0, 2.0, 3.0), two_level=False)
    idx = data.draw(st.lists(st.integers(0, len(fam) - 1), min_size=3, max_size=3))
    bids = fam[idx]
    rule = data.draw(st.sampled_from(["paper", "optimal-low", "optimal-high"]))
    u = ex.expected_payoffs(bids, rule)
    revenue = float(am.uniform_price_auction(bids, m).revenue)
    assert float(ex.expected_welfare_of(bids, rule)) == pytest.approx(u.sum() + revenue, abs=1e-10)


# ----------------------------------------------------------------------------- headline numbers
def test_smallest_m_with_poa_above_one_and_a_half_and_two():
    """sec-02-poa (and ledger thm1-poa): the smallest whole m with PoA > 1.5 is 440 and with PoA > 2 is
    134,195, checking every m from 4 up with the closed forms and the integer below with Example1."""
    ms = np.arange(4, 134_196)
    poa = Example1.closed_forms(ms)["price_of_anarchy"]
    assert int(ms[np.argmax(poa > 1.5)]) == 440
    assert int(ms[np.argmax(poa > 2.0)]) == 134_195
    assert Example1(439).price_of_anarchy() <= 1.5 < Example1(440).price_of_anarchy()
    assert Example1(134_194).price_of_anarchy() <= 2.0 < Example1(134_195).price_of_anarchy()


def test_exercise_3_smallest_m_with_poa_above_two_and_a_half():
    """ex-02-3: the root of PoA(m) = 2.5 is about 4.2e7 and the smallest whole m is 42,154,574."""
    from scipy import optimize

    root = optimize.brentq(lambda x: float(Example1.closed_forms(x)["price_of_anarchy"]) - 2.5, 4, 1e30,
                           xtol=1e-12, rtol=1e-15)
    assert math.ceil(root) == 42_154_574
    assert Example1(42_154_573).price_of_anarchy() <= 2.5 < Example1(42_154_574).price_of_anarchy()
    assert 0.5 * math.exp(18.25) == pytest.approx(root, rel=1e-5)  # the asymptotic check in the solution


@pytest.mark.parametrize("m", (4, 10, 100))
def test_exercise_2_reversed_resale_order(m):
    """ex-02-2: with resale to B first, E[Wel] = 4 + (m-2)(1/(2m) + 1/(8m^2)) + (5/4)(1 - 1/(2m)), lower
    than the paper's order by (m-1)/(8m^2); C's revenue is still 1 + (m-3)/(2m); Pr[z > U] = 1/(4m^2).

    Exact through the library's mechanisms: the resale decisions depend only on whether z >= 1, and
    welfare and payments are linear in (U, z) within each cell, so the market run at the conditional
    means of the two cells, weighted, gives the expectation."""
    ex = Example1(m)
    h = 1 / (2 * m)
    p_top = 1 - float(ex.z.cdf(1.0))                                  # Pr[z >= 1] = h
    z_top = integrate.quad(lambda t: t, 1.0, ex.z.top)[0] / p_top     # E[z | z >= 1]
    z_low = (ex.expected_z() - p_top * z_top) / (1 - p_top)           # E[z | z < 1]
    values = ex.values(np.array([1.25, 1.25]), np.array([z_top, z_low]))
    out = am.combined_market(values, ex.auction(),
                             lambda v, x: am.take_it_or_leave_it(v, x, seller=2, price=1.0, order=(1, 0)))
    w = np.array([p_top, 1 - p_top])
    welfare = float(w @ out.welfare)
    closed = 4 + (m - 2) * (h + h * h / 2) + 1.25 * (1 - h)
    assert welfare == pytest.approx(closed, abs=1e-12)
    assert float(w @ out.utilities[:, 2]) == pytest.approx(1 + (m - 3) / (2 * m), abs=1e-12)
    gap = ex.expected_equilibrium_welfare() - closed
    assert gap == pytest.approx((m - 1) / (8 * m * m), abs=1e-12) and gap > 0
    pr = integrate.quad(lambda u: 2 * (1 - float(ex.z.cdf(u))), 1.0, 1.5, points=[ex.z.top])[0]  # U has density 2
    assert pr == pytest.approx(1 / (4 * m * m), abs=1e-12)
    # and Monte Carlo of the same market agrees
    v = ex.sample_values(200_000, seed=m)
    mc = am.combined_market(v, ex.auction(),
                            lambda vv, x: am.take_it_or_leave_it(vv, x, seller=2, price=1.0, order=(1, 0))).welfare
    assert abs(mc.mean() - closed) < 5 * mc.std() / math.sqrt(mc.size)


# ----------------------------------------------------------------------------- computed, not literal
@pytest.mark.parametrize("m", (4, 10, 1000, 10**9))
def test_revenue_maximizing_price_is_computed_from_the_curve(m):
    """sec-02-revenue: the maximiser of p (1 - F_B(p)) over its candidate points is 1, value 1/(2m), and no
    point of a fine grid does better; the sympy derivation agrees."""
    from aftermarkets.paper import single_buyer_price

    ex = Example1(m)
    p_star, best = single_buyer_price(m)
    assert ex.revenue_maximizing_price() == p_star == 1.0
    assert best == pytest.approx(ex.max_revenue_per_unit(), rel=1e-12)
    grid = np.linspace(0, 2, 200_001)
    assert np.all(grid * (1 - ex.z.cdf(grid)) <= best + 1e-15)
    s = Example1.symbolic()
    assert s["revenue_maximizing_price"] == 1 and sp.simplify(s["max_revenue_per_unit"] - 1 / (2 * s["m"])) == 0
    with pytest.raises(ValueError, match="mz"):
        single_buyer_price(0.25)


def test_clearing_price_runs_the_auction():
    """sec-02-utility: clearing_price() is the library auction's price (0 under every tie order), for
    Example 1 and Example 4, and it follows the bids: with one more positive bid it is positive."""
    from itertools import permutations

    for m in (4, 10, 1000):
        ex = Example1(m)
        assert {ex.clearing_price(p) for p in permutations(range(3))} == {0.0}
        assert float(Example1.symbolic()["clearing_price"]) == ex.clearing_price()
    assert Example4(0.5, 10).clearing_price() == 0.0 and Example4(0.5, 10).revenue_maximizing_price() == 1.0

    class MoreBids(Example1):
        def bids(self):
            b = super().bids()
            b[2, self.m - 2] = 0.5       # C bids on unit m - 1 too: m + 1 positive bids
            return b

    assert MoreBids(10).clearing_price() == 0.5


# ----------------------------------------------------------------------------- dominance scan
@pytest.mark.parametrize("m", (4, 6, 10))
def test_dominance_scan_every_alternative_of_the_family(m):
    """sec-02-witnesses: every alternative of the bid family, against the witness built for its class,
    does strictly worse than the equilibrium bid (A and B also type by type)."""
    scan = Example1(m).dominance_scan()
    assert {c.agent for c in scan} == {"A", "B", "C"} and len(scan) == 10
    n_alt = len(bid_family(m))
    for agent in "ABC":
        assert sum(c.count for c in scan if c.agent == agent) == n_alt - 1  # all but the equilibrium bid
    for c in scan:
        assert c.smallest_margin > 1e-6, c


def test_dominance_scan_needs_a_small_epsilon_for_low_bids():
    """sec-02-witnesses: against A at b + eps on two units and B at 1 on one, C's equilibrium bid beats
    'b on all m - 2 units' by 1 - b - (m-2) eps on the path's holdings: positive for eps < (1-b)/(m-2)
    and negative above, so the paper's 'small eps' must be small enough."""
    m, b = 10, 0.99
    ex = Example1(m)
    for eps, sign in (((1 - b) / (2 * m), 1), (0.1 / m, -1)):
        others = np.zeros((3, m))
        others[0, :2] = b + eps
        others[1, 0] = 1.0
        prof = np.stack([others, others])
        prof[0, 2] = ex.bids()[2]
        prof[1, 2, : m - 2] = b
        u = ex.expected_payoffs(prof)[:, 2]
        assert u[0] - u[1] == pytest.approx(1 - b - (m - 2) * eps, abs=1e-12)
        assert np.sign(u[0] - u[1]) == sign


def test_dominance_scan_rejects_bad_alternatives():
    """Bad alternative families are ValueErrors."""
    with pytest.raises(ValueError, match="alternatives"):
        Example1(5).dominance_scan(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="non-increasing"):
        Example1(5).dominance_scan(np.array([[0.0, 1.0, 0.0, 0.0, 0.0]]))


# ----------------------------------------------------------------------------- the notebook itself
NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "02_uniform_price_speculation.ipynb"


def _notebook_text():
    nb = json.loads(NOTEBOOK.read_text())
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    glued = set()
    for c in nb["cells"]:
        for out in c.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                glued.add(name)
    return md, glued


def test_cited_labels_exist():
    """Every chapter label cited in these docstrings (sec-02-*, ex-02-*, example-*, proposition-*) exists in
    the notebook, as a MyST target or a prf / exercise label."""
    md, _ = _notebook_text()
    cited = set(re.findall(r"\b((?:sec|ex)-02-[a-z0-9-]+|example-[14]|proposition-[17])\b", Path(__file__).read_text()))
    assert cited
    missing = [c for c in cited if f"({c})=" not in md and f":label: {c}" not in md]
    assert not missing, missing


def test_every_glue_used_in_prose_is_defined():
    """Chapter 2: every {glue:...}`name` in a markdown cell has a stored glue value."""
    md, glued = _notebook_text()
    used = set(re.findall(r"\{glue:[a-z]*\}`([A-Za-z0-9_]+)", md))
    assert used and used <= glued, sorted(used - glued)
