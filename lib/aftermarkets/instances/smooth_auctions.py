r"""Section 4 and Appendix A: the instances behind Chapter 3 (smooth auctions).

* :class:`ResaleStage`, :func:`combined_run`, :func:`theorem2_terms` — Theorem 2's proof (A.1) term
  by term on a combined market: a multi-unit auction, all bids revealed (the signal
  :math:`\Gamma`), then one or more take-it-or-leave-it resale markets in which the buyer pays a
  commission to the platform (:class:`~aftermarkets.instances.section2.BuyerCommission`, a trade
  mechanism that is weakly but not strongly budget balanced). The four terms, for every profile,

  .. math::

      T_1 = \sum_i \mathbf{E}[u_i(\mathcal{M}^C(\hat a^C_i, a^C_{-i}))],\quad
      T_2 = \sum_i \mathbf{E}[u_i(\mathcal{M}^1(\hat a^1_i, a^1_{-i}))],\quad
      T_3 = \lambda\,\mathrm{Wel}(\mathbf v) - \mu\,\mathrm{Rev}(a^1),\quad
      T_4 = \lambda\,\mathrm{Wel}(\mathbf v) - \mu\,\mathrm{Rev}(a^C),

  where :math:`\hat a^C_i` bids :math:`\hat a^1_i \sim D^1_i` in the auction and opts out of every
  resale market; the proof's chain is :math:`T_1 \ge T_2 \ge T_3 \ge T_4`.
* :func:`theorem2_market` — the concrete market the chapter prints; :func:`random_combined` —
  random combined markets for the same check.
* :func:`failure_profile` — footnote 15's family on which the uniform-price auction is not smooth.
* :func:`corollary1_market`, :func:`correlated_market_instance`, :func:`proposition5_market` — the
  lab instances of Corollary 1, Proposition 3 and Proposition 5.
* :func:`table1` — Table 1's rows with the PoA column computed as :math:`\mu/\lambda`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .. import smoothness as sm
from .._checks import generator
from ..allocation import optimal_welfare
from ..lab import FiniteMarket
from ..valuations import validate_marginals
from .section2 import BuyerCommission

__all__ = [
    "ResaleStage",
    "combined_run",
    "theorem2_terms",
    "theorem2_market",
    "random_combined",
    "failure_profile",
    "corollary1_market",
    "correlated_market_instance",
    "proposition5_market",
    "table1",
]


@dataclass(frozen=True)
class ResaleStage:
    """One resale market after the auction.

    Attributes
    ----------
    seller : int
        The holder who posts a take-it-or-leave-it price for all her units.
    price : callable
        ``price(bids, holdings) -> prices``: the seller's strategy, a function of the revealed bids
        (the signal) and the current holdings, batched over profiles (shape ``(S,)``).
    commission : float
        Paid by a buyer to the platform per unit bought, on top of the price.
    """

    seller: int
    price: Callable
    commission: float = 0.0


def _cum(values):
    S, n, m = values.shape
    return np.concatenate([np.zeros((S, n, 1)), np.cumsum(values, axis=-1)], axis=-1)


def combined_run(mech, values, bids, stages, opt_out=None) -> dict:
    """The combined market: the auction on ``bids``, then each resale stage in turn.

    In a stage the seller offers all her units at her price; every other bidder requests the
    further units whose marginal value is at least the price plus the commission; the bidder
    ``opt_out`` (if any) makes no offer and requests nothing in every stage (her opt-out action).

    Returns
    -------
    dict
        ``allocation`` (final), ``auction_payments``, ``resale_payments`` (summed over stages),
        ``utilities`` (``(S, n)``), ``auction_revenue`` and ``combined_revenue`` (``(S,)``).
    """
    mech = sm.MECHANISMS[mech] if isinstance(mech, str) else mech
    v = validate_marginals(values, name="values")
    a = validate_marginals(bids, name="bids")
    v, a = (x[None] if x.ndim == 2 else x for x in (v, a))
    v, a = np.broadcast_arrays(v, a)
    S, n, m = v.shape
    x, p1 = mech.run(a, m)
    h = x.copy()
    p2 = np.zeros((S, n))
    units = np.arange(m)
    for st in stages:
        price = np.broadcast_to(np.asarray(st.price(a, h), dtype=float), (S,))
        gross = price + st.commission
        want = np.sum((units >= h[..., None]) & (v >= gross[:, None, None]) & (v > 0), axis=-1)
        actions = []
        for i in range(n):
            if i == st.seller:
                actions.append(None if i == opt_out else (price, None))
            else:
                actions.append(0 if i == opt_out else (lambda _p, w=want[:, i]: w))
        out = BuyerCommission(st.seller, st.commission)(v, h, actions)
        h, p2 = out.allocation, p2 + out.payments
    util = np.take_along_axis(_cum(v), h[..., None], -1)[..., 0] - p1 - p2
    return {
        "allocation": h,
        "auction_payments": p1,
        "resale_payments": p2,
        "utilities": util,
        "auction_revenue": p1.sum(-1),
        "combined_revenue": p1.sum(-1) + p2.sum(-1),
    }


def theorem2_terms(
    mech, values, bids, stages, directions=None, lam=1 - sm.E_INV, mu=1.0, law=sm.FIRST_PRICE, check=True
) -> dict:
    r"""The terms of Theorem 2's proof (Appendix A.1) on every profile, computed exactly.

    Parameters
    ----------
    mech : str or Mechanism
        The auction :math:`\mathcal{M}^1`.
    values, bids : array_like
        ``(n, m)`` or ``(S, n, m)``: the values and the auction bids :math:`a^1`.
    stages : sequence of ResaleStage
        The resale markets and the sellers' price strategies (part of :math:`a^C`).
    directions : callable or array_like, optional
        The auction deviation :math:`D^1_i` (default
        :func:`~aftermarkets.smoothness.optimal_units_directions`; pass
        :func:`~aftermarkets.smoothness.all_units_directions` for Theorem 3).
    lam, mu, law, check
        As in :func:`aftermarkets.smoothness.slack`.

    Returns
    -------
    dict
        ``combined_dev`` and ``auction_dev`` (``(S, n)``, each bidder's deviation utility),
        ``T1, T2, T3, T4``, ``welfare``, ``auction_revenue``, ``combined_revenue`` (``(S,)``).
    """
    mech = sm.MECHANISMS[mech] if isinstance(mech, str) else mech
    v = validate_marginals(values, name="values")
    a = validate_marginals(bids, name="bids")
    v, a = (x[None] if x.ndim == 2 else x for x in (v, a))
    v, a = np.broadcast_arrays(v, a)
    S, n, m = v.shape
    if directions is None:
        directions = sm.optimal_units_directions
    d = directions(v) if callable(directions) else np.broadcast_to(directions, v.shape)
    auction_dev = sm.deviation_utilities(mech, v, a, d, law, check)
    combined_dev = np.zeros((S, n))
    for i in range(n):
        comp = np.delete(a, i, axis=1).reshape(S, -1)
        di = d[:, i]
        with np.errstate(divide="ignore", invalid="ignore"):
            bp = np.where(di[:, None, :] > 0, comp[:, :, None] / di[:, None, :], 0.0).reshape(S, -1)

        def utility_at(t, i=i, di=di):
            P = t.shape[1]
            prof = np.repeat(a[:, None], P, axis=1).copy()
            prof[:, :, i] = t[..., None] * di[:, None, :]
            vv = np.repeat(v[:, None], P, axis=1).reshape(S * P, n, m)
            run = combined_run(mech, vv, prof.reshape(S * P, n, m), stages, opt_out=i)
            return run["utilities"][:, i].reshape(S, P)

        combined_dev[:, i] = sm.expected_over_scale(utility_at, bp, law, check)
    actual = combined_run(mech, v, a, stages)
    wel = optimal_welfare(v, m)
    return {
        "combined_dev": combined_dev,
        "auction_dev": auction_dev,
        "T1": combined_dev.sum(-1),
        "T2": auction_dev.sum(-1),
        "T3": lam * wel - mu * actual["auction_revenue"],
        "T4": lam * wel - mu * actual["combined_revenue"],
        "welfare": wel,
        "auction_revenue": actual["auction_revenue"],
        "combined_revenue": actual["combined_revenue"],
    }


def _losing_bid_price(buyers, markup):
    """A seller's price from the revealed bids: the highest marginal bid of ``buyers`` on a unit
    they did not win, plus ``markup``."""

    def price(bids, holdings):
        m = bids.shape[-1]
        lost = np.arange(m) >= holdings[..., None]  # (S, n, m): units a bidder did not win
        sel = np.where(lost[:, buyers], bids[:, buyers], 0.0)
        return sel.reshape(len(bids), -1).max(axis=-1) + markup

    return price


def theorem2_market() -> dict:
    """The combined market the chapter walks through (Theorem 2, Appendix A.1).

    Three bidders and :math:`m = 3` units: A and B consume, C (values 0) speculates. The auction is
    discriminatory; the bids are revealed. First C resells everything at the highest losing bid of
    A and B plus 0.3 (a platform commission of 0.05 per unit, paid by the buyer); then A resells
    at the highest losing bid of B plus 0.4 (commission 0.02).

    Returns
    -------
    dict
        ``values``, ``bids``, ``stages`` (one market), ``two_stages`` (both), ``names``.
    """
    values = np.array([[1.0, 0.7, 0.0], [0.9, 0.8, 0.3], [0.0, 0.0, 0.0]])
    bids = np.array([[0.5, 0.2, 0.0], [0.45, 0.3, 0.0], [0.6, 0.4, 0.1]])
    first = ResaleStage(2, _losing_bid_price([0, 1], 0.3), 0.05)
    second = ResaleStage(0, _losing_bid_price([1], 0.4), 0.02)
    return {"values": values, "bids": bids, "stages": (first,), "two_stages": (first, second), "names": "ABC"}


def random_combined(size, n=3, m=3, seed=None) -> dict:
    """Random combined markets for Theorem 2's chain: non-increasing values in ``[0, 1]`` (a
    quarter of the bidders value nothing), random bids (up to 1.2, so that some overbid), two
    resale stages with sellers 0 and ``n - 1`` posting the highest losing bid of the others plus a
    markup of 0.2 and 0.05, with commissions 0.05 and 0.
    """
    rng = generator(seed)
    v = -np.sort(-rng.uniform(0, 1, (size, n, m)), axis=-1) * (rng.random((size, n, 1)) < 0.75)
    a = -np.sort(-rng.uniform(0, 1.2, (size, n, m)) * (rng.random((size, n, m)) < 0.7), axis=-1)
    stages = (
        ResaleStage(n - 1, _losing_bid_price(list(range(n - 1)), 0.2), 0.05),
        ResaleStage(0, _losing_bid_price(list(range(1, n)), 0.05), 0.0),
    )
    return {"values": v, "bids": a, "stages": stages}


def failure_profile(m: int, blocker_bid=1.0, eps=0.0) -> tuple:
    r"""Footnote 15's profile: bidder 0 values every unit at 1 and bids ``eps`` on each; bidder 1
    values nothing and bids ``blocker_bid`` on every unit (an overbid).

    With ``blocker_bid >= 1`` bidder 0 gains nothing from any bid (winning a unit displaces a bid
    of at least 1, which then sets the price), bidder 1 nothing either, while
    :math:`\mathrm{Wel}(\mathbf v) = m` and :math:`\mathrm{Rev}(a) = m\,\varepsilon`: the certificate
    :func:`~aftermarkets.smoothness.certificate_slack` equals :math:`-m(\lambda - \mu\varepsilon)`.

    Returns
    -------
    tuple
        ``(values, bids)``, each ``(2, m)``.
    """
    m = int(m)
    if m < 1 or eps < 0 or blocker_bid < eps:
        raise ValueError("need m >= 1 and 0 <= eps <= blocker_bid")
    values = np.zeros((2, m))
    values[0] = 1.0
    bids = np.zeros((2, m))
    bids[0], bids[1] = eps, blocker_bid
    return values, bids


def corollary1_market() -> tuple:
    """The lab instance of Proposition 2 and Corollary 1: two units, A and B with two types each
    (probability 1/2), and a speculator C who values nothing; bids on the grid 0, 0.25, 0.5, 0.75.

    Returns
    -------
    tuple
        ``(FiniteMarket, bid levels)``.
    """
    A = np.array([[1.0, 0.0], [1.0, 1.0]])
    B = np.array([[0.4, 0.4], [1.0, 0.6]])
    C = np.zeros((1, 2))
    return FiniteMarket([A, B, C], [[0.5, 0.5], [0.5, 0.5], [1.0]], names="ABC"), (0.25, 0.5, 0.75)


def correlated_market_instance(rho=0.9):
    """Proposition 3's instance: two bidders, one unit; bidder 1 values it at 0.3 or 1, bidder 2 at
    0.6 or 0.9, the low (high) values together with probability ``rho / 2`` each (``rho = 1/2`` is
    independence); first price on the grid 0, 0.1, ..., 1.

    Returns
    -------
    tuple
        ``(CorrelatedMarket, bid grid)``.
    """
    from ..information import correlated_market

    if not 0 < rho < 1:
        raise ValueError("rho must be in (0, 1)")
    joint = np.array([[rho, 1 - rho], [1 - rho, rho]]) / 2
    grid = np.round(np.arange(0, 1.0001, 0.1), 9)[:, None]
    values = [np.array([[0.3], [1.0]]), np.array([[0.6], [0.9]])]
    return correlated_market(values, joint, names=("1", "2")), grid


def proposition5_market() -> tuple:
    """Proposition 5's instance: one unit; the incumbent values it at 0.2 or 1 (probability 1/2
    each), the researcher at 0.6 and may learn the incumbent's value before bidding; first price
    on the grid 0, 0.1, ..., 1.

    Returns
    -------
    tuple
        ``(FiniteMarket, bid grid)``; the researcher is bidder 1.
    """
    vals = [np.array([[0.2], [1.0]]), np.array([[0.6]])]
    grid = np.round(np.arange(0, 1.0001, 0.1), 9)[:, None]
    return FiniteMarket(vals, [[0.5, 0.5], [1.0]], names=("incumbent", "researcher")), grid


def table1() -> list:
    r"""Table 1 of Appendix A.3: environment, mechanism, :math:`(\lambda, \mu)` as sympy numbers, the
    source mark, and the PoA bound :math:`\mu/\lambda` computed (simplified by sympy)."""
    lam_fp, lam_ap = 1 - sp.exp(-1), sp.Rational(1, 2)
    rows = [
        ("single-item", "first-price auction", lam_fp, 1, "*"),
        ("single-item", "all-pay auction", lam_ap, 1, "*"),
        ("combinatorial, submodular", "simultaneous first price", lam_fp, 1, "†"),
        ("combinatorial, submodular", "simultaneous all pay", lam_ap, 1, "†"),
    ]
    return [
        {
            "environment": env,
            "mechanism": mech,
            "lam": sp.nsimplify(lam),
            "mu": sp.Integer(mu),
            "source": src,
            "poa": sp.simplify(sp.Integer(mu) / lam),
        }
        for env, mech, lam, mu, src in rows
    ]
