"""Tests of ``aftermarkets.instances.example4`` (Example 4 and Proposition 7, Appendix B.3;
Chapter 2, ``sec-02-ex4``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import aftermarkets as am
from aftermarkets import Example1, Example4, bid_family
from aftermarkets.instances.example4 import max_z_moments

MS = (4, 5, 10, 100, 1000)


def _quad_mean_z(ex):
    z = ex.z
    return (
        integrate.quad(lambda t: 1 - z.cdf(t), 0, 1, limit=400)[0]
        + integrate.quad(lambda t: 1 - z.cdf(t), 1, z.top)[0]
    )


@pytest.mark.parametrize(
    "gamma,r",
    [(0, 5), (1, 5), (1.5, 5), (-0.1, 5), (float("nan"), 5), (0.5, 3), (0.5, 4.5), (0.5, "5"), (True, 5)],
)
def test_example4_rejects_bad_parameters(gamma, r):
    """example-4: Example 4 needs 0 < gamma < 1 and a whole number r > 3."""
    with pytest.raises(ValueError):
        Example4(gamma, r)


@pytest.mark.parametrize("k,r", [(1, 4), (2, 4), (3, 10), (5, 50), (20, 4), (10, 1000)])
def test_example4_max_moments_match_quadrature(k, r):
    """sec-02-ex4: E[max z] and E[(U - max z)^+] in closed form equal 1-D integrals."""

    ez, eu = max_z_moments(k, r)
    F = am.ExampleOneZ(r)
    h = 1 / (2 * r)
    q1 = (
        integrate.quad(lambda t: 1 - F.cdf(t) ** k, 0, 1, limit=400)[0]
        + integrate.quad(lambda t: 1 - F.cdf(t) ** k, 1, 1 + h)[0]
    )
    q2 = (
        integrate.quad(lambda t: F.cdf(t) ** k, 0, 1, limit=400)[0]
        + integrate.quad(lambda t: F.cdf(t) ** k * (3 - 2 * t), 1, 1.5, points=[1 + h])[0]
    )
    assert ez == pytest.approx(q1, abs=1e-10)
    assert eu == pytest.approx(q2, abs=1e-10)


def test_example4_formula_reduces_to_example1_with_one_group():
    """sec-02-ex4: with k = 1 the formula 4k + (m-2k)E[Z] + k E[(U-Z)^+] is Example 1's optimum."""

    for r in (4, 10, 1000):
        ez, eu = max_z_moments(1, r)
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
            assert (
                ex.expected_optimal_welfare() > ex.expected_group_optimal_welfare() > ex.paper_optimal_bound()
            )


def test_example4_symbolic_matches_floats():
    """sec-02-ex4: Example4.symbolic() evaluates to the floats."""
    s = Example4.symbolic()
    for g, r in ((0.5, 10), (0.25, 7)):
        ex = Example4(g, r)
        sub = {s["r"]: r, s["k"]: ex.k}
        assert float(s["expected_optimal_welfare"].subs(sub).doit()) == pytest.approx(
            ex.expected_optimal_welfare(), rel=1e-12
        )
        assert float(s["expected_equilibrium_welfare"].subs(sub)) == pytest.approx(
            ex.expected_equilibrium_welfare(), rel=1e-13
        )
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
