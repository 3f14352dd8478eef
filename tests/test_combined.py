"""Tests of ``aftermarkets.combined``: an auction followed by a trade mechanism.

Section 2.1.3 of the paper: the combined market G(M1, M2) runs the auction, then the secondary
market from the auction's allocation; agent i's payoff is
u_i(M2(a2; x^{M1}(a1))) - p_i^{M1}(a1). The accounting identity welfare = buyer surplus +
auction revenue + trade surplus (zero for resale) is checked on random instances.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import PRICE, marginals, permutation

import aftermarkets as am


@st.composite
def market_case(draw, batch=None):
    """Values (n, m) or (S, n, m), independent bids of the same shape, an auction format, a
    reserve, and a resale market (seller, price, order of the other agents, quantity)."""
    n = draw(st.integers(2, 4))
    m = draw(st.integers(1, 5))
    values = draw(marginals(n=n, k=m, batch=batch))
    truthful = draw(st.booleans())
    bids = values if truthful else draw(marginals(n=n, k=m, batch=batch))
    fmt = draw(st.sampled_from([am.uniform_price_auction, am.discriminatory_auction]))
    reserve = draw(st.one_of(st.just(0.0), PRICE))
    seller = draw(st.integers(0, n - 1))
    order = draw(permutation(n).map(lambda p: [i for i in p if i != seller]))
    price = draw(PRICE)
    quantity = draw(st.one_of(st.none(), st.integers(0, m)))
    return values, bids, m, fmt, reserve, seller, order, price, quantity


def _v(values, i, q):
    return float(np.sum(values[i, :q]))


@given(market_case())
def test_welfare_identity_with_resale(case):
    """Section 2.1.3 accounting: welfare = buyer surplus + auction revenue + trade surplus, with
    every term recomputed by hand from the final allocation y and payments p1, p2; for resale
    the trade surplus is 0, so welfare = buyer surplus + auction revenue."""
    values, bids, m, fmt, reserve, seller, order, price, quantity = case
    auction = fmt(bids, m, reserve=reserve)

    def resale(v, h):
        return am.take_it_or_leave_it(v, h, seller, price, order=order, quantity=quantity)

    out = am.combined_market(values, auction, resale)
    y = out.allocation
    n = values.shape[0]
    p1, p2 = auction.payments, out.trade.payments
    welfare = sum(_v(values, i, y[i]) for i in range(n))
    utilities = np.array([_v(values, i, y[i]) - p1[i] - p2[i] for i in range(n)])
    assert y.sum() == auction.allocation.sum()
    assert float(out.welfare) == pytest.approx(welfare, abs=1e-9)
    np.testing.assert_allclose(out.utilities, utilities, atol=1e-9)
    np.testing.assert_allclose(out.payments, p1 + p2, atol=1e-12)
    assert float(out.revenue) == pytest.approx(p1.sum(), abs=1e-12)
    assert abs(float(out.trade_surplus)) <= 1e-9
    assert welfare == pytest.approx(utilities.sum() + p1.sum() + p2.sum(), abs=1e-9)
    assert welfare == pytest.approx(float(out.buyer_surplus) + float(out.revenue), abs=1e-9)
    assert abs(float(out.accounting_gap)) <= 1e-9
    assert float(out.welfare) <= float(am.optimal_welfare(values, m)) + 1e-9  # Wel(v) bounds any outcome


@given(market_case())
def test_welfare_identity_with_a_taxed_market(case):
    """The identity keeps the trade surplus term when it is not 0: a resale market that charges
    each buyer a fee per unit bought (weakly budget balanced, Definition 2) has trade surplus =
    fee x units traded, and welfare = buyer surplus + revenue + trade surplus still holds."""
    values, bids, m, fmt, reserve, seller, order, price, quantity = case
    fee = 0.125
    auction = fmt(bids, m, reserve=reserve)

    def taxed(v, h):
        out = am.take_it_or_leave_it(v, h, seller, price, order=order, quantity=quantity)
        bought = np.clip(out.allocation - np.asarray(h), 0, None)
        return am.TradeOutcome(out.allocation, out.payments + fee * bought)

    out = am.combined_market(values, auction, taxed)
    traded = np.clip(out.allocation - auction.allocation, 0, None).sum()
    assert float(out.trade_surplus) == pytest.approx(fee * traded, abs=1e-9)
    assert abs(float(out.accounting_gap)) <= 1e-9
    assert float(out.welfare) == pytest.approx(
        float(out.buyer_surplus) + float(out.revenue) + float(out.trade_surplus), abs=1e-9
    )


@given(market_case())
def test_no_aftermarket_keeps_the_auction_outcome(case):
    """trade=None: the final allocation and payments are the auction's, trade payments are 0,
    utilities are v_i(x_i) - p_i, and welfare = buyer surplus + revenue."""
    values, bids, m, fmt, reserve, *_ = case
    auction = fmt(bids, m, reserve=reserve)
    out = am.combined_market(values, auction)
    x = auction.allocation
    np.testing.assert_array_equal(out.allocation, x)
    np.testing.assert_array_equal(out.payments, auction.payments)
    np.testing.assert_array_equal(out.trade.payments, 0.0)
    expected = np.array([_v(values, i, x[i]) for i in range(len(x))]) - auction.payments
    np.testing.assert_allclose(out.utilities, expected, atol=1e-12)
    assert float(out.welfare) == pytest.approx(float(am.welfare(values, x)), abs=1e-12)
    assert float(out.trade_surplus) == 0.0
    assert abs(float(out.accounting_gap)) <= 1e-9


@given(market_case(), st.floats(0.0, 2.0, allow_nan=False), st.data())
def test_voluntary_resale_never_lowers_utility(case, markup, data):
    """Voluntary trade (Definition 1 in action): the seller, holding h units after the auction,
    offers q <= h of them at a price at least her marginal value for her (h-q+1)-th unit, hence
    at least her marginal value for every unit she may sell (she gives up units h-s+1..h, s <= q);
    buyers buy their demand. Then every agent's combined-market payoff is at least her payoff
    without the aftermarket, and so is welfare."""
    values, bids, m, fmt, reserve, seller, order, _, _ = case
    auction = fmt(bids, m, reserve=reserve)
    h = int(auction.allocation[seller])
    q = data.draw(st.integers(0, h))
    price = (float(values[seller, h - q]) if q else 0.0) + markup

    def resale(v, hold):
        return am.take_it_or_leave_it(v, hold, seller, price, order=order, quantity=q)

    with_trade = am.combined_market(values, auction, resale)
    without = am.combined_market(values, auction)
    assert np.all(with_trade.utilities >= without.utilities - 1e-9)
    assert float(with_trade.welfare) >= float(without.welfare) - 1e-9


def test_seller_underpricing_can_lose():
    """The price condition above matters: a seller who sells a unit she values at 3 for 1 is
    worse off than without trade (so the previous test could fail)."""
    values = np.array([[3.0, 0.0], [2.0, 2.0]])
    auction = am.uniform_price_auction([[3.0, 0.0], [0.0, 0.0]], 2)  # agent 0 wins one unit at 0
    resale = lambda v, h: am.take_it_or_leave_it(v, h, seller=0, price=1.0)
    with_trade = am.combined_market(values, auction, resale)
    without = am.combined_market(values, auction)
    assert with_trade.utilities[0] < without.utilities[0]


@given(st.integers(1, 4).flatmap(lambda s: market_case(batch=s)), st.data())
def test_batched_combined_market(case, data):
    """Batched auction + resale (one price per profile) equals a loop over profiles, and the
    accounting identity holds sample by sample."""
    values, bids, m, fmt, reserve, seller, order, _, quantity = case
    S = values.shape[0]
    prices = np.array(data.draw(st.lists(PRICE, min_size=S, max_size=S)))
    auction = fmt(bids, m, reserve=reserve)
    out = am.combined_market(
        values,
        auction,
        lambda v, h: am.take_it_or_leave_it(v, h, seller, prices, order=order, quantity=quantity),
    )
    assert np.shape(out.welfare) == (S,)
    np.testing.assert_allclose(out.accounting_gap, 0.0, atol=1e-9)
    for s in range(S):
        a1 = fmt(bids[s], m, reserve=reserve)
        one = am.combined_market(
            values[s],
            a1,
            lambda v, h, p=prices[s]: am.take_it_or_leave_it(v, h, seller, p, order=order, quantity=quantity),
        )
        np.testing.assert_array_equal(out.allocation[s], one.allocation)
        np.testing.assert_allclose(out.utilities[s], one.utilities, atol=1e-12)
        assert out.welfare[s] == pytest.approx(float(one.welfare), abs=1e-12)


def test_docstring_speculation_example():
    """The module's worked example: agent 1 (no value) speculates, wins a unit at price 0, and
    resells it to agent 0 (value 3) at 2.5; welfare 3 = surplus 3 + revenue 0."""
    vals = [[3, 0], [0, 0]]
    a = am.uniform_price_auction([[0, 0], [1, 1]], 2)
    out = am.combined_market(vals, a, lambda v, h: am.take_it_or_leave_it(v, h, seller=1, price=2.5))
    np.testing.assert_array_equal(out.allocation, [1, 1])
    np.testing.assert_allclose(out.utilities, [0.5, 2.5])
    assert float(out.welfare) == 3.0 and float(out.buyer_surplus) == 3.0 and float(out.revenue) == 0.0
