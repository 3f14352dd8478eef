r"""The paper's instances as objects: Example 1 (Section 3) and Example 4 (Appendix B.3).

Example 1 (:class:`Example1`)
-----------------------------
``m > 3`` identical units and three agents: A (index 0), B (1) and the speculator C (2).

* A's marginals are :math:`2, U, 0, 0, \dots` with :math:`U \sim \mathrm{Uniform}[1, 1.5]`;
* B's marginals are :math:`2, z, z, \dots, z` (:math:`m - 1` copies of :math:`z`) with
  :math:`z \sim F_B` (:class:`~aftermarkets.ExampleOneZ`),
  :math:`F_B(z) = 1 - 1/(1 + (2m-1)z)` on :math:`[0, 1)` and :math:`z - 1/(2m)` on
  :math:`[1, 1 + 1/(2m)]`;
* C values every bundle at 0.

The equilibrium profile: A and B bid 2 on one unit, C bids 1 on :math:`m - 2` units (zeros
elsewhere), so exactly :math:`m` marginal bids are positive and the clearing price (the highest
losing bid) is 0. In the take-it-or-leave-it resale market C offers all her units at price 1,
A first, then B. With :math:`h = 1/(2m)`, the exact quantities are

.. math::

    \mathbb{E}[z] &= \frac{\ln 2m}{2m - 1} + \frac{h^2}{2}, \\
    \mathrm{Wel}(\mathbf{v}) &= 4 + (m - 3) z + \max(U, z)
        \quad\Rightarrow\quad
        \mathbb{E}[\mathrm{Wel}(\mathbf{v})] = \tfrac{21}{4} + (m-3)\,\mathbb{E}[z] + \tfrac{h^3}{3}, \\
    \mathrm{Wel}_{\mathrm{eq}} &= 4 + U + (m - 3)\, z\, \mathbf{1}[z \ge 1]
        \quad\Rightarrow\quad
        \mathbb{E}[\mathrm{Wel}_{\mathrm{eq}}] = \tfrac{21}{4} + (m - 3)\bigl(h + \tfrac{h^2}{2}\bigr), \\
    \mathbb{E}[u_C] &= 1 + (m - 3) h, \qquad
    \mathbb{E}[u_A] = \tfrac{9}{4}, \qquad \mathbb{E}[u_B] = 2 + (m - 3)\tfrac{h^2}{2},

(:math:`h^3/3 = \mathbb{E}[(z - U)^+]`; :math:`h^2/2 = \mathbb{E}[(z-1)^+]`), and the price of
anarchy of the instance is :math:`\mathbb{E}[\mathrm{Wel}(\mathbf{v})] /
\mathbb{E}[\mathrm{Wel}_{\mathrm{eq}}] \sim \tfrac{2}{23}\ln m`.

The speculator's resale problem (Proposition 1)
-----------------------------------------------
After any auction outcome with holdings :math:`(a, b, q)` of A, B and C, C posts one price
:math:`p` for her :math:`q` units (offering all of them is optimal: sales are non-decreasing in
the quantity offered) and A, then B, buy every further unit whose marginal value is at least
:math:`p`. With prior beliefs her expected revenue is

.. math::

    R(p) = p\Bigl[S(p)\,q + \bigl(1 - S(p)\bigr)\bigl(P_U(p)\, s_{1} + (1 - P_U(p))\, s_{0}\bigr)\Bigr],
    \qquad p \le 2,

and 0 for :math:`p > 2`, where :math:`S(p) = \Pr[z \ge p]`, :math:`P_U(p) = \Pr[U \ge p]`,
:math:`s_0 = \min(q, \mathbf{1}[a=0] + \mathbf{1}[b=0])` (unsold first units, worth 2) and
:math:`s_1 = \min(q, \mathbf{1}[a=0] + \mathbf{1}[b=0] + \mathbf{1}[a \le 1])` (plus A's
second unit); when
:math:`z \ge p` B absorbs everything that is left. :math:`R` is increasing on :math:`(0, 1]`
(:math:`p\,S(p) = p/(1+(2m-1)p)` increases), a cubic on :math:`[1, 1 + h]`, a concave
quadratic on :math:`(1 + h, 1.5]`, and :math:`p\,s_0` on :math:`(1.5, 2]`; so the maximum is
attained among :math:`1, 1 + h, 1.5, 2` and the stationary points of the two polynomial pieces.
:func:`optimal_resale_price` evaluates exactly these candidates.

Example 4 (:class:`Example4`)
-----------------------------
:math:`k = \lceil 1/\gamma \rceil` copies of Example 1's three agents (groups), :math:`m = rk`
units, :math:`z_i \sim F_B` with :math:`m` replaced by :math:`r = m/k`, resale only within
groups. The equilibrium welfare is :math:`k` times Example 1's with :math:`m = r`. The optimal
allocation of the *global* auction is not per group: any :math:`B_i` can absorb all leftover
units, so with :math:`Z = \max_i z_i`

.. math::

    \mathbb{E}[\mathrm{Wel}(\mathbf{v})] = 4k + (m - 2k)\,\mathbb{E}[Z] + k\,\mathbb{E}[(U - Z)^+],

which :meth:`Example4.expected_optimal_welfare` evaluates in closed form (a finite sum).

Everything random is simulated with the library's mechanisms
(:func:`~aftermarkets.uniform_price_auction`, :func:`~aftermarkets.take_it_or_leave_it`,
:func:`~aftermarkets.combined_market`, :func:`~aftermarkets.optimal_welfare`); exact expected
payoffs off the equilibrium path run the same mechanisms on a handful of representative type
profiles (utilities are linear in :math:`U` and :math:`z` once the resale decisions are fixed, so
conditional means are exact).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from itertools import permutations

import numpy as np
import sympy as sp

from ._checks import whole_number
from .auctions import AuctionOutcome, uniform_price_auction
from .allocation import optimal_welfare
from .combined import combined_market
from .equilibrium import DeviationReport, deviation_search
from .trade import take_it_or_leave_it
from .valuations import ExampleOneZ, StepValues, Uniform

__all__ = [
    "Estimate",
    "SimulationResult",
    "ResaleChoice",
    "DeviationCheck",
    "Witness",
    "DominanceClass",
    "resale_revenue",
    "optimal_resale_price",
    "single_buyer_price",
    "bid_family",
    "Example1",
    "Example4",
]

#: Support of A's second-unit value :math:`U`.
U_LOW, U_HIGH = 1.0, 1.5
#: Price rules for the speculator's resale offer: the paper's constant 1, or her exact optimum
#: (``optimal-low`` / ``optimal-high`` pick the smallest / largest maximiser when several tie).
PRICE_RULES = ("paper", "optimal-low", "optimal-high")


# --------------------------------------------------------------------------------------------
# small validated types
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its standard error.

    Attributes
    ----------
    mean : float
    se : float
        Standard error of ``mean``.
    """

    mean: float
    se: float

    def interval(self, level: float = 0.99) -> tuple:
        """Normal-approximation confidence interval ``(low, high)`` at ``level``."""
        from scipy.stats import norm

        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        half = float(norm.ppf(0.5 + level / 2)) * self.se
        return (self.mean - half, self.mean + half)

    def contains(self, value: float, level: float = 0.99) -> bool:
        """Whether ``value`` lies in the ``level`` confidence interval."""
        lo, hi = self.interval(level)
        return lo <= value <= hi


def _estimate(x: np.ndarray) -> Estimate:
    x = np.asarray(x, dtype=float)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)))


