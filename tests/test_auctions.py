"""Tests of ``aftermarkets.auctions``: uniform-price, discriminatory and posted-price mechanisms.

Section 2.1.2 of the paper (standard bidding: m non-increasing marginal bids per bidder, the m
highest marginal bids win; uniform price = highest losing bid; discriminatory = pay your winning
bids; posted price = buyers approached in a fixed order) and Section 6's per-unit reserve. The
properties are those listed in issue 2, item 7.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import PRICE, marginals, non_increasing, permutation, tied_batch

import aftermarkets as am

# --------------------------------------------------------------------------- helpers


@st.composite
def auction_case(draw, batch=None, max_n=4, max_m=5):
    """(bids, m, reserve, priority): bids (n, m) or (S, n, m); reserve 0 half of the time."""
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    bids = draw(marginals(n=n, k=m, batch=batch))
    reserve = draw(st.one_of(st.just(0.0), PRICE))
    priority = draw(st.one_of(st.none(), permutation(n)))
    return bids, m, reserve, priority


def reference_auction(bids, m, reserve, priority):
    """Standard bidding by hand: rank (bid desc, priority rank, unit); the first m admissible bids
    (> 0 and >= reserve) win; highest losing bid over every non-winning bid (0 if none)."""
    n, k = bids.shape
    rank = {agent: r for r, agent in enumerate(range(n) if priority is None else priority)}
    entries = sorted((-bids[i, j], rank[i], j, i) for i in range(n) for j in range(k))
    admissible = [e for e in entries if -e[0] > 0 and -e[0] >= reserve]
    winners = admissible[:m]
    x = np.zeros(n, dtype=int)
    for e in winners:
        x[e[3]] += 1
    losing = [-e[0] for e in entries if e not in winners]
    hlb = max(losing, default=0.0)
    return x, max(reserve, hlb), hlb


def winning_bids(bids, x):
    """The multiset of winning bids if agent i wins her x_i highest bids, sorted descending."""
    return np.sort(np.concatenate([bids[i, : x[i]] for i in range(len(x))]))[::-1]


# --------------------------------------------------------------------------- uniform price


@given(auction_case())
def test_uniform_matches_reference(case):
    """Allocation and price equal a by-hand implementation of standard bidding with the
    documented tie rule (bid, then priority, then unit) and price = max(reserve, highest losing
    bid) (Section 2.1.2; Section 6 for the reserve)."""
    bids, m, reserve, priority = case
    out = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    x, price, _ = reference_auction(bids, m, reserve, priority)
    np.testing.assert_array_equal(out.allocation, x)
    assert out.price == price
    np.testing.assert_array_equal(out.payments, x * price)


@given(auction_case())
def test_uniform_allocation_properties(case):
    """Issue 2's properties of standard bidding: sum x <= m; the winning bids, when each agent
    wins her x_i highest bids, are exactly the top-k admissible bids (k = min(m, #admissible));
    bids strictly below the reserve and zero bids never win."""
    bids, m, reserve, priority = case
    out = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    x = out.allocation
    assert x.shape == (bids.shape[0],) and np.all(x >= 0)
    assert x.sum() <= m
    admissible = np.sort(bids[(bids > 0) & (bids >= reserve)])[::-1]
    k = min(m, admissible.size)
    assert x.sum() == k
    won = winning_bids(bids, x)
    np.testing.assert_array_equal(won, admissible[:k])
    assert np.all(won >= reserve) and np.all(won > 0)


@given(auction_case())
def test_uniform_price_between_highest_losing_and_lowest_winning(case):
    """The uniform price lies between the highest losing bid and the lowest winning bid
    (Section 2.1.2), is at least the reserve, equals max(reserve, highest losing bid), and every
    winner pays price x units."""
    bids, m, reserve, priority = case
    out = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    x = out.allocation
    won = winning_bids(bids, x)
    lost = np.concatenate([bids[i, x[i] :] for i in range(len(x))])
    hlb = lost.max() if lost.size else 0.0
    assert out.price >= hlb
    assert out.price >= reserve
    if won.size:
        assert out.price <= won.min()
    assert out.price == max(reserve, hlb)
    np.testing.assert_array_equal(out.payments, x * out.price)
    assert out.revenue == pytest.approx(x.sum() * out.price)


@given(auction_case())
def test_payments_never_exceed_bids_and_discriminatory_dominates(case):
    """On the same bids (same reserve and tie rule) both auctions allocate alike; each agent's
    discriminatory payment is the sum of her winning bids, at least her uniform payment; and no
    payment exceeds the sum of the agent's winning bids (so a truthful bidder never loses)."""
    bids, m, reserve, priority = case
    uni = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    dis = am.discriminatory_auction(bids, m, reserve=reserve, priority=priority)
    np.testing.assert_array_equal(uni.allocation, dis.allocation)
    assert dis.price is None
    bid_sums = np.array([bids[i, :x].sum() for i, x in enumerate(dis.allocation)])
    np.testing.assert_allclose(dis.payments, bid_sums, rtol=1e-12, atol=0)
    assert np.all(dis.payments >= uni.payments - 1e-12 * (1 + bid_sums))
    assert np.all(uni.payments <= bid_sums + 1e-12 * (1 + bid_sums))
    assert np.all(uni.payments >= 0) and np.all(dis.payments >= 0)


def test_reserve_strictly_below_never_wins_equal_can_win():
    """Section 6's reserve: a bid equal to the reserve wins, a bid just below it never does, and
    the price becomes the reserve when the highest losing bid is lower."""
    bids = [[2.0, 1.0], [1.0, 0.999]]
    out = am.uniform_price_auction(bids, 2, reserve=1.0)
    np.testing.assert_array_equal(out.allocation, [2, 0])  # the two 1.0 bids tie: agent 0 first
    assert out.price == 1.0  # the highest losing bid, agent 1's 1.0
    four = [[2.0, 1.0, 0.0, 0.0], [1.0, 0.999, 0.0, 0.0]]
    out = am.uniform_price_auction(four, 4, reserve=1.0)
    np.testing.assert_array_equal(out.allocation, [2, 1])  # both bids of 1.0 win, 0.999 does not
    assert out.price == 1.0  # highest losing bid 0.999 is below the reserve
    out = am.uniform_price_auction(four, 4, reserve=1.0 + 1e-12)
    np.testing.assert_array_equal(out.allocation, [1, 0])
    assert out.price == 1.0 + 1e-12


@given(auction_case(max_n=3, max_m=4), st.data())
def test_bids_below_reserve_never_win(case, data):
    """With the reserve set to one of the submitted bids, every bid at that level is admissible and
    every bid strictly below it loses (Section 6)."""
    bids, m, _, priority = case
    r = float(data.draw(st.sampled_from(sorted(set(bids.ravel().tolist())))))
    out = am.uniform_price_auction(bids, m, reserve=r, priority=priority)
    won = winning_bids(bids, out.allocation)
    assert np.all(won >= r)
    admissible = int(np.sum((bids >= r) & (bids > 0)))
    assert out.allocation.sum() == min(m, admissible)


def test_zero_bids_never_win():
    """A marginal bid of 0 declares no demand: units stay unsold and the price is 0."""
    out = am.uniform_price_auction([[3.0, 0.0, 0.0], [0.0, 0.0, 0.0]], 3)
    np.testing.assert_array_equal(out.allocation, [1, 0])
    assert out.price == 0.0


def test_tie_rule_follows_priority():
    """All marginal bids equal: the agent first in ``priority`` wins every unit; the default is
    the lower index first; with partial ties only the tied units move."""
    flat = np.ones((3, 2))
    np.testing.assert_array_equal(am.uniform_price_auction(flat, 2).allocation, [2, 0, 0])
    np.testing.assert_array_equal(am.uniform_price_auction(flat, 2, priority=[2, 0, 1]).allocation, [0, 0, 2])
    np.testing.assert_array_equal(am.uniform_price_auction(flat, 2, priority=[1, 2, 0]).allocation, [0, 2, 0])
    bids = [[3.0, 1.0, 0.0], [2.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    np.testing.assert_array_equal(am.uniform_price_auction(bids, 3).allocation, [2, 1, 0])
    np.testing.assert_array_equal(am.uniform_price_auction(bids, 3, priority=[1, 0, 2]).allocation, [1, 2, 0])
    np.testing.assert_array_equal(am.uniform_price_auction(bids, 3, priority=[2, 1, 0]).allocation, [1, 1, 1])


@given(auction_case(max_n=4, max_m=4, batch=None))
def test_tie_rule_is_deterministic_and_respects_priority(case):
    """Running twice gives identical outcomes; and whenever a winning bid and a losing bid of two
    different agents are equal, the winner comes first in ``priority``."""
    bids, m, reserve, priority = case
    a = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    b = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    np.testing.assert_array_equal(a.allocation, b.allocation)
    assert a.price == b.price
    n = bids.shape[0]
    rank = np.empty(n, dtype=int)
    rank[np.arange(n) if priority is None else np.asarray(priority)] = np.arange(n)
    x = a.allocation
    for i in range(n):
        for j in range(n):
            if i == j or x[i] == 0 or x[j] == bids.shape[1]:
                continue
            lowest_win, highest_loss = bids[i, x[i] - 1], bids[j, x[j]]
            if lowest_win == highest_loss and highest_loss >= reserve and highest_loss > 0:
                assert rank[i] < rank[j]


@given(st.integers(1, 5).flatmap(lambda s: auction_case(batch=s)))
def test_batched_equals_loop(case):
    """A batch (S, n, m) of bid profiles gives, sample by sample, the outcomes of separate calls
    (uniform price and discriminatory)."""
    bids, m, reserve, priority = case
    uni = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    dis = am.discriminatory_auction(bids, m, reserve=reserve, priority=priority)
    assert uni.allocation.shape == bids.shape[:2] and np.shape(uni.price) == bids.shape[:1]
    for s in range(bids.shape[0]):
        one = am.uniform_price_auction(bids[s], m, reserve=reserve, priority=priority)
        np.testing.assert_array_equal(uni.allocation[s], one.allocation)
        np.testing.assert_array_equal(uni.payments[s], one.payments)
        assert uni.price[s] == one.price
        d1 = am.discriminatory_auction(bids[s], m, reserve=reserve, priority=priority)
        np.testing.assert_array_equal(dis.allocation[s], d1.allocation)
        np.testing.assert_allclose(dis.payments[s], d1.payments, rtol=1e-12)


@given(marginals(max_n=3, max_k=4), st.data())
def test_truthful_bidding_is_efficient(values, data):
    """With truthful bids (bids = marginal values) both auctions reach the optimal welfare Wel(v)
    of Section 2.1.1 (standard bidding allocates greedily on the reported marginals)."""
    m = values.shape[1]
    for mech in (am.uniform_price_auction, am.discriminatory_auction):
        x = mech(values, m).allocation
        assert float(am.welfare(values, x)) == pytest.approx(float(am.optimal_welfare(values, m)), abs=1e-12)


def test_docstring_examples():
    """The docstrings' worked examples: bids 3,1 | 2,2 for 2 units; the price is the highest
    losing bid 2 and the tie between agent 1's two bids of 2 is resolved by unit."""
    out = am.uniform_price_auction([[3, 1], [2, 2]], 2)
    np.testing.assert_array_equal(out.allocation, [1, 1])
    np.testing.assert_array_equal(out.payments, [2.0, 2.0])
    assert out.price == 2.0
    out = am.discriminatory_auction([[3, 1], [2, 2]], 2)
    np.testing.assert_array_equal(out.payments, [3.0, 2.0])


@pytest.mark.parametrize("mech", [am.uniform_price_auction, am.discriminatory_auction])
@pytest.mark.parametrize(
    "bids, m, kwargs, pattern",
    [
        ([[3.0, 1.0, 0.0]], 2, {}, r"bids must have at most m = 2 columns .* got 3"),
        ([[3.0, 1.0]], 2, {"reserve": -0.5}, r"reserve must be a finite number >= 0"),
        ([[3.0, 1.0]], 2, {"reserve": np.nan}, r"reserve must be a finite number >= 0"),
        ([[3.0, np.nan]], 2, {}, r"bids must be finite; entry \[0, 1\]"),
        ([[1.0, 3.0]], 2, {}, r"bids must have non-increasing marginals.*\[0, 1\]"),
        ([[3.0, -1.0]], 2, {}, r"bids must be non-negative"),
        ([3.0, 1.0], 2, {}, r"bids must have shape"),
        ([[3.0, 1.0], [2.0, 0.0]], 2, {"priority": [0, 0]}, r"priority must be a permutation"),
        ([[3.0, 1.0], [2.0, 0.0]], 2, {"priority": [0, 1, 2]}, r"priority must be a permutation"),
        ([[3.0, 1.0], [2.0, 0.0]], 2, {"priority": [1, 2]}, r"priority must be a permutation"),
        ([[3.0]], 0, {}, r"m must be at least 1"),
        ([[3.0]], -1, {}, r"m must be a non-negative whole number"),
        ([[3.0]], 1.5, {}, r"m must be a non-negative whole number"),
    ],
)
def test_auction_input_errors(mech, bids, m, kwargs, pattern):
    """Too many columns, negative/NaN reserve, NaN/negative/increasing bids, wrong shape,
    a priority that is not a permutation and m < 1 all raise a ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=pattern):
        mech(bids, m, **kwargs)


# --------------------------------------------------------------------------- vectorised kernels


def sorted_ranking(bids, m, reserve, priority):
    """Standard bidding by a full sort, batched: ``np.lexsort`` of every marginal bid on (bid
    descending, priority rank, unit), the first m admissible bids win, price = max(reserve, the
    (m+1)-st bid in that order). The library ranked bids this way before its selection kernels;
    kept here as an oracle. Returns (allocation, uniform price, discriminatory payments)."""
    n, k = bids.shape[-2:]
    rank = np.empty(n, dtype=int)
    rank[np.arange(n) if priority is None else np.asarray(priority)] = np.arange(n)
    flat = bids.reshape(bids.shape[:-2] + (n * k,))
    agent_rank = np.broadcast_to(np.repeat(rank, k), flat.shape)
    unit = np.broadcast_to(np.tile(np.arange(k), n), flat.shape)
    order = np.lexsort((unit, agent_rank, -flat), axis=-1)
    ranked = np.take_along_axis(flat, order, axis=-1)
    wins = (ranked > 0) & (ranked >= reserve) & (np.arange(n * k) < m)
    won = np.empty_like(wins)
    np.put_along_axis(won, order, wins, axis=-1)
    won = won.reshape(bids.shape)
    price = np.maximum(reserve, ranked[..., m] if n * k > m else 0.0)
    return won.sum(axis=-1), price, np.sum(bids * won, axis=-1)


@st.composite
def tied_auction_batch(draw, size=40):
    """(bids (size, n, m), m, reserve, priority, dyadic): many ties, zero bids, bids equal to the
    reserve, fewer positive bids than units; a third of the bids continuous half of the time."""
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    continuous = draw(st.sampled_from([0.0, 0.3]))
    bids = tied_batch(np.random.default_rng(draw(st.integers(0, 2**32 - 1))), size, n, m, continuous)
    reserve = draw(st.one_of(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0]), PRICE))
    return bids, m, reserve, draw(st.one_of(st.none(), permutation(n))), continuous == 0.0


@given(tied_auction_batch())
def test_batch_kernels_match_reference_with_ties(case):
    """On batches with many ties, the selection kernels (np.partition for the m-th and (m+1)-st
    bids, per-bidder counts, the tie rule on the bids equal to the m-th) give, profile by
    profile, the by-hand standard bidding of :func:`reference_auction`: allocation and price
    exactly, discriminatory payments the sum of the winning bids (exact on dyadic bids)."""
    bids, m, reserve, priority, dyadic = case
    uni = am.uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    dis = am.discriminatory_auction(bids, m, reserve=reserve, priority=priority)
    for s in range(len(bids)):
        x, price, _ = reference_auction(bids[s], m, reserve, priority)
        np.testing.assert_array_equal(uni.allocation[s], x)
        np.testing.assert_array_equal(dis.allocation[s], x)
        assert uni.price[s] == price
        np.testing.assert_array_equal(uni.payments[s], x * price)
        paid = [sum(float(b) for b in bids[s, i, : x[i]]) for i in range(len(x))]
        if dyadic:
            np.testing.assert_array_equal(dis.payments[s], paid)
        else:
            np.testing.assert_allclose(dis.payments[s], paid, rtol=1e-12, atol=1e-12)


@given(tied_auction_batch())
def test_batch_kernels_equal_the_sort_based_ranking(case):
    """The selection kernels give exactly (allocation, price, payments to the last bit, dtypes)
    what ranking every bid by a full lexsort gives (:func:`sorted_ranking`), batched and for a
    single profile: the speed-up changes no outcome."""
    bids, m, reserve, priority, _ = case
    for b in (bids, bids[0]):
        x, price, paid = sorted_ranking(b, m, reserve, priority)
        uni = am.uniform_price_auction(b, m, reserve=reserve, priority=priority)
        dis = am.discriminatory_auction(b, m, reserve=reserve, priority=priority)
        np.testing.assert_array_equal(uni.allocation, x)
        np.testing.assert_array_equal(dis.allocation, x)
        assert uni.allocation.dtype == dis.allocation.dtype == x.dtype
        np.testing.assert_array_equal(uni.price, price)
        np.testing.assert_array_equal(uni.payments, x * np.asarray(price)[..., None])
        np.testing.assert_array_equal(dis.payments, paid)
    assert isinstance(am.uniform_price_auction(bids[0], m, reserve=reserve).price, float)


# --------------------------------------------------------------------------- posted price


def reference_posted_price(values, m, price, order, quantities):
    """Section 2.1.2's posted-price mechanism by hand: buyers in order take min(request, left)."""
    n = values.shape[0]
    order = range(n) if order is None else order
    want = ((values >= price) & (values > 0)).sum(axis=1) if quantities is None else np.asarray(quantities)
    x, left = np.zeros(n, dtype=int), m
    for i in order:
        x[i] = min(int(want[i]), left)
        left -= x[i]
    return x


@given(marginals(max_n=4, max_k=5), st.integers(0, 8), PRICE, st.data())
def test_posted_price_properties(values, m, price, data):
    """Posted price (Section 2.1.2): buyers in the given order take what they request while units
    remain; supply is never exceeded; payments are price x quantity; with the default (demand)
    each buyer requests exactly her units of marginal value >= price, so no buyer pays more for
    a unit than it is worth to her, and a buyer gets less than her demand only if supply ran
    out before or at her turn."""
    n = values.shape[0]
    order = data.draw(st.one_of(st.none(), permutation(n)))
    quantities = data.draw(st.one_of(st.none(), st.lists(st.integers(0, 6), min_size=n, max_size=n)))
    out = am.posted_price_mechanism(values, m, price, order=order, quantities=quantities)
    x = out.allocation
    np.testing.assert_array_equal(x, reference_posted_price(values, m, price, order, quantities))
    assert x.sum() <= m and np.all(x >= 0)
    np.testing.assert_array_equal(out.payments, price * x)
    assert out.price == price
    want = ((values >= price) & (values > 0)).sum(axis=1) if quantities is None else np.asarray(quantities)
    assert np.all(x <= want)
    seq = list(range(n)) if order is None else list(order)
    for pos, i in enumerate(seq):
        if x[i] < want[i]:
            assert sum(x[j] for j in seq[: pos + 1]) == m  # supply exhausted
    if quantities is None:
        for i in range(n):
            gain = values[i, : x[i]].sum() - price * x[i]
            assert gain >= -1e-9
            assert np.all(values[i, : x[i]] >= price)


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(1, 8), st.integers(0, 12), st.data())
def test_posted_price_batch_with_ties_matches_reference(seed, n, k, m, data):
    """A batch of 40 profiles with many values equal to the price (one price per profile, on the
    same grid, 0 included), run at once, gives profile by profile the by-hand mechanism."""
    rng = np.random.default_rng(seed)
    values = tied_batch(rng, 40, n, k)
    price = rng.integers(0, 5, size=40) / 2
    order = data.draw(st.one_of(st.none(), permutation(n)))
    out = am.posted_price_mechanism(values, m, price, order=order)
    for s in range(len(values)):
        x = reference_posted_price(values[s], m, price[s], order, None)
        np.testing.assert_array_equal(out.allocation[s], x)
        np.testing.assert_array_equal(out.payments[s], x * price[s])


def test_posted_price_docstring_and_order():
    """Worked example: price 1.5, 3 units, demands 1 and 2; reversing the order with 2 units
    leaves agent 0 without (she comes last)."""
    out = am.posted_price_mechanism([[3, 1], [2, 2]], 3, 1.5)
    np.testing.assert_array_equal(out.allocation, [1, 2])
    np.testing.assert_array_equal(out.payments, [1.5, 3.0])
    out = am.posted_price_mechanism([[3, 1], [2, 2]], 2, 1.5, order=[1, 0])
    np.testing.assert_array_equal(out.allocation, [0, 2])


@given(
    st.integers(1, 5).flatmap(lambda s: marginals(batch=s, max_n=3, max_k=4)), st.integers(0, 6), st.data()
)
def test_posted_price_batched_equals_loop(values, m, data):
    """A batch of profiles, with one price per profile, gives the outcomes of separate calls."""
    S, n, _ = values.shape
    prices = np.array(data.draw(st.lists(PRICE, min_size=S, max_size=S)))
    order = data.draw(st.one_of(st.none(), permutation(n)))
    out = am.posted_price_mechanism(values, m, prices, order=order)
    for s in range(S):
        one = am.posted_price_mechanism(values[s], m, prices[s], order=order)
        np.testing.assert_array_equal(out.allocation[s], one.allocation)
        np.testing.assert_array_equal(out.payments[s], one.payments)
    np.testing.assert_array_equal(out.price, prices)


def test_posted_price_step_values_large_m():
    """Run-length values with m = 10**6: agent 0 wants 10 units at price 1, agent 1 the rest."""
    m = 10**6
    v = am.StepValues([[2.0, 0.5], [1.5, 1.0]], [[10, 5], [m, 0]])
    out = am.posted_price_mechanism(v, m, 1.0)
    np.testing.assert_array_equal(out.allocation, [10, m - 10])


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"price": -1.0}, r"price must be a finite number >= 0"),
        ({"price": np.inf}, r"price must be a finite number >= 0"),
        ({"price": 1.0, "order": [0, 0]}, r"order must be a permutation"),
        ({"price": 1.0, "order": [0]}, r"order must be a permutation"),
        ({"price": 1.0, "quantities": [1, -1]}, r"quantities must be non-negative whole numbers"),
        ({"price": 1.0, "quantities": [1, 0.5]}, r"quantities must be non-negative whole numbers"),
        ({"price": 1.0, "quantities": [1, 1, 1]}, r"quantities must give one whole number per agent \(2\)"),
        ({"price": 1.0, "m": -2}, r"m must be a non-negative whole number"),
    ],
)
def test_posted_price_input_errors(kwargs, pattern):
    """Bad price, order, quantities or m raise a ValueError saying what is expected."""
    kwargs = {"m": 2, **kwargs}
    with pytest.raises(ValueError, match=pattern):
        am.posted_price_mechanism([[3.0, 1.0], [2.0, 2.0]], **kwargs)


def test_non_increasing_helper():
    """The test helper sorts rows from largest to smallest (guards the strategies themselves)."""
    np.testing.assert_array_equal(non_increasing([[1, 3, 2]]), [[3, 2, 1]])


@pytest.mark.parametrize("mech", [am.uniform_price_auction, am.discriminatory_auction])
def test_short_bid_rows_are_padded_with_zero_bids(mech):
    """A bidder who lists k < m marginal bids bids 0 on the other units (as optimal_welfare pads
    short rows of values): the outcome equals the one with explicit zero columns, batched too."""
    short = [[3.0, 2.0], [2.5, 0.0], [1.0, 1.0]]
    full = [[3.0, 2.0, 0.0, 0.0], [2.5, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]]
    a, b = mech(short, 4), mech(full, 4)
    np.testing.assert_array_equal(a.allocation, b.allocation)
    np.testing.assert_array_equal(a.payments, b.payments)
    batch = mech(np.stack([short, short]), 4)
    np.testing.assert_array_equal(batch.allocation, np.stack([b.allocation, b.allocation]))
