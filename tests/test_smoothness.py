"""Tests of ``aftermarkets.smoothness``: scale laws, exact expectations of scaled deviations, the
slack of Definition 3, and the discriminatory auction's deviation (chapter 3, sec-03-def3,
sec-03-single, sec-03-cor1, sec-03-semi).

The exact expectation is checked against Monte Carlo of the library's auctions and against
numerical quadrature; the discriminatory closed form against the mechanism; smoothness itself by
hypothesis over random profiles; and the search's ability to fail by planted wrong constants.
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
from aftermarkets import single_item_deviations as deviations
from aftermarkets import smoothness as sm

LAM = 1 - math.exp(-1)


def _sorted(rng, shape, scale=1.0, sparse=0.7):
    x = rng.uniform(0, scale, shape) * (rng.random(shape) < sparse)
    return -np.sort(-x, axis=-1)


# ----------------------------------------------------------------------------- scale laws
@pytest.mark.parametrize("law", [sm.FIRST_PRICE, sm.ALL_PAY], ids=lambda x: x.kind)
def test_moments_match_quadrature(law):
    """sec-03-def3: the closed-form moments of the scale law equal numerical integrals of its
    density, and the total mass is 1."""
    f = (lambda t: 1 / (1 - t)) if law.kind == "first-price" else (lambda t: 1.0)
    for t1, t2 in ((law.low, law.high), (0.1, 0.4), (0.3, 0.3)):
        m0, m1 = law.moments(t1, t2)
        assert m0 == pytest.approx(integrate.quad(f, t1, t2)[0], abs=1e-12)
        assert m1 == pytest.approx(integrate.quad(lambda t: t * f(t), t1, t2)[0], abs=1e-12)
    assert float(law.moments(law.low, law.high)[0]) == pytest.approx(1.0)


@pytest.mark.parametrize("law", [sm.FIRST_PRICE, sm.ALL_PAY], ids=lambda x: x.kind)
def test_sampler_has_the_right_law(law):
    """The inverse-CDF sampler reproduces the moments: mean within 4 standard errors."""
    t = law.sample(200_000, seed=1)
    m0, m1 = law.moments(law.low, law.high)
    assert t.min() >= law.low and t.max() <= law.high
    assert abs(t.mean() - m1 / m0) < 4 * t.std() / math.sqrt(t.size)
    with pytest.raises(ValueError, match="u in"):
        law.ppf(1.5)


def test_single_item_closed_forms():
    """sec-03-single: E[u] = ((1 - 1/e) v - B)^+ (first price) and (v - B)^+ - v/2 (all pay); both
    are at least lam v - B, with equality on [0, top]."""
    v, B = 1.3, np.linspace(0, 2, 201)
    fp, ap = sm.single_item_utility(v, B), sm.single_item_utility(v, B, sm.ALL_PAY)
    assert np.all(fp >= LAM * v - B - 1e-15) and np.all(ap >= 0.5 * v - B - 1e-15)
    assert np.allclose(fp[B <= LAM * v], LAM * v - B[B <= LAM * v])
    assert np.allclose(ap[B <= v], 0.5 * v - B[B <= v])
    with pytest.raises(ValueError, match="non-negative"):
        sm.single_item_utility(-1.0, 0.0)


def test_symbolic_derivations():
    """sec-03-single: sympy gives mass 1, a zero gap below the top, the gap B - top above, and
    PoA bounds e/(e - 1) and 2."""
    fp, ap = deviations.first_price_symbolic(), deviations.all_pay_symbolic()
    for s in (fp, ap):
        assert s["mass"] == 1 and s["slack_below"] == 0
        assert sp.simplify(s["slack_above"] - (s["B"] - s["top"])) == 0
    assert sp.simplify(1 / fp["lam"] - sp.E / (sp.E - 1)) == 0 and 1 / ap["lam"] == 2


def test_best_constant_lp_tends_to_the_known_constants():
    """sec-03-single: the LP over all deviations on a grid of bids is increasing in the grid and
    within 2e-3 of 1 - 1/e and 1/2 at 401 points; its first-price optimum has CDF within 5e-3 of
    -ln(1 - b)."""
    fp = [deviations.best_constant_lp("first-price", g)[0] for g in (50, 200, 400)]
    ap = [deviations.best_constant_lp("all-pay", g)[0] for g in (50, 200, 400)]
    assert fp[0] < fp[1] < fp[2] <= LAM and LAM - fp[2] < 2e-3
    assert ap[0] < ap[1] < ap[2] <= 0.5 and 0.5 - ap[2] < 2e-3
    _, g = deviations.best_constant_lp("first-price", 400)
    b = np.arange(401) / 400
    with np.errstate(divide="ignore"):
        theory = np.where(b < LAM, -np.log1p(-b), 1.0)
    assert np.abs(np.cumsum(g) - theory).max() < 5e-3
    with pytest.raises(ValueError, match="kind"):
        deviations.best_constant_lp("second-price")


# ----------------------------------------------------------------------------- exact expectations
@pytest.mark.parametrize("mech", ["discriminatory", "uniform-price"])
def test_exact_expectation_matches_monte_carlo(mech):
    """sec-03-def3: the exact expected deviation utility equals the mean over 200,000 draws of t
    run through the library's auction (within 4 standard errors), for every bidder."""
    rng = np.random.default_rng(5)
    v, a = _sorted(rng, (3, 3)), _sorted(rng, (3, 3), 1.2)
    d = sm.optimal_units_directions(v)
    exact = sm.deviation_utilities(mech, v, a, d, check=True)[0]
    t = sm.FIRST_PRICE.sample(200_000, seed=6)
    for i in range(3):
        prof = np.repeat(a[None], t.size, axis=0)
        prof[:, i] = t[:, None] * d[i]
        x, pay = sm.MECHANISMS[mech].run(prof, 3)
        u = np.concatenate([[0.0], np.cumsum(v[i])])[x[:, i]] - pay[:, i]
        assert abs(u.mean() - exact[i]) <= 4 * u.std() / math.sqrt(t.size) + 1e-12


