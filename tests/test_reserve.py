"""Tests of ``aftermarkets.instances.reserve`` and of Example 1 with a reserve (Section 6, Theorem 5;
Chapter 5), including the reserve and ``z_range`` arguments threaded through Example 1's payoffs.

Docstrings name the chapter's labels (``sec-05-speculator``, ...); ``tests/test_ch05_reserve_prices.py``
checks that every cited label exists.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import aftermarkets as am
from aftermarkets import Example1, bid_family
from aftermarkets.instances import reserve
from aftermarkets.instances.example1 import closed_forms_at_price
from aftermarkets.instances.reserve import ReserveProfile, reserve_bids, reserve_levels
from aftermarkets.instances.speculation import DEVIATION_LEVELS


def _tail_quad(ex, r):
    """E[z 1{z >= r}] = r S(r) + int_r^top S, by quadrature of the library's CDF."""
    s = lambda t: 1 - float(ex.z.cdf(t))  # noqa: E731
    pieces = integrate.quad(s, r, 1.0, limit=400)[0] if r < 1 else 0.0
    return r * s(r) + pieces + integrate.quad(s, max(r, 1.0), ex.z.top)[0]


@pytest.mark.parametrize("m", (4, 5, 10, 100, 1000))
def test_balanced_price_is_half_the_per_unit_optimum(m):
    """sec-05-reserve: balanced_price = E[OPT]/(2m) (one formula, also in closed_forms)."""
    ex = Example1(m)
    assert ex.balanced_price() == pytest.approx(ex.expected_optimal_welfare() / (2 * m), rel=1e-14)
    assert float(Example1.closed_forms(m)["balanced_price"]) == pytest.approx(ex.balanced_price(), rel=1e-14)


@pytest.mark.parametrize("m", (4, 7, 12))
@pytest.mark.parametrize("r", (0.05, 0.3, 0.99, 1.0, 1.5, 2.5))
def test_utilities_under_a_reserve_match_the_mechanisms(m, r):
    """sec-05-speculator: Example1.utilities(reserve) (closed forms, Piecewise in r) equal the library's
    auction with the reserve and resale, integrated exactly, for both price rules."""
    ex = Example1(m)
    exact = ex.utilities(r)
    for rule in ("paper", "optimal-low"):
        assert ex.expected_payoffs(ex.bids(), rule, reserve=r) == pytest.approx(exact, abs=1e-12)
    assert ex.speculator_utility(r) == exact[2]


def test_reserve_zero_keeps_every_existing_number():
    """The default reserve 0 leaves Example 1's payoffs, welfare and deviation checks unchanged."""
    ex = Example1(6)
    bids = bid_family(6, DEVIATION_LEVELS, two_level=False)[:50]
    prof = np.broadcast_to(ex.bids(), (len(bids), 3, 6)).copy()
    prof[:, 2] = bids
    assert np.array_equal(ex.expected_payoffs(prof), ex.expected_payoffs(prof, reserve=0.0))
    assert np.array_equal(ex.expected_welfare_of(prof), ex.expected_welfare_of(prof, reserve=0.0))
    assert ex.utilities(0.0) == ex.utilities() and ex.speculator_utility(0) == ex.speculator_utility()


def test_speculator_utility_at_the_balanced_reserve_is_negative():
    """sec-05-speculator: u_C(p) <= (30 - 9m)/(8m) < 0 for every m from 4 to 10^5 (closed forms), and
    the break-even reserve is (1 + (m-3)/(2m))/(m-2)."""
    ms = np.arange(4, 100_001)
    p = Example1.closed_forms(ms)["balanced_price"]
    u = closed_forms_at_price(ms, p)["speculator_utility_at_reserve"]
    assert np.all(u <= (30 - 9 * ms) / (8 * ms) + 1e-12) and u.max() < 0
    for m in (4, 10, 1000):
        ex = Example1(m)
        assert ex.speculator_utility(ex.break_even_reserve()) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("m", (4, 10, 100, 1000))
@pytest.mark.parametrize("frac", (0.0, 0.01, 0.3, 0.7, 1.0))
def test_welfare_at_price_matches_quadrature(m, frac):
    """sec-05-welfare: welfare_at_price(r) = 21/4 + (m-3) E[z 1{z >= r}], the tail by quadrature."""
    ex = Example1(m)
    assert ex.welfare_at_price(frac) == pytest.approx(5.25 + (m - 3) * _tail_quad(ex, frac), abs=1e-9)


def test_welfare_at_price_rejects_prices_above_one():
    """A's demand depends on U above 1: the formula refuses."""
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Example1(10).welfare_at_price(1.2)
    with pytest.raises(ValueError, match="price"):
        Example1(10).welfare_at_price(-0.1)


