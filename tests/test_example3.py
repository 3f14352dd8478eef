"""Tests of ``aftermarkets.instances.example3`` (Example 3, Section 5.1; Chapter 4, ``sec-04-ex3-price``,
``sec-04-ex3-speculator``, ``sec-04-ex3-b``): the resale optimum under each belief against price
grids and the library's resale market, the candidate quantities against every quantity, and the
closed-form scan against the library's mechanisms."""

from __future__ import annotations

import math

import numpy as np
import pytest

import aftermarkets as am
from aftermarkets import Example1
from aftermarkets.instances import example3
from aftermarkets.instances.resale import optimal_resale_price, resale_revenue


def test_conditional_survival():
    """The posteriors of z given z >= p and z < p: survival functions that start at 1, are
    non-increasing, vanish above (or at) their support, and mix back to the prior."""
    x = np.linspace(0, 1.2, 1201)
    for m, p in ((4, 0.69), (100, 0.04)):
        prior = example3.conditional_survival(m, x, p, "prior")
        above = example3.conditional_survival(m, x, p, "above")
        below = example3.conditional_survival(m, x, p, "below")
        sp_ = float(am.ExampleOneZ(m).survival(p))
        assert np.allclose(sp_ * above + (1 - sp_) * below, prior, atol=1e-12)
        for s in (above, below):
            assert s[0] == 1 and np.all(np.diff(s) <= 1e-15)
        assert np.all(below[x >= p] == 0) and np.all(above[x <= p] == 1)
    with pytest.raises(ValueError, match="belief"):
        example3.conditional_survival(4, 0.5, 0.3, "posterior")


@pytest.mark.parametrize("m", (4, 7, 30))
@pytest.mark.parametrize("belief", example3.BELIEFS)
def test_optimal_resale_given_beats_a_fine_grid(m, belief):
    """sec-04-ex3-speculator: under every belief, no price on a grid of step 2e-5 earns more than the
    candidate optimum, for every holdings class, and the grid comes close."""
    p = Example1(m).balanced_price()
    a, b, q = np.meshgrid(np.arange(3), np.array([0, 1]), np.arange(1, m + 1), indexing="ij")
    a, b, q = a.ravel(), b.ravel(), q.ravel()
    x, best = example3.optimal_resale_given(a, b, q, m, p, belief)
    grid = np.linspace(1e-4, 2.2, 110_001)
    surv = lambda t: example3.conditional_survival(m, t, p, belief)  # noqa: E731
    rev = resale_revenue(a[:, None], b[:, None], q[:, None], grid[None, :], m, z_survival=surv)
    assert np.all(rev.max(axis=1) <= best + 1e-12)
    assert np.all(rev.max(axis=1) >= best - 1e-4)
    assert np.allclose(resale_revenue(a, b, q, x, m, z_survival=surv), best, atol=1e-12)


def test_prior_belief_matches_chapter_2():
    """With the prior, the optimum equals resale.optimal_resale_price (Proposition 1's resale problem)."""
    m = 10
    a, b, q = np.meshgrid(np.arange(3), np.arange(2), np.arange(1, m + 1), indexing="ij")
    _, best = example3.optimal_resale_given(a, b, q, m, 0.3, "prior")
    assert np.allclose(best, optimal_resale_price(a, b, q, m).revenue, atol=1e-12)


@pytest.mark.parametrize("m", (5, 20))
def test_posterior_revenue_against_the_library_market(m):
    """The revenue under the belief 'z >= p' equals C's sales in the library's take-it-or-leave-it
    market on profiles sampled from that posterior (Monte Carlo)."""
    ex = Example1(m)
    p = ex.balanced_price()
    rng = np.random.default_rng(m)
    z = ex.z.sample(400_000, rng)
    z = z[z >= p][:100_000]
    U = ex.second_unit.sample(len(z), rng)
    v = ex.values(U, z)
    for hold, price in (((2, 0, m - 2), 2.0), ((2, m - 3, 1), 1.0), ((0, 0, m), 1.3)):
        out = am.take_it_or_leave_it(v, list(hold), seller=2, price=price, order=(0, 1))
        rev = -out.payments[:, 2]
        surv = lambda t: example3.conditional_survival(m, t, p, "above")  # noqa: E731
        exact = float(resale_revenue(*hold, price, m, z_survival=surv))
        assert abs(rev.mean() - exact) < 5 * rev.std() / math.sqrt(rev.size) + 1e-12


