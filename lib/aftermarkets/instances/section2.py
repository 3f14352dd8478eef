r"""Section 2's small instances: the checks behind Chapter 1.

* :func:`greedy_check` — the greedy allocation attains :math:`\mathrm{Wel}(\mathbf v)` (brute force
  over every feasible allocation, :func:`~aftermarkets.allocation.feasible_allocations`);
* :func:`resale_grid` — valuation profiles, initial allocations and action profiles on which
  Definitions 1 and 2 are checked (:func:`~aftermarkets.trade.check_trade_mechanism`), and
  :func:`holder_instance`, one of its instances, on which counterexamples are shown;
* :class:`ForcedSale`, :class:`SubsidisedResale`, :class:`HoldingFee`, :class:`BuyerCommission` —
  secondary markets that are, or are not, trade mechanisms;
* :func:`accounting_check` — the combined market's accounting identity on random markets;
* :func:`footnote5` and :func:`footnote5_dominance` — footnote 5's equilibrium ("one agent bids
  infinitely high on all units, all other bidders bid 0"), its regret, its welfare, and the weak
  dominance of its high bid by truthful bidding.

Every default is the instance the book uses, so the chapter and the ledger compute the same numbers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .._checks import generator, whole_number
from ..allocation import feasible_allocations, optimal_welfare, welfare
from ..auctions import AuctionOutcome, uniform_price_auction
from ..combined import combined_market
from ..equilibrium import best_deviation
from ..trade import TakeItOrLeaveIt, TradeOutcome, take_it_or_leave_it
from ..valuations import StepValues

__all__ = [
    "greedy_check",
    "resale_grid",
    "holder_instance",
    "ForcedSale",
    "SubsidisedResale",
    "HoldingFee",
    "BuyerCommission",
    "accounting_check",
    "Footnote5",
    "footnote5",
    "footnote5_dominance",
]


def greedy_check(samples=2000, n=3, m=4, seed=20230101) -> tuple:
    """Largest ``|brute force - greedy|`` optimal welfare over random profiles with many ties.

    Marginals are drawn from ``{0, 0.5, ..., 3}`` (ties and zeros are frequent) and sorted into
    non-increasing rows; the brute force evaluates every feasible allocation in one batched call.

    Returns
    -------
    tuple
        ``(largest gap, number of profiles, number of feasible allocations)``.
    """
    rng = generator(seed)
    vals = -np.sort(-rng.integers(0, 7, size=(samples, n, m)) / 2, axis=-1)
    X = feasible_allocations(n, m)
    brute = welfare(vals, X[:, None, :]).max(axis=0)
    return float(np.abs(brute - optimal_welfare(vals, m)).max()), samples, len(X)


_COUNTS = [[1, 1, 2], [1, 1, 2], [4, 0, 0]]


def resale_grid() -> tuple:
    """The grid on which the book checks Definitions 1 and 2 for a resale market with seller 2.

    Three valuation profiles (in one the seller values her first unit at 1), four initial
    allocations, and 625 action profiles: the seller makes no offer or posts one of eight prices
    in ``[0, 3.5]`` for all, one or two units; each buyer follows her demand, requests 0, 1 or 3
    units, or requests one unit only at prices up to 1 (footnote 10: an action may depend on the
    price).

    Returns
    -------
    tuple
        ``(instances, profiles)``: a list of ``(values, holdings)`` and a list of action profiles.
    """
    values = [
        StepValues([[3.0, 1.5, 0.0], [2.5, 0.6, 0.0], [0.0, 0.0, 0.0]], _COUNTS),
        StepValues([[3.0, 1.5, 0.0], [2.5, 0.6, 0.0], [1.0, 0.0, 0.0]], _COUNTS),
        StepValues([[0.7, 0.7, 0.0], [2.0, 2.0, 0.0], [0.0, 0.0, 0.0]], _COUNTS),
    ]
    holdings = [[1, 1, 2], [0, 0, 4], [2, 1, 1], [1, 2, 1]]
    seller = [None] + [(float(p), q) for p in np.linspace(0.0, 3.5, 8) for q in (None, 1, 2)]
    buyer = ["demand", 0, 1, 3, _one_unit_up_to_one]
    profiles = [(a, b, s) for s in seller for a in buyer for b in buyer]
    return [(v, h) for v in values for h in holdings], profiles


def holder_instance() -> list:
    """One instance of :func:`resale_grid`, enough for a counterexample: the seller C values her
    first unit at 1 and holds two units, A and B one each. Returns ``[(values, holdings)]``."""
    instances, _ = resale_grid()
    return [instances[4]]


def _one_unit_up_to_one(price):
    """A buyer's price-dependent action: request one unit if the price is at most 1."""
    return 1 if price <= 1.0 else 0


