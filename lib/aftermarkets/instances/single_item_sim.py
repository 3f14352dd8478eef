r"""Monte Carlo of the single-item combined market through the library's mechanisms.

:mod:`.single_item` computes expected outcomes by quadrature. This module checks them by running
the actual mechanisms on sampled type profiles :math:`(v_1, v_2)`:

1. the auction is the library's :func:`~aftermarkets.auctions.discriminatory_auction` with one
   unit (the first-price auction); for the all-pay auction both bidders then pay their bids;
2. the resale stage is the library's :func:`~aftermarkets.trade.take_it_or_leave_it` with the
   winner as seller (``"seller-offer"``, at the price :meth:`SingleItemMarket.resale_price
   <.single_item.SingleItemMarket.resale_price>` she posts on the path), or :func:`buyer_offer`,
   in which the loser offers :meth:`~.single_item.SingleItemMarket.resale_offer` and the winner
   sells iff the offer is at least her value; with ``"bids"`` revealed, the offer is the other
   agent's value;
3. :func:`~aftermarkets.combined.combined_market` does the accounting.

It also checks Definition 7 profile by profile: the slack
:math:`u_i(\mathcal{M}^2(x, \sigma(\theta)); \theta_i) - v_i(x; \theta_i)` of every agent in every
sampled profile, whose minimum must be non-negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import generator
from ..auctions import AuctionOutcome, discriminatory_auction
from ..combined import combined_market
from ..montecarlo import Estimate, estimate
from ..trade import TradeOutcome, take_it_or_leave_it
from .single_item import SingleItemMarket

__all__ = ["buyer_offer", "Simulation", "simulate"]

#: A price no one accepts (values are bounded by the laws' supports).
_NO_SALE = 1e9


def buyer_offer(values, holdings, buyer: int, price) -> TradeOutcome:
    """One unit; agent ``buyer`` offers ``price`` to the holder, who sells iff it is at least her value.

    Parameters
    ----------
    values : array_like
        Values, shape ``(S, 2, 1)`` (one unit).
    holdings : array_like
        ``(S, 2)``, the other agent holding the unit.
    buyer : {0, 1}
    price : array_like
        One offer per profile (``NaN`` for no offer).

    Returns
    -------
    TradeOutcome

    Examples
    --------
    >>> out = buyer_offer([[[0.3], [0.8]]], [[1, 0]], buyer=1, price=[0.5])
    >>> out.allocation.tolist(), out.payments.tolist()
    ([[0, 1]], [[-0.5, 0.5]])
    """
    v = np.asarray(values, dtype=float)
    h = np.asarray(holdings, dtype=np.int64)
    q = np.asarray(price, dtype=float)
    if v.ndim != 3 or v.shape[1:] != (2, 1) or h.shape != v.shape[:2] or q.shape != v.shape[:1]:
        raise ValueError("buyer_offer needs values (S, 2, 1), holdings (S, 2) and one offer per profile")
    if buyer not in (0, 1):
        raise ValueError(f"buyer must be 0 or 1, got {buyer!r}")
    seller = 1 - buyer
    if np.any(h[:, seller] != 1):
        raise ValueError("the other agent must hold the unit")
    deal = np.isfinite(q) & (q >= v[:, seller, 0])
    alloc = h.copy()
    alloc[deal, seller], alloc[deal, buyer] = 0, 1
    pay = np.zeros(h.shape)
    pay[deal, buyer], pay[deal, seller] = q[deal], -q[deal]
    return TradeOutcome(alloc, pay)


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo estimates of one market.

    Attributes
    ----------
    welfare, trade : Estimate
        Welfare of the final allocation; indicator that the item changed hands in resale.
    utility : tuple of Estimate
        Each agent's utility.
    ir_slack : float
        Smallest slack of Definition 7 over agents and profiles (``>= 0`` when ex post IR holds).
    accounting_gap : float
        Largest ``|welfare - (buyer surplus + revenue + trade surplus)|`` (rounding only).
    n : int
        Profiles simulated.
    """

    welfare: Estimate
    trade: Estimate
    utility: tuple
    ir_slack: float
    accounting_gap: float
    n: int


def _resale(market: SingleItemMarket, v, alloc):
    """The trade function for :func:`combined_market`: the prescribed resale stage."""
    won = alloc.astype(bool)
    values = v[:, :, None]  # dense marginal values; combined_market passes its StepValues form

    def trade(_, holdings):
        h = np.asarray(holdings)
        final, pay = h.copy(), np.zeros(h.shape)
        for w in (0, 1):
            rows = won[:, w]
            if not np.any(rows):
                continue
            lo = 1 - w
            vw, vl = v[rows, w], v[rows, lo]
            if market.resale == "seller-offer":
                if market.signal == "winner":
                    p = market.resale_price(w, vw)
                else:
                    p = np.where(vl > vw, vl, np.inf)
                p = np.where(np.isfinite(p), p, _NO_SALE)
                out = take_it_or_leave_it(values[rows], h[rows], seller=w, price=p)
            else:
                if market.signal == "winner":
                    q = market.resale_offer(lo, vl)
                else:
                    q = np.where(vw < vl, vw, np.nan)
                q = np.where(np.isfinite(q), q, np.nan)
                out = buyer_offer(values[rows], h[rows], buyer=lo, price=q)
            final[rows], pay[rows] = out.allocation, out.payments
        return TradeOutcome(final, pay)

    return trade


def simulate(market: SingleItemMarket, n: int = 200_000, seed=None) -> Simulation:
    """Run the market on ``n`` sampled type profiles.

    Parameters
    ----------
    market : SingleItemMarket
    n : int
        Profiles (at least 2).
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    Simulation
    """
    if int(n) < 2:
        raise ValueError(f"n must be at least 2, got {n!r}")
    rng = generator(seed)
    v = np.stack([market.laws[i].sample(int(n), rng) for i in (0, 1)], axis=1)
    values = v[:, :, None]
    bids = np.stack([market.bids[i](v[:, i]) for i in (0, 1)], axis=1)
    first = discriminatory_auction(bids[:, :, None], m=1)
    pay = first.payments if market.auction == "first-price" else bids
    auction = AuctionOutcome(first.allocation, pay)
    trade = None if market.resale is None else _resale(market, v, first.allocation)
    out = combined_market(values, auction, trade)
    before = v * auction.allocation
    slack = v * out.allocation - out.trade.payments - before
    moved = np.any(out.allocation != auction.allocation, axis=1)
    return Simulation(
        welfare=estimate(out.welfare),
        trade=estimate(moved.astype(float)),
        utility=tuple(estimate(out.utilities[:, i]) for i in (0, 1)),
        ir_slack=float(slack.min()),
        accounting_gap=float(np.abs(out.accounting_gap).max()),
        n=int(n),
    )
