"""Tests of ``aftermarkets.instances.single_item`` and ``single_item_sim``: the combined market for
one item and two bidders (Chapter 6, sec-06-market, sec-06-mc).

The quadrature of ``SingleItemMarket.outcome`` is checked against an independent brute force: for
uniform values and linear bids every posterior is uniform on an interval, so every optimal
take-it-or-leave-it price has a closed form, and the outcome of one deviating type can be
simulated directly without the library's optimiser.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftermarkets.instances import single_item_numerics
from aftermarkets.instances.bid_functions import BidFunction
from aftermarkets.instances.laws import truncated_normal, uniform
from aftermarkets.instances.single_item import SingleItemMarket
from aftermarkets.instances.single_item_numerics import best_price
from aftermarkets.instances.single_item_sim import buyer_offer, simulate

U = uniform()


def linear_market(k1, k2, auction="first-price", resale="seller-offer", signal="winner"):
    b = [BidFunction.from_callable(lambda v, k=k: k * v, 0, 1, 2001) for k in (k1, k2)]
    return SingleItemMarket((U, U), tuple(b), auction, resale, signal)


def brute(k, i, v, beta, auction, resale, signal, n=400_000, seed=0):
    """Outcome of agent i (value v, bid beta) against agent j, values U[0, 1], bids k_i v, k_j v,
    with every resale price in closed form. Returns (x, payment, utility, standard error)."""
    rng = np.random.default_rng(seed)
    j = 1 - i
    t = rng.random(n)
    win = beta > k[j] * t
    x = win.astype(float)
    pay = beta * x if auction == "first-price" else np.full(n, beta)
    top = min(1.0, beta / k[j])  # a winner knows t < top; a loser knows t > top
    mine = np.minimum(1.0, k[j] * t / k[i])  # j's bound on my value on the path (k_i v_i = k_j t)
    if resale == "seller-offer" and signal == "winner":
        if top > v:  # my price against U[0, top]: max (p - v)(top - p)
            p = (v + top) / 2
            sold = win & (t >= p)
            x[sold], pay[sold] = 0.0, pay[sold] - p
        pj = np.where(mine > t, (t + mine) / 2, np.inf)  # j's price against U[0, mine]
        bought = ~win & (v >= pj)
        x[bought], pay[bought] = 1.0, pay[bought] + pj[bought]
    elif resale == "seller-offer":  # bids revealed: values learnt; the seller prices at the buyer's value
        sold = win & (t > v)
        x[sold], pay[sold] = 0.0, pay[sold] - t[sold]
        guess = min(1.0, beta / k[i])  # j reads my value from my bid
        bought = ~win & (guess > t) & (v >= guess)
        x[bought], pay[bought] = 1.0, pay[bought] + guess
    elif signal == "winner":  # buyer-offer
        bottom = np.maximum(0.0, k[j] * t / k[i])  # j lost: she knows my value is above this
        qj = np.where(bottom < t, (t + bottom) / 2, -np.inf)  # her offer against U[bottom, 1]
        sold = win & (qj >= v)
        x[sold], pay[sold] = 0.0, pay[sold] - qj[sold]
        if top < v:  # I lost: my offer against U[top, 1]: max (v - q)(q - top)
            q = (v + top) / 2
            bought = ~win & (t <= q)
            x[bought], pay[bought] = 1.0, pay[bought] + q
    else:  # buyer-offer, bids revealed
        guess = min(1.0, beta / k[i])
        sold = win & (t > guess) & (guess >= v)
        x[sold], pay[sold] = 0.0, pay[sold] - guess
        bought = ~win & (t < v)
        x[bought], pay[bought] = 1.0, pay[bought] + t[bought]
    u = v * x - pay
    return x.mean(), pay.mean(), u.mean(), u.std() / np.sqrt(n)


CASES = [
    (a, r, s)
    for a in ("first-price", "all-pay")
    for r in ("seller-offer", "buyer-offer")
    for s in ("winner", "bids")
]
POINTS = [(0, 0.3, 0.1), (0, 0.8, 0.45), (0, 0.2, 0.35), (1, 0.5, 0.3), (1, 0.9, 0.2), (1, 0.25, 0.3)]


@pytest.mark.parametrize("auction, resale, signal", CASES)
def test_outcome_matches_an_independent_brute_force(auction, resale, signal):
    """sec-06-market: for bids 0.6 v and 0.45 v on U[0, 1], the quadrature's expected allocation,
    payment and utility of six (agent, value, bid) deviations agree with 400,000 simulated opponents
    whose resale prices are computed in closed form (within 5 standard errors)."""
    k = (0.6, 0.45)
    m = linear_market(*k, auction, resale, signal)
    for i, v, beta in POINTS:
        out = m.outcome(i, np.array([v]), np.array([beta]))
        x, pay, u, se = brute(k, i, v, beta, auction, resale, signal)
        assert abs(out.utility[0] - u) < 5 * se + 1e-4
        assert abs(out.x[0] - x) < 5e-3
        assert abs(out.payment[0] - pay) < 5 * se + 5e-3


@pytest.mark.parametrize(
    "resale, signal", [(r, s) for r in ("seller-offer", "buyer-offer") for s in ("winner", "bids")]
)
def test_symmetric_bids_never_trade(resale, signal):
    """sec-06-footnote23: with the same strictly increasing bids, no type resells or buys on the
    path, and welfare is E[max(v1, v2)] = 2/3 up to the quadrature error."""
    m = linear_market(0.5, 0.5, "first-price", resale, signal)
    for i in (0, 1):
        out = m.interim(i)
        assert np.all(out.sell == 0) and np.all(out.buy == 0)
    assert m.trade_probability() < 1e-15
    assert m.welfare() == pytest.approx(2 / 3, abs=1e-7)


@pytest.mark.parametrize(
    "resale, signal", [(r, s) for r in ("seller-offer", "buyer-offer") for s in ("winner", "bids")]
)
def test_interim_accounting(resale, signal):
    """For an asymmetric profile: allocations are probabilities, utility = v x - p, the lowest
    first-price type gets 0, every resale is one sale and one purchase, and the one-sided welfare
    (auction plus the surplus of proposed trades) equals the two-sided integral of v x."""
    m = linear_market(0.6, 0.45, "first-price", resale, signal)
    for i in (0, 1):
        out = m.interim(i)
        assert np.all((out.x >= -1e-12) & (out.x <= 1 + 1e-12))
        assert np.allclose(out.utility, out.v * out.x - out.payment)
        assert out.utility[0] == pytest.approx(0.0, abs=1e-12)
    sells = m.expected("sell", 0) + m.expected("sell", 1)
    buys = m.expected("buy", 0) + m.expected("buy", 1)
    assert sells == pytest.approx(buys, abs=2e-4)
    two_sided = sum(float(m._nodes[i][2] @ (m._path[i].v * m._path[i].x)) for i in (0, 1))
    assert m.welfare() == pytest.approx(two_sided, abs=2e-4)
    assert m.welfare() <= m.optimal_welfare() + 1e-9


def test_bids_revealed_resale_is_efficient_for_strictly_increasing_bids():
    """sec-06-mc: with bids revealed the seller learns the buyer's value and sells exactly when it
    is higher, so the final allocation is efficient for any strictly increasing profile."""
    for resale in ("seller-offer", "buyer-offer"):
        m = linear_market(0.6, 0.45, "first-price", resale, "bids")
        assert m.welfare() == pytest.approx(2 / 3, abs=1e-7)
    flat = BidFunction([0, 0.5, 1], [0, 0.2, 0.2])
    with pytest.raises(ValueError, match="strictly increasing"):
        SingleItemMarket((U, U), (flat, flat), "first-price", "seller-offer", "bids")


def test_simulation_agrees_and_definition_7_holds():
    """sec-06-mc: Monte Carlo of the library's mechanisms agrees with the quadrature on a
    truncated-normal market with asymmetric bids, and no agent ever loses by resale (Definition 7)."""
    law = truncated_normal(0.5, 0.25, 0.0, 1.0)
    b1 = BidFunction.from_callable(lambda v: 0.55 * v, 0, 1, 2001)
    b2 = BidFunction.from_callable(lambda v: 0.4 * v + 0.05 * v**2, 0, 1, 2001)
    for resale in ("seller-offer", "buyer-offer"):
        m = SingleItemMarket((law, law), (b1, b2), "first-price", resale, "winner")
        sim = simulate(m, 60_000, seed=11)
        assert abs(sim.welfare.z_score(m.welfare())) < 4
        assert abs(sim.trade.z_score(m.trade_probability())) < 4
        for i in (0, 1):
            assert abs(sim.utility[i].z_score(m.expected("utility", i))) < 4
        assert sim.ir_slack >= -1e-12 and sim.trade.mean > 0 and sim.accounting_gap < 1e-12


@settings(max_examples=8, deadline=None)
@given(st.floats(0.3, 0.7), st.floats(0.3, 0.7), st.sampled_from(["seller-offer", "buyer-offer"]))
def test_ex_post_ir_for_random_linear_profiles(k1, k2, resale):
    """Definition 7 on random linear profiles: the smallest slack over 4,000 profiles is >= 0."""
    sim = simulate(linear_market(k1, k2, "first-price", resale, "winner"), 4_000, seed=1)
    assert sim.ir_slack >= -1e-12


def test_regret_detects_a_wrong_bid_function():
    """A profile that is not an equilibrium has positive regret: both bidding 0.6 v on U[0, 1]
    (the standalone equilibrium is v/2) lets a high type shade her bid."""
    m = linear_market(0.6, 0.6, "first-price", None)
    r = m.regret(0)
    assert r.max > 0.01 and r.action[r.argmax] < 0.6 * r.types[r.argmax]


def test_best_price():
    """The coarse-to-fine search finds the maximum of concave quadratics elementwise (the maximiser
    to the grid's resolution), and returns the lower end when the bracket is empty."""
    lo, hi = np.array([0.0, 0.2, 0.5]), np.array([1.0, 0.9, 0.5])
    p, val = best_price(lambda p: -((p - 0.37) ** 2), lo, hi)
    # the bracket shrinks by 6 per round: 6 rounds locate the maximiser to 2e-5 of the range
    assert p[0] == pytest.approx(0.37, abs=2e-5) and p[1] == pytest.approx(0.37, abs=2e-5)
    assert val[0] == pytest.approx(0.0, abs=1e-9)
    assert p[2] == 0.5 and val[2] == pytest.approx(-(0.13**2))


@pytest.mark.parametrize("queries", [1, 50])
def test_prefix_sums_both_algorithms(queries):
    """The cumulative sums of weight * (key <= thr), interpolated inside cells, agree with a direct
    computation, whether the table or the square-root decomposition is used."""
    rng = np.random.default_rng(queries)
    K, N = 400, 30
    key = np.where(rng.random(K) < 0.2, np.inf, rng.random(K))
    w1, w2 = rng.random(K), rng.random(K)
    thr = rng.random(N)
    pos = rng.random((N, queries)) * K
    out = single_item_numerics.prefix_where(key, (w1, w2), thr, [pos])
    for n in range(N):
        for q in range(queries):
            k = min(int(np.floor(pos[n, q])), K - 1)
            f = pos[n, q] - k
            for w, got in zip((w1, w2), out[0]):
                want = np.sum(w[:k] * (key[:k] <= thr[n])) + f * w[k] * (key[k] <= thr[n])
                assert got[n, q] == pytest.approx(want, abs=1e-12)


def test_buyer_offer():
    """The holder sells iff the offer is at least her value; no offer (NaN) means no trade."""
    vals = [[[0.3], [0.8]], [[0.6], [0.8]], [[0.3], [0.8]]]
    out = buyer_offer(vals, [[1, 0]] * 3, buyer=1, price=[0.5, 0.5, np.nan])
    assert out.allocation.tolist() == [[0, 1], [1, 0], [1, 0]]
    assert out.payments.tolist() == [[-0.5, 0.5], [0, 0], [0, 0]]
    with pytest.raises(ValueError, match="hold"):
        buyer_offer(vals, [[0, 1]] * 3, buyer=1, price=[0.5] * 3)
    with pytest.raises(ValueError):
        buyer_offer(vals, [[1, 0]] * 3, buyer=2, price=[0.5] * 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"auction": "second-price"}, "auction"),
        ({"resale": "lottery"}, "resale"),
        ({"signal": "everything"}, "signal"),
        ({"quad_points": 5}, "quad_points"),
    ],
)
def test_market_validation(kwargs, match):
    """Unknown auctions, rules and signals, and too coarse a quadrature, are refused."""
    b = BidFunction.from_callable(lambda v: v / 2, 0, 1, 11)
    with pytest.raises(ValueError, match=match):
        SingleItemMarket((U, U), (b, b), **kwargs)


def test_market_needs_bid_functions_on_the_support():
    """A bid function defined on [0, 1] cannot serve values on [0, 2]; an outcome needs one bid per
    value and non-negative bids."""
    b = BidFunction.from_callable(lambda v: v / 2, 0, 1, 11)
    with pytest.raises(ValueError, match="defined on"):
        SingleItemMarket((U, uniform(0, 2)), (b, b))
    m = SingleItemMarket((U, U), (b, b))
    with pytest.raises(ValueError, match="shape"):
        m.outcome(0, [0.5, 0.6], [0.1])
    with pytest.raises(ValueError, match="non-negative"):
        m.outcome(0, [0.5], [-0.1])
    with pytest.raises(ValueError, match="agent"):
        m.outcome(2, [0.5], [0.1])