class _Wrapped:
    """Take-it-or-leave-it resale by ``seller`` with payments changed by :meth:`adjust`."""

    def __init__(self, seller: int, amount: float):
        self.base, self.amount = TakeItOrLeaveIt(seller=seller), float(amount)

    def opt_out(self, i):
        return self.base.opt_out(i)

    def __call__(self, values, holdings, actions) -> TradeOutcome:
        out = self.base(values, holdings, actions)
        return TradeOutcome(out.allocation, out.payments + self.adjust(np.asarray(holdings), out.allocation))


class SubsidisedResale(_Wrapped):
    """Resale in which the market pays every buyer ``amount`` per unit bought (violates Definition 2)."""

    def adjust(self, holdings, allocation):
        return -self.amount * np.clip(allocation - holdings, 0, None)


class HoldingFee(_Wrapped):
    """Resale in which every agent pays ``amount`` per unit she holds when the market opens,
    whatever she does (violates Definition 1)."""

    def adjust(self, holdings, allocation):
        return self.amount * holdings


class BuyerCommission(_Wrapped):
    """Resale in which the platform keeps ``amount`` per unit traded, paid by the buyer on top of
    the price (a trade mechanism)."""

    def adjust(self, holdings, allocation):
        return self.amount * np.clip(allocation - holdings, 0, None)


class ForcedSale:
    """Buyers take units from ``holder`` at a fixed ``price``; the holder cannot refuse
    (violates Definition 1).

    A buyer's action is the number of units she takes (anything else counts as 0); the holder's
    actions change nothing, so her "opt-out" ``None`` protects nothing.
    """

    def __init__(self, holder: int, price: float):
        self.holder, self.price = holder, float(price)

    def opt_out(self, i):
        return None if i == self.holder else 0

    def __call__(self, values, holdings, actions) -> TradeOutcome:
        requests = [a if isinstance(a, int) else 0 for a in actions]
        return take_it_or_leave_it(values, holdings, self.holder, self.price, requests=requests)


def accounting_check(samples=5000, n=3, m=4, seed=3) -> tuple:
    """The accounting identity of the combined market on random markets.

    Random non-increasing values and bids (a fifth of the bidders bid nothing), a uniform-price
    auction, then take-it-or-leave-it resale by agent 2 at a random price.

    Returns
    -------
    tuple
        ``(largest |welfare - (surplus + revenue + trade surplus)|, largest |trade surplus|,
        number of markets)``.
    """
    rng = generator(seed)
    vals = -np.sort(-rng.uniform(0, 3, size=(samples, n, m)), axis=-1)
    bids = -np.sort(-rng.uniform(0, 3, size=(samples, n, m)), axis=-1) * (rng.random((samples, n, 1)) < 0.8)
    auction = uniform_price_auction(bids, m)
    price = rng.uniform(0, 3, samples)
    out = combined_market(vals, auction, lambda v, h: take_it_or_leave_it(v, h, seller=2, price=price))
    return float(np.abs(out.accounting_gap).max()), float(np.abs(out.trade_surplus).max()), samples


@dataclass(frozen=True)
class Footnote5:
    """Footnote 5's profile checked on sampled types.

    Attributes
    ----------
    outcome : AuctionOutcome
        The auction at the profile (agent 0 wins everything at price 0).
    reports : tuple of DeviationReport
        Per agent: the largest gain in expectation over the sampled types.
    per_type : tuple of float
        Per agent: the largest gain of the best alternative (truthful bidding included) chosen
        type by type.
    alternatives : int
        Alternative bid vectors per agent.
    welfare : numpy.ndarray
        Welfare of the equilibrium outcome, per sampled profile.
    optimal_welfare : numpy.ndarray
        :math:`\\mathrm{Wel}(\\mathbf v)` per sampled profile.
    """

    outcome: AuctionOutcome
    reports: tuple
    per_type: tuple
    alternatives: int
    welfare: np.ndarray
    optimal_welfare: np.ndarray

    @property
    def max_regret(self) -> float:
        """The largest gain found, in expectation or type by type, over all agents."""
        return float(max(max(r.best_gain, t) for r, t in zip(self.reports, self.per_type)))


def _sorted_uniform_types(n, m, samples, seed):
    """``samples`` profiles of ``n`` agents with ``m`` i.i.d. U[0, 1] marginals each, sorted."""
    return -np.sort(-generator(seed).random((samples, n, m)), axis=-1)