def test_exact_expectation_matches_quadrature():
    """The exact expectation equals scipy quadrature of the mechanism's utility times the density,
    with the breakpoints as quadrature points."""
    v = np.array([[1.0, 0.7], [0.9, 0.2]])
    a = np.array([[0.3, 0.1], [0.45, 0.2]])
    d = sm.optimal_units_directions(v)
    exact = sm.deviation_utilities("discriminatory", v, a, d)[0]
    for i in range(2):

        def u(t, i=i):
            prof = a.copy()
            prof[i] = t * d[i]
            x, pay = sm.MECHANISMS["discriminatory"].run(prof[None], 2)
            return (np.concatenate([[0.0], np.cumsum(v[i])])[x[0, i]] - pay[0, i]) / (1 - t)

        pts = [b / dj for b in a[1 - i] for dj in d[i] if dj > 0]
        q = integrate.quad(u, 0, LAM, points=[p for p in pts if 0 < p < LAM], limit=200)[0]
        assert q == pytest.approx(exact[i], abs=1e-9)


def test_expected_over_scale_detects_a_missing_breakpoint():
    """With check=True, a utility that jumps in the middle third of a segment is refused; with the
    jump declared as a breakpoint, the expectation is exact (the mass above the jump)."""
    jump = lambda t: np.where(t > 0.3, 1.0, 0.0)  # noqa: E731
    with pytest.raises(ValueError, match="not affine"):
        sm.expected_over_scale(jump, np.zeros((1, 0)), check=True)
    m0, _ = sm.FIRST_PRICE.moments(0.3, LAM)
    assert sm.expected_over_scale(jump, np.array([[0.3]]), check=True)[0] == pytest.approx(m0)
    with pytest.raises(ValueError, match="shape"):
        sm.expected_over_scale(lambda t: t, np.zeros(3))


