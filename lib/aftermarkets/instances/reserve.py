r"""Example 1 with a per-unit reserve (Section 6, Theorem 5): the speculator priced out.

The uniform-price auction of Example 1 gets a per-unit reserve :math:`r`: marginal bids strictly
below :math:`r` are ignored, bids equal to :math:`r` may win, and the price is
:math:`\max(r, \text{highest losing bid})` (:func:`~aftermarkets.uniform_price_auction`). The
resale market is Chapter 2's: C offers her units at one take-it-or-leave-it price, A then B buy.

**Proposition 1's strategies under the reserve.** For :math:`r \le 1` the outcome is unchanged and
the price rises from 0 to :math:`r`, so C earns
:math:`1 + \frac{m-3}{2m} - r(m-2)` (:meth:`Example1.speculator_utility
<aftermarkets.instances.example1.Example1.speculator_utility>`).

**The reserve profile** :math:`\sigma_r` (:func:`reserve_bids`): A bids 2 on her first unit and 1
on her second; B bids 2 on her first unit and, when :math:`z \ge r`, the reserve :math:`r` on each
of her :math:`m - 1` further units; C bids nothing. The price is :math:`r`; A wins two units, B
wins :math:`m - 2` when :math:`z \ge r` and one otherwise, and C holds nothing, so nothing is
resold. Its welfare is :meth:`Example1.welfare_at_price
<aftermarkets.instances.example1.Example1.welfare_at_price>`,
:math:`\tfrac{21}{4} + (m-3)\,\mathbb{E}[z\,\mathbf{1}\{z \ge r\}]`: the outcome of the posted price
:math:`r`. B's bid is the deviation of Theorem 5's proof (bid :math:`r` on the units worth at
least :math:`r`).

B's bid depends on her type through the threshold :math:`r`, so expected payoffs mix two
conditional laws of :math:`z` (:meth:`ReserveProfile.expected_payoffs`):

.. math::

    \mathbb{E}[u] = S(r)\,\mathbb{E}[u \mid z \ge r] + (1 - S(r))\,\mathbb{E}[u \mid z < r],

each computed exactly by :func:`~aftermarkets.instances.speculation.group_payoffs` with
``z_range``. Deviations are searched over :func:`reserve_levels` (Chapter 2's levels plus the
reserve and levels around it) with :func:`~aftermarkets.instances.speculation.deviation_check`.

**A belief-free check for C** (:meth:`ReserveProfile.speculator_bound`). In any trade mechanism
that A and B join voluntarily and that does not subsidise trade, C's resale revenue is at most what
her units add to A's and B's values; so her payoff from a bid is at most
:math:`\mathbb{E}[\text{value her units add}] - \mathbb{E}[\text{payment}]`, whatever she believes
and whatever the aftermarket. If this bound is at most 0 for every bid, staying out is a best
response in every aftermarket.

**Where the belief-free check stops holding** (:func:`any_aftermarket_limit`,
:func:`outbid_bound`). If C outbids B's reserve bids on B's :math:`m - 3` further units, she
pays the reserve per unit and her units can add :math:`z` each to B, so the bound is about
:math:`(m-3)(\mathbb{E}[z] - p)`. At the balanced reserve :math:`\mathbb{E}[z] < p` only up to a
finite :math:`m`; beyond it the bound is positive, and an aftermarket in which C learns
:math:`z` and offers B her units at :math:`z` makes her profit. In Chapter 2's
take-it-or-leave-it market her revenue per unit from B is at most :math:`h = \frac{1}{2m} < p`.
"""

from __future__ import annotations

import numpy as np

from .._checks import generator, prices, whole_number
from ..allocation import optimal_welfare
from ..auctions import uniform_price_auction
from ..combined import combined_market
from ..equilibrium import bid_family
from ..montecarlo import estimate
from .example1 import Example1
from .resale import SECOND_UNIT
from .speculation import DEVIATION_LEVELS, DeviationCheck, deviation_check

__all__ = [
    "reserve_levels",
    "reserve_bids",
    "ReserveProfile",
    "proposition1_under_reserve",
    "reserve_profile_deviations",
    "speculator_bounds",
    "off_reserve",
    "outbid_bound",
    "any_aftermarket_limit",
]


