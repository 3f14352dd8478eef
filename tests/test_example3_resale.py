"""Tests of ``aftermarkets.instances.example3_resale`` (Example 3, Section 5.1; Chapter 4,
``sec-04-ex3-speculator``): the posteriors of z, the resale optimum under each belief against price
grids, Proposition 1's resale problem and the library's resale market."""

from __future__ import annotations

import math

import numpy as np
import pytest

import aftermarkets as am
from aftermarkets import Example1
from aftermarkets.instances import example3_resale
from aftermarkets.instances.resale import optimal_resale_price, resale_revenue


def test_conditional_survival():
    """The posteriors of z given z >= p and z < p: survival functions that start at 1, are
    non-increasing, vanish above (or at) their support, and mix back to the prior."""
    x = np.linspace(0, 1.2, 1201)
    for m, p in ((4, 0.69), (100, 0.04)):
        prior = example3_resale.conditional_survival(m, x, p, "prior")
        above = example3_resale.conditional_survival(m, x, p, "above")
        below = example3_resale.conditional_survival(m, x, p, "below")
        sp_ = float(am.ExampleOneZ(m).survival(p))
        assert np.allclose(sp_ * above + (1 - sp_) * below, prior, atol=1e-12)
        for s in (above, below):
            assert s[0] == 1 and np.all(np.diff(s) <= 1e-15)
        assert np.all(below[x >= p] == 0) and np.all(above[x <= p] == 1)
    with pytest.raises(ValueError, match="belief"):
        example3_resale.conditional_survival(4, 0.5, 0.3, "posterior")


@pytest.mark.parametrize("m", (4, 7, 30))
@pytest.mark.parametrize("belief", example3_resale.BELIEFS)
def test_optimal_resale_given_beats_a_fine_grid(m, belief):
    """sec-04-ex3-speculator: under every belief, no price on a grid of step 2e-5 earns more than the
    candidate optimum, for every holdings class, and the grid comes close."""
    p = Example1(m).balanced_price()
    a, b, q = np.meshgrid(np.arange(3), np.array([0, 1]), np.arange(1, m + 1), indexing="ij")
    a, b, q = a.ravel(), b.ravel(), q.ravel()
    x, best = example3_resale.optimal_resale_given(a, b, q, m, p, belief)
    grid = np.linspace(1e-4, 2.2, 110_001)
    surv = lambda t: example3_resale.conditional_survival(m, t, p, belief)  # noqa: E731
    rev = resale_revenue(a[:, None], b[:, None], q[:, None], grid[None, :], m, z_survival=surv)
    assert np.all(rev.max(axis=1) <= best + 1e-12)
    assert np.all(rev.max(axis=1) >= best - 1e-4)
    assert np.allclose(resale_revenue(a, b, q, x, m, z_survival=surv), best, atol=1e-12)


def test_prior_belief_matches_chapter_2():
    """With the prior, the optimum equals resale.optimal_resale_price (Proposition 1's resale problem)."""
    m = 10
    a, b, q = np.meshgrid(np.arange(3), np.arange(2), np.arange(1, m + 1), indexing="ij")
    _, best = example3_resale.optimal_resale_given(a, b, q, m, 0.3, "prior")
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
        surv = lambda t: example3_resale.conditional_survival(m, t, p, "above")  # noqa: E731
        exact = float(resale_revenue(*hold, price, m, z_survival=surv))
        assert abs(rev.mean() - exact) < 5 * rev.std() / math.sqrt(rev.size) + 1e-12


def test_validation():
    """Bad input raises ValueErrors."""
    with pytest.raises(ValueError, match="m must be"):
        example3_resale.optimal_resale_given(1, 1, 1, 3, 0.5, "prior")
