"""Tests of ``aftermarkets.instances.example1`` (Example 1, Section 3; Chapter 2).

Every exact value is checked against an independent computation (numerical integration of the
library's CDFs, sympy, Monte Carlo through the library's mechanisms); docstrings name the chapter's
label of the number they check (``sec-02-welfare``, ``example-1``, ...), which
``tests/test_ch02_speculation.py::test_cited_labels_exist`` checks exist.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import aftermarkets as am
from aftermarkets import Estimate, Example1, Example4, bid_family
from aftermarkets.instances.speculation import DEVIATION_LEVELS

MS = (4, 5, 10, 100, 1000)


def _quad_mean_z(ex):
    z = ex.z
    return (
        integrate.quad(lambda t: 1 - z.cdf(t), 0, 1, limit=400)[0]
        + integrate.quad(lambda t: 1 - z.cdf(t), 1, z.top)[0]
    )


@pytest.mark.parametrize("m", [3, 2, 0, -5, 4.5, "10", None, True, float("nan"), float("inf")])
def test_example1_rejects_bad_m(m):
    """example-1: Example 1 needs a whole number m > 3."""
    with pytest.raises(ValueError, match="m must be a whole number"):
        Example1(m)


def test_example1_accepts_whole_floats_and_numpy_ints():
    """m = 1e9 and numpy integers are whole numbers; exact values need no O(m) memory."""
    assert Example1(1e9).m == 10**9
    assert Example1(np.int64(7)).m == 7


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
    e_max = (
        1.0
        + integrate.quad(lambda t: 1 - ex.second_unit.cdf(t) * ex.z.cdf(t), 1.0, 1.5, points=[ex.z.top])[0]
    )
    assert ex.expected_optimal_welfare() == pytest.approx(4 + (m - 3) * _quad_mean_z(ex) + e_max, abs=1e-10)


@pytest.mark.parametrize("m", MS)
def test_equilibrium_welfare_and_utilities_match_quadrature(m):
    """sec-02-welfare, sec-02-utility: E[z 1{z>=1}] by quad gives the equilibrium welfare and C's utility."""
    ex = Example1(m)
    tail = integrate.quad(lambda t: 1 - ex.z.cdf(t), 1, ex.z.top)[0] + 1.0 * (
        1 - ex.z.cdf(1.0)
    )  # E[z 1{z>=1}]
    prob = 1 - float(ex.z.cdf(1.0))
    assert ex.expected_equilibrium_welfare() == pytest.approx(4 + 1.25 + (m - 3) * tail, abs=1e-12)
    assert ex.speculator_utility() == pytest.approx(1 + (m - 3) * prob, abs=1e-12)
    assert sum(ex.utilities()) == pytest.approx(ex.expected_equilibrium_welfare(), abs=1e-12)  # revenue 0


@pytest.mark.parametrize("m", (4, 7, 30))
def test_exact_payoffs_through_the_mechanisms_match_closed_forms(m):
    """sec-02-utility: the library's auction and resale, integrated exactly over types, give the closed
    forms."""
    ex = Example1(m)
    u = ex.expected_payoffs(ex.bids(), "paper")
    assert u == pytest.approx(ex.utilities(), abs=1e-12)
    assert float(ex.expected_welfare_of(ex.bids())) == pytest.approx(
        ex.expected_equilibrium_welfare(), abs=1e-12
    )


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
        for key, val in (
            ("E_z", ex.expected_z()),
            ("expected_optimal_welfare", ex.expected_optimal_welfare()),
            ("expected_equilibrium_welfare", ex.expected_equilibrium_welfare()),
            ("price_of_anarchy", ex.price_of_anarchy()),
            ("speculator_utility", ex.speculator_utility()),
            ("paper_optimal_bound", ex.paper_optimal_bound()),
            ("paper_equilibrium_bound", ex.paper_equilibrium_bound()),
        ):
            assert float(s[key].subs(m, mm)) == pytest.approx(val, rel=1e-13), key


def test_closed_forms_are_accurate_at_a_billion():
    """sec-02-poa: the float values at m = 1e9 equal 50-digit sympy arithmetic (their speed is
    measured by benchmarks/bench_simulation.py)."""
    ex = Example1(10**9)
    s = Example1.symbolic()
    for key, value in (("price_of_anarchy", ex.price_of_anarchy()), ("E_z", ex.expected_z())):
        exact = sp.N(s[key].subs(s["m"], 10**9), 50)
        assert value == pytest.approx(float(exact), rel=1e-13), key


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