def reserve_levels(reserve) -> tuple:
    """Bid levels for deviation searches under a reserve: Chapter 2's :data:`DEVIATION_LEVELS`,
    the reserve itself, just below it (ignored), just above it, and halfway to 1."""
    r = float(prices(reserve, "reserve", scalar=True))
    extra = {r, 0.99 * r, 1.01 * r, (r + 1) / 2} if r > 0 else set()
    return tuple(sorted({float(x) for x in DEVIATION_LEVELS} | {x for x in extra if x > 0}))


def _check_reserve(reserve) -> float:
    r = float(prices(reserve, "reserve", scalar=True))
    if not 0 < r < 1:
        raise ValueError(f"the reserve profile needs a reserve in (0, 1), got {reserve!r}")
    return r


def reserve_bids(m, reserve) -> tuple:
    """The reserve profile's bids, shape ``(3, m)`` each: ``(when z >= reserve, when z < reserve)``.

    A bids ``(2, 1)``; B bids 2 on her first unit and, when ``z >= reserve``, ``reserve`` on her
    ``m - 1`` further units; C bids nothing.

    Examples
    --------
    >>> hi, lo = reserve_bids(4, 0.5)
    >>> hi
    array([[2. , 1. , 0. , 0. ],
           [2. , 0.5, 0.5, 0.5],
           [0. , 0. , 0. , 0. ]])
    >>> lo[1]
    array([2., 0., 0., 0.])
    """
    m = whole_number(m, "m", 4)
    r = _check_reserve(reserve)
    hi = np.zeros((3, m))
    hi[0, :2] = (2.0, 1.0)
    hi[1, 0] = 2.0
    hi[1, 1:] = r
    lo = hi.copy()
    lo[1, 1:] = 0.0
    return hi, lo


