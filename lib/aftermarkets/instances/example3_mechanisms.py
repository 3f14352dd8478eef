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
from ..allocation import serve_in_order
from ..auctions import posted_price_mechanism
from ..combined import combined_market
from ..trade import take_it_or_leave_it
from ..valuations import fb_survival
from .example1 import Example1
from .example3 import ORDERS, _cells, scan
from .example3_resale import BELIEFS, conditional_survival, optimal_resale_given
from .resale import resale_revenue
from .speculation import group_values

__all__ = ["Example3Outcome", "posted_price_outcomes", "buyer_regrets"]


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


# ----------------------------------------------------------------------------- A's and B's regret
def _c_belief(b, b_above, b_below) -> np.ndarray:
    """C's belief from B's holding ``b``, given what B would hold in each class under her strategy:
    0 the prior (uninformative or off the path), 1 ``"above"``, 2 ``"below"``."""
    return np.where(b_above == b_below, 0, np.where(b == b_above, 1, np.where(b == b_below, 2, 0)))


def _resale_price(a, b, q, m, p, belief) -> np.ndarray:
    """C's optimal resale price for beliefs coded 0/1/2 (:func:`_c_belief`), elementwise. The
    deviations share few distinct (holdings, belief) cases: C's problem is solved once for each."""
    cases = np.stack(np.broadcast_arrays(*(np.asarray(t, dtype=np.int64) for t in (a, b, q, belief))), -1)
    rows, inverse = np.unique(cases.reshape(-1, 4), axis=0, return_inverse=True)
    x = np.empty(len(rows))
    for k, bel in enumerate(BELIEFS):
        mine = rows[:, 3] == k
        if mine.any():
            x[mine] = optimal_resale_given(*rows[mine, :3].T, m, p, bel)[0]
    return x[inverse.reshape(-1)].reshape(cases.shape[:-1])


def _market(m, p, order, ra, rb_cls, rc) -> dict:
    """Posted-price holdings and C's resale price when A requests ``ra`` and B ``rb_cls[c]`` in class
    ``c`` and C ``rc`` (all broadcast). B's strategy (her demand) defines C's inference."""
    idx = ["ABC".index(t) for t in order]
    out = {}
    for c in ("above", "below"):
        h = serve_in_order(np.stack(np.broadcast_arrays(ra, rb_cls[c], rc), -1), m, idx)
        # what B would hold under her strategy, in each class, given the same others' requests
        hb = [serve_in_order(np.stack(np.broadcast_arrays(ra, d, rc), -1), m, idx)[..., 1] for d in (m, 1)]
        bel = _c_belief(h[..., 1], *hb)
        out[c] = (h, _resale_price(h[..., 0], h[..., 1], h[..., 2], m, p, bel), bel)
    return out


def _c_best_quantity(m, p, order, ra, rb_cls) -> tuple:
    """C's best request when she moves after the deviator, per class of z (equal unless she saw B buy);
    ``ra``, ``rb_cls`` of shape ``(K,)``. She tries 0 to 6 units and the nine largest quantities left to
    her (the ends of the runs on which her profit is convex, as in :func:`scan`); ties go to the
    smallest."""
    ra2, rb2 = np.asarray(ra)[:, None], {c: np.asarray(v)[:, None] for c, v in rb_cls.items()}
    idx = ["ABC".index(t) for t in order]
    left = np.maximum(
        *(serve_in_order(np.stack(np.broadcast_arrays(ra2, rb2[c], m), -1), m, idx)[..., 2] for c in rb2)
    )
    qs = np.sort(
        np.clip(
            np.concatenate([np.broadcast_to(np.arange(7), (len(left), 7)), left - np.arange(9)], 1), 0, left
        ),
        axis=1,
    )
    mk = _market(m, p, order, ra2, rb2, qs)
    sp = float(fb_survival(m, p))
    rows = np.arange(len(qs))
    prof = {}
    for c, (h, x, _) in mk.items():
        surv = lambda t, c=c: conditional_survival(m, t, p, c)  # noqa: E731
        rev = np.where(
            h[..., 2] > 0, resale_revenue(h[..., 0], h[..., 1], h[..., 2], x, 4, z_survival=surv), 0.0
        )
        prof[c] = rev - p * h[..., 2]
    if order.index("B") < order.index("C"):  # C saw B's holding: her belief at purchase
        best = {}
        for c in ("above", "below"):
            mix = sp * prof["above"] + (1 - sp) * prof["below"]
            own = np.where(mk[c][2] == 1, prof["above"], np.where(mk[c][2] == 2, prof["below"], mix))
            best[c] = qs[rows, np.argmax(own >= own.max(axis=1, keepdims=True) - 1e-12, axis=1)]
        return best["above"], best["below"]
    mix = sp * prof["above"] + (1 - sp) * prof["below"]
    q = qs[rows, np.argmax(mix >= mix.max(axis=1, keepdims=True) - 1e-12, axis=1)]
    return q, q


