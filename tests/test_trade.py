"""Tests of ``aftermarkets.trade``: take-it-or-leave-it resale and Definitions 1 and 2.

Section 2.1.2 of the paper: a secondary market maps actions and the auction's allocation x to a
new allocation and payments; it is a *trade mechanism* when it satisfies voluntary participation
(Definition 1) and weak budget balance (Definition 2). The checks ``voluntary_participation_gap``
and ``budget_balance_gap`` are shown to pass on the resale market and to FAIL, with a witness,
on two mechanisms written here that violate them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import PRICE, marginals

import aftermarkets as am

# --------------------------------------------------------------------------- helpers


@st.composite
def resale_case(draw, batch=None, max_n=4, max_k=5):
    """(values, holdings, seller, price, order, quantity) for one profile or a batch."""
    n = draw(st.integers(2, max_n))
    k = draw(st.integers(1, max_k))
    values = draw(marginals(n=n, k=k, batch=batch))
    holdings = np.array(draw(st.lists(st.integers(0, k + 1), min_size=n, max_size=n)))
    seller = draw(st.integers(0, n - 1))
    others = [i for i in range(n) if i != seller]
    order = draw(st.one_of(st.none(), st.permutations(others), st.permutations(others).map(lambda o: o[:-1])))
    quantity = draw(st.one_of(st.none(), st.integers(0, k + 2)))
    price = draw(PRICE)
    return values, holdings, seller, price, order, quantity


def v_of(values: np.ndarray, i: int, q: int) -> float:
    """v_i(q) from dense marginals (beyond the last column the marginal is 0)."""
    return float(np.sum(values[i, :q]))


def reference_resale(values, holdings, seller, price, order, quantity, requests=None):
    """Take-it-or-leave-it by hand: buyers in order buy min(request, still offered) at ``price``."""
    n = values.shape[0]
    order = [i for i in range(n) if i != seller] if order is None else list(order)
    left = holdings[seller] if quantity is None else min(quantity, holdings[seller])
    bought = np.zeros(n, dtype=int)
    for i in order:
        if requests is None:
            want = max(0, int(np.sum((values[i] >= price) & (values[i] > 0))) - holdings[i])
        else:
            want = requests[i]
        bought[i] = min(want, left)
        left -= bought[i]
    bought[seller] = -bought.sum()
    return holdings + bought, bought * price


# --------------------------------------------------------------------------- take_it_or_leave_it


@given(resale_case())
def test_resale_matches_reference(case):
    """The outcome equals a by-hand run of the resale market: the seller offers min(quantity,
    holdings) units, buyers in order each buy min(demand beyond holdings, units still offered)."""
    values, h, seller, price, order, quantity = case
    out = am.take_it_or_leave_it(values, h, seller, price, order=order, quantity=quantity)
    alloc, pay = reference_resale(values, h, seller, price, order, quantity)
    np.testing.assert_array_equal(out.allocation, alloc)
    np.testing.assert_allclose(out.payments, pay, rtol=1e-12, atol=0)


@given(resale_case())
def test_resale_conserves_units_and_money(case):
    """Trade moves units, never creates them: total holdings unchanged, nobody ends negative;
    payments sum to 0 (strong budget balance, so Definition 2 holds with equality); the seller
    sells no more than she holds or offers, and only buyers (not the seller) gain units."""
    values, h, seller, price, order, quantity = case
    out = am.take_it_or_leave_it(values, h, seller, price, order=order, quantity=quantity)
    y = out.allocation
    assert y.sum() == h.sum() and np.all(y >= 0)
    assert abs(out.payments.sum()) <= 1e-12 * (1 + np.abs(out.payments).sum())
    sold = h[seller] - y[seller]
    assert 0 <= sold <= h[seller]
    if quantity is not None:
        assert sold <= quantity
    others = [i for i in range(len(h)) if i != seller]
    assert np.all(y[others] >= h[others])
    if order is not None:
        outside = [i for i in others if i not in order]
        np.testing.assert_array_equal(y[outside], h[outside])
    np.testing.assert_allclose(out.payments, (y - h) * price, rtol=1e-12, atol=0)


@given(resale_case())
def test_buyers_buying_demand_never_lose(case):
    """No buyer buys a unit she values below the price: each bought unit's marginal (given her
    holdings) is >= price, so each buyer's utility change v_i(y_i) - v_i(h_i) - payment is >= 0.
    The seller's money received equals price x units sold."""
    values, h, seller, price, order, quantity = case
    out = am.take_it_or_leave_it(values, h, seller, price, order=order, quantity=quantity)
    y = out.allocation
    for i in range(len(h)):
        if i == seller:
            assert -out.payments[i] == pytest.approx(price * (h[i] - y[i]))
            continue
        extra = values[i, h[i] : y[i]]
        assert extra.size == y[i] - h[i]  # never buys beyond her listed marginals
        assert np.all(extra >= price)
        assert v_of(values, i, y[i]) - v_of(values, i, h[i]) - out.payments[i] >= -1e-9


