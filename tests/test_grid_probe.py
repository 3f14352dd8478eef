"""Tests of ``aftermarkets.instances.grid_probe``: the grid search for non-monotone equilibria of
footnote 22 (Chapter 6, sec-06-footnote22)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from aftermarkets.instances import grid_probe
from aftermarkets.instances.bid_functions import BidFunction
from aftermarkets.instances.laws import uniform
from aftermarkets.instances.single_item import SingleItemMarket


def brute_utility(game, own, other, n, m):
    """Utility of my type n bidding level m, by enumerating the opponent's types (ties split)."""
    v, b, N = game.values, game.bids, game.n_types
    wins = [(1.0 if other[k] < m else 0.5 if other[k] == m else 0.0) / N for k in range(N)]
    u = sum(wins) * (v[n] - b[m])
    # as the winner I post the best price against the types I beat (weights `wins`)
    sale = [max(0.0, v[p] - v[n]) * sum(w for w, x in zip(wins, v) if x >= v[p]) for p in range(N)]
    u += max([0.0, *sale])
    # as the loser, her type k prices against her posterior about me (my prescribed `own`)
    for k in range(N):
        lose = 1.0 / N - wins[k]
        if lose == 0:
            continue
        mine = [(1.0 if own[j] < other[k] else 0.5 if own[j] == other[k] else 0.0) / N for j in range(N)]
        gains = [max(0.0, v[p] - v[k]) * sum(w for w, x in zip(mine, v) if x >= v[p]) for p in range(N)]
        if max(gains) > 0:
            u += lose * max(0.0, v[n] - v[int(np.argmax(gains))])
    return u


def test_utilities_match_enumeration():
    """On a 5-type, 6-level game with non-monotone strategies (ties included), the vectorised
    utility table equals a direct enumeration of the opponent's types."""
    game = grid_probe.GridGame(n_types=5, n_bids=6, top=0.5)
    rng = np.random.default_rng(4)
    for _ in range(3):
        own, other = rng.integers(0, 6, 5), rng.integers(0, 6, 5)
        table = game.utilities(own, other)
        for n, m in itertools.product(range(5), range(6)):
            assert table[n, m] == pytest.approx(brute_utility(game, own, other, n, m), abs=1e-12)


def test_grid_game_approximates_the_continuous_market():
    """For monotone profiles the grid game's utilities are close to the continuous market's
    (the tilt profile, first price, seller-offer resale): within the grid's error of 0.01."""
    game = grid_probe.GridGame(n_types=100, n_bids=121, top=0.6)
    step = game.top / (game.n_bids - 1)
    s1 = np.rint(0.55 * game.values / step).astype(int)
    s2 = np.rint(0.45 * game.values / step).astype(int)
    table = game.utilities(s1, s2)
    law = uniform()
    b = tuple(BidFunction.from_callable(lambda v, k=k: k * v, 0, 1) for k in (0.55, 0.45))
    m = SingleItemMarket((law, law), b, "first-price", "seller-offer", "winner")
    cont = m.outcome(0, game.values, np.broadcast_to(game.bids, (100, 121)).copy()).utility
    assert np.max(np.abs(table - cont)) < 0.01


def test_search_and_census_are_deterministic():
    """sec-06-footnote22: the chapter's six starts; the same search twice gives the same runs;
    from v/2 the first profile is monotone; the census counts best responses."""
    game = grid_probe.GridGame(n_types=20, n_bids=21, top=0.6)
    starts = grid_probe.chapter_starts(game)
    assert list(starts) == ["v/2", "decreasing", "reversed middle", "random 1", "random 2", "random 3"]
    a = grid_probe.search(game, starts, rounds=20)
    b = grid_probe.search(game, starts, rounds=20)
    assert [(r.best_monotone, r.best_nonmonotone, r.final_regret) for r in a] == [
        (r.best_monotone, r.best_nonmonotone, r.final_regret) for r in b
    ]
    assert a[0].first_monotone == 0 and np.isinf(a[0].best_nonmonotone)
    c = grid_probe.response_census(game, grid_probe.random_profiles(game, 20, True, seed=1))
    assert c["profiles"] == 20 and c["monotone"] + c["reversed"] <= 20


def test_chapter_probe_numbers():
    """sec-06-footnote22: on the chapter's grid (60 types, 61 levels, 150 rounds) every run ends
    monotone, the best non-monotone regret visited exceeds twice the floor of v/2 rounded to the
    grid, and no best response to a random monotone profile is strictly reversed, while some best
    responses to random non-monotone profiles are."""
    game = grid_probe.GridGame(n_types=60, n_bids=61, top=0.6)
    starts = grid_probe.chapter_starts(game)
    runs = grid_probe.search(game, starts)
    half = starts["v/2"][0]
    floor = game.regret(half, half)
    assert all(r.final_monotone for r in runs)
    assert min(r.best_nonmonotone for r in runs) > 2 * floor
    mono = grid_probe.response_census(game, grid_probe.random_profiles(game, 300, True, seed=23))
    non = grid_probe.response_census(game, grid_probe.random_profiles(game, 300, False, seed=24))
    assert mono["reversed"] == 0 and non["reversed"] > 0


def test_validation():
    """Strategies must be bid indices for every type; the grid needs two types and two levels."""
    game = grid_probe.GridGame(n_types=5, n_bids=6)
    with pytest.raises(ValueError, match="strategy"):
        game.utilities(np.zeros(4, int), np.zeros(5, int))
    with pytest.raises(ValueError, match="strategy"):
        game.utilities(np.full(5, 6), np.zeros(5, int))
    with pytest.raises(ValueError):
        grid_probe.GridGame(n_types=1)
    with pytest.raises(ValueError):
        grid_probe.GridGame(top=0)


def test_stays_monotone_and_run_rows():
    """sec-06-footnote22: a run that starts at a monotone profile reports first_monotone 0 and
    stays_monotone; a run that is never monotone reports None and False; run_rows gives one row per
    run, with '–' where no profile of a kind was visited and 'never' for no monotone round."""
    game = grid_probe.GridGame(n_types=6, n_bids=7, top=0.6)
    up = np.arange(6)
    runs = grid_probe.search(game, {"up": (up, up), "down": (up[::-1], up[::-1])}, rounds=0)
    assert (runs[0].first_monotone, runs[0].stays_monotone) == (0, True)
    assert (runs[1].first_monotone, runs[1].stays_monotone) == (None, False)
    rows = grid_probe.run_rows(runs)
    assert rows[0][1] == "–" and rows[1][2] == "–" and rows[1][4] == "never"