def test_thresholds():
    """sm.thresholds: the (m - j + 1)-th highest bid of the others, zero-padded."""
    assert sm.thresholds([[0, 0], [3, 1], [2, 0]], 0).tolist() == [2.0, 3.0]
    assert sm.thresholds([[5, 4, 3], [1, 0, 0]], 0).tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="agent"):
        sm.thresholds([[1.0]], 3)


# ----------------------------------------------------------------------------- smoothness
@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_discriminatory_is_smooth_and_semi_smooth(n, m, seed):
    """sec-03-cor1 and sec-03-semi: for random values and bids the slack with (1 - 1/e, 1) is
    non-negative for both deviations, the semi-smooth one earns at least as much, and both equal
    the closed forms."""
    rng = np.random.default_rng(seed)
    v, a = _sorted(rng, (50, n, m)), _sorted(rng, (50, n, m), 1.2)
    smooth = sm.slack("discriminatory", v, a)
    semi = sm.slack("discriminatory", v, a, sm.all_units_directions)
    assert smooth.slack.min() >= -1e-12 and semi.slack.min() >= -1e-12
    assert np.all(semi.utilities >= smooth.utilities - 1e-12)
    np.testing.assert_allclose(smooth.utilities, sm.discriminatory_closed_form(v, a), atol=1e-12)
    np.testing.assert_allclose(semi.utilities, sm.discriminatory_closed_form(v, a, v), atol=1e-12)


def test_zero_bids_are_tight():
    """sec-03-cor1: at the all-zero bid profile each deviator earns (1 - 1/e) v_i(x*_i) and the slack
    is exactly 0."""
    rng = np.random.default_rng(9)
    v = _sorted(rng, (100, 3, 3))
    r = sm.slack("discriminatory", v, np.zeros_like(v))
    assert np.abs(r.slack).max() < 1e-12
    assert r.relative().shape == (100,)


def test_planted_wrong_constants_are_violated():
    """A planted failure: lambda above 1 - 1/e is violated at the zero bids, mu below 1 where a
    competing bid sits exactly at (1 - 1/e) times the value."""
    v = np.array([[1.0], [0.1]])
    assert sm.slack("discriminatory", v, np.zeros((2, 1)), lam=0.7).slack[0] == pytest.approx(-0.7 + LAM)
    r = sm.slack("discriminatory", v, [[0.0], [LAM]], mu=0.9)
    assert r.slack[0] == pytest.approx(-0.1 * LAM)
    with pytest.raises(ValueError, match="lam"):
        sm.slack("discriminatory", v, v, lam=0.0)


def test_all_pay_single_item_is_half_smooth():
    """Table 1: the all-pay auction with the uniform deviation has a non-negative (1/2, 1) slack on
    random profiles; it refuses more than one unit."""
    rng = np.random.default_rng(3)
    v, a = rng.uniform(0, 1, (500, 3, 1)), rng.uniform(0, 1.2, (500, 3, 1))
    r = sm.slack("all-pay", v, a, lam=0.5, law=sm.ALL_PAY, check=True)
    assert r.slack.min() >= -1e-12
    with pytest.raises(ValueError, match="single item"):
        sm.MECHANISMS["all-pay"].run(np.zeros((1, 2, 2)), 2)


def test_directions_and_input_checks():
    """Optimal-units directions follow the library's optimal allocation; bad inputs raise."""
    v = np.array([[3.0, 1.0], [2.0, 0.0]])
    np.testing.assert_array_equal(sm.optimal_units_directions(v), [[3, 0], [2, 0]])
    assert am.optimal_allocation(v, 2).tolist() == [1, 1]
    with pytest.raises(ValueError, match="mechanism"):
        sm.slack("vickrey", v, v)
    with pytest.raises(ValueError, match="same"):
        sm.slack("discriminatory", v, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="directions equal"):
        sm.discriminatory_closed_form(v, v, np.ones((2, 2)))