@given(resale_case(), st.data())
def test_requests_override_demand(case, data):
    """Explicit requests are served in order up to the units offered (possibly beyond demand,
    which the seller's offer caps); non-buyers' entries are ignored."""
    values, h, seller, price, order, quantity = case
    n = len(h)
    req = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))
    out = am.take_it_or_leave_it(values, h, seller, price, order=order, quantity=quantity, requests=req)
    alloc, pay = reference_resale(values, h, seller, price, order, quantity, requests=req)
    np.testing.assert_array_equal(out.allocation, alloc)
    np.testing.assert_allclose(out.payments, pay, rtol=1e-12, atol=0)


@given(st.integers(1, 5).flatmap(lambda s: resale_case(batch=s)), st.data())
def test_resale_batched_equals_loop(case, data):
    """A batch of valuation profiles with one price per profile gives the outcomes of separate
    calls (holdings shared, or one row per profile)."""
    values, h, seller, _, order, quantity = case
    S, n, k = values.shape
    prices = np.array(data.draw(st.lists(PRICE, min_size=S, max_size=S)))
    H = np.array(
        data.draw(st.lists(st.lists(st.integers(0, k), min_size=n, max_size=n), min_size=S, max_size=S))
    )
    for holdings in (h, H):
        out = am.take_it_or_leave_it(values, holdings, seller, prices, order=order, quantity=quantity)
        assert out.allocation.shape == (S, n)
        for s in range(S):
            hs = holdings if holdings.ndim == 1 else holdings[s]
            one = am.take_it_or_leave_it(values[s], hs, seller, prices[s], order=order, quantity=quantity)
            np.testing.assert_array_equal(out.allocation[s], one.allocation)
            np.testing.assert_allclose(out.payments[s], one.payments, rtol=1e-12, atol=0)


def test_docstring_example_one_path():
    """Example 1 on the equilibrium path (m = 6): C holds 4 units and posts price 1; A (second
    unit worth 1.2) buys one, B (z = 1.05) buys three; C receives 4."""
    v = am.StepValues([[2, 1.2, 0], [2, 1.05, 0], [0, 0, 0]], [[1, 1, 4], [1, 5, 0], [6, 0, 0]])
    out = am.take_it_or_leave_it(v, [1, 1, 4], seller=2, price=1.0, order=[0, 1])
    np.testing.assert_array_equal(out.allocation, [2, 4, 0])
    np.testing.assert_array_equal(out.payments, [1.0, 3.0, -4.0])
    out = am.take_it_or_leave_it(v, [1, 1, 4], seller=2, price=1.0, order=[1, 0])
    np.testing.assert_array_equal(out.allocation, [1, 5, 0])  # B first takes all four


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"seller": 3}, r"seller must be an agent index in 0..2"),
        ({"seller": -1}, r"seller must be an agent index"),
        ({"seller": 1.0}, r"seller must be an agent index"),
        ({"price": -1.0}, r"price must be a finite number >= 0"),
        ({"price": np.nan}, r"price must be a finite number >= 0"),
        ({"order": [2, 1]}, r"order must list distinct agent indices other than the seller 2"),
        ({"order": [0, 0]}, r"order must list distinct"),
        ({"order": [0, 5]}, r"order must list distinct"),
        ({"holdings": [1, 1]}, r"holdings must give one whole number per agent \(3\)"),
        ({"holdings": [1, -1, 2]}, r"holdings must be non-negative whole numbers"),
        ({"holdings": [1, 0.5, 2]}, r"holdings must be non-negative whole numbers"),
        ({"quantity": -1}, r"quantity offered must be non-negative whole numbers"),
        ({"requests": [1, -1, 0]}, r"requests must be non-negative"),
    ],
)
def test_resale_input_errors(kwargs, pattern):
    """Bad seller, price, order, holdings, quantity or requests raise a ValueError naming them."""
    args = {"values": [[2.0, 1.0], [1.5, 0.0], [0.5, 0.5]], "holdings": [0, 0, 2], "seller": 2, "price": 1.0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=pattern):
        am.take_it_or_leave_it(**args)


