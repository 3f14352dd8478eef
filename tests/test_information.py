"""Tests of ``aftermarkets.information``: correlated priors in the lab, the augmented market of an
acquisition policy, equilibria with an information option, Appendix A.2's phantom deviation and
Proposition 3's semi-smooth chain (chapter 3, sec-03-semi and sec-03-info).

Hand computations use the chapter's instance (first price, grid step 0.1; incumbent values 0.2 or
1, researcher value 0.6).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from aftermarkets import information as inf
from aftermarkets import lab
from aftermarkets.instances import smooth_auctions as sa

LAM = 1 - math.exp(-1)


def test_correlated_market_validation_and_probabilities():
    """The joint prior must be a probability table of the right shape with positive marginals; the
    lab's profile probabilities are the joint ones and Wel(F) uses them."""
    vals = [np.array([[0.2], [1.0]]), np.array([[0.5], [0.9]])]
    J = np.array([[0.4, 0.1], [0.1, 0.4]])
    mk = inf.correlated_market(vals, J)
    np.testing.assert_allclose(mk.profile_probs(), J.ravel())
    np.testing.assert_allclose(mk.probs[0], [0.5, 0.5])
    # Wel(F): max values 0.5, 0.9, 1, 1 with the joint probabilities
    assert mk.expected_optimal_welfare() == pytest.approx(0.4 * 0.5 + 0.1 * 0.9 + 0.1 * 1 + 0.4 * 1)
    with pytest.raises(ValueError, match="probability table"):
        inf.correlated_market(vals, [[0.5, 0.5]])
    with pytest.raises(ValueError, match="positive marginal"):
        inf.correlated_market(vals, [[1.0, 0.0], [0.0, 0.0]])


def test_lab_utilities_condition_on_the_own_type():
    """With perfectly matched types, the lab's interim utility of a bid is computed against the
    other's bid *given the own type*: a low bidder faces the other's low bid only."""
    vals = [np.array([[0.2], [1.0]])] * 2
    J = np.array([[0.5, 0.0], [0.0, 0.5]])
    mk = inf.correlated_market(vals, J)
    grid = np.round(np.arange(0, 1.0001, 0.1), 9)[:, None]
    game = lab.LabGame(mk, lab.first_price(grid), resale=False)
    sigma = [np.array([1, 5]), np.array([1, 5])]  # bid 0.1 when low, 0.5 when high
    U = game.utilities(0, sigma)
    # low type bidding 0.2 beats the other's 0.1 for sure: 0.2 - 0.2 = 0; bidding 0.1 ties: 0.05
    assert U[0, 1] == pytest.approx(0.5 * (0.2 - 0.1))
    # high type bidding 0.6 beats the other's 0.5 for sure: 0.4 (independence would mix in 0.1)
    assert U[1, 6] == pytest.approx(1.0 - 0.6)


def test_informed_market_labels_and_joint():
    """A policy that buys for type 0 only: augmented types (0, s) for every other type s, and
    (1, None); the informed type sees the other's type for sure."""
    market, _ = sa.proposition5_market()
    mk, labels = inf.informed_market(market, 0, [True, False])
    assert labels == [(0, 0), (1, None)]  # the researcher has one type
    mk2, labels2 = inf.informed_market(market, 1, [True])
    assert labels2 == [(0, 0), (0, 1)]
    J = mk2.joint  # rows: incumbent type; columns: researcher's augmented type
    np.testing.assert_allclose(J, [[0.5, 0.0], [0.0, 0.5]])
    with pytest.raises(ValueError, match="one decision per type"):
        inf.informed_market(market, 1, [True, True])


def test_signal_value_and_option_equilibria_by_hand():
    """sec-03-info: against the no-information equilibrium (incumbent bids 0.2 / 0.4, researcher
    0.3) the researcher's uninformed value is 0.5 x 0.3 = 0.15 and her informed value
    0.5 x 0.3 + 0.5 x (0.6 - 0.5) = 0.2: the signal is worth 0.05. So the no-information profile is
    an equilibrium with the option at c = 0.1 (regret 0) but not at c = 0 (regret 0.05)."""
    market, grid = sa.proposition5_market()
    fmt = lab.first_price(grid)
    for cost, regret in ((0.0, 0.05), (0.1, 0.0)):
        eqs = inf.solve_with_option(market, fmt, 1, cost, random_starts=0, max_iter=150)
        none = next(e for e in eqs if not e.policy[0])
        assert none.signal_value[0] == pytest.approx(0.05)
        assert none.max_regret == pytest.approx(regret, abs=1e-12)
        assert none.net_welfare == pytest.approx(0.8)
    with pytest.raises(ValueError, match="non-negative"):
        inf.solve_with_option(market, fmt, 1, -0.1)


def test_phantom_deviation_by_hand():
    """sec-03-info: at the equilibrium with free information (incumbent 0.2 / 0.7, informed
    researcher 0.3 / 0.6), only the high incumbent deviates (she is the optimal winner against a
    phantom researcher), with E[u] = ((1 - 1/e) - B)^+. She actually faces B = 0.6 (the researcher
    knows she is high), but A.2's formula draws B from the researcher's marginal {0.3, 0.6}. The
    equilibrium revenue is E[max bid] = 0.5 (0.3 + 0.7), the product of marginals gives
    (0.3 + 0.7 + 0.6 + 0.7) / 4."""
    market, grid = sa.proposition5_market()
    mk, _ = inf.informed_market(market, 1, [True])
    game = lab.LabGame(mk, lab.first_price(grid), resale=False)
    sigma = [np.array([2, 7]), np.array([3, 6])]
    assert game.evaluate(sigma).max_regret <= 1e-12
    out = inf.phantom_deviation(market, game, sigma, "first-price")
    assert out["actual"][0] == pytest.approx(0.5 * (LAM - 0.6))
    assert out["paper"][0] == pytest.approx(0.5 * (0.5 * (LAM - 0.3) + 0.5 * (LAM - 0.6)))
    assert out["actual"][1] == pytest.approx(out["paper"][1])  # the incumbent is uninformed
    assert out["revenue"] == pytest.approx(0.5) and out["revenue_product"] == pytest.approx(0.575)
    # A.2's equation (2) with G the joint law of the actions: utilities 0.15 + 0.15 = 0.8 - 0.5
    assert out["revenue_joint"] == pytest.approx(0.5)
    assert out["equilibrium"].sum() == pytest.approx(out["welfare"] - out["revenue_joint"])
    chain = inf.semi_smooth_chain(game, sigma, "first-price")
    assert chain["deviation"].sum() >= LAM * chain["optimal_welfare"] - chain["revenue"]


def test_without_information_the_two_agree():
    """With independent types and no information, A.2's expression is the actual deviation utility
    and the product of marginals gives the equilibrium revenue (Proposition 2's setting)."""
    market, grid = sa.proposition5_market()
    game = lab.LabGame(market, lab.first_price(grid), resale=False)
    sigma = [np.array([2, 4]), np.array([3])]
    out = inf.phantom_deviation(market, game, sigma, "first-price")
    np.testing.assert_allclose(out["actual"], out["paper"], atol=1e-15)
    assert out["revenue"] == pytest.approx(out["revenue_product"]) == pytest.approx(out["revenue_joint"])
