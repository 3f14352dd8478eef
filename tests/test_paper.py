"""Tests of ``aftermarkets.paper`` (Chapter 2, ``book/02_uniform_price_speculation.ipynb``).

Every exact value is checked against an independent computation (numerical integration of the
library's CDFs, brute force over price grids, Monte Carlo through the library's mechanisms);
docstrings name the chapter label of the number they check.
"""
from __future__ import annotations

import math
import time

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
    """Example 1 needs a whole number m > 3 (ex1 setup)."""
    with pytest.raises(ValueError, match="m must be a whole number"):
        Example1(m)


def test_example1_accepts_whole_floats_and_numpy_ints():
    """m = 1e9 and numpy integers are whole numbers; exact values need no O(m) memory."""
    assert Example1(1e9).m == 10**9
    assert Example1(np.int64(7)).m == 7


@pytest.mark.parametrize("gamma,r", [(0, 5), (1, 5), (1.5, 5), (-0.1, 5), (float("nan"), 5), (0.5, 3), (0.5, 4.5), (0.5, "5"), (True, 5)])
def test_example4_rejects_bad_parameters(gamma, r):
    """Example 4 needs 0 < gamma < 1 and a whole number r > 3 (Appendix B.3)."""
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
    """eq-ez: E[z] = ln(2m)/(2m-1) + 1/(8m^2) equals the integral of 1 - F_B."""
    ex = Example1(m)
    assert ex.expected_z() == pytest.approx(_quad_mean_z(ex), abs=1e-11)
    assert ex.expected_z() == pytest.approx(ex.z.mean(), rel=1e-14)


@pytest.mark.parametrize("m", MS)
def test_optimal_welfare_matches_quadrature(m):
    """eq-opt: E[Wel] = 4 + (m-3)E[z] + E[max(U, z)], E[max] = int (1 - F_U F_z) by quad."""
    ex = Example1(m)
    e_max = 1.0 + integrate.quad(lambda t: 1 - ex.second_unit.cdf(t) * ex.z.cdf(t), 1.0, 1.5, points=[ex.z.top])[0]
    assert ex.expected_optimal_welfare() == pytest.approx(4 + (m - 3) * _quad_mean_z(ex) + e_max, abs=1e-10)


@pytest.mark.parametrize("m", MS)
def test_equilibrium_welfare_and_utilities_match_quadrature(m):
    """eq-eqwel, eq-spec: E[z 1{z>=1}] by quad gives the equilibrium welfare and C's utility."""
    ex = Example1(m)
    tail = integrate.quad(lambda t: 1 - ex.z.cdf(t), 1, ex.z.top)[0] + 1.0 * (1 - ex.z.cdf(1.0))  # E[z 1{z>=1}]
    prob = 1 - float(ex.z.cdf(1.0))
    assert ex.expected_equilibrium_welfare() == pytest.approx(4 + 1.25 + (m - 3) * tail, abs=1e-12)
    assert ex.speculator_utility() == pytest.approx(1 + (m - 3) * prob, abs=1e-12)
    assert sum(ex.utilities()) == pytest.approx(ex.expected_equilibrium_welfare(), abs=1e-12)  # revenue 0


@pytest.mark.parametrize("m", (4, 7, 30))
def test_exact_payoffs_through_the_mechanisms_match_closed_forms(m):
    """eq-spec: the library's auction and resale, integrated exactly over types, give the closed forms."""
    ex = Example1(m)
    u = ex.expected_payoffs(ex.bids(), "paper")
    assert u == pytest.approx(ex.utilities(), abs=1e-12)
    assert float(ex.expected_welfare_of(ex.bids())) == pytest.approx(ex.expected_equilibrium_welfare(), abs=1e-12)


def test_paper_bounds_hold_and_are_not_tight():
    """eq-bounds: equilibrium welfare < paper bound <= 6 and optimal welfare > 4 + (m-2)E[z]."""
    for m in (4, 5, 10, 100, 10**4, 10**9):
        ex = Example1(m)
        assert ex.expected_equilibrium_welfare() < ex.paper_equilibrium_bound() <= 6
        assert ex.expected_optimal_welfare() > ex.paper_optimal_bound()


def test_symbolic_agrees_with_floats_and_with_integration():
    """eq-ez, eq-opt, eq-eqwel: Example1.symbolic() equals the floats and the sympy integrals."""
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
    """fig-poa: exact values at m = 1e9 in microseconds, equal to 50-digit sympy arithmetic."""
    ex = Example1(10**9)
    s = Example1.symbolic()
    exact = sp.N(s["price_of_anarchy"].subs(s["m"], 10**9), 50)
    assert ex.price_of_anarchy() == pytest.approx(float(exact), rel=1e-14)
    start = time.perf_counter()
    for _ in range(1000):
        ex.price_of_anarchy()
    assert (time.perf_counter() - start) / 1000 < 1e-4  # typically ~1 microsecond