class ReserveProfile:
    r"""The reserve profile :math:`\sigma_r` of Example 1 in a uniform-price auction with reserve ``r``.

    Parameters
    ----------
    m : int
        Number of units (``m > 3``).
    reserve : float, optional
        The per-unit reserve, in ``(0, 1)``; default :meth:`Example1.balanced_price
        <aftermarkets.instances.example1.Example1.balanced_price>` (Theorem 5's reserve).

    Examples
    --------
    >>> prof = ReserveProfile(10)
    >>> round(prof.reserve, 6), round(prof.welfare(), 6)
    (0.318124, 5.95932)
    """

    AGENTS = Example1.AGENTS

    def __init__(self, m, reserve=None):
        self.example = Example1(m)
        self.m = self.example.m
        self.reserve = _check_reserve(self.example.balanced_price() if reserve is None else reserve)
        self.prob_high = float(self.example.z.survival(self.reserve))  # Pr[z >= r]

    def __repr__(self) -> str:
        return f"ReserveProfile(m={self.m}, reserve={self.reserve!r})"

    def bids(self) -> tuple:
        """``(bids when z >= reserve, bids when z < reserve)`` (:func:`reserve_bids`)."""
        return reserve_bids(self.m, self.reserve)

    def welfare(self) -> float:
        """Expected welfare of the profile, :meth:`Example1.welfare_at_price` at the reserve."""
        return self.example.welfare_at_price(self.reserve)

    def deviation_bids(self) -> np.ndarray:
        """The deviation family: :func:`~aftermarkets.bid_family` on :func:`reserve_levels`."""
        return bid_family(self.m, reserve_levels(self.reserve))

    # ---------------- exact payoffs ------------------------------------------------------
    def expected_payoffs(
        self, profiles_high, profiles_low, price_rule="optimal-low", priority=None, U=None, z=None
    ):
        """Exact expected payoffs of (A, B, C) when the bids are ``profiles_high`` if ``z >=
        reserve`` and ``profiles_low`` otherwise.

        Parameters
        ----------
        profiles_high, profiles_low : array_like
            Bid profiles, shape ``(3, m)`` or ``(S, 3, m)`` each.
        price_rule : {"paper", "optimal-low", "optimal-high"}
            C's resale price rule (:func:`~aftermarkets.instances.speculation.resale_prices`).
        priority : sequence of int, optional
            Auction tie-breaking order.
        U, z : float, optional
            Condition on A's or B's type; with ``z`` given only the matching profiles are used.

        Returns
        -------
        numpy.ndarray
            Shape ``(3,)`` or ``(S, 3)``.
        """
        ex, r = self.example, self.reserve
        if z is not None:
            prof = profiles_high if float(z) >= r else profiles_low
            return ex.expected_payoffs(prof, price_rule, priority, U=U, z=z, reserve=r)
        up = ex.expected_payoffs(profiles_high, price_rule, priority, U=U, reserve=r, z_range=(r, np.inf))
        down = ex.expected_payoffs(profiles_low, price_rule, priority, U=U, reserve=r, z_range=(0.0, r))
        return self.prob_high * up + (1 - self.prob_high) * down

    def expected_welfare_of(self, profiles_high, profiles_low, price_rule="optimal-low", priority=None):
        """Exact expected welfare of the combined market for threshold profiles (as
        :meth:`expected_payoffs`)."""
        ex, r = self.example, self.reserve
        up = ex.expected_welfare_of(profiles_high, price_rule, priority, reserve=r, z_range=(r, np.inf))
        down = ex.expected_welfare_of(profiles_low, price_rule, priority, reserve=r, z_range=(0.0, r))
        return self.prob_high * up + (1 - self.prob_high) * down

    def utilities(self) -> np.ndarray:
        """Exact expected payoffs of (A, B, C) at the profile, through the library's mechanisms."""
        return self.expected_payoffs(*self.bids(), "optimal-low")

    # ---------------- deviation checks --------------------------------------------------
    def deviation_check(
        self, agent, price_rule="optimal", priority=None, alternatives=None, type_grid=None
    ) -> DeviationCheck:
        """Largest gain from a unilateral deviation from the reserve profile.

        The deviator replaces her bid (in both of B's cases, if she is B) by each alternative;
        payoffs are exact (:meth:`expected_payoffs`). A's and B's gains are also computed type by
        type on a grid of their own ``U`` or ``z`` (B's grid includes the reserve's neighbours).

        Parameters
        ----------
        agent : int or {"A", "B", "C"}
        price_rule : {"optimal", "paper"}
            C's resale price: her exact optimum (ties resolved for the deviator) or always 1.
        priority : sequence of int, optional
            Auction tie-breaking order (default A, B, C).
        alternatives : array_like, optional
            Bids to try, shape ``(S, m)``; default :meth:`deviation_bids`.
        type_grid : array_like, optional
            Own types checked one by one (A: ``U``, B: ``z``).

        Returns
        -------
        DeviationCheck
        """
        i = self.example._agent(agent)
        hi, lo = self.bids()
        alts = self.deviation_bids() if alternatives is None else np.asarray(alternatives, dtype=float)
        own = ("U", "z", None)[i]
        if own == "U" and type_grid is None:
            type_grid = np.linspace(SECOND_UNIT.low, SECOND_UNIT.high, 6)
        if own == "z" and type_grid is None:
            r, top = self.reserve, self.example.z.top
            type_grid = np.unique(np.r_[0.0, 0.5 * r, 0.999 * r, r, 1.001 * r, (r + 1) / 2, 1.0, top])

        def payoff(profiles, rule, U=None, z=None):
            low = profiles.copy()
            if i == 1:
                low[0, 1] = lo[1]
            else:
                low[:, 1] = lo[1]
            return self.expected_payoffs(profiles, low, rule, priority, U=U, z=z)[:, i]

        return deviation_check(payoff, hi, i, alts, price_rule, self.AGENTS[i], priority, own, type_grid)

    def speculator_bound(self, alternatives=None, priority=None) -> np.ndarray:
        r"""Upper bound on C's expected payoff from each alternative bid, in any aftermarket.

        For each bid of C (the others follow the profile) the auction runs in both of B's cases;
        the bound is :math:`\mathbb{E}[\text{value C's units add to A and B}] -
        \mathbb{E}[\text{C's payment}]`, the value added being the best use of C's ``q`` units on
        top of A's and B's holdings (first units worth 2, then :math:`U` and :math:`z`), computed
        exactly from the conditional means of :math:`z` and :math:`\max(U, z)` in each case.

        Parameters
        ----------
        alternatives : array_like, optional
            C's bids, shape ``(S, m)``; default :meth:`deviation_bids`.
        priority : sequence of int, optional
            Auction tie-breaking order.

        Returns
        -------
        numpy.ndarray
            Shape ``(S,)``.
        """
        alts = self.deviation_bids() if alternatives is None else np.asarray(alternatives, dtype=float)
        hi, lo = self.bids()
        ex, r, top = self.example, self.reserve, self.example.z.top
        tail = r * self.prob_high + float(ex.z.tail_integral(r))  # E[z 1{z >= r}]
        excess_u = max(0.0, top - max(1.0, r)) ** 3 / 3  # E[(z - U)^+ 1{z >= r}]
        cases = (
            (hi, self.prob_high, tail / self.prob_high, SECOND_UNIT.mean() + excess_u / self.prob_high),
            (lo, 1 - self.prob_high, (ex.expected_z() - tail) / (1 - self.prob_high), SECOND_UNIT.mean()),
        )
        bound = np.zeros(len(alts))
        for bids, weight, ez, emax in cases:
            prof = np.broadcast_to(bids, (len(alts),) + bids.shape).copy()
            prof[:, 2] = alts
            out = uniform_price_auction(prof, self.m, reserve=r, priority=priority)
            a, b, q = out.allocation.T
            bound += weight * (self._added_value(a, b, q, ez, emax) - out.payments[:, 2])
        return bound

    def _added_value(self, a, b, q, ez, emax):
        """Expected best value of ``q`` extra units on top of holdings ``(a, b)``."""
        twos = np.minimum(q, (a == 0).astype(int) + (b == 0))
        rest = q - twos
        nz = self.m - np.maximum(b, 1)  # B's z-units still unheld
        with_u = np.where(
            rest == 0, 0.0, np.where(rest >= 1 + nz, SECOND_UNIT.mean() + nz * ez, (rest - 1) * ez + emax)
        )
        return 2.0 * twos + np.where(a <= 1, with_u, np.minimum(rest, nz) * ez)

    # ---------------- simulation ----------------------------------------------------------
    def simulate(self, n, seed=None) -> dict:
        """Monte Carlo of the profile through the library's auction (with the reserve), resale and
        optimal welfare, on ``n`` sampled types; B's bids follow her sampled ``z``.

        Returns
        -------
        dict
            ``welfare`` and ``optimal_welfare`` (:class:`~aftermarkets.Estimate`), ``revenue``
            (Estimate), ``prices`` (the distinct auction prices), ``speculator_units`` (largest
            number of units C won).
        """
        n = whole_number(n, "n", 2)
        rng = generator(seed)
        ex = self.example
        values = ex.sample_values(n, rng)
        z = values.levels[:, 1, 1]
        hi, lo = self.bids()
        bids = np.where((z >= self.reserve)[:, None, None], hi, lo)
        auction = uniform_price_auction(bids, self.m, reserve=self.reserve)
        out = combined_market(values, auction, ex.resale)
        return {
            "welfare": estimate(np.asarray(out.welfare, dtype=float)),
            "optimal_welfare": estimate(optimal_welfare(values, self.m)),
            "revenue": estimate(auction.revenue),
            "prices": np.unique(auction.price),
            "speculator_units": int(auction.allocation[:, 2].max()),
        }


