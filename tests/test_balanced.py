"""Tests of ``aftermarkets.balanced``: Claim 1's per-unit price, the Definition 5 checker and the
static price (Chapter 4, ``sec-04-def5``, ``sec-04-static``, ``sec-04-claim1``)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import marginals

import aftermarkets as am
from aftermarkets import balanced


def _brute_force(values, m, price_of_size, alpha=1.0, beta=1.0):
    """Definition 5 by direct loops over every pair of unit-count allocations (reference)."""
    v = np.asarray(values, dtype=float)
    n = v.shape[0]
    opt = [float(am.optimal_welfare(v, k)) for k in range(m + 1)]
    s1 = s2 = np.inf
    for x in itertools.product(range(m + 1), repeat=n):
        if sum(x) > m:
            continue
        left = opt[m - sum(x)]
        s1 = min(s1, sum(price_of_size(k) for k in x) - (opt[m] - left) / alpha)
        for xp in itertools.product(range(m + 1), repeat=n):
            if sum(x) + sum(xp) <= m:
                s2 = min(s2, beta * left - sum(price_of_size(k) for k in xp))
    return s1, s2


@pytest.mark.parametrize("seed", range(6))
def test_checker_matches_a_brute_force_loop(seed):
    """sec-04-def5: the vectorised enumeration equals plain loops over all pairs, for several prices."""
    v = balanced.random_marginals(1, 2, 3, seed=seed)[0]
    w = float(balanced.per_unit_price(v, 3))
    for price in (w, 0.7 * w, 1.3 * w, float(v.max())):
        c = balanced.check_balanced(v, 3, balanced.per_unit_pricing(price))
        s1, s2 = _brute_force(v, 3, lambda k, p=price: p * k)
        assert c.revenue_slack == pytest.approx(s1, abs=1e-12)
        assert c.remaining_slack == pytest.approx(s2, abs=1e-12)


def test_failing_pairs_and_holds():
    """sec-04-def5: the demo profile; the highest marginal fails (ii) at x empty, x' = all units."""
    v = [[4.0, 1.0, 0.0], [2.0, 2.0, 1.0]]
    c = balanced.check_balanced(v, 3, balanced.per_unit_pricing(4.0))
    assert not c.holds()
    assert c.remaining_slack == pytest.approx(-4.0)
    assert sum(c.remaining_pair[0]) == 0 and sum(c.remaining_pair[1]) == 3
    assert c.failing_pair == c.remaining_pair
    low = balanced.check_balanced(v, 3, balanced.per_unit_pricing(2.0))
    assert low.revenue_slack == pytest.approx(-2.0) and sum(low.revenue_pair[0]) == 3
    good = balanced.check_balanced(v, 3, balanced.per_unit_pricing(8 / 3))
    assert good.holds() and good.failing_pair is None
    assert balanced.check_balanced(v, 3, balanced.per_unit_pricing(4.0), beta=1.5).holds()
    assert not balanced.check_balanced(v, 3, balanced.per_unit_pricing(4.0), beta=1.49).holds()


def test_item_level_enumeration():
    """sec-04-def5: item prices at the optimum's marginals are balanced although the items are identical;
    uniform item prices give the same slacks as the size-level check; assignments number (2n+1)^m."""
    v = [[4.0, 1.0, 0.0], [2.0, 2.0, 1.0]]
    c = balanced.check_balanced(v, 3, balanced.item_pricing([4.0, 2.0, 2.0]), items=True)
    assert c.holds() and c.pairs == 5**3 and c.level == "items"
    bad = balanced.check_balanced(v, 3, balanced.item_pricing([4.0, 4.0, 0.0]), items=True)
    assert not bad.holds()
    for w in (8 / 3, 2.0, 3.5):
        a = balanced.check_balanced(v, 3, balanced.item_pricing(np.full(3, w)), items=True)
        b = balanced.check_balanced(v, 3, balanced.per_unit_pricing(w))
        assert a.revenue_slack == pytest.approx(b.revenue_slack) and a.remaining_slack == pytest.approx(
            b.remaining_slack
        )


@given(marginals(max_n=3, max_k=3), st.integers(1, 3))
def test_claim1_per_unit_price_is_balanced(values, m):
    """sec-04-claim1 (Claim 1): w^v = OPT(v)/m per unit is (1, 1)-balanced on every profile."""
    w = float(balanced.per_unit_price(values, m))
    c = balanced.check_balanced(values, m, balanced.per_unit_pricing(w))
    assert c.holds(1e-9)


@given(marginals(max_n=3, max_k=3), st.integers(1, 3), st.floats(0.001, 0.5))
def test_claim1_price_is_the_only_balanced_per_unit_price(values, m, delta):
    """sec-04-claim1: any other per-unit price violates (i) (lower) or (ii) (higher) when OPT > 0."""
    opt = float(am.optimal_welfare(values, m))
    if opt == 0:
        return
    w = opt / m
    assert balanced.check_balanced(values, m, balanced.per_unit_pricing(w * (1 - delta))).revenue_slack < 0
    assert balanced.check_balanced(values, m, balanced.per_unit_pricing(w * (1 + delta))).remaining_slack < 0


def test_static_price_estimates_the_balanced_price():
    """sec-04-static: the estimate of E[OPT]/(2m) contains Example 1's exact balanced price."""
    ex = am.Example1(10)
    est = balanced.static_price(ex.sample_values(100_000, seed=3), 10)
    assert est.contains(ex.balanced_price(), 0.999)
    est2 = balanced.static_price(ex.sample_values(100_000, seed=3), 10, alpha=2.0, beta=1.0)
    assert est2.mean == pytest.approx(est.mean * (2 / 3) / (1 / 2))


def test_validation():
    """Bad input raises ValueErrors that say what is wrong."""
    with pytest.raises(ValueError, match="one valuation profile"):
        balanced.check_balanced(np.ones((2, 2, 2)), 2, balanced.per_unit_pricing(1.0))
    with pytest.raises(ValueError, match="alpha and beta"):
        balanced.check_balanced([[1.0]], 1, balanced.per_unit_pricing(1.0), alpha=0)
    with pytest.raises(ValueError, match="finite prices"):
        balanced.check_balanced([[1.0]], 1, lambda k: -np.asarray(k, float))
    with pytest.raises(ValueError, match="per-unit price"):
        balanced.per_unit_pricing(-1)
    with pytest.raises(ValueError, match="item prices"):
        balanced.item_pricing([[1.0]])
    with pytest.raises(ValueError, match="too many"):
        balanced.check_balanced(np.ones((4, 12)), 12, balanced.item_pricing(np.ones(12)), items=True)
    with pytest.raises(ValueError, match="batch"):
        balanced.static_price([[1.0]], 1)
    with pytest.raises(ValueError, match="m must be"):
        balanced.per_unit_price([[1.0]], 0)
