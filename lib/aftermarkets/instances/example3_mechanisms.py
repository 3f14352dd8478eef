r"""Example 3 (Section 5.1) rerun through the library's mechanisms, as a check of
:func:`~aftermarkets.instances.example3.scan`.

:func:`~aftermarkets.instances.example3.scan` computes the speculator's choices and the expected
welfare in closed form. :func:`posted_price_outcomes` takes C's choices at one :math:`m` and runs
the market they lead to with the library's :func:`~aftermarkets.posted_price_mechanism` (in the
arrival order), :func:`~aftermarkets.take_it_or_leave_it` (C sells at her resale price, A then B
buy) and :func:`~aftermarkets.combined_market`, at the conditional means of the four cells
(:math:`U \gtrless x`, :math:`z \gtrless x` given the class of :math:`z`, for C's resale price
:math:`x`), weighted by the cells' probabilities. Within a cell every decision is fixed and the
welfare is linear in :math:`(U, z)`, so the result is exact and must agree with the closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import whole_number
from ..auctions import posted_price_mechanism
from ..combined import combined_market
from ..trade import take_it_or_leave_it
from .example1 import Example1
from .example3 import ORDERS, _cells, scan
from .speculation import group_values

__all__ = ["Example3Outcome", "posted_price_outcomes"]


@dataclass(frozen=True)
class Example3Outcome:
    """One ``m`` and arrival order, recomputed with the library's mechanisms (:func:`posted_price_outcomes`).

    Attributes
    ----------
    m : int
    order : str
    price : float
    q : tuple of int
        C's best quantity when :math:`z \\ge p` and when :math:`z < p`.
    holdings_above, holdings_below : tuple of int
        Holdings (A, B, C) after the posted price in each class.
    resale_price : tuple of float
        C's resale price in each class.
    welfare, optimal_welfare, b_units, b_final, revenue_from_b, units_for_b : float
        As in :class:`Example3Scan`, from the library's posted-price mechanism, resale market and
        combined market run at the cells' conditional means.
    """

    m: int
    order: str
    price: float
    q: tuple
    holdings_above: tuple
    holdings_below: tuple
    resale_price: tuple
    welfare: float
    optimal_welfare: float
    b_units: float
    b_final: float
    revenue_from_b: float
    units_for_b: float

    @property
    def ratio(self) -> float:
        """Welfare over the expected optimal welfare."""
        return self.welfare / self.optimal_welfare


def posted_price_outcomes(m, orders=ORDERS, price=None) -> list:
    """C's choices from :func:`scan` at one ``m``, and the market they lead to run through the
    library's mechanisms.

    For each order and each class of :math:`z`, the library's
    :func:`~aftermarkets.posted_price_mechanism` (requests: A's and B's demand and C's quantity),
    then :func:`~aftermarkets.take_it_or_leave_it` (C sells at her resale price, A then B buy) inside
    :func:`~aftermarkets.combined_market`, on the conditional means of the four cells; the cells'
    probabilities weight the results.

    Returns
    -------
    list of Example3Outcome
    """
    m = whole_number(m, "m", 4)
    s = scan([m], orders, price)
    ex = Example1(m)
    p, sp = float(s.price[0]), float(s.p_above[0])
    hold = np.concatenate([s.holdings_above[0], s.holdings_below[0]])  # (2O, 3): above rows, then below
    x = np.concatenate([s.resale_above[0], s.resale_below[0]])
    above = np.repeat([True, False], len(s.orders))
    prob, U, Z = _cells(m, p, above, x)  # (2O, 4)
    demand = np.where(np.repeat(above, 4), m, 1)
    requests = np.column_stack([np.full(demand.shape, 2), demand, np.repeat(hold[:, 2], 4)])
    arrival = [tuple("ABC".index(c) for c in o) for o in s.orders] * 2
    outs = []
    for k in range(len(arrival)):  # one arrival order per row group
        sel = slice(4 * k, 4 * k + 4)
        v = group_values(U.ravel()[sel], Z.ravel()[sel], m - 1)
        auction = posted_price_mechanism(v, m, p, order=arrival[k], quantities=requests[sel])
        outs.append(
            combined_market(
                v,
                auction,
                lambda vv, hh, k=k: take_it_or_leave_it(vv, hh, seller=2, price=x[k], order=(0, 1)),
            )
        )
    weight = np.where(above, sp, 1 - sp)[:, None] * prob  # (2O, 4)
    res = []
    for j, order in enumerate(s.orders):
        acc = {"welfare": 0.0, "b_units": 0.0, "b_final": 0.0, "revenue_from_b": 0.0, "units_for_b": 0.0}
        for k in (j, j + len(s.orders)):
            out, w = outs[k], weight[k]
            acc["welfare"] += float(w @ out.welfare)
            acc["b_units"] += float(w @ out.auction.allocation[:, 1])
            acc["b_final"] += float(w @ out.allocation[:, 1])
            acc["revenue_from_b"] += float(w @ out.trade.payments[:, 1])
            bought_a = out.allocation[:, 0] - out.auction.allocation[:, 0]
            acc["units_for_b"] += float(w @ (out.auction.allocation[:, 2] - bought_a))
        res.append(
            Example3Outcome(
                m=m,
                order=order,
                price=p,
                q=(int(s.q_above[0, j]), int(s.q_below[0, j])),
                holdings_above=tuple(int(t) for t in s.holdings_above[0, j]),
                holdings_below=tuple(int(t) for t in s.holdings_below[0, j]),
                resale_price=(float(s.resale_above[0, j]), float(s.resale_below[0, j])),
                optimal_welfare=ex.expected_optimal_welfare(),
                **acc,
            )
        )
    return res