def footnote5(n=3, m=3, H=10.0, samples=4000, seed=5, zero_value_bidder=False) -> Footnote5:
    """Regret and welfare of "agent 0 bids ``H`` on every unit, the others bid 0" (uniform price).

    Types: i.i.d. U[0, 1] marginals, sorted (agent 0's set to 0 with ``zero_value_bidder``).
    Alternatives: every non-increasing bid vector with entries in
    ``{0, 0.1, ..., 1} ∪ {2, H, 2H}``; bids above ``H`` are the only way to beat agent 0. The
    outcome does not depend on the types, so one batched auction per agent covers all
    alternatives, and the regret is computed in expectation and type by type (truthful bidding
    added as a type-dependent alternative).

    Returns
    -------
    Footnote5
    """
    n, m = whole_number(n, "n", 2), whole_number(m, "m", 1)
    vals = _sorted_uniform_types(n, m, whole_number(samples, "samples", 2), seed)
    if zero_value_bidder:
        vals[:, 0] = 0.0
    types = StepValues(vals, np.ones((n, m), dtype=int))
    levels = np.r_[np.round(np.linspace(0, 1, 11), 6), 2.0, H, 2 * H]
    alts = np.array(sorted(set(itertools.combinations_with_replacement(levels[::-1], m)), reverse=True))
    prescribed = np.zeros((n, m))
    prescribed[0] = H
    outcome = uniform_price_auction(prescribed, m)
    reports, per_type = [], []
    for i in range(n):
        keep = ~np.all(alts == prescribed[i], axis=1)
        prof = np.broadcast_to(prescribed, (keep.sum(), n, m)).copy()
        prof[:, i] = alts[keep]
        dev = uniform_price_auction(prof, m)  # one call for all alternatives
        U = types.value(dev.allocation[:, None, :])[..., i] - dev.payments[:, i, None]  # (K, S)
        u_eq = types.value(outcome.allocation)[:, i] - outcome.payments[i]
        reports.append(best_deviation(float(u_eq.mean()), U.mean(axis=1), alts[keep], agent=i))
        truthful = np.where(np.arange(n)[:, None] == i, vals, prescribed)  # (S, n, m)
        tr = uniform_price_auction(truthful, m)
        u_truth = types.value(tr.allocation)[:, i] - tr.payments[:, i]
        per_type.append(float(np.max(np.maximum(U.max(axis=0), u_truth) - u_eq)))
    wel = types.value(outcome.allocation).sum(axis=-1)
    return Footnote5(
        outcome, tuple(reports), tuple(per_type), int(keep.sum()), wel, optimal_welfare(types, m)
    )


def footnote5_dominance(H=10.0, extra_types=7, seed=11, priorities=((0, 1, 2), (2, 1, 0))) -> tuple:
    """Truthful bidding weakly dominates the high bid ``(H, H, H)`` (three agents, three units).

    For agent 0's type ``(0.9, 0.6, 0.3)`` and ``extra_types`` sampled types, every pair of the
    others' non-increasing bid vectors with entries in ``{0, 0.25, 0.5, 0.75, 1}``, agent 0's own
    marginals (to create ties) and ``{H, 2H}``, under each tie-breaking order of ``priorities``.

    Returns
    -------
    tuple
        ``(min [u(truthful) - u(high)], cases where truthful is strictly better, cases)``.
    """
    rng = generator(seed)
    types = np.r_[[[0.9, 0.6, 0.3]], -np.sort(-rng.random((extra_types, 3)), axis=1)]
    worst, strict, count = np.inf, 0, 0
    for v in types:
        own = StepValues(v[None], np.ones((1, 3), dtype=int))
        lev = np.unique(np.r_[0.0, 0.25, 0.5, 0.75, 1.0, v, H, 2 * H])
        T = np.array(sorted(set(itertools.combinations_with_replacement(lev[::-1], 3)), reverse=True))
        grid = np.stack([np.repeat(T, len(T), axis=0), np.tile(T, (len(T), 1))], axis=1)
        for priority in priorities:
            u = []
            for bid0 in (v, np.full(3, H)):
                prof = np.concatenate([np.broadcast_to(bid0, (len(grid), 1, 3)), grid], axis=1)
                out = uniform_price_auction(prof, 3, priority=priority)
                u.append(own.value(out.allocation[:, :1])[:, 0] - out.payments[:, 0])
            diff = u[0] - u[1]
            worst, strict, count = (
                min(worst, float(diff.min())),
                strict + int((diff > 1e-9).sum()),
                count + diff.size,
            )
    return worst, strict, count