def proposition1_under_reserve(ms=(4, 10), reserve=None) -> list:
    """Deviation search at Proposition 1's profile in an auction with a reserve (default the
    balanced price), over :meth:`ReserveProfile.deviation_bids`.

    Returns
    -------
    list of dict
        Keys ``m``, ``agent``, ``utility``, ``regret`` (largest gain, in expectation or type by
        type), ``best_action`` (the bid attaining the expected gain).
    """
    rows = []
    for m in ms:
        ex = Example1(m)
        r = ex.balanced_price() if reserve is None else float(reserve)
        alts = ReserveProfile(m, r).deviation_bids()
        for i, agent in enumerate(ex.AGENTS):
            c = ex.deviation_check(i, reserve=r, alternatives=alts)
            rows.append(
                {
                    "m": m,
                    "agent": agent,
                    "utility": c.report.equilibrium_utility,
                    "regret": c.largest_gain,
                    "best_action": c.report.best_action,
                }
            )
    return rows


def reserve_profile_deviations(ms=(4, 10), all_orders=(4,)) -> list:
    """Deviation search at the reserve profile with the balanced reserve, for every agent: under
    all six tie orders for ``m`` in ``all_orders``, under the default order (A, B, C) otherwise.

    Returns
    -------
    list of dict
        Keys ``m``, ``agent``, ``bids`` (alternatives tried), ``utility``, ``regret`` (largest gain
        over the orders, in expectation or type by type), ``orders``.
    """
    from itertools import permutations

    rows = []
    for m in ms:
        prof = ReserveProfile(m)
        orders = list(permutations(range(3))) if m in all_orders else [None]
        for i, agent in enumerate(prof.AGENTS):
            checks = [prof.deviation_check(i, priority=o) for o in orders]
            rows.append(
                {
                    "m": m,
                    "agent": agent,
                    "bids": len(checks[0].alternatives),
                    "utility": checks[0].report.equilibrium_utility,
                    "regret": max(c.largest_gain for c in checks),
                    "orders": len(orders),
                }
            )
    return rows