# --------------------------------------------------------------------------- Definitions 1 and 2

VALUES = np.array([[3.0, 1.2, 0.4], [2.0, 1.0, 1.0], [0.8, 0.8, 0.0]])
HOLDINGS = np.array([1, 0, 2])
SELLER = 2
PRICES = [0.0, 0.5, 0.8, 1.0, 1.5, 3.5]


def _cautious(price):
    """A buyer's price-contingent action (footnote 10): one unit if the price is below 1."""
    return 1 if price < 1 else 0


BUYER_ACTIONS = ["demand", 0, 1, 3, _cautious]
SELLER_ACTIONS = [None] + [(p, q) for p in PRICES for q in (None, 0, 1, 2)]


def _profiles():
    for s_act, a0, a1 in itertools.product(SELLER_ACTIONS, BUYER_ACTIONS, BUYER_ACTIONS):
        yield (a0, a1, s_act)


N_PROFILES = len(SELLER_ACTIONS) * len(BUYER_ACTIONS) ** 2


def test_take_it_or_leave_it_is_a_trade_mechanism():
    """Definitions 1 and 2 on the resale market over a grid of action profiles (seller: no offer
    or any price/quantity; buyers: demand, fixed requests, a price-contingent rule): the worst
    slack of voluntary participation is 0 (opting out keeps v_i(x_i) exactly) and the smallest
    sum of payments is 0 up to rounding (strong budget balance)."""
    mech = am.TakeItOrLeaveIt(seller=SELLER)
    vp = am.voluntary_participation_gap(mech, VALUES, HOLDINGS, _profiles())
    bb = am.budget_balance_gap(mech, VALUES, HOLDINGS, _profiles())
    assert vp.checked == 3 * N_PROFILES and bb.checked == N_PROFILES
    assert vp.holds() and vp.worst >= -1e-12 and vp.worst == pytest.approx(0.0, abs=1e-12)
    assert bb.holds() and abs(bb.worst) <= 1e-12


def test_resale_actions_can_hurt_but_opt_out_protects():
    """The Definition 1 check is not vacuous: on the same grid, some non-opt-out actions lower a
    buyer's utility below v_i(x_i) (requesting 3 units at price 3.5), yet her opt-out (0) never
    does, which is exactly what Definition 1 asks."""
    mech = am.TakeItOrLeaveIt(seller=SELLER)
    before = am.StepValues(VALUES, np.ones_like(VALUES, dtype=int)).value(HOLDINGS)
    out = mech(VALUES, HOLDINGS, [3, "demand", (3.5, None)])
    u0 = v_of(VALUES, 0, out.allocation[0]) - out.payments[0]
    assert u0 < before[0] - 1.0
    out = mech(VALUES, HOLDINGS, [mech.opt_out(0), "demand", (3.5, None)])
    assert v_of(VALUES, 0, out.allocation[0]) - out.payments[0] == pytest.approx(before[0])


def test_take_it_or_leave_it_mechanism_actions():
    """Action semantics: seller None = no trade; (price, quantity) offers that many units;
    buyers' 'demand', whole requests and price-contingent callables are honoured in order."""
    mech = am.TakeItOrLeaveIt(seller=SELLER, order=(1, 0))
    out = mech(VALUES, HOLDINGS, ["demand", "demand", None])
    np.testing.assert_array_equal(out.allocation, HOLDINGS)
    np.testing.assert_array_equal(out.payments, 0)
    out = mech(VALUES, HOLDINGS, ["demand", "demand", (1.0, None)])  # B first: wants 3, gets 2
    np.testing.assert_array_equal(out.allocation, [1, 2, 0])
    out = mech(VALUES, HOLDINGS, ["demand", _cautious, (0.5, 1)])  # one unit offered, B takes it
    np.testing.assert_array_equal(out.allocation, [1, 1, 1])
    np.testing.assert_array_equal(out.payments, [0.0, 0.5, -0.5])
    assert mech.opt_out(SELLER) is None and mech.opt_out(0) == 0