def test_poa_rate_is_two_23rds_log_m():
    """eq-rate: PoA / ln m -> 2/23 (sympy) and the PoA increases in m."""
    s = Example1.symbolic()
    assert sp.limit(s["price_of_anarchy"] / sp.log(s["m"]), s["m"], sp.oo) == sp.Rational(2, 23)
    poa = Example1.closed_forms(np.geomspace(4, 1e9, 200))["price_of_anarchy"]
    assert np.all(np.diff(poa) > 0)


def test_revenue_curve_maximised_at_one():
    """eq-revenue: p (1 - F_B(p)) on a fine grid peaks at 1 with value 1/(2m)."""
    for m in MS:
        ex = Example1(m)
        p = np.linspace(0, 2, 400001)
        rev = p * (1 - ex.z.cdf(p))
        assert p[rev.argmax()] == pytest.approx(1.0, abs=1e-5)
        assert rev.max() == pytest.approx(ex.max_revenue_per_unit(), rel=1e-9)


# ----------------------------------------------------------------------------- Monte Carlo
@pytest.mark.parametrize("m", (4, 10, 100, 1000))
def test_monte_carlo_agrees_with_exact_values(m):
    """tab-mc: the library's mechanisms on sampled types agree with the exact values (99.9% CI)."""
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
    """sec-mc: 10^6 profiles at m = 1000 in under 2 s on one core (lenient bound 6 s for loaded CI)."""
    ex = Example1(1000)
    ex.simulate(1000, seed=0)  # warm up
    start = time.perf_counter()
    ex.simulate(10**6, seed=1)
    assert time.perf_counter() - start < 6.0


# ----------------------------------------------------------------------------- Proposition 1 (a)
@pytest.mark.parametrize("m", (4, 6, 10))
def test_optimal_resale_price_beats_a_fine_grid(m):
    """tab-prices: no price on a grid of step 1e-5 earns more than the exact optimum, for every outcome."""
    ex = Example1(m)
    t = ex.resale_price_table()
    grid = np.linspace(0, 2.5, 250001)
    rev = ex.resale_revenue(t["a"][:, None], t["b"][:, None], t["q"][:, None], grid[None, :])
    assert np.all(rev.max(axis=1) <= t["revenue"] + 1e-12)
    assert np.all(rev.max(axis=1) >= t["revenue"] - 1e-8)   # and the grid comes close


@pytest.mark.parametrize("m", (5, 8))
def test_resale_revenue_matches_the_library_market(m):
    """tab-prices: the revenue formula equals C's sales in the library's take-it-or-leave-it market (MC)."""
    ex = Example1(m)
    rng = np.random.default_rng(1)
    n = 100_000
    v = ex.sample_values(n, rng)
    for a, b, q, p in ((0, 0, m, 2.0), (1, 1, m - 2, 1.0), (0, 1, 2, 1.01), (2, 0, 3, 1.3), (1, 0, 2, 1.05)):
        out = am.take_it_or_leave_it(v, [a, b, q], seller=2, price=p, order=(0, 1))
        rev = -out.payments[:, 2]
        se = rev.std() / math.sqrt(n) + 1e-12
        assert abs(rev.mean() - float(ex.resale_revenue(a, b, q, p))) < 5 * se


def test_price_one_is_optimal_exactly_where_the_classes_say():
    """tab-classes: price 1 is optimal iff a, b >= 1, or exactly one first unit is unsold and q >= 3."""
    for m in (4, 7, 12):
        t = Example1(m).resale_price_table()
        a, b, q = t["a"], t["b"], t["q"]
        one_first = ((a == 0) & (b >= 1)) | ((a == 1) & (b == 0))
        predicted = ((a >= 1) & (b >= 1)) | (one_first & (q >= 3))
        assert np.array_equal(t["one_is_optimal"], predicted)
        assert np.all(t["n_optimal"] == 1)


def test_price_two_when_no_first_unit_was_won():
    """tab-prices: with a = b = 0 price 2 earns 2 min(q, 2), beating price 1."""
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
    """tab-deviations: exact expected payoffs of arbitrary bids agree with Monte Carlo of the mechanisms."""
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
    """tab-deviations: the largest gain of A, B and C over the bid family is 0 (all tie orders)."""
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


def test_zero_bid_convention_does_not_matter():
    """tab-robust: with a tiny floor on every bid (zero bids may win leftovers) no deviation gains."""
    ex = Example1(5)
    for c in ex.deviation_checks("optimal", bid_floor=1e-9):
        assert c.largest_gain <= 1e-6


