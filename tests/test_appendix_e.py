"""Tests of ``aftermarkets.instances.appendix_e``: Theorem 7's proof on computed bid functions and
Hafalir and Krishna's asymmetric bidders (Chapter 6: sec-06-asymmetric, sec-06-figure1,
sec-06-claim2, sec-06-claim3, sec-06-iid)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from aftermarkets.instances import appendix_e
from aftermarkets.instances.bid_functions import BidFunction


@pytest.mark.parametrize("name", sorted(appendix_e.FAMILIES))
def test_families_are_monotone_and_asymmetric(name):
    """sec-06-asymmetric: every family is a pair of non-decreasing bid functions on [0, 1] that
    differ somewhere; bump and power agree at both ends, tilt and jump do not at the top."""
    b1, b2 = appendix_e.family(name)
    v = np.linspace(0, 1, 2001)
    assert np.all(np.diff(b1(v)) >= 0) and np.all(np.diff(b2(v)) >= 0)
    assert np.max(np.abs(b1(v) - b2(v))) > 1e-3
    top_equal = abs(float(b1(1.0) - b2(1.0))) < 1e-12
    assert top_equal == (name in ("bump", "power"))


def test_family_parameters_as_the_chapter_states():
    """sec-06-asymmetric: tilt kappa = 0.1; bump kappa = 1.5 with crossings 0.3 and 0.75; jump
    kappa = 0.05 at 0.4; power kappa = 0.2."""
    assert appendix_e.FAMILIES == {
        "tilt": {"kappa": 0.1},
        "bump": {"kappa": 1.5, "c1": 0.3, "c2": 0.75},
        "jump": {"kappa": 0.05, "v_bar": 0.4},
        "power": {"kappa": 0.2},
    }


def test_family_validation():
    """Unknown families and parameters that break monotonicity or the support are refused."""
    with pytest.raises(ValueError, match="family"):
        appendix_e.family("zigzag")
    with pytest.raises(ValueError):
        appendix_e.family("tilt", kappa=1.5)
    with pytest.raises(ValueError):
        appendix_e.family("bump", c1=0.8, c2=0.3)
    with pytest.raises(ValueError):
        appendix_e.family("jump", v_bar=1.2)
    with pytest.raises(ValueError):
        appendix_e.family("power", kappa=-0.1)


def test_crossing_points_of_the_four_families():
    """sec-06-figure1: bump crosses exactly at c1 = 0.3 and c2 = 0.75 (interior); jump at its jump
    0.4 with the upper boundary; tilt and power have b1 >= b2 on the whole support."""
    c = appendix_e.crossing_points(*appendix_e.family("bump"))
    assert c.v_bar == pytest.approx(0.3, abs=1e-12) and c.v_bar_prime == pytest.approx(0.75, abs=1e-12)
    assert 0.3 < c.v_star < 0.75 and not c.lower_boundary and not c.upper_boundary
    j = appendix_e.crossing_points(*appendix_e.family("jump"))
    assert j.v_bar == pytest.approx(0.4, abs=1e-12) and j.upper_boundary and not j.lower_boundary
    for name in ("tilt", "power"):
        t = appendix_e.crossing_points(*appendix_e.family(name))
        assert t.lower_boundary and t.upper_boundary
    b = BidFunction.from_callable(lambda v: v / 2, 0, 1)
    with pytest.raises(ValueError, match="nothing to cross"):
        appendix_e.crossing_points(b, b)


def test_claim2_deviation_on_the_jump_family():
    """sec-06-claim2: epsilon = kappa = 0.05; the deviation keeps the probability of winning (0.4),
    gains at least the proof's bound eps/4 * Pr[win] (it gains eps/2 * Pr[win] = 0.01 here, since
    resale adds almost nothing), and resale adds at most eps/4 per win. For a continuous profile
    the case does not arise (ValueError)."""
    m = appendix_e.market("jump")
    d = appendix_e.claim2_deviation(m, 0.4)
    assert d.eps == pytest.approx(0.05, abs=1e-12) and d.v_hat == pytest.approx(0.4 - 0.05 / 8)
    assert d.win == pytest.approx(0.4, abs=1e-9) and d.win_deviation == pytest.approx(0.4, abs=1e-9)
    assert d.gain >= d.bound > 0 and d.gain == pytest.approx(0.01, abs=1e-4)
    assert 0 <= d.resale_gain <= d.eps / 4 * d.win
    with pytest.raises(ValueError, match="do not differ"):
        appendix_e.claim2_deviation(appendix_e.market("bump"), 0.3)
    with pytest.raises(ValueError, match="conditions"):
        appendix_e.claim2_deviation(m, 0.4, v_hat=0.3)


def test_boundary_deviation():
    """sec-06-claim3: in the tilt profile agent 1 of value 1 gains b1(1) - b2(1) = 0.1 by matching
    agent 2's top bid; the power profile's top bids agree and matching gains nothing."""
    i, top, other, gain = appendix_e.boundary_deviation(appendix_e.market("tilt"))
    assert (i, top, other) == (0, pytest.approx(0.55), pytest.approx(0.45))
    assert gain == pytest.approx(0.1, abs=1e-9)
    _, ptop, pother, pgain = appendix_e.boundary_deviation(appendix_e.market("power"))
    assert ptop == pytest.approx(pother) and pgain == pytest.approx(0.0, abs=1e-12)


def test_claim3_on_the_bump_profile():
    """sec-06-claim3: both bid the same at the crossings, so the utilities agree there; inside, agent
    1's interim allocation is at least agent 2's and strictly larger on average; Lemma 1's residuals
    are equal and opposite, and far from zero."""
    m = appendix_e.market("bump")
    q = appendix_e.claim3_check(m, 0.3, 0.75)
    assert q["u1_lo"] == pytest.approx(q["u2_lo"], abs=1e-9) and q["u1_hi"] == pytest.approx(
        q["u2_hi"], abs=1e-9
    )
    assert q["min_gap"] > 0 and q["int_x1"] > q["int_x2"] + 0.01
    assert q["lemma1_1"] == pytest.approx(-q["lemma1_2"], abs=1e-5) and abs(q["lemma1_1"]) > 0.005


def test_envelope_holds_at_best_responses_only():
    """sec-06-claim3: for the jump profile, Lemma 1 holds for the best-response utility (to 1e-4)
    and fails for the prescribed bids (by more than 0.01)."""
    m = appendix_e.market("jump")
    for i in (0, 1):
        env = appendix_e.envelope(m, i)
        assert env["residual_br"] < 1e-4 < 0.01 < env["residual"]
        assert np.all(env["U"] >= env["u"] - 1e-12)


def test_resale_symbolic():
    """sec-06-iid: price (1 + a) t / 2, bid (1 + a) q / 4, loss (a - 1)^2 / (24 a), resale (a - 1)/(4a),
    E[max] = (3a^2 + 1)/(6a): 1/48, 1/8, 13/12 at a = 2 and 1/18, 1/6 at a = 3."""
    s = appendix_e.resale_symbolic()
    a = s["a"]
    assert sp.simplify(s["loss"] - (a - 1) ** 2 / (24 * a)) == 0
    assert sp.simplify(s["trade"] - (a - 1) / (4 * a)) == 0
    assert sp.simplify(s["optimum"] - (3 * a**2 + 1) / (6 * a)) == 0
    assert [s[k].subs(a, 2) for k in ("loss", "trade", "optimum")] == [
        sp.Rational(1, 48),
        sp.Rational(1, 8),
        sp.Rational(13, 12),
    ]
    assert [s[k].subs(a, 3) for k in ("loss", "trade")] == [sp.Rational(1, 18), sp.Rational(1, 6)]


@pytest.mark.parametrize("a", [2.0, 3.0])
def test_resale_equilibrium_is_an_equilibrium(a):
    """sec-06-iid (and ex-06-3): the derived bids have regret below 1e-6 for both bidders in the
    combined market, and its welfare loss and resale probability match the exact values."""
    m = appendix_e.resale_equilibrium(a)
    assert max(m.regret(i).max for i in (0, 1)) < 1e-6
    assert m.optimal_welfare() - m.welfare() == pytest.approx((a - 1) ** 2 / (24 * a), abs=1e-6)
    assert m.trade_probability() == pytest.approx((a - 1) / (4 * a), abs=1e-6)
    with pytest.raises(ValueError):
        appendix_e.resale_equilibrium(0.5)


def test_no_resale_equilibrium():
    """sec-06-iid: the inverse bids 2b/(1 -+ c b^2) solve the asymmetric first-price ODEs
    (phi_i - b) phi_j'/phi_j = 1, reach 1 and 2 at the common top bid 2/3 (c = -3/4 at a = 2), the
    profile has regret below 1e-6, and it loses less welfare than the equilibrium with resale."""
    b, c = 2 / 3, -3 / 4
    beta = np.linspace(0.05, 0.6, 50)
    p1, p2 = 2 * beta / (1 - c * beta**2), 2 * beta / (1 + c * beta**2)
    d1 = (2 * (1 - c * beta**2) + 4 * c * beta**2) / (1 - c * beta**2) ** 2
    d2 = (2 * (1 + c * beta**2) - 4 * c * beta**2) / (1 + c * beta**2) ** 2
    assert np.allclose((p1 - beta) * d2 / p2, 1) and np.allclose((p2 - beta) * d1 / p1, 1)
    assert 2 * b / (1 - c * b * b) == pytest.approx(1) and 2 * b / (1 + c * b * b) == pytest.approx(2)
    m = appendix_e.no_resale_equilibrium(2.0)
    assert float(m.bids[0](1.0)) == pytest.approx(2 / 3) and float(m.bids[1](2.0)) == pytest.approx(2 / 3)
    assert max(m.regret(i).max for i in (0, 1)) < 1e-6
    loss = m.optimal_welfare() - m.welfare()
    assert 0.01 < loss < 1 / 48


def test_all_pay_families_are_the_first_price_ones_times_v():
    """sec-06-asymmetric: for the all-pay auction each family is v times the first-price one, and
    stays non-decreasing."""
    v = np.linspace(0, 1, 2001)
    for name in appendix_e.FAMILIES:
        fp, ap = appendix_e.family(name), appendix_e.family(name, auction="all-pay")
        for b, c in zip(fp, ap):
            assert np.allclose(c(v), v * b(v), atol=1e-6)  # linear interpolation between knots
            assert np.all(np.diff(c(v)) >= -1e-15)
    with pytest.raises(ValueError):
        appendix_e.family("tilt", auction="second-price")