@pytest.mark.parametrize("m", (5, 20))
def test_posted_price_welfare_is_the_library_posted_price(m):
    """sec-05-summary: the balanced posted price with order A, B, C and demand purchases, run with the
    library's posted_price_mechanism on sampled types, agrees with posted_price_welfare."""
    ex = Example1(m)
    p = ex.balanced_price()
    v = ex.sample_values(200_000, seed=m)
    out = am.posted_price_mechanism(v, m, p)  # each buyer buys her demand, order A, B, C
    assert out.allocation[:, 2].max() == 0  # C demands nothing
    wel = am.welfare(v, out.allocation)
    assert abs(wel.mean() - ex.posted_price_welfare()) < 5 * wel.std() / math.sqrt(wel.size)


def test_reserve_bids_and_levels():
    """sec-05-best-responses: the reserve profile's bids and the deviation levels."""
    hi, lo = reserve_bids(6, 0.3)
    assert hi[0].tolist() == [2, 1, 0, 0, 0, 0] and hi[1].tolist() == [2] + [0.3] * 5 and not hi[2].any()
    assert lo[1].tolist() == [2, 0, 0, 0, 0, 0] and np.array_equal(lo[[0, 2]], hi[[0, 2]])
    lv = reserve_levels(0.3)
    assert {0.3, 0.297, 0.303, 0.65} <= {round(x, 12) for x in lv} and set(DEVIATION_LEVELS) <= set(lv)
    for bad in (0.0, 1.0, -0.2, float("nan")):
        with pytest.raises(ValueError):
            reserve_bids(6, bad)


@settings(max_examples=25)
@given(m=st.integers(4, 8), t=st.floats(0.01, 1.02), seed=st.integers(0, 10**6))
def test_z_range_mixture_recovers_the_unconditional_payoff(m, t, seed):
    """Property: for bids that do not depend on z, S(t) E[u | z >= t] + (1 - S(t)) E[u | z < t] = E[u]
    (the conditional integration behind threshold strategies is exact)."""
    ex = Example1(m)
    rng = np.random.default_rng(seed)
    fam = bid_family(m, DEVIATION_LEVELS, two_level=False)
    bids = np.stack([fam[rng.integers(len(fam), size=6)] for _ in range(3)], axis=1)
    s = float(ex.z.survival(t))
    for rule in ("paper", "optimal-low"):
        whole = ex.expected_payoffs(bids, rule)
        mix = s * ex.expected_payoffs(bids, rule, z_range=(t, np.inf)) + (1 - s) * ex.expected_payoffs(
            bids, rule, z_range=(0.0, t)
        )
        assert mix == pytest.approx(whole, abs=1e-10)


def test_z_range_rejects_empty_ranges():
    """A z_range outside the support, or reversed, is a ValueError."""
    ex = Example1(5)
    with pytest.raises(ValueError, match="z_range"):
        ex.expected_payoffs(ex.bids(), z_range=(0.5, 0.2))
    with pytest.raises(ValueError, match="z_range"):
        ex.expected_payoffs(ex.bids(), z_range=(1.2, 2.0))


@pytest.mark.parametrize("m", (4, 7))
def test_reserve_profile_payoffs_match_monte_carlo(m):
    """sec-05-welfare: the exact threshold payoffs and welfare agree with the library's mechanisms on
    sampled types, and the profile's welfare is welfare_at_price at the reserve."""
    prof = ReserveProfile(m)
    hi, lo = prof.bids()
    assert float(prof.expected_welfare_of(hi, lo)) == pytest.approx(prof.welfare(), abs=1e-12)
    sim = prof.simulate(200_000, seed=m)
    assert sim["welfare"].contains(prof.welfare(), 0.999)
    assert np.allclose(sim["prices"], prof.reserve) and sim["speculator_units"] == 0
    u = prof.utilities()
    revenue = prof.reserve * (3 + (m - 3) * prof.prob_high)  # every unit sold pays the reserve
    assert sim["revenue"].contains(revenue, 0.999)
    assert u[2] == 0.0 and u.sum() + revenue == pytest.approx(prof.welfare(), abs=1e-12)


@pytest.mark.parametrize("m", (4, 6))
def test_reserve_profile_has_no_profitable_deviation(m):
    """sec-05-best-responses: the reserve profile's largest regret is 0 for A, B, C (both price rules)."""
    prof = ReserveProfile(m)
    for rule in ("optimal", "paper"):
        for i in range(3):
            assert prof.deviation_check(i, rule).largest_gain <= 1e-9


def test_deviation_check_under_the_reserve_finds_the_speculators_gain():
    """sec-05-best-responses: at Proposition 1's profile with the balanced reserve, C gains by buying one
    unit: 1 - p - u_C(p) = 1 - p - 1 - (m-3)/(2m) + (m-2)p; A and B gain nothing."""
    rows = reserve.proposition1_under_reserve(ms=(4, 6))
    for r in rows:
        ex = Example1(r["m"])
        p = ex.balanced_price()
        if r["agent"] == "C":
            assert r["regret"] == pytest.approx(1 - p - ex.speculator_utility(p), abs=1e-12)
            assert (r["best_action"] > 0).sum() == 1
        else:
            assert r["regret"] <= 1e-9


