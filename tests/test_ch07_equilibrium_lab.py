"""Chapter 7 (``book/07_equilibrium_lab.ipynb``): what its prose and exercises state (its labels and
glue are checked for every chapter in ``test_notebooks.py``).

The lab itself is tested in ``test_lab.py``; the chapter's ledger entries (Proposition 1, Theorem 7,
Theorems 4 and 5, Corollary 1) by the ledger page (``book/ledger.ipynb``, under nbval).
"""

from __future__ import annotations

import numpy as np
import pytest

from aftermarkets import lab
from aftermarkets.ledger.ch07_equilibrium_lab import _survey


def _rows(fmt=None, market=None):
    return [
        r for r in _survey() if (fmt is None or r.format == fmt) and (market is None or r.market == market)
    ]


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


def test_survey_shape_and_the_one_game_without_an_equilibrium():
    """sec-07-survey: 20 games (5 markets x 4 formats); the speculator market's discriminatory auction
    is the only one without a pure equilibrium found, and its best approximate profile has regret
    below 0.05 (fictitious play, 60 rounds)."""
    rows = _survey()
    assert len(rows) == 20 and len({(r.market, r.format) for r in rows}) == 20
    empty = [(r.market, r.format) for r in rows if not r.equilibria]
    assert empty == [("speculator", "discriminatory")]
    assert 0 < _rows("discriminatory", "speculator")[0].results[0].max_regret < 0.05


def test_no_equilibrium_found_below_a_bound():
    """sec-07-bounds: every equilibrium found is at least 0.2 above its format's bound (the figure's
    caption says 'far above'), and its regret is at most 1e-9."""
    for r in _survey():
        for x in r.equilibria:
            assert x.max_regret <= 1e-9
            if r.bound is not None:
                assert x.welfare_ratio > r.bound + 0.2, (r.market, r.format)


def test_where_the_speculator_units_go():
    """sec-07-speculator: under uniform price the speculator of Example 1 wins 2 units and earns 9/8
    (chapter 2's equilibrium); with the reserve or the discriminatory auction she wins nothing in
    every equilibrium found; with the posted price she buys and profits, and welfare stays above 1/2."""
    for market in ("Example 1", "speculator"):
        for fmt in ("uniform + balanced reserve", "discriminatory"):
            for x in _rows(fmt, market)[0].equilibria:
                assert x.holdings[2] == 0.0 and x.utilities[2] == 0.0
    uniform = _rows("uniform", "Example 1")[0]
    assert max(x.holdings[2] for x in uniform.equilibria) == pytest.approx(2.0)
    assert max(x.utilities[2] for x in uniform.equilibria) == pytest.approx(1.125)
    posted = _rows("posted balanced price", "Example 1")[0]
    assert max(x.holdings[2] for x in posted.equilibria) > 1
    assert max(x.utilities[2] for x in posted.equilibria) > 0
    assert posted.worst().welfare_ratio > 0.5


def test_robust_formats_cost_welfare_in_the_random_markets():
    """sec-07-cost: in the random markets the worst equilibrium found of a robust format is below the
    uniform-price auction's worst."""
    rand = [r for r in _survey() if r.market.startswith("random")]
    uniform = min(r.worst().welfare_ratio for r in rand if r.format == "uniform")
    robust = min(r.worst().welfare_ratio for r in rand if r.format != "uniform" and r.equilibria)
    assert robust < uniform


def test_exercise_bids_signal_keeps_the_equilibrium():
    """ex-07-1: with every bid revealed after the auction, the Proposition 1 profile still has regret 0."""
    ex1 = lab.market("Example 1")
    game = lab.LabGame(ex1.market, lab.formats(ex1.market, ex1.levels)[0], signal="bids")
    assert game.evaluate(ex1.starts(game)["Proposition 1"]).max_regret <= 1e-12
