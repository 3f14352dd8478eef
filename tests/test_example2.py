"""Tests of ``aftermarkets.instances.example2`` (Example 2, Section 5; Chapter 4, ``sec-04-example2``,
``sec-04-ex2-exact``, ``sec-04-ex2-resale``, ``sec-04-ex2-equilibrium``, ``sec-04-ex2-mc``,
``sec-04-ex2-balanced``): closed forms against numerical integration, the median against bisection,
the resale optimum against price grids, the equilibrium by regret, and the mechanisms by Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import integrate

from aftermarkets.instances.example2 import SCENARIOS, Example2

CASES = ((0.1, 5), (0.1, 100), (0.3, 20), (0.05, 1e4))


@pytest.mark.parametrize("eps,H", CASES)
def test_closed_forms_against_quadrature(eps, H):
    """sec-04-ex2-exact: E[z] = 1 + ln H and E[max v] by numerical integration of the laws."""
    ex = Example2(eps, H)
    ez = 1.0 + integrate.quad(lambda t: 1 - float(ex.z.cdf(t)), 1, H, limit=400)[0]
    assert ex.expected_z() == pytest.approx(ez, rel=1e-9)
    # E[max v] = E[v1 | v2 = 0] (1 - eps) + E[v2]
    assert ex.expected_optimal_welfare() == pytest.approx((1 - eps) / 2 + ez, rel=1e-9)


@pytest.mark.parametrize("eps", (0.01, 0.1, 0.3, 0.49, 0.5, 0.6, 0.75, 0.9))
def test_median_price_against_bisection(eps):
    """sec-04-ex2-exact: the closed-form median equals the bisection on Pr[max v > p]; it is
    1/(2(1-eps)) for eps < 1/2 and min(2, H/eps) otherwise."""
    for H in (1.5, 10, 1e4):
        ex = Example2(eps, H)
        assert ex.median_price() == pytest.approx(ex.median_price_by_bisection(), abs=1e-9)
        want = 1 / (2 * (1 - eps)) if eps < 0.5 else min(2, H / eps)
        assert ex.median_price() == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("eps,H", CASES)
def test_isolated_welfare_by_integration(eps, H):
    """sec-04-ex2-exact: welfare without aftermarket = E[v1 1{v1 >= P}] + Pr[v1 < P] E[v2 1{v2 >= P}]."""
    ex = Example2(eps, H)
    for P in (ex.median_price(), ex.balanced_price(), 0.3, 1.5 / eps):
        tail = integrate.quad(lambda y: float(ex.survival_v2(y)), P, H / eps, limit=400, points=[1 / eps])[0]
        g2 = P * float(ex.survival_v2(P)) + tail  # E[v2 1{v2 >= P}]
        c = min(P, 1.0)
        assert ex.welfare_no_aftermarket(P) == pytest.approx((1 - c * c) / 2 + c * g2, rel=1e-7)


def test_symbolic_and_compiled_agree():
    """sec-04-ex2-exact: the float methods are the sympy expressions; the paper's equilibrium welfare is
    W(p*) = 3/2 - eps/(2H)."""
    s = Example2.symbolic()
    ex = Example2(0.1, 100)
    sub = {s["epsilon"]: sp.Rational(1, 10), s["H"]: 100}
    assert float(s["expected_optimal_welfare"].subs(sub)) == pytest.approx(ex.expected_optimal_welfare())
    assert float(s["median_price"].subs(sub)) == pytest.approx(5 / 9)
    assert ex.welfare("median, resale") == pytest.approx(1.5 - 0.1 / 200, abs=1e-12)
    assert float(s["paper_equilibrium_welfare"].subs(sub)) == pytest.approx(1.5 - 0.1 / 200)


@pytest.mark.parametrize("eps,H", CASES)
def test_resale_price_is_H_over_eps_for_every_positive_type(eps, H):
    """sec-04-ex2-resale: with the kept value, H/eps maximises buyer 1's payoff uniquely for v1 > 0
    (worth 1 + v1 (1 - eps/H)); at v1 = 0 a whole interval of prices ties."""
    ex = Example2(eps, H)
    top = ex.best_resale_price()
    grid = np.unique(np.concatenate([np.geomspace(1e-3, 3 * top, 20_001), [1 / eps, top]]))
    v1 = np.linspace(0, 1, 101)
    pay = ex.resale_payoff(grid[:, None], v1[None, :])
    assert np.allclose(grid[pay.argmax(axis=0)][1:], top)
    assert np.allclose(pay.max(axis=0), 1 + v1 * (1 - eps / H), atol=1e-12)
    tied = grid[pay[:, 0] >= 1 - 1e-12]
    assert tied.min() == pytest.approx(1 / eps) and tied.max() == pytest.approx(top)


@pytest.mark.parametrize("eps", (0.01, 0.1, 0.3, 0.49, 0.5, 0.6))
def test_buying_at_the_median_pays_iff_eps_below_one_half(eps):
    """sec-04-ex2-resale: 1 + v1 (1 - eps/H) >= p* for every v1 exactly when eps < 1/2."""
    ex = Example2(eps, 100)
    assert bool(np.all(ex.buys(np.linspace(0, 1, 1001), "median"))) == (eps < 0.5)


@pytest.mark.parametrize("H", (1.5, 5, 100, 1e6))
def test_equilibria_have_no_profitable_deviation(H):
    """sec-04-ex2-equilibrium, sec-04-ex2-balanced: regrets at the median and balanced prices are 0."""
    ex = Example2(0.1, H)
    for price in ("median", "balanced"):
        r = ex.regrets(price)
        assert r["buyer1"] <= 1e-9 and r["buyer2"] <= 1e-9


def test_planted_strategies_show_their_regret():
    """The regret check is not vacuous. At the balanced price with H = 100, a buyer 1 who always buys
    (threshold 0) loses P - 1 at v1 = 0; with H = 5, a buyer 1 who never buys (threshold above 1)
    forgoes 1 + (1 - eps/H) - P at v1 = 1; the reported gains are exactly these."""
    ex = Example2(0.1, 100)
    P = ex.balanced_price()
    r = ex.regrets("balanced", threshold=0.0)
    assert r["buyer1"] == pytest.approx(P - 1.0) and r["buyer1_at"] == 0.0
    ex5 = Example2(0.1, 5)
    r5 = ex5.regrets("balanced", threshold=1.5)
    assert r5["buyer1"] == pytest.approx(1 + (1 - 0.1 / 5) - ex5.balanced_price())
    assert r5["buyer1_at"] == 1.0


@pytest.mark.parametrize("eps,H", ((0.1, 5), (0.1, 100), (0.3, 10)))
def test_simulation_agrees_with_closed_forms(eps, H):
    """sec-04-ex2-mc: the library's posted price and resale, on sampled profiles, agree with every
    scenario's closed form within 99.9% intervals; buyer 1 always buys at the median when eps < 1/2."""
    ex = Example2(eps, H)
    sim = ex.simulate(200_000, seed=7)
    for sc in SCENARIOS:
        assert sim.welfare[sc].contains(ex.welfare(sc), 0.999), sc
    assert sim.optimal_welfare.contains(ex.expected_optimal_welfare(), 0.999)
    assert sim.resale_share.mean == 1.0


def test_welfare_identity_and_theorem4_terms():
    """sec-04-proof: with one item the revenue bound (5) is an equality; (4) holds; welfare = utilities +
    revenue; the balanced price keeps half the optimum."""
    for H in (1.5, 5, 100, 1e6):
        t = Example2(0.1, H).theorem4_terms("balanced")
        assert t["revenue"] == pytest.approx(t["bound5"], abs=1e-12)
        assert t["utilities"] >= t["bound4"] - 1e-12
        assert t["welfare"] >= t["half_optimum"] - 1e-12


def test_validation():
    """Bad parameters raise ValueErrors."""
    for eps, H in ((0, 10), (1, 10), (0.1, 1), (0.1, np.inf)):
        with pytest.raises(ValueError):
            Example2(eps, H)
    with pytest.raises(ValueError, match="price must be"):
        Example2(0.1, 10).price("mean")
    with pytest.raises(ValueError, match="scenario"):
        Example2(0.1, 10).welfare("no such market")