@dataclass(frozen=True)
class ForcedSale:
    """NOT a trade mechanism: the seller's units are pushed onto the buyers at ``price``.

    Every other agent, in index order, must buy ``quota`` units while the seller has them,
    whatever her values and whatever she does; the declared opt-out ("decline") is ignored.
    Budget balanced, but it violates voluntary participation (Definition 1).
    """

    seller: int
    price: float
    quota: int = 1

    def opt_out(self, agent):
        return "decline"

    def __call__(self, values, holdings, actions):
        v = am.as_step_values(values)
        req = np.full(v.n, self.quota)
        return am.take_it_or_leave_it(v, holdings, self.seller, self.price, requests=req)


@dataclass(frozen=True)
class SubsidisedResale:
    """NOT a trade mechanism: resale in which the market pays each buyer ``bonus`` per unit.

    Trade as in :class:`aftermarkets.TakeItOrLeaveIt`, but buyers pay ``price - bonus`` per unit
    while the seller still receives ``price``: the payments sum to ``-bonus x units traded < 0``.
    Voluntary participation still holds (opting out is still possible); weak budget balance
    (Definition 2) fails.
    """

    seller: int
    bonus: float

    def opt_out(self, agent):
        return am.TakeItOrLeaveIt(self.seller).opt_out(agent)

    def __call__(self, values, holdings, actions):
        out = am.TakeItOrLeaveIt(self.seller)(values, holdings, actions)
        h = np.asarray(holdings)
        bought = np.clip(out.allocation - h, 0, None)
        return am.TradeOutcome(out.allocation, out.payments - self.bonus * bought)


def test_forced_sale_fails_voluntary_participation():
    """Definition 1 check FAILS on the forced sale: agent 0's marginals are 0.2, 0.1 and she must
    buy one unit at price 1 whatever she plays, so her slack is 0.2 - 1 = -0.8; the witness names
    her. Budget balance still holds (the check separates the two definitions)."""
    values = np.array([[0.2, 0.1], [5.0, 4.0], [0.5, 0.5]])
    holdings = np.array([0, 0, 2])
    mech = ForcedSale(seller=2, price=1.0)
    profiles = [("decline", "decline", None), (0, 1, None), ("demand", "demand", (1.0, None))]
    vp = am.voluntary_participation_gap(mech, values, holdings, profiles)
    assert not vp.holds()
    assert vp.worst == pytest.approx(-0.8)
    agent, acts = vp.witness
    assert agent == 0 and acts[0] == "decline"
    assert vp.checked == 3 * len(profiles)
    bb = am.budget_balance_gap(mech, values, holdings, profiles)
    assert bb.holds()


def test_subsidised_resale_fails_budget_balance():
    """Definition 2 check FAILS on the subsidised market: the smallest sum of payments over the
    grid is -bonus x (largest number of units traded), attained (witness) by a profile in which
    the seller offers all 2 units and they are bought. Voluntary participation still holds."""
    bonus = 0.25
    mech = SubsidisedResale(seller=SELLER, bonus=bonus)
    bb = am.budget_balance_gap(mech, VALUES, HOLDINGS, _profiles())
    assert not bb.holds()
    assert bb.worst == pytest.approx(-bonus * HOLDINGS[SELLER])
    witness_out = mech(VALUES, HOLDINGS, list(bb.witness))
    assert witness_out.payments.sum() == pytest.approx(bb.worst)
    assert witness_out.allocation[SELLER] == 0
    vp = am.voluntary_participation_gap(mech, VALUES, HOLDINGS, _profiles())
    assert vp.holds()


