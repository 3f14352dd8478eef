"""Tests of ``aftermarkets.simultaneous``: bundle valuations, the optimal assignment, the
simultaneous first-price and all-pay item auctions, supporting prices, and Table 1's smoothness
rows on random submodular instances (chapter 3, sec-03-table1).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftermarkets import simultaneous as si
from aftermarkets import smoothness as sm


def test_random_coverage_valuations_are_submodular():
    """Coverage valuations pass the check (monotone, submodular, v(empty) = 0)."""
    v = si.random_submodular(200, 3, 3, seed=1)
    assert si.validate_bundle_values(v).shape == (200, 3, 8)


def test_validation_rejects_bad_valuations():
    """Complements (v(12) > v(1) + v(2)), a non-monotone value and v(empty) != 0 are refused."""
    with pytest.raises(ValueError, match="submodular"):
        si.validate_bundle_values([[0, 1, 1, 3]])
    with pytest.raises(ValueError, match="monotone"):
        si.validate_bundle_values([[0, 1, 1, 0.5]])
    with pytest.raises(ValueError, match="empty"):
        si.validate_bundle_values([[1, 1, 1, 1]])
    with pytest.raises(ValueError, match="2\\^k"):
        si.validate_bundle_values([[0, 1, 1]])


def test_optimal_assignment_by_brute_force():
    """The optimal assignment equals a brute force over all n^k assignments written out here."""
    v = si.random_submodular(50, 2, 3, seed=2)
    bundles, wel = si.optimal_assignment(v)
    for s in range(50):
        best = max(
            sum(v[s, i, sum(1 << j for j in range(3) if assign[j] == i)] for i in range(2))
            for assign in itertools.product(range(2), repeat=3)
        )
        assert wel[s] == pytest.approx(best)
        assert sum(v[s, i, bundles[s, i]] for i in range(2)) == pytest.approx(best)


def test_auction_rules():
    """Highest bid wins each item (ties to the lower index, zero bids never win); first price pays
    the winning bids, all pay pays every bid."""
    bids = np.array([[0.5, 0.0, 0.3], [0.4, 0.0, 0.3]])
    won, pay = si.run(bids, "first-price")
    assert won.tolist() == [0b101, 0] and pay.tolist() == [0.8, 0.0]
    won, pay = si.run(bids, "all-pay")
    assert pay.tolist() == [0.8, 0.7]
    with pytest.raises(ValueError, match="kind"):
        si.run(bids, "vickrey")


def test_supporting_prices():
    """Supporting prices sum to the bundle's value and to at most v(T) on every sub-bundle T."""
    v = si.random_submodular(100, 2, 3, seed=3)
    bundles, _ = si.optimal_assignment(v)
    q = si.supporting_prices(v, bundles)
    for s, i in itertools.product(range(100), range(2)):
        b = bundles[s, i]
        assert q[s, i].sum() == pytest.approx(v[s, i, b])
        for T in range(8):
            if T & b == T:
                assert sum(q[s, i, j] for j in range(3) if T >> j & 1) <= v[s, i, T] + 1e-12


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 3), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_table1_simultaneous_rows(n, k, seed):
    """sec-03-table1: simultaneous first price is (1 - 1/e, 1)-smooth and simultaneous all pay
    (1/2, 1)-smooth with the supporting-price deviation, on random instances; the bound is tight at
    the zero bids."""
    v = si.random_submodular(60, n, k, seed=seed)
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, 1.5, (60, n, k)) * (rng.random((60, n, k)) < 0.6)
    assert si.slack(v, a, check=True).slack.min() >= -1e-12
    assert si.slack(v, a, "all-pay", lam=0.5, law=sm.ALL_PAY, check=True).slack.min() >= -1e-12
    assert np.abs(si.slack(v, np.zeros((n, k))).slack).max() < 1e-12
    wrong = si.slack(v, np.zeros((n, k)), lam=0.7)  # a planted wrong lambda is violated
    assert np.all(wrong.slack[wrong.welfare > 0] < 0)
