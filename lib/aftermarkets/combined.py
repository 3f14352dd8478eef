r"""The combined market :math:`\mathcal{G}(\mathcal{M}^1, \Gamma, \mathcal{M}^2)` (Section 2.1.3).

Timing: (1) agents bid in the auction :math:`\mathcal{M}^1`; (2) each observes the allocation
:math:`x^{\mathcal{M}^1}(a^1)` and her payment (plus any signal of :math:`\Gamma`); (3) agents act
in the trade mechanism :math:`\mathcal{M}^2` starting from that allocation; (4) agent :math:`i`
gets :math:`u_i(\mathcal{M}^2(a^2; x^{\mathcal{M}^1}(a^1))) - p_i^{\mathcal{M}^1}(a^1)`.

Accounting identity: with final allocation :math:`\mathbf{y}`, auction payments :math:`p^1` and
trade payments :math:`p^2`,

.. math::

    \underbrace{\sum_i v_i(y_i)}_{\text{welfare}}
    = \underbrace{\sum_i \bigl(v_i(y_i) - p^1_i - p^2_i\bigr)}_{\text{buyer surplus}}
    + \underbrace{\sum_i p^1_i}_{\text{auction revenue}}
    + \underbrace{\sum_i p^2_i}_{\text{trade surplus} \;\ge 0}

and the trade surplus is zero for a strongly budget-balanced market such as resale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .auctions import AuctionOutcome
from .trade import TradeOutcome
from .valuations import as_step_values

__all__ = ["CombinedOutcome", "combined_market"]


@dataclass(frozen=True)
class CombinedOutcome:
    """Outcome of an auction followed by a trade mechanism.

    Attributes
    ----------
    auction : AuctionOutcome
    trade : TradeOutcome
    utilities : numpy.ndarray
        Total payoff per agent, :math:`v_i(y_i) - p^1_i - p^2_i`.
    welfare : float or numpy.ndarray
        :math:`\\sum_i v_i(y_i)` of the final allocation.
    """

    auction: AuctionOutcome
    trade: TradeOutcome
    utilities: np.ndarray
    welfare: object

    @property
    def allocation(self) -> np.ndarray:
        """Final allocation after trade."""
        return self.trade.allocation

    @property
    def payments(self) -> np.ndarray:
        """Total payment per agent (auction plus trade)."""
        return self.auction.payments + self.trade.payments

    @property
    def buyer_surplus(self):
        """Sum of the agents' payoffs."""
        return self.utilities.sum(axis=-1)

    @property
    def revenue(self):
        """Auction revenue."""
        return self.auction.payments.sum(axis=-1)

    @property
    def trade_surplus(self):
        """Net money kept by the trade mechanism (0 when strongly budget balanced)."""
        return self.trade.payments.sum(axis=-1)

    @property
    def accounting_gap(self):
        """welfare - (buyer surplus + auction revenue + trade surplus); zero up to rounding."""
        return self.welfare - (self.buyer_surplus + self.revenue + self.trade_surplus)


def combined_market(values, auction: AuctionOutcome, trade: Callable | None = None) -> CombinedOutcome:
    """Run a trade mechanism after an auction outcome and account for the combined market.

    Parameters
    ----------
    values : array_like or StepValues
        The agents' marginal values (one profile or a batch).
    auction : AuctionOutcome
        Outcome of the primary auction (its allocation is the starting point of trade).
    trade : callable, optional
        ``trade(values, holdings) -> TradeOutcome``; ``None`` means no aftermarket.

    Returns
    -------
    CombinedOutcome

    Examples
    --------
    >>> from aftermarkets import uniform_price_auction, take_it_or_leave_it
    >>> vals = [[3, 0], [0, 0]]
    >>> a = uniform_price_auction([[0, 0], [1, 1]], 2)       # agent 1 speculates
    >>> resale = lambda v, h: take_it_or_leave_it(v, h, seller=1, price=2.5)
    >>> out = combined_market(vals, a, resale)
    >>> out.allocation, out.utilities, float(out.welfare)
    (array([1, 1]), array([0.5, 2.5]), 3.0)
    """
    v = as_step_values(values)
    if trade is None:
        t = TradeOutcome(np.asarray(auction.allocation), np.zeros(np.shape(auction.payments)))
    else:
        t = trade(v, auction.allocation)
    y = t.allocation
    vals = v.value(y)
    utilities = vals - auction.payments - t.payments
    return CombinedOutcome(auction, t, utilities, vals.sum(axis=-1))