def _utility(agent, m, p, h, x, t) -> np.ndarray:
    """Utility of A (type ``t = U``) or B (type ``t = z``) after holdings ``h`` and C's offer at ``x``
    (A buys first, then B; each accepts every unit worth at least ``x``), net of all payments."""
    a, b, q = h[..., 0], h[..., 1], h[..., 2]
    u_t = t if agent == "A" else 1.25  # A's U when B deviates: the value does not enter B's utility
    n_a = np.minimum((a == 0) * (x <= 2) + (a <= 1) * (u_t >= x), q)
    if agent == "A":
        fa = a + n_a
        return 2.0 * (fa >= 1) + t * (fa >= 2) - p * a - x * n_a
    n_b = np.minimum((b == 0) * (x <= 2) + (m - 1 - np.maximum(b - 1, 0)) * (t >= x), q - n_a)
    fb = b + n_b
    return 2.0 * (fb >= 1) + t * np.maximum(fb - 1, 0) - p * b - x * n_b


def buyer_regrets(m, order, price=None) -> dict:
    r"""A's and B's largest gain from deviating, at one ``m`` and arrival order, with C best-responding.

    The profile is :func:`~aftermarkets.instances.example3.scan`'s: A requests two units, B her demand
    (one unit if :math:`z < p`, all if :math:`z \ge p`), C her best quantity. A deviation is any request
    from 0 to ``m`` units, chosen per type (:math:`U` for A, :math:`z` for B). If C moves after the
    deviator she re-optimises over every quantity; her beliefs about :math:`z` follow B's strategy
    (off the path she keeps the prior), and her resale price is optimal for them. In Example 1's resale
    market only C makes an offer, so A and B can buy but not resell; accepting every unit worth at
    least the offer is their best reply at that last stage. Utilities are evaluated on type grids that
    contain every resale price (the utilities are piecewise linear in the type, with kinks there).

    Returns
    -------
    dict
        ``"A"``, ``"B"``: the largest gain over types and deviations (0 when the profile is an
        equilibrium of the combined market); ``"q"``: C's re-optimised quantities at the equilibrium
        requests (per class), which must reproduce :func:`scan`'s.
    """
    m = whole_number(m, "m", 4)
    s = scan([m], (order,), price)
    p = float(s.price[0])
    ks = np.arange(m + 1)
    c_after = {d: order.index("C") > order.index(d) for d in "AB"}
    q_eq = {"above": int(s.q_above[0, 0]), "below": int(s.q_below[0, 0])}
    out = {}
    for dev in "AB":
        ra = ks if dev == "A" else np.full(len(ks), 2)
        rb = {c: (ks if dev == "B" else np.full(len(ks), d)) for c, d in (("above", m), ("below", 1))}
        if c_after[dev]:
            qa, qb = _c_best_quantity(m, p, order, ra, rb)
            rc = {"above": qa, "below": qb}
        else:
            rc = {c: np.full(len(ks), q_eq[c]) for c in q_eq}
        gain = 0.0
        for c in ("above", "below"):
            mk = _market(m, p, order, ra, rb, rc[c])[c]
            h, x = mk[0], mk[1]
            k_eq = 2 if dev == "A" else (m if c == "above" else 1)
            kinks = np.concatenate([x, x * (1 - 1e-12)])
            if dev == "A":
                t = np.concatenate([np.linspace(1.0, 1.5, 51), kinks[(kinks >= 1) & (kinks <= 1.5)]])
            elif c == "above":
                t = np.concatenate([p * np.geomspace(1, 1e6, 61), kinks[kinks >= p], [2.0]])
            else:
                t = np.concatenate([np.linspace(0, p, 41)[:-1], kinks[kinks < p]])
            u = _utility(dev, m, p, h[:, None, :], x[:, None], t[None, :])  # (deviations, types)
            gain = max(gain, float((u.max(axis=0) - u[k_eq]).max()))
            if dev == "B" and c_after["B"] or dev == "A" and c_after["A"]:
                out.setdefault("q", {})[c] = int(rc[c][k_eq])
        out[dev] = gain
    return out