def test_definition_check_reports_the_minimum():
    """budget_balance_gap returns the smallest total over the profiles, with its profile, and
    counts every profile (checked against a direct minimum)."""
    mech = SubsidisedResale(seller=SELLER, bonus=0.1)
    profiles = list(_profiles())
    totals = [float(mech(VALUES, HOLDINGS, list(p)).payments.sum()) for p in profiles]
    bb = am.budget_balance_gap(mech, VALUES, HOLDINGS, profiles)
    assert bb.worst == min(totals) and bb.checked == len(profiles)
    assert totals[profiles.index(bb.witness)] == bb.worst
    assert am.DefinitionCheck(-1e-13, None, 1).holds() and not am.DefinitionCheck(-1e-6, None, 1).holds()


@dataclass(frozen=True)
class OneAtATime:
    """A mechanism without ``batch``: the checks call it once per profile (the reference)."""

    mechanism: object

    def opt_out(self, agent):
        return self.mechanism.opt_out(agent)

    def __call__(self, values, holdings, actions):
        return self.mechanism(values, holdings, actions)


@pytest.mark.parametrize("seller, order", [(2, (0, 1)), (2, (1, 0)), (0, None), (1, (2, 0))])
def test_batched_checks_equal_the_profile_by_profile_checks(seller, order):
    """TakeItOrLeaveIt.batch row k is the market on profile k, and check_trade_mechanism, which
    uses it, finds the same worst values, witnesses and counts as calling the market profile by
    profile: on instances and profiles of chapter 1's grid (the seller moved to each position),
    random instances, and offers at prices at which payments round (0.1, 0.3, 0.7)."""
    from aftermarkets.instances import section2

    instances, profiles = section2.resale_grid()
    rng = np.random.default_rng(7)
    perm = {2: [0, 1, 2], 0: [2, 0, 1], 1: [0, 2, 1]}[seller]  # new position j holds old agent perm[j]
    profiles = [
        tuple(profiles[i][k] for k in perm) for i in sorted(rng.choice(len(profiles), 150, replace=False))
    ]
    instances = [
        (am.StepValues(v.levels[perm], v.counts[perm]), np.asarray(h)[perm]) for v, h in instances[::4]
    ]
    for _ in range(3):
        levels = -np.sort(-rng.choice([0.0, 0.1, 0.3, 0.7, 1.3, 2.9], size=(3, 3)), axis=1)
        instances.append((am.StepValues(levels, np.ones((3, 3), dtype=int)), rng.integers(0, 4, size=3)))
    profiles += [tuple((p, None) if j == seller else "demand" for j in range(3)) for p in (0.1, 0.3, 0.7)]
    mech = am.TakeItOrLeaveIt(seller=seller, order=order)
    assert am.check_trade_mechanism(mech, instances, profiles) == am.check_trade_mechanism(
        OneAtATime(mech), instances, profiles
    )
    for values, holdings in instances:
        out = mech.batch(values, holdings, profiles)
        for k in rng.choice(len(profiles), 20, replace=False):
            one = mech(values, holdings, list(profiles[k]))
            np.testing.assert_array_equal(out.allocation[k], one.allocation)
            np.testing.assert_array_equal(out.payments[k], one.payments)


def test_batch_input_errors():
    """batch takes one valuation profile, one allocation and profiles of n actions; a request of a
    fraction of a unit is refused, by batch and by a call on one profile alike."""
    mech = am.TakeItOrLeaveIt(seller=SELLER)
    with pytest.raises(ValueError, match="one valuation profile"):
        mech.batch(np.stack([VALUES, VALUES]), HOLDINGS, [("demand", "demand", None)])
    with pytest.raises(ValueError, match="one allocation"):
        mech.batch(VALUES, np.stack([HOLDINGS, HOLDINGS]), [("demand", "demand", None)])
    with pytest.raises(ValueError, match="one action per agent"):
        mech.batch(VALUES, HOLDINGS, [("demand", (1.0, None))])
    with pytest.raises(ValueError, match="price"):
        mech.batch(VALUES, HOLDINGS, [("demand", "demand", (-1.0, None))])
    for run in (mech.batch, lambda v, h, ps: mech(v, h, list(ps[0]))):  # a fraction of a unit
        with pytest.raises(ValueError, match="whole numbers"):
            run(VALUES, HOLDINGS, [(1.5, "demand", (1.0, None))])