def test_dominance_witnesses_are_strict():
    """tab-witnesses: each equilibrium bid is strictly better than the alternative at its witness."""
    for m in (4, 10, 50):
        w = Example1(m).dominance_witnesses()
        assert len(w) == 14
        for x in w:
            assert x.margin > 1e-6 and x.worst_type_margin > 1e-6, x


# ----------------------------------------------------------------------------- Example 4
@pytest.mark.parametrize("k,r", [(1, 4), (2, 4), (3, 10), (5, 50), (20, 4), (10, 1000)])
def test_example4_max_moments_match_quadrature(k, r):
    """eq-ex4-opt: E[max z] and E[(U - max z)^+] in closed form equal 1-D integrals."""
    from aftermarkets.paper import _max_z_moments

    ez, eu = _max_z_moments(k, r)
    F = am.ExampleOneZ(r)
    h = 1 / (2 * r)
    q1 = integrate.quad(lambda t: 1 - F.cdf(t) ** k, 0, 1, limit=400)[0] + integrate.quad(lambda t: 1 - F.cdf(t) ** k, 1, 1 + h)[0]
    q2 = integrate.quad(lambda t: F.cdf(t) ** k, 0, 1, limit=400)[0] + integrate.quad(lambda t: F.cdf(t) ** k * (3 - 2 * t), 1, 1.5, points=[1 + h])[0]
    assert ez == pytest.approx(q1, abs=1e-10)
    assert eu == pytest.approx(q2, abs=1e-10)


def test_example4_formula_reduces_to_example1_with_one_group():
    """eq-ex4-opt: with k = 1 the formula 4k + (m-2k)E[Z] + k E[(U-Z)^+] is Example 1's optimum."""
    from aftermarkets.paper import _max_z_moments

    for r in (4, 10, 1000):
        ez, eu = _max_z_moments(1, r)
        assert 4 + (r - 2) * ez + eu == pytest.approx(Example1(r).expected_optimal_welfare(), rel=1e-13)


@pytest.mark.parametrize("gamma,r", [(0.5, 10), (0.2, 8)])
def test_example4_monte_carlo(gamma, r):
    """tab-ex4: simulated welfare (library mechanisms) agrees with the exact values."""
    ex = Example4(gamma, r)
    sim = ex.simulate(100_000, seed=7)
    assert sim.clearing_price == 0.0
    assert sim.equilibrium_welfare.contains(ex.expected_equilibrium_welfare(), 0.999)
    assert sim.optimal_welfare.contains(ex.expected_optimal_welfare(), 0.999)
    assert sim.group_optimal_welfare.contains(ex.expected_group_optimal_welfare(), 0.999)
    assert sim.speculator_utility.contains(ex.speculator_utility(), 0.999)


def test_example4_share_and_bounds():
    """tab-ex4: share (r-2)/m <= gamma; per-group bounds hold; global optimum > per-group optimum."""
    for g in (0.5, 1 / 3, 0.2, 0.1, 0.05):
        for r in (4, 10, 100):
            ex = Example4(g, r)
            assert ex.speculator_share() <= g
            x = ex.auction().allocation
            assert np.array_equal(x[2::3], np.full(ex.k, r - 2)) and ex.auction().price == 0.0
            assert ex.expected_equilibrium_welfare() < 6 * ex.k
            assert ex.expected_optimal_welfare() > ex.expected_group_optimal_welfare() > ex.paper_optimal_bound()


def test_example4_symbolic_matches_floats():
    """eq-ex4-opt: Example4.symbolic() evaluates to the floats."""
    s = Example4.symbolic()
    for g, r in ((0.5, 10), (0.25, 7)):
        ex = Example4(g, r)
        sub = {s["r"]: r, s["k"]: ex.k}
        assert float(s["expected_optimal_welfare"].subs(sub).doit()) == pytest.approx(ex.expected_optimal_welfare(), rel=1e-12)
        assert float(s["expected_equilibrium_welfare"].subs(sub)) == pytest.approx(ex.expected_equilibrium_welfare(), rel=1e-13)
        assert float(s["speculator_share"].subs(sub)) == pytest.approx(ex.speculator_share())


def test_example4_poa_grows_about_k_times_faster_than_per_group():
    """eq-ex4-rate: the slope of the PoA in ln r is about k * 2/23 (per group: 2/23)."""
    for k in (2, 5):
        a, b = Example4(1 / k, 10**6), Example4(1 / k, 10**9)
        slope = (b.price_of_anarchy() - a.price_of_anarchy()) / math.log(1000)
        assert slope == pytest.approx(k * 2 / 23, rel=0.05)


def test_proposition7_no_profitable_deviation():
    """tab-prop7: no agent of either group gains by deviating (k = 2, r = 4)."""
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