def _ratio_estimate(num: np.ndarray, den: np.ndarray) -> Estimate:
    """Ratio of means with its delta-method standard error."""
    mn, md = float(num.mean()), float(den.mean())
    r = mn / md
    cov = np.cov(num, den, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (md * md * num.size)
    return Estimate(r, float(math.sqrt(max(var, 0.0))))


@dataclass(frozen=True)
class SimulationResult:
    """Monte Carlo estimates of the combined market at the paper's equilibrium.

    Attributes
    ----------
    n : int
        Sampled type profiles.
    seed : object
        The seed given to ``numpy.random.default_rng``.
    equilibrium_welfare, optimal_welfare : Estimate
        Welfare of the final allocation after resale, and the optimal welfare of the sampled
        profiles (:func:`~aftermarkets.optimal_welfare`).
    price_of_anarchy : Estimate
        Ratio of the two means, delta-method standard error.
    speculator_utility : Estimate
        Speculator's payoff (for Example 4: per speculator, averaged over the groups).
    utilities : tuple of Estimate
        Each agent's payoff, in agent order.
    clearing_price : float
        The auction's price (bids do not depend on types, so it is one number).
    auction_revenue : float
        Total auction payments.
    group_optimal_welfare : Estimate or None
        Example 4 only: optimal welfare when units may move only within groups.
    """

    n: int
    seed: object
    equilibrium_welfare: Estimate
    optimal_welfare: Estimate
    price_of_anarchy: Estimate
    speculator_utility: Estimate
    utilities: tuple
    clearing_price: float
    auction_revenue: float
    group_optimal_welfare: Estimate | None = None


# --------------------------------------------------------------------------------------------
# the law of z (parameter mz: Example 1's m, Example 4's r) and of U
# --------------------------------------------------------------------------------------------

def _z_survival(p, mz):
    r"""Pr[z >= p] (continuous law, so also Pr[z > p])."""
    p = np.asarray(p, dtype=float)
    h = 1.0 / (2 * mz)
    c = 2 * mz - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        low = 1.0 / (1.0 + c * np.clip(p, 0.0, None))
    out = np.where(p < 1.0, low, np.clip(1.0 + h - p, 0.0, 1.0))
    return np.where(p <= 0.0, 1.0, out)


def _z_tail_integral(p, mz):
    r""":math:`\int_p^\infty \Pr[z \ge t]\,dt` (so that E[z 1{z>=p}] = p S(p) + this)."""
    p = np.asarray(p, dtype=float)
    h = 1.0 / (2 * mz)
    c = 2 * mz - 1
    pc = np.clip(p, 0.0, 1.0)
    low = (np.log(2 * mz) - np.log1p(c * pc)) / c + h * h / 2
    top = np.clip(1.0 + h - p, 0.0, None) ** 2 / 2
    return np.where(p < 1.0, low, top)


def _z_mean(mz):
    return np.log(2 * mz) / (2 * mz - 1) + 1.0 / (8 * mz * mz)


def _u_survival(p):
    p = np.asarray(p, dtype=float)
    return np.clip((U_HIGH - p) / (U_HIGH - U_LOW), 0.0, 1.0)


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
    mz = float(mz)
    if not (math.isfinite(mz) and mz > 0.5):
        raise ValueError(f"mz must be a finite number > 1/2, got {mz!r}")
    h = 1.0 / (2 * mz)
    cand = [0.0, 1.0, 1.0 + h]
    stationary = (1.0 + h) / 2
    if 1.0 <= stationary <= 1.0 + h:
        cand.append(stationary)
    cand = np.array(sorted(cand))
    rev = cand * _z_survival(cand, mz)
    j = int(np.argmax(rev))
    return float(cand[j]), float(rev[j])


# --------------------------------------------------------------------------------------------
# the speculator's resale problem
# --------------------------------------------------------------------------------------------

def _sold_counts(a, b, q, first=True):
    """(s0, s1): units sold when z < p and U < p (s0) or U >= p (s1)."""
    a, b, q = (np.asarray(x, dtype=np.int64) for x in (a, b, q))
    firsts = ((a == 0).astype(np.int64) + (b == 0)) * np.asarray(first, dtype=np.int64)
    s0 = np.minimum(q, firsts)
    s1 = np.minimum(q, firsts + (a <= 1))
    return s0, s1


def _check_holdings(a, b, q):
    arrs = [np.asarray(x) for x in (a, b, q)]
    for name, x in zip("abq", arrs):
        if np.any(x < 0) or np.any(x != np.round(x)):
            raise ValueError(f"holdings {name} must be non-negative whole numbers, got {x!r}")
    return arrs


def resale_revenue(a, b, q, price, mz):
    r"""Speculator's exact expected resale revenue at ``price`` after holdings ``(a, b, q)``.

    Buyers: A (first) with marginals :math:`2, U`, then B with :math:`2, z, z, \dots`; C offers
    all ``q`` units; beliefs are the prior (Appendix B.2).

    Parameters
    ----------
    a, b, q : array_like of int
        Units held by A, B and C after the auction (broadcast together).
    price : float or array_like
        Per-unit price ``>= 0``.
    mz : float
        Parameter of :math:`F_B` (``m`` in Example 1, ``r`` in Example 4).

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
    a, b, q = _check_holdings(a, b, q)
    p = np.asarray(price, dtype=float)
    if np.any(~np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"price must be finite and >= 0, got {price!r}")
    s0, s1 = _sold_counts(a, b, q, first=p <= 2.0)
    sz = _z_survival(p, mz)
    pu = _u_survival(p)
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
    r3 = np.where((r3 > 1 + h) & (r3 < U_HIGH), r3, np.nan)
    fixed = [np.full(shape, v) for v in (1.0, 1.0 + h, U_HIGH, 2.0)]
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
    a, b, q = _check_holdings(a, b, q)
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
    distinct = np.sum(np.isfinite(srt), axis=-1) - np.sum(np.isfinite(srt[..., 1:]) & (np.diff(srt, axis=-1) < 1e-12), axis=-1)
    empty = np.broadcast_to(q == 0, best.shape)
    at_one = resale_revenue(a, b, q, 1.0, mz)
    return ResaleChoice(
        np.where(empty, 1.0, pl),
        np.where(empty, 1.0, ph),
        np.where(empty, 0.0, best),
        np.broadcast_to(at_one, best.shape).astype(float),
        np.where(empty, 0, distinct).astype(np.int64),
    )


# --------------------------------------------------------------------------------------------
# exact expected payoffs of a group (A, B, C) after an auction outcome
# --------------------------------------------------------------------------------------------

def _group_values(U, z, b_units):
    """StepValues of (A, B, C) with levels [2, U], [2, z], [0, 0]; batched like U, z."""
    U, z = np.broadcast_arrays(np.asarray(U, dtype=float), np.asarray(z, dtype=float))
    lev = np.zeros(U.shape + (3, 2))
    lev[..., 0, 0] = 2.0
    lev[..., 0, 1] = U
    lev[..., 1, 0] = 2.0
    lev[..., 1, 1] = z
    return StepValues(lev, np.array([[1, 1], [1, b_units], [0, 0]]))


def _resale_prices(holdings, mz, rule):
    """C's resale price for each outcome under ``rule``."""
    if rule not in PRICE_RULES:
        raise ValueError(f"price rule must be one of {PRICE_RULES}, got {rule!r}")
    if rule == "paper":
        return np.ones(holdings.shape[:-1])
    choice = optimal_resale_price(holdings[..., 0], holdings[..., 1], holdings[..., 2], mz)
    return choice.price_low if rule == "optimal-low" else choice.price_high


def _type_cells(price, mz, U=None, z=None):
    """Four cells (U >= p?, z >= p?): weights and representative (conditional-mean) types."""
    p = np.asarray(price, dtype=float)
    if U is None:
        pu = _u_survival(p)
        pc = np.clip(p, U_LOW, U_HIGH)
        u_hi, u_lo = (pc + U_HIGH) / 2, (U_LOW + pc) / 2
        u_lo = np.where(pu < 1, np.minimum(u_lo, np.nextafter(p, -np.inf)), U_LOW)
        u_lo = np.clip(u_lo, 0.0, 2.0)
    else:
        u_hi = u_lo = np.full(p.shape, float(U))
        pu = (u_hi >= p).astype(float)
    if z is None:
        sz = _z_survival(p, mz)
        tail = p * sz + _z_tail_integral(p, mz)  # E[z 1{z >= p}]
        with np.errstate(divide="ignore", invalid="ignore"):
            z_hi = np.where(sz > 0, tail / sz, p)
            z_lo = np.where(sz < 1, (_z_mean(mz) - tail) / (1 - sz), 0.0)
        z_hi = np.clip(np.maximum(z_hi, p), 0.0, 2.0)
        z_lo = np.where(sz < 1, np.clip(np.minimum(z_lo, np.nextafter(p, -np.inf)), 0.0, 2.0), 0.0)
    else:
        z_hi = z_lo = np.full(p.shape, float(z))
        sz = (z_hi >= p).astype(float)
    w = np.stack([pu * sz, pu * (1 - sz), (1 - pu) * sz, (1 - pu) * (1 - sz)], axis=-1)
    reps_u = np.stack([u_hi, u_hi, u_lo, u_lo], axis=-1)
    reps_z = np.stack([z_hi, z_lo, z_hi, z_lo], axis=-1)
    return w, reps_u, reps_z


def _group_expected(allocation, payments, mz, b_units, rule, U=None, z=None):
    """Exact expected (utilities (S, 3), welfare (S,)) of a group after auction outcomes.

    Runs the library's take-it-or-leave-it market (C sells, A then B buy) inside
    :func:`~aftermarkets.combined_market` on four representative type profiles per outcome.
    """
    h = np.asarray(allocation, dtype=np.int64).reshape(-1, 3)
    pay = np.asarray(payments, dtype=float).reshape(-1, 3)
    S = h.shape[0]
    price = _resale_prices(h, mz, rule)
    w, ru, rz = _type_cells(price, mz, U, z)
    values = _group_values(ru.reshape(-1), rz.reshape(-1), b_units)
    hh = np.repeat(h, 4, axis=0)
    pp = np.repeat(price, 4)
    auction = AuctionOutcome(hh, np.repeat(pay, 4, axis=0), None)
    out = combined_market(
        values, auction, lambda v, x: take_it_or_leave_it(v, x, seller=2, price=pp, order=(0, 1))
    )
    util = np.einsum("sc,sci->si", w, out.utilities.reshape(S, 4, 3))
    wel = np.einsum("sc,sc->s", w, np.asarray(out.welfare).reshape(S, 4))
    return util, wel


# --------------------------------------------------------------------------------------------
# deviation families and reports
# --------------------------------------------------------------------------------------------

#: Default bid levels for deviation searches: below, at and above the equilibrium bids 1 and 2.
DEFAULT_LEVELS = (0.25, 0.5, 0.99, 1.0, 1.01, 1.25, 1.5, 1.99, 2.0, 2.01, 3.0)


def bid_family(m, levels=DEFAULT_LEVELS, quantities=None, two_level=True) -> np.ndarray:
    """A family of standard bids: one level on ``k`` units, or two levels ``x1 > x2``.

    Parameters
    ----------
    m : int
        Units (length of each bid vector).
    levels : sequence of float
        Positive bid levels.
    quantities : sequence of int, optional
        Unit counts to use (default: all of ``1..m`` when ``m <= 12``, else a spread including
        ``1..4`` and ``m-4..m``).
    two_level : bool
        Also include bids ``x1`` on ``k1`` units then ``x2 < x1`` on ``k2`` units.

    Returns
    -------
    numpy.ndarray
        Shape ``(S, m)``, distinct non-increasing rows, including the all-zero bid.

    Examples
    --------
    >>> bid_family(2, levels=(1.0, 2.0), two_level=False)
    array([[0., 0.],
           [1., 0.],
           [1., 1.],
           [2., 0.],
           [2., 2.]])
    """
    m = whole_number(m, "m", 1)
    lv = sorted({float(x) for x in levels})
    if not lv or lv[0] <= 0 or not all(math.isfinite(x) for x in lv):
        raise ValueError(f"levels must be finite and positive, got {levels!r}")
    if quantities is None:
        quantities = range(1, m + 1) if m <= 12 else sorted({1, 2, 3, 4, m // 2, m - 4, m - 3, m - 2, m - 1, m})
    ks = sorted({int(k) for k in quantities if 1 <= int(k) <= m})
    rows = [np.zeros(m)]
    for x in lv:
        for k in ks:
            r = np.zeros(m)
            r[:k] = x
            rows.append(r)
    if two_level:
        for i, x1 in enumerate(lv):
            for x2 in lv[:i]:
                for k1 in ks:
                    for k2 in ks:
                        if k1 + k2 <= m:
                            r = np.zeros(m)
                            r[:k1] = x1
                            r[k1:k1 + k2] = x2
                            rows.append(r)
    return np.unique(np.array(rows), axis=0)


@dataclass(frozen=True)
class DeviationCheck:
    """Result of a deviation search for one agent of Example 1 (or one group of Example 4).

    Attributes
    ----------
    report : DeviationReport
        In expectation over all types (:func:`~aftermarkets.deviation_search`).
    type_grid : numpy.ndarray or None
        The agent's own types checked one by one (A: ``U``, B: ``z``; ``None`` for C).
    type_gains : numpy.ndarray or None
        Largest gain found at each type of ``type_grid``.
    price_rule : str
        The speculator's resale rule: ``"paper"`` (always 1) or ``"optimal"`` (exact optimum;
        with ties the maximiser most favourable to the deviator).
    priority : tuple
        Tie-breaking order of the auction.
    alternatives : numpy.ndarray
        The bids tried, shape ``(S, m)``.
    """

    report: DeviationReport
    type_grid: np.ndarray | None
    type_gains: np.ndarray | None
    price_rule: str
    priority: tuple
    alternatives: np.ndarray

    @property
    def largest_gain(self) -> float:
        """Largest gain found, in expectation or at any single type."""
        g = self.report.best_gain
        if self.type_gains is not None:
            g = max(g, float(np.max(self.type_gains)))
        return float(g)


@dataclass(frozen=True)
class Witness:
    """A profile of the other agents against which the equilibrium bid strictly beats a class of
    alternatives (Appendix B.2, Definition 6).

    Attributes
    ----------
    agent : str
    alternative : str
        The class of alternative bids and the representative used.
    profile : str
        The others' bids.
    equilibrium_utility, alternative_utility : float
        Exact expected utilities (speculator's resale price: her exact optimum).
    worst_type_margin : float
        Smallest (equilibrium - alternative) over a grid of the agent's own type (A and B), or
        the expected margin (C, who has no private type).
    in_paper : bool
        Whether the paper names this witness.
    """

    agent: str
    alternative: str
    profile: str
    equilibrium_utility: float
    alternative_utility: float
    worst_type_margin: float
    in_paper: bool

    @property
    def margin(self) -> float:
        """Expected advantage of the equilibrium bid."""
        return self.equilibrium_utility - self.alternative_utility


@dataclass(frozen=True)
class DominanceClass:
    """Every alternative of one class checked against the witness profile built for it
    (:meth:`Example1.dominance_scan`).

    Attributes
    ----------
    agent : str
    alternative_class : str
        The class of alternative bids.
    witness : str
        How the others' bids are built from each alternative.
    count : int
        Alternatives of the family that fall in this class.
    smallest_margin : float
        Smallest advantage of the equilibrium bid over the class: for A and B the minimum of the
        expected margin and the margins at each own type of a grid; for C the expected margin.
        The equilibrium bid gets the speculator's least favourable optimal price, the
        alternative the most favourable one.
    worst_alternative : numpy.ndarray
        The alternative with the smallest margin.
    in_paper : bool
        Whether the paper's argument covers this class.
    """

    agent: str
    alternative_class: str
    witness: str
    count: int
    smallest_margin: float
    worst_alternative: np.ndarray
    in_paper: bool


# --------------------------------------------------------------------------------------------
# Example 1
# --------------------------------------------------------------------------------------------

_M = sp.Symbol("m", positive=True)
_ZS = sp.Symbol("z", nonnegative=True)
_PS = sp.Symbol("p", positive=True)


class Example1:
    r"""Example 1 (Section 3): a speculator in a uniform-price auction with resale.

    Parameters
    ----------
    m : int
        Number of units, a whole number ``m > 3`` (``1e9`` is accepted: exact values are closed
        forms; only :meth:`bids`, :meth:`auction`, :meth:`clearing_price` and :meth:`simulate`
        allocate ``O(m)`` memory).

    Raises
    ------
    ValueError
        If ``m`` is not a whole number greater than 3.

    Examples
    --------
    >>> ex = Example1(10)
    >>> round(ex.expected_equilibrium_welfare(), 6), round(ex.speculator_utility(), 6)
    (5.60875, 1.35)
    >>> ex.auction().price
    0.0
    """

    AGENTS = ("A", "B", "C")
    SELLER = 2
    ORDER = (0, 1)
    RESALE_PRICE = 1.0

    def __init__(self, m):
        self.m = whole_number(m, "m", 4)
        self.second_unit = Uniform(U_LOW, U_HIGH)
        self.z = ExampleOneZ(self.m)

    def __repr__(self) -> str:
        return f"Example1(m={self.m})"

    # ---------------- the equilibrium profile -------------------------------------------
    def bids(self) -> np.ndarray:
        """Equilibrium bids: A and B bid 2 on one unit, C bids 1 on ``m - 2`` units.

        Returns
        -------
        numpy.ndarray
            Shape ``(3, m)`` (``O(m)`` memory).
        """
        b = np.zeros((3, self.m))
        b[0, 0] = b[1, 0] = 2.0
        b[2, : self.m - 2] = 1.0
        return b

    def auction(self, priority=None) -> AuctionOutcome:
        """The library's uniform-price auction on :meth:`bids` (types do not matter).

        Parameters
        ----------
        priority : sequence of int, optional
            Tie-breaking order (default A, B, C).

        Returns
        -------
        AuctionOutcome
            Allocation ``(1, 1, m - 2)`` at price 0.
        """
        return uniform_price_auction(self.bids(), self.m, priority=priority)

    def values(self, U, z) -> StepValues:
        """Run-length marginals of (A, B, C) for second-unit values ``U`` and ``z``.

        A: levels ``[2, U]`` on ``[1, 1]`` units, B: ``[2, z]`` on ``[1, m - 1]``, C: zero.

        Parameters
        ----------
        U, z : float or array_like
            A's second-unit value and B's per-unit value (broadcast together; arrays give a batch).

        Returns
        -------
        StepValues
            Levels of shape ``batch + (3, 2)``.
        """
        return _group_values(U, z, self.m - 1)

    def sample_values(self, n, seed=None) -> StepValues:
        """Sample ``n`` type profiles (``U`` first, then ``z``, from one generator).

        Parameters
        ----------
        n : int
            Number of profiles.
        seed : int, numpy.random.Generator or None
            Seed for ``numpy.random.default_rng`` (or a Generator).

        Returns
        -------
        StepValues
            A batch of ``n`` profiles.
        """
        n = whole_number(n, "n", 1)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        U = self.second_unit.sample(n, rng)
        z = self.z.sample(n, rng)
        return self.values(U, z)

    def resale(self, values, holdings, price=RESALE_PRICE):
        """The resale market: C offers all her units at ``price``, A then B buy.

        Parameters
        ----------
        values : StepValues or array_like
            The agents' marginals (one profile or a batch).
        holdings : array_like of int
            Units held after the auction.
        price : float or array_like
            C's per-unit price (default 1, the paper's).

        Returns
        -------
        TradeOutcome
            From :func:`~aftermarkets.take_it_or_leave_it`.
        """
        return take_it_or_leave_it(values, holdings, seller=self.SELLER, price=price, order=self.ORDER)

    # ---------------- exact values --------------------------------------------------------
    @staticmethod
    def closed_forms(m) -> dict:
        r"""Every exact quantity as a function of real ``m`` (vectorised; the continuous
        extension used for root finding and plots).

        Parameters
        ----------
        m : float or array_like
            Number of units (any real ``m > 1/2`` evaluates; the example needs whole ``m > 3``).

        Returns
        -------
        dict
            Keys ``E_z``, ``expected_optimal_welfare``, ``expected_equilibrium_welfare``,
            ``price_of_anarchy``, ``speculator_utility``, ``utility_A``, ``utility_B``,
            ``max_revenue_per_unit``, ``paper_equilibrium_bound``, ``paper_optimal_bound``.
        """
        m = np.asarray(m, dtype=float)
        h = 0.5 / m
        ez = np.log(2 * m) / (2 * m - 1) + h * h / 2
        opt = 5.25 + (m - 3) * ez + h**3 / 3
        eq = 5.25 + (m - 3) * (h + h * h / 2)
        return {
            "E_z": ez,
            "expected_optimal_welfare": opt,
            "expected_equilibrium_welfare": eq,
            "price_of_anarchy": opt / eq,
            "speculator_utility": 1 + (m - 3) * h,
            "utility_A": np.full(m.shape, 2.25),
            "utility_B": 2 + (m - 3) * h * h / 2,
            "max_revenue_per_unit": h,
            "paper_equilibrium_bound": 5.5 + (m - 3) * h * (1 + h),
            "paper_optimal_bound": 4 + (m - 2) * ez,
        }

    def expected_z(self) -> float:
        r""":math:`\mathbb{E}[z] = \ln(2m)/(2m-1) + 1/(8m^2)`."""
        m = self.m
        return math.log(2 * m) / (2 * m - 1) + 1.0 / (8.0 * m * m)

    def expected_optimal_welfare(self) -> float:
        r""":math:`\mathbb{E}[\max_x \sum_i v_i(x_i)] = 21/4 + (m-3)\mathbb{E}[z] + 1/(24m^3)`."""
        m = self.m
        return 5.25 + (m - 3) * self.expected_z() + 1.0 / (24.0 * m**3)

    def expected_equilibrium_welfare(self) -> float:
        r"""Equilibrium welfare after resale: :math:`21/4 + (m-3)(1/(2m) + 1/(8m^2))`."""
        m = self.m
        return 5.25 + (m - 3) * (0.5 / m + 0.125 / (m * m))

    def price_of_anarchy(self) -> float:
        """Expected optimal welfare over expected equilibrium welfare."""
        return self.expected_optimal_welfare() / self.expected_equilibrium_welfare()

    def revenue_maximizing_price(self) -> float:
        r"""The maximiser of the revenue curve :math:`p\,(1 - F_B(p))`, computed exactly.

        Evaluates the curve at its candidate points (piece ends and stationary points,
        :func:`single_buyer_price`); the paper says the unique maximiser is 1.

        Returns
        -------
        float

        Examples
        --------
        >>> Example1(10).revenue_maximizing_price()
        1.0
        """
        return single_buyer_price(self.m)[0]

    def max_revenue_per_unit(self) -> float:
        r"""The maximal revenue per unit, :math:`p(1 - F_B(p))` at :math:`p = 1`: :math:`1/(2m)`."""
        return 0.5 / self.m

    def speculator_utility(self) -> float:
        """C's expected payoff on the equilibrium path, :math:`1 + (m-3)/(2m)`."""
        return 1.0 + (self.m - 3) * 0.5 / self.m

    def utilities(self) -> tuple:
        """Expected payoffs of (A, B, C) on the equilibrium path."""
        m = self.m
        return (2.25, 2.0 + (m - 3) / (8.0 * m * m), self.speculator_utility())

    def clearing_price(self, priority=None) -> float:
        """The price of the library's uniform-price auction at the equilibrium bids.

        Runs :meth:`auction` (``O(m)`` memory and ``O(m log m)`` time: use moderate ``m``). With
        exactly ``m`` positive bids the highest losing bid is 0.

        Parameters
        ----------
        priority : sequence of int, optional
            Tie-breaking order (default A, B, C).

        Returns
        -------
        float

        Examples
        --------
        >>> Example1(10).clearing_price()
        0.0
        """
        return float(self.auction(priority).price)

    def paper_equilibrium_bound(self) -> float:
        r"""The paper's bound :math:`2 + 1.5 + 2 + \frac{1}{2m}(m-3)(1 + \frac{1}{2m})` (<= 6)."""
        m = self.m
        return 5.5 + (m - 3) * (0.5 / m) * (1 + 0.5 / m)

    def paper_optimal_bound(self) -> float:
        r"""The paper's lower bound :math:`4 + (m - 2)\mathbb{E}[z]` on the optimal welfare."""
        return 4.0 + (self.m - 2) * self.expected_z()

    @classmethod
    def symbolic(cls) -> dict:
        r"""The same quantities as sympy expressions in the positive symbol ``m``.

        Returns
        -------
        dict
            ``m``, ``z``, ``p`` (the symbols), ``F_B`` (Piecewise in ``z``), ``revenue_curve``
            (:math:`p(1 - F_B(p))`, Piecewise in ``p``), ``E_z``, ``expected_optimal_welfare``,
            ``expected_equilibrium_welfare``, ``price_of_anarchy``, ``revenue_maximizing_price``,
            ``max_revenue_per_unit``, ``speculator_utility``, ``utility_A``, ``utility_B``,
            ``clearing_price``, ``paper_equilibrium_bound``, ``paper_optimal_bound``.
            ``revenue_maximizing_price`` and ``max_revenue_per_unit`` are derived by comparing the
            revenue curve's candidate maximisers for every whole ``m >= 4``; ``clearing_price`` is
            the value of :meth:`clearing_price` (the auction cannot run on a symbol; the tests
            check the two agree).

        Examples
        --------
        >>> s = Example1.symbolic()
        >>> s["speculator_utility"].subs(s["m"], 10)
        27/20
        """
        m, z, p = _M, _ZS, _PS
        h = 1 / (2 * m)
        F = ExampleOneZ(4).cdf_sympy(z, m=m)
        rev = sp.Piecewise(
            (p / (1 + (2 * m - 1) * p), p < 1),
            (p * (1 + h - p), p <= 1 + h),
            (0, True),
        )
        # the revenue maximiser, for every whole m >= 4 (write m = 4 + t, t >= 0): the lower piece
        # increases to its value at 1; on the upper piece compare 1, 1 + h and the stationary points
        t = sp.Symbol("t", nonnegative=True)
        upper = p * (1 + h - p)
        cands = [sp.Integer(1), 1 + h] + [
            c for c in sp.solve(sp.diff(upper, p), p)
            if sp.simplify((c - 1).subs(m, 4 + t)).is_nonnegative and sp.simplify((1 + h - c).subs(m, 4 + t)).is_nonnegative
        ]
        rev_at = {c: upper.subs(p, c) for c in cands}
        best = [c for c in cands if all(sp.simplify((rev_at[c] - rev_at[d]).subs(m, 4 + t)).is_nonnegative for d in cands)]
        p_star = best[0] if best else sp.nan
        ez = sp.log(2 * m) / (2 * m - 1) + h**2 / 2
        opt = sp.Rational(21, 4) + (m - 3) * ez + h**3 / 3
        eq = sp.Rational(21, 4) + (m - 3) * (h + h**2 / 2)
        return {
            "m": m,
            "z": z,
            "p": p,
            "F_B": F,
            "revenue_curve": rev,
            "E_z": ez,
            "expected_optimal_welfare": opt,
            "expected_equilibrium_welfare": eq,
            "price_of_anarchy": opt / eq,
            "revenue_maximizing_price": p_star,
            "max_revenue_per_unit": rev_at[p_star] if p_star in rev_at else sp.nan,
            "speculator_utility": 1 + (m - 3) * h,
            "utility_A": sp.Rational(9, 4),
            "utility_B": 2 + (m - 3) * h**2 / 2,
            "clearing_price": sp.Integer(0),
            "paper_equilibrium_bound": 2 + sp.Rational(3, 2) + 2 + h * (m - 3) * (1 + h),
            "paper_optimal_bound": 4 + (m - 2) * ez,
        }

    # ---------------- simulation ----------------------------------------------------------
    def simulate(self, n, seed=None) -> SimulationResult:
        """Monte Carlo of the combined market at the equilibrium, with the library's mechanisms.

        The bids do not depend on the types, so the uniform-price auction runs once; the
        take-it-or-leave-it resale and the optimal welfare run on ``n`` sampled profiles in
        run-length form (``n x 3 x 2`` numbers, never ``n x m``).

        Parameters
        ----------
        n : int
            Sampled type profiles (``>= 2``).
        seed : int, numpy.random.Generator or None
            Seed for ``numpy.random.default_rng``.

        Returns
        -------
        SimulationResult
        """
        n = whole_number(n, "n", 2)
        values = self.sample_values(n, seed)
        auction = self.auction()
        out = combined_market(values, auction, self.resale)
        opt = optimal_welfare(values, self.m)
        wel = np.asarray(out.welfare, dtype=float)
        utils = tuple(_estimate(out.utilities[:, i]) for i in range(3))
        return SimulationResult(
            n=n,
            seed=seed,
            equilibrium_welfare=_estimate(wel),
            optimal_welfare=_estimate(opt),
            price_of_anarchy=_ratio_estimate(opt, wel),
            speculator_utility=utils[self.SELLER],
            utilities=utils,
            clearing_price=float(auction.price),
            auction_revenue=float(auction.revenue),
        )

    # ---------------- Proposition 1: resale prices off the path ---------------------------
    def optimal_resale_price(self, a, b, q) -> ResaleChoice:
        """C's exact revenue-maximising price after holdings ``(a, b, q)``.

        Parameters
        ----------
        a, b, q : array_like of int
            Units held by A, B and C after the auction.

        Returns
        -------
        ResaleChoice
            :func:`optimal_resale_price` with ``mz = m``.
        """
        return optimal_resale_price(a, b, q, self.m)

    def resale_revenue(self, a, b, q, price):
        """C's exact expected resale revenue at ``price`` after holdings ``(a, b, q)``.

        Parameters
        ----------
        a, b, q : array_like of int
            Units held by A, B and C after the auction.
        price : float or array_like
            C's per-unit price.

        Returns
        -------
        numpy.ndarray
            :func:`resale_revenue` with ``mz = m``.
        """
        return resale_revenue(a, b, q, price, self.m)

    def auction_outcomes(self) -> np.ndarray:
        """Every auction outcome ``(a, b, q)`` with ``q >= 1`` and ``a + b + q <= m``, shape
        ``(N, 3)`` (``O(m^3)`` rows: use moderate ``m``)."""
        m = self.m
        a, b, q = np.meshgrid(np.arange(m + 1), np.arange(m + 1), np.arange(1, m + 1), indexing="ij")
        keep = a + b + q <= m
        return np.stack([a[keep], b[keep], q[keep]], axis=-1)

    def resale_price_table(self) -> dict:
        """C's optimal price for every auction outcome (:meth:`auction_outcomes`).

        Returns
        -------
        dict of numpy.ndarray
            ``a, b, q, price_low, price_high, revenue, revenue_at_one, n_optimal,
            one_is_optimal``.
        """
        o = self.auction_outcomes()
        c = self.optimal_resale_price(o[:, 0], o[:, 1], o[:, 2])
        return {
            "a": o[:, 0], "b": o[:, 1], "q": o[:, 2],
            "price_low": c.price_low, "price_high": c.price_high, "revenue": c.revenue,
            "revenue_at_one": c.revenue_at_one, "n_optimal": c.n_optimal,
            "one_is_optimal": c.one_is_optimal,
        }

    def resale_price_classes(self) -> list:
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
        rows = []
        for a, atxt in ((0, "0"), (1, "1"), (2, ">= 2")):
            for b, btxt in ((0, "0"), (1, ">= 1")):
                qmax = self.m - a - b
                q = np.arange(1, qmax + 1)
                c = self.optimal_resale_price(a, b, q)
                ok = c.one_is_optimal
                short = c.revenue - c.revenue_at_one
                runs = []
                for qq, pr in zip(q[~ok], np.round(c.price_low[~ok], 6)):
                    if runs and runs[-1][1] == qq - 1 and runs[-1][2] == pr:
                        runs[-1] = (runs[-1][0], int(qq), runs[-1][2])
                    else:
                        runs.append((int(qq), int(qq), float(pr)))
                rows.append({
                    "a": atxt, "b": btxt, "q_range": (1, int(qmax)),
                    "q_one_optimal": q[ok], "q_one_fails": q[~ok],
                    "optimal_prices": sorted({round(float(x), 6) for x in np.concatenate([c.price_low[~ok], c.price_high[~ok]])}),
                    "price_runs": runs,
                    "largest_shortfall": float(short.max()),
                    "largest_relative_shortfall": float((short / c.revenue).max()),
                })
        return rows

    # ---------------- Proposition 1: exact payoffs of any bids ----------------------------
    def expected_payoffs(self, bids, price_rule="optimal-low", priority=None, U=None, z=None):
        """Exact expected payoffs of (A, B, C) in the combined market for given auction bids.

        Runs the library's uniform-price auction on every bid profile, then the resale market
        with C's price from ``price_rule``, and integrates over the types exactly.

        Parameters
        ----------
        bids : array_like
            Shape ``(3, m)`` or a batch ``(S, 3, m)``.
        price_rule : {"paper", "optimal-low", "optimal-high"}
            C's price: always 1, or her exact revenue maximiser (smallest / largest if tied).
        priority : sequence of int, optional
            Auction tie-breaking order.
        U, z : float, optional
            Condition on A's ``U`` or B's ``z`` (per-type payoffs); default integrates.

        Returns
        -------
        numpy.ndarray
            Shape ``(3,)`` or ``(S, 3)``.
        """
        bids = np.asarray(bids, dtype=float)
        auc = uniform_price_auction(bids, self.m, priority=priority)
        util, _ = _group_expected(auc.allocation, auc.payments, self.m, self.m - 1, price_rule, U, z)
        return util.reshape(bids.shape[:-2] + (3,))

    def expected_welfare_of(self, bids, price_rule="optimal-low", priority=None) -> np.ndarray:
        """Exact expected welfare of the combined market for given bids.

        Parameters
        ----------
        bids, price_rule, priority
            As in :meth:`expected_payoffs`.

        Returns
        -------
        numpy.ndarray
            Shape ``()`` or ``(S,)``.
        """
        bids = np.asarray(bids, dtype=float)
        auc = uniform_price_auction(bids, self.m, priority=priority)
        _, wel = _group_expected(auc.allocation, auc.payments, self.m, self.m - 1, price_rule)
        return wel.reshape(bids.shape[:-2])

    def deviation_check(self, agent, price_rule="optimal", priority=None, alternatives=None, type_grid=None,
                        bid_floor=0.0) -> DeviationCheck:
        """Largest gain from a unilateral deviation in the auction (Proposition 1).

        Parameters
        ----------
        agent : int or {"A", "B", "C"}
        price_rule : {"optimal", "paper"}
            ``"optimal"``: C resells at her exact optimum after every outcome, and when several
            prices tie the deviator gets the one that suits her best (a conservative check).
            ``"paper"``: C always resells at 1.
        priority : sequence of int, optional
            Auction tie-breaking order (default: A, B, C).
        alternatives : array_like, optional
            Bids to try, shape ``(S, m)`` (default :func:`bid_family`).
        type_grid : array_like, optional
            Own types checked one by one (A: ``U``, B: ``z``; default 11 points; ignored for C).
        bid_floor : float, optional
            Added to every marginal bid of every agent (equilibrium and alternatives). A tiny
            positive floor emulates the other zero-bid convention, under which "zero" bids may
            win units left over (by priority) at a price of about 0.

        Returns
        -------
        DeviationCheck
        """
        i = self._agent(agent)
        floor = float(bid_floor)
        if not (math.isfinite(floor) and floor >= 0):
            raise ValueError(f"bid_floor must be a finite number >= 0, got {bid_floor!r}")
        alts = bid_family(self.m) if alternatives is None else np.asarray(alternatives, dtype=float)
        if alts.ndim != 2 or alts.shape[1] != self.m:
            raise ValueError(f"alternatives must have shape (S, m={self.m}), got {alts.shape}")
        rules = {"paper": ("paper",), "optimal": ("optimal-low", "optimal-high")}
        if price_rule not in rules:
            raise ValueError(f"price_rule must be 'optimal' or 'paper', got {price_rule!r}")
        eq = self.bids()
        profiles = np.broadcast_to(eq, (alts.shape[0] + 1, 3, self.m)).copy()
        profiles[1:, i] = alts
        profiles += floor

        def payoff(**kw):
            return np.max([self.expected_payoffs(profiles, r, priority, **kw)[:, i] for r in rules[price_rule]], axis=0)

        u = payoff()
        report = deviation_search(lambda s: u[s], 0, range(1, len(u)), agent=self.AGENTS[i])
        report = DeviationReport(report.agent, report.equilibrium_utility, report.best_gain,
                                 alts[report.best_action - 1], report.checked)
        grid = gains = None
        if i < 2:
            if type_grid is None:
                type_grid = np.linspace(U_LOW, U_HIGH, 11) if i == 0 else np.unique(np.concatenate([np.linspace(0, 1, 6), np.linspace(1, self.z.top, 6)]))
            grid = np.asarray(type_grid, dtype=float)
            gains = np.array([(lambda v: v[1:].max() - v[0])(payoff(**{"U" if i == 0 else "z": t})) for t in grid])
        prio = tuple(range(3)) if priority is None else tuple(int(x) for x in priority)
        return DeviationCheck(report, grid, gains, price_rule, prio, alts)

    def deviation_checks(self, price_rule="optimal", alternatives=None, bid_floor=0.0) -> list:
        """:meth:`deviation_check` for every agent under every one of the 6 tie-breaking orders.

        Parameters
        ----------
        price_rule, alternatives, bid_floor
            As in :meth:`deviation_check`.

        Returns
        -------
        list of DeviationCheck
            18 checks: tie orders in ``itertools.permutations`` order, agents A, B, C within each.
        """
        return [self.deviation_check(i, price_rule, prio, alternatives, bid_floor=bid_floor)
                for prio in permutations(range(3)) for i in range(3)]

    def _agent(self, agent) -> int:
        if isinstance(agent, str) and agent in self.AGENTS:
            return self.AGENTS.index(agent)
        if isinstance(agent, (int, np.integer)) and not isinstance(agent, bool) and 0 <= agent < 3:
            return int(agent)
        raise ValueError(f"agent must be 0, 1, 2 or 'A', 'B', 'C', got {agent!r}")

    # ---------------- Proposition 1: not weakly dominated ---------------------------------
    def dominance_witnesses(self, eps=None) -> list:
        """Witness profiles of Appendix B.2 (and the cases the paper leaves out).

        For each class of alternative bids, a profile of the other two agents against which the
        equilibrium bid does strictly better. A and B: a first-unit bid below 2 (the others bid
        ``y`` strictly between it and 2 on every unit), above 2 (the others bid ``y`` between 2
        and it), a positive second bid (the other buyer bids 2 on ``m - 1`` units). C: fewer
        than ``m - 2`` positive bids (A bids ``eps`` on two units, B bids 1 on one), a bid
        ``b < 1`` (A bids ``b + eps`` on two units, B 1 on one), a positive bid on unit
        ``m - 1`` (the equilibrium profile), a bid above 1 (B bids ``y`` in ``(1, c)`` on every
        unit).

        Parameters
        ----------
        eps : float, optional
            Small bid increment (default ``0.1 / m``).

        Returns
        -------
        list of Witness
        """
        m = self.m
        eps = 0.1 / m if eps is None else float(eps)
        eq = self.bids()

        def vec(*parts):
            v = np.zeros(m)
            j = 0
            for x, k in parts:
                v[j:j + k] = x
                j += k
            return v

        cases = []
        # (agent, alternative description, alternative bid, others {idx: bid}, profile text, in paper)
        for i, other in ((0, 1), (1, 0)):
            on = self.AGENTS[other]
            cases += [
                (i, "first-unit bid x = 1.5 < 2", vec((1.5, 1)), {other: vec((1.75, m)), 2: vec()},
                 f"{on} bids y = 1.75 on all {m} units, C bids 0", True),
                (i, "first-unit bid x = 3 > 2 (overbidding)", vec((3.0, 1)), {other: vec((2.5, m)), 2: vec()},
                 f"{on} bids y = 2.5 on all {m} units, C bids 0", False),
                (i, "positive second bid (2, 0.5)", vec((2.0, 1), (0.5, 1)), {other: vec((2.0, m - 1)), 2: vec()},
                 f"{on} bids 2 on {m - 1} units, C bids 0", True),
                (i, "positive second bid (2, 2)", vec((2.0, 2)), {other: vec((2.0, m - 1)), 2: vec()},
                 f"{on} bids 2 on {m - 1} units, C bids 0", True),
            ]
        b = 0.5
        cases += [
            (2, f"fewer units: 1 on {m - 3}", vec((1.0, m - 3)), {0: vec((eps, 2)), 1: vec((1.0, 1))},
             f"A bids eps = {eps:g} on two units, B bids 1 on one unit", True),
            (2, f"a bid b = {b} < 1 on unit {m - 2}", vec((1.0, m - 3), (b, 1)), {0: vec((b + eps, 2)), 1: vec((1.0, 1))},
             f"A bids b + eps = {b + eps:g} on two units, B bids 1 on one unit", True),
            (2, f"a bid b = {b} < 1 on all {m - 2} units", vec((b, m - 2)), {0: vec((b + eps, 2)), 1: vec((1.0, 1))},
             f"A bids b + eps = {b + eps:g} on two units, B bids 1 on one unit", True),
            (2, f"positive bid 0.5 on unit {m - 1}", vec((1.0, m - 2), (0.5, 1)), {0: eq[0], 1: eq[1]},
             "A and B play their equilibrium bids", True),
            (2, f"1 on {m - 1} units", vec((1.0, m - 1)), {0: eq[0], 1: eq[1]},
             "A and B play their equilibrium bids", True),
            (2, f"overbidding: 1.5 on {m - 2} units", vec((1.5, m - 2)), {0: eq[0], 1: vec((1.25, m))},
             f"A bids 2 on one unit, B bids y = 1.25 on all {m} units", False),
        ]
        out = []
        for i, desc, alt, others, text, paper in cases:
            prof_eq = np.zeros((3, m))
            for j, v in others.items():
                prof_eq[j] = v
            prof_eq[i] = eq[i]
            prof_alt = prof_eq.copy()
            prof_alt[i] = alt
            both = np.stack([prof_eq, prof_alt])
            u = self.expected_payoffs(both, "optimal-low")[:, i]
            u2 = self.expected_payoffs(both, "optimal-high")[:, i]
            if i == 2:
                worst = float(u[0] - u[1])
            else:
                grid = np.linspace(U_LOW, U_HIGH, 6) if i == 0 else np.linspace(0.0, self.z.top, 6)
                key = "U" if i == 0 else "z"
                worst = min(
                    float(np.min([(lambda v: v[0] - v[1])(self.expected_payoffs(both, r, **{key: t})[:, i]) for t in grid]))
                    for r in ("optimal-low", "optimal-high")
                )
            # the alternative gets the tie-break most favourable to it
            out.append(Witness(self.AGENTS[i], desc, text, float(min(u[0], u2[0])), float(max(u[1], u2[1])), worst, paper))
        return out

    def dominance_scan(self, alternatives=None, grid_points=6) -> list:
        r"""Check every alternative bid against the witness profile of its class (Appendix B.2).

        :meth:`dominance_witnesses` computes one representative per class; this method takes a
        whole family of alternatives, sorts each into its class and builds the witness from the
        alternative itself, as the paper's argument does:

        * A (B symmetric; the other buyer is B): first-unit bid :math:`x < 2` — the other buyer
          bids :math:`y = (x + 2)/2` on every unit; :math:`x > 2` — the same :math:`y`, now in
          :math:`(2, x)`; :math:`x = 2` and a positive second bid — the other buyer bids 2 on
          :math:`m - 1` units. C bids 0.
        * C: a positive bid on unit :math:`m - 1` (or :math:`m`) — A and B play their equilibrium
          bids; fewer than :math:`m - 2` positive bids — A bids :math:`\varepsilon = 0.1/m` on two
          units, B bids 1 on one; :math:`m - 2` positive bids, the smallest :math:`b < 1` — A
          bids :math:`b + \varepsilon` on two units with :math:`\varepsilon = (1 - b)/(2m)`,
          B 1 on one (the margin is :math:`1 - b - (m - 2)\varepsilon` on the path's holdings,
          so :math:`\varepsilon` must be below :math:`(1 - b)/(m - 2)`); all :math:`m - 2`
          bids at least 1 and some above 1 — A bids 2 on one unit and B bids
          :math:`y = (1 + \max c')/2` on every unit.

        Parameters
        ----------
        alternatives : array_like, optional
            Shape ``(S, m)`` standard bids (default :func:`bid_family`); the equilibrium bid of
            each agent is skipped for that agent.
        grid_points : int, optional
            Own types checked one by one for A (``U``) and B (``z``).

        Returns
        -------
        list of DominanceClass
            Three classes for A, three for B, four for C (a class with no member is omitted).
        """
        m = self.m
        alts = bid_family(m) if alternatives is None else np.asarray(alternatives, dtype=float)
        if alts.ndim != 2 or alts.shape[1] != m:
            raise ValueError(f"alternatives must have shape (S, m={m}), got {alts.shape}")
        if np.any(alts < 0) or np.any(np.diff(alts, axis=1) > 0):
            raise ValueError("alternatives must be non-negative and non-increasing along each row")
        n_grid = whole_number(grid_points, "grid_points", 1)
        eq = self.bids()
        rules = ("optimal-low", "optimal-high")

        def margins(i, others, chosen, key=None, grid=()):
            S = len(chosen)
            prof_eq = others.copy()
            prof_eq[:, i] = eq[i]
            prof_alt = others.copy()
            prof_alt[:, i] = chosen
            both = np.concatenate([prof_eq, prof_alt])
            out = np.full(S, np.inf)
            for kw in [{}] + [{key: t} for t in grid]:
                u = np.array([self.expected_payoffs(both, r, **kw)[:, i] for r in rules])
                out = np.minimum(out, u[:, :S].min(axis=0) - u[:, S:].max(axis=0))
            return out

        result = []
        for i, o in ((0, 1), (1, 0)):
            keep = ~np.all(alts == eq[i], axis=1)
            chosen = alts[keep]
            x = chosen[:, 0]
            others = np.zeros((len(chosen), 3, m))
            y = (x + 2.0) / 2.0
            cls = np.where(x < 2, 0, np.where(x > 2, 1, 2))
            others[:, o] = np.where((cls < 2)[:, None], y[:, None], 0.0)
            others[cls == 2, o, : m - 1] = 2.0
            grid = np.linspace(U_LOW, U_HIGH, n_grid) if i == 0 else np.linspace(0.0, self.z.top, n_grid)
            mg = margins(i, others, chosen, "U" if i == 0 else "z", grid)
            on = self.AGENTS[o]
            names = (("first-unit bid x < 2", f"{on} bids (x + 2)/2 on every unit", True),
                     ("first-unit bid x > 2 (overbidding)", f"{on} bids (x + 2)/2 on every unit", False),
                     ("first-unit bid 2, positive second bid", f"{on} bids 2 on m - 1 units", True))
            for c, (desc, wit, paper) in enumerate(names):
                sel = cls == c
                if sel.any():
                    j = int(np.argmin(np.where(sel, mg, np.inf)))
                    result.append(DominanceClass(self.AGENTS[i], desc, wit, int(sel.sum()), float(mg[j]), chosen[j], paper))
        # C
        keep = ~np.all(alts == eq[2], axis=1)
        chosen = alts[keep]
        npos = np.sum(chosen > 0, axis=1)
        low = chosen[:, : m - 2].min(axis=1)
        cls = np.where(chosen[:, m - 2] > 0, 0, np.where(npos < m - 2, 1, np.where(low < 1, 2, 3)))
        others = np.zeros((len(chosen), 3, m))
        others[cls == 0, 0] = eq[0]
        others[cls == 0, 1] = eq[1]
        others[cls == 1, 0, :2] = 0.1 / m
        others[cls == 1, 1, 0] = 1.0
        b = low[cls == 2]
        others[cls == 2, 0, :2] = (b + (1.0 - b) / (2 * m))[:, None]
        others[cls == 2, 1, 0] = 1.0
        others[cls == 3, 0, 0] = 2.0
        others[cls == 3, 1] = ((1.0 + chosen[cls == 3].max(axis=1)) / 2.0)[:, None]
        mg = margins(2, others, chosen)
        names = (("positive bid on unit m - 1 or m", "A and B play their equilibrium bids", True),
                 ("fewer than m - 2 positive bids", "A bids 0.1/m on two units, B bids 1 on one", True),
                 ("m - 2 bids, smallest b < 1", "A bids b + (1 - b)/(2m) on two units, B bids 1 on one", True),
                 ("m - 2 bids >= 1, some above 1 (overbidding)", "A bids 2 on one unit, B bids (1 + max bid)/2 on every unit", False))
        for c, (desc, wit, paper) in enumerate(names):
            sel = cls == c
            if sel.any():
                j = int(np.argmin(np.where(sel, mg, np.inf)))
                result.append(DominanceClass("C", desc, wit, int(sel.sum()), float(mg[j]), chosen[j], paper))
        return result


# --------------------------------------------------------------------------------------------
# Example 4
# --------------------------------------------------------------------------------------------

_R = sp.Symbol("r", positive=True)
_K = sp.Symbol("k", positive=True, integer=True)


def _max_z_moments(k: int, r: float):
    r"""(E[Z], E[(U - Z)^+]) for Z the max of k iid F_B(r) and U ~ Uniform[1, 1.5], exactly.

    :math:`\int_0^1 (1 - F^k) = \frac{1}{2r-1}\bigl(k\ln 2r - \sum_{i=1}^{k-1}\frac{(k-i)W^i}{i}\bigr)`
    with :math:`W = 1 - 1/(2r)` (substitute :math:`w = F(t)`); the top piece
    :math:`[1, 1 + h]`, :math:`F = t - h`, integrates in closed form.
    """
    h = 1.0 / (2 * r)
    c = 2 * r - 1
    W = 1.0 - h
    i = np.arange(1, k, dtype=float)
    low = (k * math.log(2 * r) - float(np.sum((k - i) * W**i / i))) / c  # int_0^1 (1 - F^k)
    g1 = -math.expm1((k + 1) * math.log1p(-h))  # 1 - (1-h)^(k+1)
    g2 = -math.expm1((k + 2) * math.log1p(-h))
    ez = low + h - g1 / (k + 1)
    eu = (1.0 - low) + (3 - 2 * h) * g1 / (k + 1) - 2 * g2 / (k + 2) + (0.5 - h) ** 2
    return ez, eu


class Example4:
    r"""Example 4 (Appendix B.3): ``k = ceil(1/gamma)`` groups (A_i, B_i, C_i), ``m = r k`` units.

    Agents are ordered group by group: A_i, B_i, C_i have indices ``3i, 3i + 1, 3i + 2``. Each
    :math:`z_{B_i}` has Example 1's law with ``m`` replaced by ``r = m / k``; resale happens only
    inside a group (C_i sells at 1 to A_i, then B_i). Each speculator wins ``r - 2`` units, a
    share ``(r - 2)/m < 1/k <= gamma``.

    Parameters
    ----------
    gamma : float
        Largest share of the units any agent may win, ``0 < gamma < 1`` (``k = ceil(1/gamma)``
        in floating point: pass ``1/k`` for exactly ``k`` groups).
    r : int
        Units per group, a whole number ``r > 3``.

    Raises
    ------
    ValueError
        If ``gamma`` is not in ``(0, 1)`` or ``r`` is not a whole number ``> 3``.

    Examples
    --------
    >>> ex = Example4(0.5, 10)
    >>> ex.k, ex.m, ex.speculator_share()
    (2, 20, 0.4)
    """

    ROLES = ("A", "B", "C")

    def __init__(self, gamma, r):
        if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real) or not (0 < float(gamma) < 1):
            raise ValueError(f"gamma must be a number in (0, 1), got {gamma!r}")
        self.gamma = float(gamma)
        self.r = whole_number(r, "r", 4)
        self.k = int(math.ceil(1.0 / self.gamma))
        self.m = self.r * self.k
        self.second_unit = Uniform(U_LOW, U_HIGH)
        self.z = ExampleOneZ(self.r)
        self.group = Example1(self.r)  # one group's exact values (m -> r)

    def __repr__(self) -> str:
        return f"Example4(gamma={self.gamma}, r={self.r})"

    # ---------------- profile ----------------------------------------------------------
    def bids(self) -> np.ndarray:
        """Equilibrium bids, shape ``(3k, m)``: A_i, B_i bid 2 on one unit, C_i 1 on ``r - 2``."""
        b = np.zeros((3 * self.k, self.m))
        b[0::3, 0] = 2.0
        b[1::3, 0] = 2.0
        b[2::3, : self.r - 2] = 1.0
        return b

    def auction(self, priority=None) -> AuctionOutcome:
        """The library's uniform-price auction on :meth:`bids`.

        Parameters
        ----------
        priority : sequence of int, optional
            Tie-breaking order of the ``3k`` agents.

        Returns
        -------
        AuctionOutcome
        """
        return uniform_price_auction(self.bids(), self.m, priority=priority)

    def values(self, U, z) -> StepValues:
        """Run-length marginals of all ``3k`` agents.

        Parameters
        ----------
        U, z : array_like
            Shape ``(..., k)``: each group's second-unit value and per-unit value of B.

        Returns
        -------
        StepValues
            Levels of shape ``(..., 3k, 2)``; B_i's ``z`` runs over ``m - 1`` units.
        """
        U, z = np.broadcast_arrays(np.asarray(U, dtype=float), np.asarray(z, dtype=float))
        if U.shape[-1:] != (self.k,):
            raise ValueError(f"U and z need a last axis of length k = {self.k}, got shape {U.shape}")
        lev = np.zeros(U.shape[:-1] + (3 * self.k, 2))
        lev[..., 0::3, 0] = 2.0
        lev[..., 0::3, 1] = U
        lev[..., 1::3, 0] = 2.0
        lev[..., 1::3, 1] = z
        counts = np.tile(np.array([[1, 1], [1, self.m - 1], [0, 0]]), (self.k, 1))
        return StepValues(lev, counts)

    # ---------------- exact values ------------------------------------------------------
    def expected_z(self) -> float:
        r""":math:`\mathbb{E}[z_{B_i}] = \ln(2r)/(2r-1) + 1/(8r^2)`."""
        return self.group.expected_z()

    def expected_max_z(self) -> float:
        r""":math:`\mathbb{E}[\max_i z_{B_i}]`, exact (finite sum)."""
        return _max_z_moments(self.k, self.r)[0]

    def expected_equilibrium_welfare(self) -> float:
        """``k`` times Example 1's equilibrium welfare with ``m = r``."""
        return self.k * self.group.expected_equilibrium_welfare()

    def expected_optimal_welfare(self) -> float:
        r"""Optimal welfare of the global market: :math:`4k + (m-2k)\mathbb{E}[Z] + k\mathbb{E}[(U-Z)^+]`.

        The greedy optimum gives the ``2k`` first units (value 2), then the ``m - 2k`` remaining
        units to the largest of :math:`U_1..U_k` and the highest B's ``m - 1`` units at
        :math:`Z = \max_i z_i`; since ``m - 2k >= k`` every :math:`U_i > Z` is served.
        """
        ez, eu = _max_z_moments(self.k, self.r)
        return 4.0 * self.k + (self.m - 2 * self.k) * ez + self.k * eu

    def expected_group_optimal_welfare(self) -> float:
        """Optimal welfare if units could only be reallocated within groups: ``k`` times
        Example 1's with ``m = r``."""
        return self.k * self.group.expected_optimal_welfare()

    def paper_optimal_bound(self) -> float:
        r"""The paper's per-group bound summed: :math:`k(4 + (m/k - 2)\mathbb{E}[z])`."""
        return self.k * (4.0 + (self.r - 2) * self.expected_z())

    def paper_equilibrium_bound(self) -> float:
        """The paper's per-group bound summed: ``6 k`` (each group at most 6)."""
        return self.k * self.group.paper_equilibrium_bound()

    def price_of_anarchy(self) -> float:
        """Global optimal welfare over equilibrium welfare."""
        return self.expected_optimal_welfare() / self.expected_equilibrium_welfare()

    def group_price_of_anarchy(self) -> float:
        """Per-group optimal welfare over equilibrium welfare (= Example 1's PoA at ``m = r``)."""
        return self.group.price_of_anarchy()

    def revenue_maximizing_price(self) -> float:
        r"""The maximiser of :math:`p(1 - F_B(p))` with ``m`` replaced by ``r``, computed exactly
        (:func:`single_buyer_price`)."""
        return single_buyer_price(self.r)[0]

    def max_revenue_per_unit(self) -> float:
        """:math:`k/(2m) = 1/(2r)`."""
        return 0.5 / self.r

    def speculator_utility(self) -> float:
        """Each speculator's expected payoff, :math:`1 + (r-3)/(2r)`."""
        return self.group.speculator_utility()

    def speculator_share(self) -> float:
        """Units won by each speculator over all units, ``(r - 2)/m`` (at most ``gamma``)."""
        return (self.r - 2) / self.m

    def clearing_price(self, priority=None) -> float:
        """The price of the library's uniform-price auction at the equilibrium bids (exactly ``m``
        positive bids, so 0); runs :meth:`auction`, ``O(k m)`` memory.

        Parameters
        ----------
        priority : sequence of int, optional
            Tie-breaking order of the ``3k`` agents.

        Returns
        -------
        float
        """
        return float(self.auction(priority).price)

    @staticmethod
    def symbolic() -> dict:
        r"""Sympy expressions in the positive symbols ``r`` and ``k`` (integer).

        Returns
        -------
        dict
            ``r``, ``k``, ``m`` (= r k), ``E_z``, ``expected_equilibrium_welfare``,
            ``expected_group_optimal_welfare``, ``paper_optimal_bound``, ``speculator_share``,
            ``speculator_utility``, ``E_max_z`` (with an unevaluated ``Sum``),
            ``expected_optimal_welfare``.
        """
        r, k = _R, _K
        i = sp.Symbol("i", positive=True, integer=True)
        one = Example1.symbolic()
        sub = {one["m"]: r}
        h = 1 / (2 * r)
        W = 1 - h
        low = (k * sp.log(2 * r) - sp.Sum((k - i) * W**i / i, (i, 1, k - 1))) / (2 * r - 1)
        ez_max = low + h - (1 - (1 - h) ** (k + 1)) / (k + 1)
        eu = (1 - low) + (3 - 2 * h) * (1 - (1 - h) ** (k + 1)) / (k + 1) - 2 * (1 - (1 - h) ** (k + 2)) / (k + 2) + (sp.Rational(1, 2) - h) ** 2
        m = r * k
        return {
            "r": r,
            "k": k,
            "m": m,
            "E_z": one["E_z"].subs(sub),
            "expected_equilibrium_welfare": k * one["expected_equilibrium_welfare"].subs(sub),
            "expected_group_optimal_welfare": k * one["expected_optimal_welfare"].subs(sub),
            "paper_optimal_bound": k * (4 + (r - 2) * one["E_z"].subs(sub)),
            "speculator_share": (r - 2) / m,
            "speculator_utility": one["speculator_utility"].subs(sub),
            "E_max_z": ez_max,
            "expected_optimal_welfare": 4 * k + (m - 2 * k) * ez_max + k * eu,
        }

    # ---------------- simulation ----------------------------------------------------------
    def simulate(self, n, seed=None) -> SimulationResult:
        """Monte Carlo of the combined market at the equilibrium (library mechanisms).

        One uniform-price auction (bids do not depend on types); within each group the library's
        take-it-or-leave-it resale on ``n`` sampled profiles; the global optimal welfare with
        :func:`~aftermarkets.optimal_welfare` over all ``3k`` agents, and the per-group optimum.

        Parameters
        ----------
        n : int
            Sampled type profiles (``>= 2``).
        seed : int, numpy.random.Generator or None

        Returns
        -------
        SimulationResult
            ``speculator_utility`` averages the ``k`` speculators.
        """
        n = whole_number(n, "n", 2)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        U = self.second_unit.sample((n, self.k), rng)
        z = self.z.sample((n, self.k), rng)
        auction = self.auction()
        wel = np.zeros(n)
        util = np.zeros((n, 3 * self.k))
        group_opt = np.zeros(n)
        for g in range(self.k):  # a loop over the k groups, vectorised over samples
            idx = slice(3 * g, 3 * g + 3)
            v = _group_values(U[:, g], z[:, g], self.m - 1)
            sub = AuctionOutcome(auction.allocation[idx], auction.payments[idx], auction.price)
            out = combined_market(v, sub, lambda vv, x: take_it_or_leave_it(vv, x, seller=2, price=1.0, order=(0, 1)))
            wel += out.welfare
            util[:, idx] = out.utilities
            group_opt += optimal_welfare(_group_values(U[:, g], z[:, g], self.r - 1), self.r)
        opt = optimal_welfare(self.values(U, z), self.m)
        utils = tuple(_estimate(util[:, j]) for j in range(3 * self.k))
        spec = _estimate(util[:, 2::3].mean(axis=1))
        return SimulationResult(
            n=n,
            seed=seed,
            equilibrium_welfare=_estimate(wel),
            optimal_welfare=_estimate(opt),
            price_of_anarchy=_ratio_estimate(opt, wel),
            speculator_utility=spec,
            utilities=utils,
            clearing_price=float(auction.price),
            auction_revenue=float(auction.revenue),
            group_optimal_welfare=_estimate(group_opt),
        )

    # ---------------- Proposition 7: deviations in one group ------------------------------
    def expected_payoffs(self, bids, group=0, price_rule="optimal-low", priority=None):
        """Exact expected payoffs of group ``group``'s (A, B, C) for given bids of all ``3k`` agents.

        Parameters
        ----------
        bids : array_like
            Shape ``(3k, m)`` or ``(S, 3k, m)``.
        group : int
            Which group's payoffs (resale stays inside the group).
        price_rule : {"paper", "optimal-low", "optimal-high"}
        priority : sequence of int, optional

        Returns
        -------
        numpy.ndarray
            Shape ``(3,)`` or ``(S, 3)``.
        """
        g = whole_number(group, "group", 0)
        if g >= self.k:
            raise ValueError(f"group must be in 0..{self.k - 1}, got {group!r}")
        bids = np.asarray(bids, dtype=float)
        auc = uniform_price_auction(bids, self.m, priority=priority)
        idx = slice(3 * g, 3 * g + 3)
        util, _ = _group_expected(auc.allocation[..., idx], auc.payments[..., idx], self.r, self.m - 1, price_rule)
        return util.reshape(bids.shape[:-2] + (3,))

    def deviation_check(self, role, group=0, price_rule="optimal", priority=None, alternatives=None) -> DeviationCheck:
        """Largest expected gain of ``role`` in ``group`` from a unilateral deviation (Proposition 7).

        Parameters
        ----------
        role : {"A", "B", "C"} or int
        group : int
        price_rule : {"optimal", "paper"}
            As in :meth:`Example1.deviation_check`.
        priority : sequence of int, optional
        alternatives : array_like, optional
            Shape ``(S, m)``; default :func:`bid_family` for ``m`` units.

        Returns
        -------
        DeviationCheck
            Without per-type gains.
        """
        j = self.group._agent(role)
        g = whole_number(group, "group", 0)
        alts = bid_family(self.m) if alternatives is None else np.asarray(alternatives, dtype=float)
        rules = {"paper": ("paper",), "optimal": ("optimal-low", "optimal-high")}
        if price_rule not in rules:
            raise ValueError(f"price_rule must be 'optimal' or 'paper', got {price_rule!r}")
        profiles = np.broadcast_to(self.bids(), (alts.shape[0] + 1, 3 * self.k, self.m)).copy()
        profiles[1:, 3 * g + j] = alts
        u = np.max([self.expected_payoffs(profiles, g, r, priority)[:, j] for r in rules[price_rule]], axis=0)
        rep = deviation_search(lambda s: u[s], 0, range(1, len(u)), agent=f"{self.ROLES[j]}_{g + 1}")
        rep = DeviationReport(rep.agent, rep.equilibrium_utility, rep.best_gain, alts[rep.best_action - 1], rep.checked)
        prio = tuple(range(3 * self.k)) if priority is None else tuple(int(x) for x in priority)
        return DeviationCheck(rep, None, None, price_rule, prio, alts)