@pytest.mark.parametrize("m", (4, 10, 100, 1000))
def test_monte_carlo_agrees_with_exact_values(m):
    """sec-02-mc: the library's mechanisms on sampled types agree with the exact values (99.9% CI)."""
    ex = Example1(m)
    sim = ex.simulate(200_000, seed=m)
    assert sim.clearing_price == 0.0 and sim.auction_revenue == 0.0
    for est, exact in (
        (sim.equilibrium_welfare, ex.expected_equilibrium_welfare()),
        (sim.optimal_welfare, ex.expected_optimal_welfare()),
        (sim.price_of_anarchy, ex.price_of_anarchy()),
        (sim.speculator_utility, ex.speculator_utility()),
    ):
        assert est.contains(exact, level=0.999), (est, exact)
    for est, exact in zip(sim.utilities, ex.utilities()):
        assert est.contains(exact, level=0.999)


def test_simulation_is_deterministic_given_the_seed():
    """Same seed, same estimates."""
    ex = Example1(10)
    assert ex.simulate(1000, seed=3) == ex.simulate(1000, seed=3)


def test_exact_payoffs_match_monte_carlo_off_the_path():
    """sec-02-deviations: exact expected payoffs of arbitrary bids agree with Monte Carlo of the
    mechanisms."""
    m = 6
    ex = Example1(m)
    rng = np.random.default_rng(0)
    fam = bid_family(m, DEVIATION_LEVELS, two_level=False)
    bids = np.stack([fam[rng.integers(len(fam), size=12)] for _ in range(3)], axis=1)
    n = 100_000
    v = ex.sample_values(n, rng)
    for rule in ("paper", "optimal-low"):
        exact = ex.expected_payoffs(bids, rule)
        auc = am.uniform_price_auction(bids, m)
        price = np.ones(12) if rule == "paper" else ex.optimal_resale_price(*auc.allocation.T).price_low
        for s in range(12):
            sub = am.AuctionOutcome(auc.allocation[s], auc.payments[s], None)
            out = am.combined_market(v, sub, lambda vv, h, p=price[s]: ex.resale(vv, h, p))
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
    rep = am.deviation_search(
        lambda k: ex.expected_payoffs(np.stack([alts[k], ex.bids()[1], ex.bids()[2]]))[0], 1, [0]
    )
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
    assert (
        auction.price == 2.0
        and auction.allocation.tolist() == [0, 0, 6]
        and auction.payments.tolist() == [0, 0, 12]
    )
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


@settings(max_examples=40)
@given(st.data())
def test_exact_payoffs_respect_the_accounting_identity(data):
    """Property: for any bids, E[welfare] = sum of E[utilities] + auction revenue (resale is budget
    balanced)."""
    m = data.draw(st.integers(4, 7))
    ex = Example1(m)
    fam = bid_family(m, levels=(0.5, 1.0, 2.0, 3.0), two_level=False)
    idx = data.draw(st.lists(st.integers(0, len(fam) - 1), min_size=3, max_size=3))
    bids = fam[idx]
    rule = data.draw(st.sampled_from(["paper", "optimal-low", "optimal-high"]))
    u = ex.expected_payoffs(bids, rule)
    revenue = float(am.uniform_price_auction(bids, m).revenue)
    assert float(ex.expected_welfare_of(bids, rule)) == pytest.approx(u.sum() + revenue, abs=1e-10)


@pytest.mark.parametrize("m", (4, 10, 1000, 10**9))
def test_revenue_maximizing_price_is_computed_from_the_curve(m):
    """sec-02-revenue: the maximiser of p (1 - F_B(p)) over its candidate points is 1, value 1/(2m), and no
    point of a fine grid does better; the sympy derivation agrees."""
    from aftermarkets.instances.resale import single_buyer_price

    ex = Example1(m)
    p_star, best = single_buyer_price(m)
    assert ex.revenue_maximizing_price() == p_star == 1.0
    assert best == pytest.approx(ex.max_revenue_per_unit(), rel=1e-12)
    grid = np.linspace(0, 2, 200_001)
    assert np.all(grid * (1 - ex.z.cdf(grid)) <= best + 1e-15)
    s = Example1.symbolic()
    assert (
        s["revenue_maximizing_price"] == 1 and sp.simplify(s["max_revenue_per_unit"] - 1 / (2 * s["m"])) == 0
    )
    with pytest.raises(ValueError, match="m > 1/2"):
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
            b[2, self.m - 2] = 0.5  # C bids on unit m - 1 too: m + 1 positive bids
            return b

    assert MoreBids(10).clearing_price() == 0.5


@pytest.mark.parametrize("m", (4, 10, 1000))
def test_balanced_price_is_half_the_per_unit_optimum(m):
    """Example 3 / Theorem 5: the balanced per-unit price is E[v(OPT(v))]/(2m), from the same
    closed form as the optimal welfare (sympy and float agree)."""
    ex = Example1(m)
    assert ex.balanced_price() == pytest.approx(ex.expected_optimal_welfare() / (2 * m), rel=1e-14)
    s = Example1.symbolic()
    assert float(s["balanced_price"].subs(s["m"], m)) == pytest.approx(ex.balanced_price(), rel=1e-13)
