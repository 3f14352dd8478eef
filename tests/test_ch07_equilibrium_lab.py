"""Chapter 7 (``book/07_equilibrium_lab.ipynb``): what its prose and exercises state (its labels and
glue are checked for every chapter in ``test_notebooks.py``).

The lab itself is tested in ``test_lab.py``; the chapter's ledger entries (Proposition 1, Theorem 7,
Theorems 4 and 5, Corollary 1) by the ledger page (``book/ledger.ipynb``, under nbval). What the
prose says about the survey (sec-07-survey, sec-07-bounds, sec-07-speculator, sec-07-cost: the
games without an equilibrium, the distance to the bounds, where the speculator's units go, what
the robust formats cost) is asserted in the chapter's own hidden cells, next to the numbers they
glue, so that nbval's run of the chapter checks it without a second survey.
"""

from __future__ import annotations

import numpy as np
import pytest

from aftermarkets import lab


def test_first_price_check_finds_half_the_value_exactly():
    """sec-07-checks: from the truthful start alone the solver returns the pure profile v/2 (regret 0)
    for k = 6 and 11 values, on a grid of half the value step."""
    for k in (6, 11):
        market = lab.FiniteMarket([np.linspace(0, 1, k)[:, None]] * 2, [np.full(k, 1 / k)] * 2)
        grid = np.round(np.arange(0, 1 + 1e-9, 1 / (2 * (k - 1))), 9)[:, None]
        game = lab.LabGame(market, lab.first_price(grid), resale=False)
        found = lab.solve(game, random_starts=0)[0]
        assert found.max_regret == 0.0
        np.testing.assert_allclose(grid[found.strategies[0], 0], np.linspace(0, 1, k) / 2, atol=1e-12)


def test_planted_profile_regret_is_one_eighth():
    """sec-07-checks: C bidding on one unit instead of two has regret exactly 1/8, and her best bid is
    (1, 1, 0, 0)."""
    ex1 = lab.market("Example 1")
    uniform = lab.formats(ex1.market, ex1.levels)[0]
    game = lab.LabGame(ex1.market, uniform)
    prop1 = ex1.starts(game)["Proposition 1"]
    one_unit = int(np.flatnonzero((uniform.actions == [1, 0, 0, 0]).all(axis=1))[0])
    planted = [prop1[0], prop1[1], np.array([one_unit])]
    U = game.utilities(2, planted)[0]
    assert U.max() - U[one_unit] == pytest.approx(1 / 8, abs=1e-12)
    assert uniform.actions[int(np.argmax(U))].tolist() == [1, 1, 0, 0]


def test_exercise_bids_signal_keeps_the_equilibrium():
    """ex-07-1: with every bid revealed after the auction, the Proposition 1 profile still has regret 0."""
    ex1 = lab.market("Example 1")
    game = lab.LabGame(ex1.market, lab.formats(ex1.market, ex1.levels)[0], signal="bids")
    assert game.evaluate(ex1.starts(game)["Proposition 1"]).max_regret <= 1e-12
