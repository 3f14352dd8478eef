r"""The speculator's resale problem of Proposition 1 (Section 3, Appendix B.2).

After an auction outcome in which A, B and the speculator C hold :math:`(a, b, q)` units, C posts
one take-it-or-leave-it price :math:`p` for her :math:`q` units (offering all of them is optimal:
sales are non-decreasing in the quantity offered), and A, then B, buy every further unit whose
marginal value is at least :math:`p`. A's marginals are :math:`2, U` with
:math:`U \sim \mathrm{Uniform}[1, 1.5]`; B's are :math:`2, z, z, \dots` with :math:`z \sim F_B`
(:class:`~aftermarkets.valuations.ExampleOneZ`, parameter ``mz``: ``m`` in Example 1, ``r`` in
Example 4). With the prior as beliefs (Appendix B.2) C's expected revenue is

.. math::

    R(p) = p\Bigl[S(p)\,q + \bigl(1 - S(p)\bigr)\bigl(P_U(p)\, s_{1} + (1 - P_U(p))\, s_{0}\bigr)\Bigr],
    \qquad p \le 2,

and 0 for :math:`p > 2`, where :math:`S(p) = \Pr[z \ge p]`, :math:`P_U(p) = \Pr[U \ge p]`,
:math:`s_0 = \min(q, \mathbf{1}[a=0] + \mathbf{1}[b=0])` (unsold first units, worth 2) and
:math:`s_1 = \min(q, \mathbf{1}[a=0] + \mathbf{1}[b=0] + \mathbf{1}[a \le 1])` (plus A's second
unit); when :math:`z \ge p` B absorbs everything that is left. :math:`R` is increasing on
:math:`(0, 1]` (:math:`p\,S(p) = p/(1+(2m-1)p)` increases), a cubic on :math:`[1, 1 + h]`
(:math:`h = 1/(2m)`), a concave quadratic on :math:`(1 + h, 1.5]`, and :math:`p\,s_0` on
:math:`(1.5, 2]`; so the maximum is attained among :math:`1, 1 + h, 1.5, 2` and the stationary
points of the two polynomial pieces. :func:`optimal_resale_price` evaluates exactly these
candidates; :func:`single_buyer_price` is the one-buyer case (B alone, :math:`p\,S(p)`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .._checks import prices, unit_counts, whole_number
from ..valuations import ExampleOneZ, Uniform

__all__ = [
    "SECOND_UNIT",
    "single_buyer_price",
    "resale_revenue",
    "ResaleChoice",
    "optimal_resale_price",
    "auction_outcomes",
    "price_table",
    "price_classes",
]

#: A's second-unit value :math:`U \sim \mathrm{Uniform}[1, 1.5]` (Examples 1 and 4).
SECOND_UNIT = Uniform(1.0, 1.5)


@functools.lru_cache(maxsize=64)
def _law(mz) -> ExampleOneZ:
    """:math:`F_B` with parameter ``mz`` (validated: a finite number above 1/2)."""
    return ExampleOneZ(float(mz))


def single_buyer_price(mz) -> tuple:
    r"""Maximiser and maximum of the revenue curve :math:`R(p) = p\,\Pr[z \ge p]`, :math:`z \sim F_B`.

    :math:`R(p) = p/(1 + (2m_z - 1)p)` on :math:`[0, 1)`, with :math:`R'(p) = (1 + (2m_z-1)p)^{-2} > 0`,
    so :math:`R` increases there and is continuous at 1; :math:`R(p) = p(1 + h - p)` on
    :math:`[1, 1 + h]`, :math:`h = 1/(2m_z)`, a concave parabola with stationary point
    :math:`(1 + h)/2`; :math:`R = 0` above :math:`1 + h`. The maximum is therefore attained among
    the piece ends :math:`0, 1, 1 + h` and the stationary point when it lies in :math:`[1, 1 + h]`;
    the revenue is evaluated exactly at each candidate and the largest wins (the smallest
    maximiser if several tie).

    Parameters
    ----------
    mz : float
        Parameter of :math:`F_B` (``m`` in Example 1, ``r`` in Example 4), ``> 1/2``.

    Returns
    -------
    tuple of float
        ``(price, revenue)``.

    Examples
    --------
    >>> price, revenue = single_buyer_price(10)
    >>> price, round(revenue, 12)
    (1.0, 0.05)
    """
    law = _law(mz)
    h = 1.0 / (2 * law.m)
    cand = [0.0, 1.0, 1.0 + h]
    stationary = (1.0 + h) / 2
    if 1.0 <= stationary <= 1.0 + h:
        cand.append(stationary)
    cand = np.array(sorted(cand))
    rev = cand * law.survival(cand)
    j = int(np.argmax(rev))
    return float(cand[j]), float(rev[j])


def _sold_counts(a, b, q, first=True):
    """(s0, s1): units sold when z < p and U < p (s0) or U >= p (s1)."""
    a, b, q = (np.asarray(x, dtype=np.int64) for x in (a, b, q))
    firsts = ((a == 0).astype(np.int64) + (b == 0)) * np.asarray(first, dtype=np.int64)
    s0 = np.minimum(q, firsts)
    s1 = np.minimum(q, firsts + (a <= 1))
    return s0, s1


def _holdings(a, b, q):
    return [unit_counts(x, f"holdings {name}") for name, x in zip("abq", (a, b, q))]


def resale_revenue(a, b, q, price, mz, z_survival=None):
    r"""Speculator's exact expected resale revenue at ``price`` after holdings ``(a, b, q)``.

    Buyers: A (first) with marginals :math:`2, U`, then B with :math:`2, z, z, \dots`; C offers
    all ``q`` units; beliefs are the prior (Appendix B.2) unless ``z_survival`` gives C's belief
    about :math:`z` (the formula is linear in :math:`S(p)`, so any belief plugs in).

    Parameters
    ----------
    a, b, q : array_like of int
        Units held by A, B and C after the auction (broadcast together).
    price : float or array_like
        Per-unit price ``>= 0``.
    mz : float
        Parameter of :math:`F_B` (``m`` in Example 1, ``r`` in Example 4).
    z_survival : callable, optional
        ``z_survival(p) -> Pr[z >= p]`` under C's belief (vectorised); default the prior
        :math:`F_B`. Chapter 4 passes the posterior after a posted-price purchase reveals whether
        :math:`z` is above the posted price
        (:func:`~aftermarkets.instances.example3_resale.conditional_survival`).

    Returns
    -------
    numpy.ndarray
        :math:`R(p)` from the module docstring.

    Examples
    --------
    On the equilibrium path (``a = b = 1``, ``q = m - 2``) price 1 earns :math:`1 + (m-3)/(2m)`:

    >>> round(float(resale_revenue(1, 1, 8, 1.0, 10)), 12)
    1.35
    """
    a, b, q = _holdings(a, b, q)
    p = prices(price, "price")
    s0, s1 = _sold_counts(a, b, q, first=p <= 2.0)
    sz = (_law(mz).survival if z_survival is None else z_survival)(p)
    pu = SECOND_UNIT.survival(p)
    sold = sz * q + (1 - sz) * (pu * s1 + (1 - pu) * s0)
    return np.where(p <= 2.0, p * sold, 0.0)


@dataclass(frozen=True)
class ResaleChoice:
    """The speculator's revenue-maximising resale price(s) for given holdings.

    Attributes
    ----------
    price_low, price_high : numpy.ndarray
        Smallest and largest maximiser (equal when the maximiser is unique). When ``q = 0``
        there is nothing to sell; both are set to 1.
    revenue : numpy.ndarray
        Maximal expected revenue.
    revenue_at_one : numpy.ndarray
        Expected revenue at the paper's price 1.
    n_optimal : numpy.ndarray of int
        Number of distinct maximising prices among the candidates (0 when ``q = 0``).
    """

    price_low: np.ndarray
    price_high: np.ndarray
    revenue: np.ndarray
    revenue_at_one: np.ndarray
    n_optimal: np.ndarray

    @property
    def one_is_optimal(self) -> np.ndarray:
        """Whether price 1 attains the maximum (up to 1e-12, relative)."""
        return self.revenue_at_one >= self.revenue - 1e-12 * np.maximum(1.0, self.revenue)


def _candidate_prices(a, b, q, mz):
    """All candidate maximisers, shape broadcast + (7,), NaN where not applicable."""
    s0, s1 = _sold_counts(a, b, q)
    q = np.asarray(q, dtype=float)
    s0 = s0.astype(float)
    d = s1 - s0
    h = 1.0 / (2 * mz)
    shape = np.broadcast_shapes(q.shape, s0.shape)
    q, s0, d = (np.broadcast_to(x, shape).astype(float) for x in (q, s0, d))
    # piece [1, 1 + h]: R = c1 p + c2 p^2 + c3 p^3
    c1 = q * (1 + h) - h * (s0 + 3 * d)
    c2 = s0 + 3 * d + 2 * h * d - q
    c3 = -2 * d
    A, B, C = 3 * c3, 2 * c2, c1
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = B * B - 4 * A * C
        sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
        r1 = np.where(A != 0, (-B + sq) / (2 * A), np.where(B != 0, -C / B, np.nan))
        r2 = np.where(A != 0, (-B - sq) / (2 * A), np.nan)
        # piece (1 + h, 1.5]: R = p (s0 + (3 - 2p) d)
        r3 = np.where(d > 0, (s0 + 3 * d) / (4 * d), np.nan)
    r1 = np.where((r1 > 1) & (r1 < 1 + h), r1, np.nan)
    r2 = np.where((r2 > 1) & (r2 < 1 + h), r2, np.nan)
    r3 = np.where((r3 > 1 + h) & (r3 < SECOND_UNIT.high), r3, np.nan)
    fixed = [np.full(shape, v) for v in (1.0, 1.0 + h, SECOND_UNIT.high, 2.0)]
    return np.stack(fixed + [r1, r2, r3], axis=-1)


def optimal_resale_price(a, b, q, mz) -> ResaleChoice:
    """The speculator's exact revenue-maximising take-it-or-leave-it price after ``(a, b, q)``.

    The revenue curve is increasing on ``(0, 1]``, a cubic on ``[1, 1 + 1/(2 mz)]``, a concave
    quadratic on ``(1 + 1/(2 mz), 1.5]``, increasing on ``(1.5, 2]`` and zero above 2 (module
    docstring), so its maximum is attained among ``1, 1 + 1/(2 mz), 1.5, 2`` and the stationary
    points of the two polynomial pieces; all of them are evaluated exactly.

    Parameters
    ----------
    a, b, q : array_like of int
        Holdings of A, B and C after the auction.
    mz : float
        Parameter of :math:`F_B`.

    Returns
    -------
    ResaleChoice

    Examples
    --------
    On the equilibrium path price 1 is optimal; if neither A nor B won a unit, price 2 is:

    >>> c = optimal_resale_price([1, 0], [1, 0], [8, 10], 10)
    >>> c.price_low, c.revenue, c.revenue_at_one
    (array([1., 2.]), array([1.35, 4.  ]), array([1.35, 3.35]))
    """
    a, b, q = _holdings(a, b, q)
    cand = _candidate_prices(a, b, q, mz)
    rev = resale_revenue(a[..., None], b[..., None], q[..., None], np.nan_to_num(cand, nan=0.0), mz)
    rev = np.where(np.isnan(cand), -np.inf, rev)
    best = rev.max(axis=-1)
    tol = 1e-12 * np.maximum(1.0, best)
    is_max = rev >= best[..., None] - tol[..., None]
    pl = np.where(is_max, cand, np.inf).min(axis=-1)
    ph = np.where(is_max, cand, -np.inf).max(axis=-1)
    # distinct maximisers (candidates may coincide, e.g. a stationary point at 1 + h)
    srt = np.sort(np.where(is_max, cand, np.nan), axis=-1)
    distinct = np.sum(np.isfinite(srt), axis=-1) - np.sum(
        np.isfinite(srt[..., 1:]) & (np.diff(srt, axis=-1) < 1e-12), axis=-1
    )
    empty = np.broadcast_to(q == 0, best.shape)
    at_one = resale_revenue(a, b, q, 1.0, mz)
    return ResaleChoice(
        np.where(empty, 1.0, pl),
        np.where(empty, 1.0, ph),
        np.where(empty, 0.0, best),
        np.broadcast_to(at_one, best.shape).astype(float),
        np.where(empty, 0, distinct).astype(np.int64),
    )


def auction_outcomes(m) -> np.ndarray:
    """Every auction outcome ``(a, b, q)`` with ``q >= 1`` and ``a + b + q <= m``, shape
    ``(N, 3)`` (``O(m^3)`` rows: use moderate ``m``)."""
    m = whole_number(m, "m", 4)
    a, b, q = np.meshgrid(np.arange(m + 1), np.arange(m + 1), np.arange(1, m + 1), indexing="ij")
    keep = a + b + q <= m
    return np.stack([a[keep], b[keep], q[keep]], axis=-1)


def price_table(m) -> dict:
    """C's optimal price for every auction outcome (:func:`auction_outcomes`).

    Returns
    -------
    dict of numpy.ndarray
        ``a, b, q, price_low, price_high, revenue, revenue_at_one, n_optimal,
        one_is_optimal``.
    """
    m = whole_number(m, "m", 4)
    o = auction_outcomes(m)
    c = optimal_resale_price(o[:, 0], o[:, 1], o[:, 2], m)
    return {
        "a": o[:, 0],
        "b": o[:, 1],
        "q": o[:, 2],
        "price_low": c.price_low,
        "price_high": c.price_high,
        "revenue": c.revenue,
        "revenue_at_one": c.revenue_at_one,
        "n_optimal": c.n_optimal,
        "one_is_optimal": c.one_is_optimal,
    }


def price_classes(m) -> list:
    """C's optimal price summarised by class of auction outcome.

    Revenue depends on the holdings only through ``min(a, 2)``, whether ``b = 0``, and ``q``
    (B absorbs whatever is left once ``z >= p``), so the six classes below cover every
    outcome ``(a, b, q)`` with ``q >= 1``.

    Returns
    -------
    list of dict
        One row per class with keys ``a``, ``b`` (text), ``q_range``, ``q_one_optimal``
        (the ``q`` at which price 1 is optimal), ``q_one_fails``, ``optimal_prices``
        (distinct optimal prices where 1 fails, rounded to 6 digits), ``price_runs`` (which
        ``q`` gets which optimal price where 1 fails: tuples ``(q_first, q_last, price)`` over
        runs of consecutive ``q`` with the same smallest maximiser, rounded to 6 digits),
        ``largest_shortfall`` (max of optimal revenue minus revenue at 1) and
        ``largest_relative_shortfall`` (the same relative to the optimal revenue).
    """
    m = whole_number(m, "m", 4)
    rows = []
    for a, atxt in ((0, "0"), (1, "1"), (2, ">= 2")):
        for b, btxt in ((0, "0"), (1, ">= 1")):
            qmax = m - a - b
            q = np.arange(1, qmax + 1)
            c = optimal_resale_price(a, b, q, m)
            ok = c.one_is_optimal
            short = c.revenue - c.revenue_at_one
            runs = []
            for qq, pr in zip(q[~ok], np.round(c.price_low[~ok], 6)):
                if runs and runs[-1][1] == qq - 1 and runs[-1][2] == pr:
                    runs[-1] = (runs[-1][0], int(qq), runs[-1][2])
                else:
                    runs.append((int(qq), int(qq), float(pr)))
            rows.append(
                {
                    "a": atxt,
                    "b": btxt,
                    "q_range": (1, int(qmax)),
                    "q_one_optimal": q[ok],
                    "q_one_fails": q[~ok],
                    "optimal_prices": sorted(
                        {round(float(x), 6) for x in np.concatenate([c.price_low[~ok], c.price_high[~ok]])}
                    ),
                    "price_runs": runs,
                    "largest_shortfall": float(short.max()),
                    "largest_relative_shortfall": float((short / c.revenue).max()),
                }
            )
    return rows