@pytest.mark.parametrize("m", list(range(4, 61)) + [100, 121, 122, 135, 136, 200])
def test_candidate_quantities_find_the_best_of_every_quantity(m):
    """sec-04-ex3-speculator: C's best quantity over the candidates (and over the scan's template) is
    her best over every quantity, with the same profit, in every order."""
    s = example3.scan([m])
    for j, order in enumerate(example3.ORDERS):
        full = example3.speculator_profits(m, order)
        if full.saw_b:
            qa = full.q[np.argmax(full.profit["above"])]
            qb = full.q[np.argmax(full.profit["below"])]
            best = full.p_above * full.profit["above"].max() + (1 - full.p_above) * full.profit["below"].max()
        else:
            qa = qb = full.q[np.argmax(full.profit["expected"])]
            best = full.profit["expected"].max()
        assert (s.q_above[0, j], s.q_below[0, j]) == (qa, qb), order
        assert s.profit[0, j] == pytest.approx(best, abs=1e-12)
        cand = example3.candidate_quantities(m, order)
        assert set(cand) <= set(example3._template(np.array([[m]]), order)[0])


def test_template_covers_the_run_ends_for_every_m():
    """The scan's quantities (0 to 4 and the seven largest) contain every run end, m = 4..1000."""
    for order in example3.ORDERS:
        tmpl = example3._template(np.arange(4, 1001)[:, None], order)
        for i, m in enumerate(range(4, 1001)):
            assert set(example3.candidate_quantities(m, order)) <= set(tmpl[i])


@pytest.mark.parametrize("m", (4, 6, 10, 70, 71, 135, 136, 500))
def test_scan_agrees_with_the_library_mechanisms(m):
    """sec-04-ex3-speculator: welfare, B's holdings and C's revenue from B in closed form equal the
    library's posted price, resale and combined market at the cells' conditional means."""
    s = example3.scan([m])
    for out in example3.posted_price_outcomes(m):
        j = s.orders.index(out.order)
        assert out.welfare == pytest.approx(s.welfare[0, j], abs=1e-9)
        assert out.b_units == pytest.approx(s.b_units[0, j], abs=1e-9)
        assert out.b_final == pytest.approx(s.b_final[0, j], abs=1e-9)
        assert out.revenue_from_b == pytest.approx(s.revenue_from_b[0, j], abs=1e-12)
        assert out.units_for_b == pytest.approx(s.units_for_b[0, j], abs=1e-9)


@pytest.mark.parametrize("m,order", ((4, "CAB"), (10, "CBA"), (100, "CBA"), (8, "ABC")))
def test_scan_welfare_by_monte_carlo(m, order):
    """The market with C's chosen quantity and resale price, simulated on sampled (U, z) through the
    library's mechanisms, agrees with the closed-form welfare."""
    s = example3.scan([m], orders=(order,))
    ex = Example1(m)
    v = ex.sample_values(200_000, seed=m)
    z = v.levels[:, 1, 1]
    above = z >= s.price[0]
    q = np.where(above, s.q_above[0, 0], s.q_below[0, 0])
    demand = np.where(above, m, 1)
    req = np.column_stack([np.full(len(z), 2), demand, q])
    auction = am.posted_price_mechanism(
        v, m, s.price[0], order=["ABC".index(c) for c in order], quantities=req
    )
    price = np.where(above, s.resale_above[0, 0], s.resale_below[0, 0])
    out = am.combined_market(v, auction, lambda vv, h: am.take_it_or_leave_it(vv, h, 2, price, order=(0, 1)))
    w = np.asarray(out.welfare)
    assert abs(w.mean() - s.welfare[0, 0]) < 5 * w.std() / math.sqrt(w.size) + 1e-9


def test_balanced_posted_price_welfare_for_other_chapters():
    """The reusable entry point: per-order welfare arrays, the optimum and the worst order, with the
    worst order's share at least one half for every m (Theorem 4)."""
    w = example3.balanced_posted_price_welfare(np.arange(4, 301))
    assert set(example3.ORDERS) <= set(w)
    assert np.allclose(w["worst"], np.min([w[o] for o in example3.ORDERS], axis=0))
    assert np.all(w["worst"] / w["optimum"] >= 0.5)
    assert w["optimum"][0] == pytest.approx(Example1(4).expected_optimal_welfare())


def test_validation():
    """Bad input raises ValueErrors."""
    with pytest.raises(ValueError, match="order"):
        example3.speculator_profits(10, "ABD")
    with pytest.raises(ValueError, match="m must be"):
        example3.scan([3])
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        example3.scan([10], price=1.5)
    with pytest.raises(ValueError, match="m must be"):
        example3.optimal_resale_given(1, 1, 1, 3, 0.5, "prior")