def speculator_bounds(ms=(4, 10)) -> list:
    """:meth:`ReserveProfile.speculator_bound` over the deviation family at the balanced reserve.

    Returns
    -------
    list of dict
        Keys ``m``, ``winning_bids`` (bids whose top level reaches the reserve), ``largest``
        (largest bound among them) and ``at_zero`` (the bound for bidding nothing, 0).
    """
    rows = []
    for m in ms:
        prof = ReserveProfile(m)
        bids = prof.deviation_bids()
        wins = bids.max(axis=1) >= prof.reserve
        bound = prof.speculator_bound(bids)
        rows.append(
            {
                "m": m,
                "winning_bids": int(wins.sum()),
                "largest": float(bound[wins].max()),
                "at_zero": float(bound[~wins].max()),
            }
        )
    return rows


def off_reserve(m=5, factors=None) -> list:
    """Example 1 with a reserve ``factor * p`` (``p`` the balanced price): the speculator's largest
    gain at Proposition 1's profile, the largest regret at the reserve profile, its welfare share
    and Theorem 6's guarantee share :math:`\\max(0, \\tfrac12 - m|p' - p|/\\mathbb{E}[\\mathrm{OPT}])`.

    Parameters
    ----------
    m : int
        Units.
    factors : sequence of float, optional
        Default ``h/(2p), 2h/p, 0.5, 1, 1.5`` with ``h = 1/(2m)``.

    Returns
    -------
    list of dict
        Keys ``factor``, ``reserve``, ``speculator_gain``, ``regret``, ``share``, ``guarantee``.
    """
    ex = Example1(m)
    p, opt, h = ex.balanced_price(), ex.expected_optimal_welfare(), 1 / (2 * ex.m)
    if factors is None:
        factors = (0.5 * h / p, 2 * h / p, 0.5, 1.0, 1.5)
    rows = []
    for f in factors:
        r = float(f) * p
        prof = ReserveProfile(m, r)
        rows.append(
            {
                "factor": float(f),
                "reserve": r,
                "speculator_gain": ex.deviation_check(
                    "C", reserve=r, alternatives=prof.deviation_bids()
                ).largest_gain,
                "regret": max(prof.deviation_check(i).largest_gain for i in range(3)),
                "share": prof.welfare() / opt,
                "guarantee": max(0.0, (opt / 2 - ex.m * abs(r - p)) / opt),
            }
        )
    return rows


def outbid_bound(m, reserve=None, level=0.5) -> float:
    r""":meth:`ReserveProfile.speculator_bound` for C bidding ``level`` on ``m - 3`` units, which
    outbids B's reserve bids (A and B follow the reserve profile).

    Parameters
    ----------
    m : int
        Units of Example 1 (at least 4).
    reserve : float, optional
        Default the balanced price.
    level : float
        C's bid per unit; it must exceed the reserve and stay below 1 (A's second unit).

    Returns
    -------
    float
        The bound on C's expected payoff in any aftermarket.
    """
    prof = ReserveProfile(m, reserve)
    if not prof.reserve < level < 1:
        raise ValueError(f"level must lie strictly between the reserve {prof.reserve:g} and 1, got {level!r}")
    bid = np.zeros((1, prof.m))
    bid[0, : prof.m - 3] = level
    return float(prof.speculator_bound(bid)[0])


def any_aftermarket_limit(m_max=10**5) -> int:
    r"""Largest ``m`` in ``4..m_max`` up to which :math:`\mathbb{E}[z] < p` at every ``m`` (``p`` the
    balanced price of Example 1), from the exact closed forms.

    Parameters
    ----------
    m_max : int
        Largest ``m`` examined.

    Returns
    -------
    int
        The last ``m`` before the first one with :math:`\mathbb{E}[z] \ge p` (``m_max`` if none).
    """
    m_max = whole_number(m_max, "m_max", 4)
    grid = np.arange(4, m_max + 1)
    cf = Example1.closed_forms(grid.astype(float))
    crossed = np.flatnonzero(cf["E_z"] >= cf["balanced_price"])
    return int(grid[crossed[0]] - 1) if crossed.size else int(m_max)