def test_threshold_check_has_teeth():
    """A planted failure: with a reserve below h = 1/(2m) the speculator gains h - r on each of B's
    unsold units, and the reserve profile's check reports it."""
    m = 6
    h = 1 / (2 * m)
    prof = ReserveProfile(m, 0.5 * h)
    c = prof.deviation_check("C")
    # buying the m - 3 units B leaves unsold when z < r, reselling at 1: (m-3)(h - r) at best
    assert c.largest_gain == pytest.approx((m - 3) * 0.5 * h, rel=1e-9)


@pytest.mark.parametrize("m", (4, 10))
def test_speculator_bound_is_an_upper_bound(m):
    """sec-05-best-responses: the belief-free bound is at least C's payoff under Chapter 2's resale (any
    price rule) for every bid, is 0 for bidding nothing, and is negative for every bid that can win."""
    prof = ReserveProfile(m)
    bids = prof.deviation_bids()
    bound = prof.speculator_bound(bids)
    hi, lo = prof.bids()
    P_hi = np.broadcast_to(hi, (len(bids),) + hi.shape).copy()
    P_lo = np.broadcast_to(lo, (len(bids),) + lo.shape).copy()
    P_hi[:, 2] = P_lo[:, 2] = bids
    for rule in ("paper", "optimal-low", "optimal-high"):
        u = prof.expected_payoffs(P_hi, P_lo, rule)[:, 2]
        assert np.all(u <= bound + 1e-12)
    wins = bids.max(axis=1) >= prof.reserve
    assert bound[~wins].max() == 0.0 and bound[wins].max() < 0


def test_speculator_bound_monte_carlo_of_the_added_value():
    """The added value of C's units (first units 2, then U and z) matches a brute-force greedy over
    sampled types for a few holdings."""
    m = 8
    prof = ReserveProfile(m)
    ex = prof.example
    v = ex.sample_values(400_000, seed=2)
    U, z = v.levels[:, 0, 1], v.levels[:, 1, 1]
    hi = z >= prof.reserve
    for a, b, q in ((0, 0, 3), (1, 1, 2), (1, 3, 4), (2, 1, 3), (2, 6, 0), (0, 1, 7)):
        base = am.welfare(v, np.array([a, b, 0]))
        # greedy optimum of q extra units over A's and B's remaining marginals
        gains = (
            np.stack([am.welfare(v, np.array([a + k, b + q - k, 0])) for k in range(q + 1)]).max(axis=0)
            - base
        )
        for mask in (hi, ~hi):
            ez, emax = z[mask].mean(), np.maximum(U, z)[mask].mean()
            exact = prof._added_value(np.array([a]), np.array([b]), np.array([q]), ez, emax)[0]
            assert gains[mask].mean() == pytest.approx(
                exact, abs=5 * gains[mask].std() / math.sqrt(mask.sum()) + 1e-9
            )


def test_off_reserve_rows():
    """sec-05-off-reserve: the speculator's gain at Proposition 1's profile is (m - 3)(r - h) above h and 0
    below; the reserve profile is an equilibrium from 2h to 1.5p, not at h/2; Theorem 6's guarantee is
    max(0, 1/2 - m|r - p|/E[OPT])."""
    m = 5
    ex = Example1(m)
    h, p, opt = 1 / (2 * m), ex.balanced_price(), ex.expected_optimal_welfare()
    rows = reserve.off_reserve(m)
    for r in rows:
        assert r["speculator_gain"] == pytest.approx(max(0.0, (m - 3) * (r["reserve"] - h)), abs=1e-12)
        assert r["guarantee"] == pytest.approx(max(0.0, 0.5 - m * abs(r["reserve"] - p) / opt), abs=1e-12)
        assert r["share"] == pytest.approx(ex.welfare_at_price(r["reserve"]) / opt, abs=1e-15)
    assert rows[0]["regret"] > 0.05 and all(r["regret"] <= 1e-9 for r in rows[1:])


def test_any_aftermarket_limit_is_where_ez_reaches_p():
    """sec-05-best-responses: E[z] < p up to the limit, E[z] >= p just after (exact closed forms)."""
    from aftermarkets.instances import reserve as R

    limit = R.any_aftermarket_limit()
    assert 1.75e4 <= limit < 1.85e4  # "m up to about 1.8 x 10^4" in the chapter's takeaways
    below, above = Example1(limit), Example1(limit + 1)
    assert below.expected_z() < below.balanced_price()
    assert above.expected_z() >= above.balanced_price()
    assert R.any_aftermarket_limit(m_max=1000) == 1000  # no crossing below 1000


def test_outbid_bound_changes_sign_at_the_limit():
    """C outbidding B's reserve bids: negative bound up to the limit, positive at large m."""
    from aftermarkets.instances import reserve as R

    limit = R.any_aftermarket_limit()
    assert R.outbid_bound(1000) < 0
    assert R.outbid_bound(limit) < 0
    assert R.outbid_bound(limit + 2) > 0
    assert R.outbid_bound(30_000) > 0.1
    with pytest.raises(ValueError, match="level"):
        R.outbid_bound(10, level=0.1)
