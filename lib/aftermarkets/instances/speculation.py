r"""One speculation group (A, B, C) of Section 3: its values, exact payoffs and deviation checks.

Example 1 is one group; Example 4 is ``k`` groups sharing one auction, with resale inside each
group. Both use this module:

* :func:`group_values` — the group's marginals in run-length form (A: :math:`2, U`; B:
  :math:`2, z, \dots, z`; C: nothing);
* :func:`group_payoffs` — exact expected utilities and welfare after any auction outcomes, running
  the library's take-it-or-leave-it market (C sells at a price given by a rule, A then B buy);
* :func:`deviation_check` — the largest gain from a unilateral deviation in the auction, in
  expectation and type by type (Propositions 1 and 7), reported as a :class:`DeviationCheck`;
* :class:`SimulationResult` — Monte Carlo estimates of the combined market at the equilibrium.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..auctions import AuctionOutcome
from ..combined import combined_market
from ..equilibrium import DeviationReport, best_deviation, bid_family
from ..montecarlo import Estimate
from ..trade import take_it_or_leave_it
from ..valuations import StepValues
from .resale import SECOND_UNIT, _law, optimal_resale_price

__all__ = [
    "PRICE_RULES",
    "DEVIATION_LEVELS",
    "group_values",
    "resale_prices",
    "group_payoffs",
    "deviation_bids",
    "DeviationCheck",
    "deviation_check",
    "SimulationResult",
]

#: Price rules for the speculator's resale offer: the paper's constant 1, or her exact optimum
#: (``optimal-low`` / ``optimal-high`` pick the smallest / largest maximiser when several tie).
PRICE_RULES = ("paper", "optimal-low", "optimal-high")
#: Deviation-search rules: ``"optimal"`` gives the deviator the best of C's tied optimal prices.
_SEARCH_RULES = {"paper": ("paper",), "optimal": ("optimal-low", "optimal-high")}
#: Bid levels of the deviation searches: below, at and above the equilibrium bids 1 and 2.
DEVIATION_LEVELS = (0.25, 0.5, 0.99, 1.0, 1.01, 1.25, 1.5, 1.99, 2.0, 2.01, 3.0)


def group_values(U, z, b_units) -> StepValues:
    """Run-length marginals of one group (A, B, C), batched like ``U`` and ``z``.

    A: levels ``[2, U]`` on ``[1, 1]`` units; B: ``[2, z]`` on ``[1, b_units]``; C: zero.

    Parameters
    ----------
    U, z : float or array_like
        A's second-unit value and B's per-unit value (broadcast together).
    b_units : int
        How many units B values at ``z`` (``m - 1`` in Examples 1 and 4).

    Returns
    -------
    StepValues
    """
    U, z = np.broadcast_arrays(np.asarray(U, dtype=float), np.asarray(z, dtype=float))
    lev = np.zeros(U.shape + (3, 2))
    lev[..., 0, 0] = 2.0
    lev[..., 0, 1] = U
    lev[..., 1, 0] = 2.0
    lev[..., 1, 1] = z
    return StepValues(lev, np.array([[1, 1], [1, b_units], [0, 0]]))


def resale_prices(holdings, mz, rule) -> np.ndarray:
    """C's resale price after each outcome ``holdings[..., (a, b, q)]`` under ``rule``.

    ``"paper"``: always 1; ``"optimal-low"`` / ``"optimal-high"``: the smallest / largest of her
    exact revenue maximisers (:func:`~aftermarkets.instances.resale.optimal_resale_price`).
    """
    if rule not in PRICE_RULES:
        raise ValueError(f"price rule must be one of {PRICE_RULES}, got {rule!r}")
    if rule == "paper":
        return np.ones(holdings.shape[:-1])
    h = np.ascontiguousarray(holdings, dtype=np.int64)
    return _optimal_prices(h.tobytes(), h.shape, float(mz), rule)


@functools.lru_cache(maxsize=16)
def _optimal_prices(key: bytes, shape: tuple, mz: float, rule: str) -> np.ndarray:
    """:func:`resale_prices` for the optimal rules, on holdings given as bytes (read-only result).

    Cached: the deviation checks ask for the same batch of outcomes once per type on their type
    grid. A batch has few distinct outcomes, and C's problem is solved once for each.
    """
    rows, inverse = np.unique(np.frombuffer(key, dtype=np.int64).reshape(-1, 3), axis=0, return_inverse=True)
    choice = optimal_resale_price(rows[:, 0], rows[:, 1], rows[:, 2], mz)
    best = np.asarray(choice.price_low if rule == "optimal-low" else choice.price_high, dtype=float)
    out = best.reshape(-1)[inverse.reshape(-1)].reshape(shape[:-1])
    out.setflags(write=False)
    return out


def _type_cells(price, mz, U=None, z=None, z_range=None):
    """Four cells (U >= p?, z >= p?): weights and representative (conditional-mean) types.

    Given C's price :math:`p`, A buys her second unit iff :math:`U \\ge p` and B buys at price
    :math:`p` iff :math:`z \\ge p`; utilities are linear in :math:`U` and :math:`z` within a cell,
    so running the market at each cell's conditional means and weighting by the cells'
    probabilities gives exact expectations. A given ``U`` or ``z`` conditions on it instead;
    ``z_range = (lo, hi)`` conditions on :math:`lo \\le z < hi` (:func:`_z_cells_in_range`).
    """
    p = np.asarray(price, dtype=float)
    if U is None:
        lo, hi = SECOND_UNIT.low, SECOND_UNIT.high
        pu = SECOND_UNIT.survival(p)
        pc = np.clip(p, lo, hi)
        u_hi, u_lo = (pc + hi) / 2, (lo + pc) / 2
        u_lo = np.where(pu < 1, np.minimum(u_lo, np.nextafter(p, -np.inf)), lo)
        u_lo = np.clip(u_lo, 0.0, 2.0)
    else:
        u_hi = u_lo = np.full(p.shape, float(U))
        pu = (u_hi >= p).astype(float)
    if z is None and z_range is not None:
        sz, z_hi, z_lo = _z_cells_in_range(p, mz, z_range)
    elif z is None:
        law = _law(mz)
        sz = law.survival(p)
        tail = p * sz + law.tail_integral(p)  # E[z 1{z >= p}]
        with np.errstate(divide="ignore", invalid="ignore"):
            z_hi = np.where(sz > 0, tail / sz, p)
            z_lo = np.where(sz < 1, (law.mean() - tail) / (1 - sz), 0.0)
        z_hi = np.clip(np.maximum(z_hi, p), 0.0, 2.0)
        z_lo = np.where(sz < 1, np.clip(np.minimum(z_lo, np.nextafter(p, -np.inf)), 0.0, 2.0), 0.0)
    else:
        z_hi = z_lo = np.full(p.shape, float(z))
        sz = (z_hi >= p).astype(float)
    w = np.stack([pu * sz, pu * (1 - sz), (1 - pu) * sz, (1 - pu) * (1 - sz)], axis=-1)
    reps_u = np.stack([u_hi, u_hi, u_lo, u_lo], axis=-1)
    reps_z = np.stack([z_hi, z_lo, z_hi, z_lo], axis=-1)
    return w, reps_u, reps_z


def _z_cells_in_range(p, mz, z_range):
    r"""B's two cells (:math:`z \ge p`, :math:`z < p`) given :math:`lo \le z < hi`.

    With :math:`S` the survival function and :math:`T(x) = \mathbb{E}[z\,\mathbf{1}\{z \ge x\}]
    = x S(x) + \int_x^\infty S`, the conditional probability of :math:`z \ge p` is
    :math:`(S(c) - S(hi)) / (S(lo) - S(hi))` with :math:`c = \min(\max(p, lo), hi)`, and the
    conditional means of the two cells are :math:`(T(c) - T(hi)) / (S(c) - S(hi))` and
    :math:`(T(lo) - T(c)) / (S(lo) - S(c))`. Returns ``(Pr[z >= p], mean above, mean below)``.
    """
    law = _law(mz)
    lo, hi = (float(x) for x in z_range)
    hi = min(hi, law.top)
    if not (0.0 <= lo < hi):
        raise ValueError(f"z_range must satisfy 0 <= lo < hi with lo below {law.top}, got {z_range!r}")

    def tail(x):  # E[z 1{z >= x}]
        return x * law.survival(x) + law.tail_integral(x)

    c = np.clip(p, lo, hi)
    s_lo, s_hi, s_c = law.survival(lo), law.survival(hi), law.survival(c)
    mass = s_lo - s_hi
    if mass <= 0:
        raise ValueError(f"z_range {z_range!r} has probability 0")
    above, below = s_c - s_hi, s_lo - s_c
    with np.errstate(divide="ignore", invalid="ignore"):
        z_hi = np.where(above > 0, (tail(c) - tail(hi)) / above, c)
        z_lo = np.where(below > 0, (tail(lo) - tail(c)) / below, lo)
    z_hi = np.clip(np.maximum(z_hi, p), 0.0, 2.0)
    z_lo = np.where(below > 0, np.clip(np.minimum(z_lo, np.nextafter(p, -np.inf)), 0.0, 2.0), 0.0)
    return above / mass, z_hi, z_lo


def group_payoffs(allocation, payments, mz, b_units, rule, U=None, z=None, z_range=None) -> tuple:
    """Exact expected (utilities ``(S, 3)``, welfare ``(S,)``) of a group after auction outcomes.

    Runs the library's take-it-or-leave-it market (C sells, A then B buy) inside
    :func:`~aftermarkets.combined_market` on four representative type profiles per outcome
    (:func:`_type_cells`), with C's price from :func:`resale_prices`.

    Parameters
    ----------
    allocation, payments : array_like
        Auction outcomes of the group's three agents, shape ``(..., 3)``.
    mz : float
        Parameter of :math:`F_B` (``m`` in Example 1, ``r`` in Example 4).
    b_units : int
        Units B values at ``z``.
    rule : {"paper", "optimal-low", "optimal-high"}
        C's resale price rule.
    U, z : float, optional
        Condition on A's or B's type (per-type payoffs); default integrates over it.
    z_range : tuple of float, optional
        ``(lo, hi)``: integrate over B's type conditionally on ``lo <= z < hi`` (for strategies
        that depend on ``z`` through a threshold); ignored when ``z`` is given.

    Returns
    -------
    tuple of numpy.ndarray
    """
    h = np.asarray(allocation, dtype=np.int64).reshape(-1, 3)
    pay = np.asarray(payments, dtype=float).reshape(-1, 3)
    S = h.shape[0]
    price = resale_prices(h, mz, rule)
    w, ru, rz = _type_cells(price, mz, U, z, z_range)
    values = group_values(ru.reshape(-1), rz.reshape(-1), b_units)
    hh = np.repeat(h, 4, axis=0)
    pp = np.repeat(price, 4)
    auction = AuctionOutcome(hh, np.repeat(pay, 4, axis=0), None)
    out = combined_market(
        values, auction, lambda v, x: take_it_or_leave_it(v, x, seller=2, price=pp, order=(0, 1))
    )
    util = np.einsum("sc,sci->si", w, out.utilities.reshape(S, 4, 3))
    wel = np.einsum("sc,sc->s", w, np.asarray(out.welfare).reshape(S, 4))
    return util, wel


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


def deviation_bids(m, quantities=None, two_level=True) -> np.ndarray:
    """The deviation family of the book: :func:`~aftermarkets.equilibrium.bid_family` on
    :data:`DEVIATION_LEVELS` (every quantity when ``m <= 12``)."""
    return bid_family(m, DEVIATION_LEVELS, quantities, two_level)


def deviation_check(
    payoff,
    bids,
    agent,
    alternatives,
    price_rule="optimal",
    label=None,
    priority=None,
    own_type=None,
    type_grid=None,
    bid_floor=0.0,
) -> DeviationCheck:
    """Largest gain of ``agent`` from replacing her bid by any of ``alternatives``.

    Parameters
    ----------
    payoff : callable
        ``payoff(profiles, rule, **types) -> utilities`` of the deviating agent, one per profile
        of the batch ``profiles`` (shape ``(S, n, m)``); ``rule`` is one of :data:`PRICE_RULES`.
    bids : numpy.ndarray
        The equilibrium bid profile, shape ``(n, m)``.
    agent : int
        Row of the deviator in ``bids``.
    alternatives : numpy.ndarray
        Alternative bids, shape ``(K, m)``.
    price_rule : {"optimal", "paper"}
        ``"optimal"``: C's exact optimum after every outcome; when several prices tie, the one
        best for the deviator (a conservative check). ``"paper"``: C always resells at 1.
    label : object, optional
        Who deviates, for the report.
    priority : sequence of int, optional
        The auction's tie-breaking order (stored in the result).
    own_type : {"U", "z"}, optional
        The deviator's private type; with ``type_grid``, gains are also computed type by type.
    type_grid : array_like, optional
        Values of ``own_type`` to check one by one.
    bid_floor : float, optional
        Added to every marginal bid of every agent (equilibrium and alternatives).

    Returns
    -------
    DeviationCheck
    """
    if price_rule not in _SEARCH_RULES:
        raise ValueError(f"price_rule must be 'optimal' or 'paper', got {price_rule!r}")
    floor = float(bid_floor)
    if not (np.isfinite(floor) and floor >= 0):
        raise ValueError(f"bid_floor must be a finite number >= 0, got {bid_floor!r}")
    bids = np.asarray(bids, dtype=float)
    alts = np.asarray(alternatives, dtype=float)
    if alts.ndim != 2 or alts.shape[1] != bids.shape[1]:
        raise ValueError(f"alternatives must have shape (S, m={bids.shape[1]}), got {alts.shape}")
    profiles = np.broadcast_to(bids, (alts.shape[0] + 1,) + bids.shape).copy()
    profiles[1:, agent] = alts
    profiles += floor

    def best(**types):
        return np.max([payoff(profiles, r, **types) for r in _SEARCH_RULES[price_rule]], axis=0)

    u = best()
    report = best_deviation(u[0], u[1:], alts, agent=label)
    gains = None
    if own_type is not None and type_grid is not None:
        type_grid = np.asarray(type_grid, dtype=float)
        gains = np.array([(lambda v: v[1:].max() - v[0])(best(**{own_type: t})) for t in type_grid])
    else:
        type_grid = None
    prio = tuple(range(bids.shape[0])) if priority is None else tuple(int(x) for x in priority)
    return DeviationCheck(report, type_grid, gains, price_rule, prio, alts)
