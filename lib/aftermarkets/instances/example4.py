r"""Example 4 (Appendix B.3): speculation with limited market power.

:math:`k = \lceil 1/\gamma \rceil` copies (groups) of Example 1's three agents,
:math:`m = rk` units, each :math:`z_{B_i} \sim F_B` with :math:`m` replaced by :math:`r = m/k`,
resale only within groups. The equilibrium welfare is :math:`k` times Example 1's with
:math:`m = r`. The optimal allocation of the *global* auction is not per group: any :math:`B_i`
can absorb all leftover units, so with :math:`Z = \max_i z_i`

.. math::

    \mathbb{E}[\mathrm{Wel}(\mathbf{v})] = 4k + (m - 2k)\,\mathbb{E}[Z] + k\,\mathbb{E}[(U - Z)^+],

which :meth:`Example4.expected_optimal_welfare` evaluates in closed form (:func:`max_z_moments`,
a finite sum).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import sympy as sp

from .._checks import generator, whole_number
from ..allocation import optimal_welfare
from ..auctions import AuctionOutcome, uniform_price_auction
from ..combined import combined_market
from ..montecarlo import estimate, ratio_estimate
from ..valuations import ExampleOneZ, StepValues
from .example1 import Example1
from .example1 import symbolic as example1_symbolic
from .resale import SECOND_UNIT, single_buyer_price
from .speculation import (
    DeviationCheck,
    SimulationResult,
    deviation_bids,
    deviation_check,
    group_payoffs,
    group_values,
)

__all__ = ["Example4", "max_z_moments"]

_R = sp.Symbol("r", positive=True)
_K = sp.Symbol("k", positive=True, integer=True)


def max_z_moments(k: int, r: float) -> tuple:
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
        if (
            isinstance(gamma, (bool, np.bool_))
            or not isinstance(gamma, numbers.Real)
            or not (0 < float(gamma) < 1)
        ):
            raise ValueError(f"gamma must be a number in (0, 1), got {gamma!r}")
        self.gamma = float(gamma)
        self.r = whole_number(r, "r", 4)
        self.k = int(math.ceil(1.0 / self.gamma))
        self.m = self.r * self.k
        self.second_unit = SECOND_UNIT
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
        return max_z_moments(self.k, self.r)[0]

    def expected_equilibrium_welfare(self) -> float:
        """``k`` times Example 1's equilibrium welfare with ``m = r``."""
        return self.k * self.group.expected_equilibrium_welfare()

    def expected_optimal_welfare(self) -> float:
        r"""Optimal welfare of the global market: :math:`4k + (m-2k)\mathbb{E}[Z] + k\mathbb{E}[(U-Z)^+]`.

        The greedy optimum gives the ``2k`` first units (value 2), then the ``m - 2k`` remaining
        units to the largest of :math:`U_1..U_k` and the highest B's ``m - 1`` units at
        :math:`Z = \max_i z_i`; since ``m - 2k >= k`` every :math:`U_i > Z` is served.
        """
        ez, eu = max_z_moments(self.k, self.r)
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
        (:func:`~aftermarkets.instances.resale.single_buyer_price`)."""
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
        one = example1_symbolic()
        sub = {one["m"]: r}
        h = 1 / (2 * r)
        W = 1 - h
        low = (k * sp.log(2 * r) - sp.Sum((k - i) * W**i / i, (i, 1, k - 1))) / (2 * r - 1)
        ez_max = low + h - (1 - (1 - h) ** (k + 1)) / (k + 1)
        eu = (
            (1 - low)
            + (3 - 2 * h) * (1 - (1 - h) ** (k + 1)) / (k + 1)
            - 2 * (1 - (1 - h) ** (k + 2)) / (k + 2)
            + (sp.Rational(1, 2) - h) ** 2
        )
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
        rng = generator(seed)
        U = self.second_unit.sample((n, self.k), rng)
        z = self.z.sample((n, self.k), rng)
        auction = self.auction()
        wel = np.zeros(n)
        util = np.zeros((n, 3 * self.k))
        group_opt = np.zeros(n)
        for g in range(self.k):  # a loop over the k groups, vectorised over samples
            idx = slice(3 * g, 3 * g + 3)
            v = group_values(U[:, g], z[:, g], self.m - 1)
            sub = AuctionOutcome(auction.allocation[idx], auction.payments[idx], auction.price)
            out = combined_market(v, sub, self.group.resale)
            wel += out.welfare
            util[:, idx] = out.utilities
            group_opt += optimal_welfare(group_values(U[:, g], z[:, g], self.r - 1), self.r)
        opt = optimal_welfare(self.values(U, z), self.m)
        utils = tuple(estimate(util[:, j]) for j in range(3 * self.k))
        return SimulationResult(
            n=n,
            seed=seed,
            equilibrium_welfare=estimate(wel),
            optimal_welfare=estimate(opt),
            price_of_anarchy=ratio_estimate(opt, wel),
            speculator_utility=estimate(util[:, 2::3].mean(axis=1)),
            utilities=utils,
            clearing_price=float(auction.price),
            auction_revenue=float(auction.revenue),
            group_optimal_welfare=estimate(group_opt),
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
        util, _ = group_payoffs(
            auc.allocation[..., idx], auc.payments[..., idx], self.r, self.m - 1, price_rule
        )
        return util.reshape(bids.shape[:-2] + (3,))

    def deviation_check(
        self, role, group=0, price_rule="optimal", priority=None, alternatives=None
    ) -> DeviationCheck:
        """Largest expected gain of ``role`` in ``group`` from a unilateral deviation (Proposition 7).

        Parameters
        ----------
        role : {"A", "B", "C"} or int
        group : int
        price_rule : {"optimal", "paper"}
            As in :meth:`Example1.deviation_check`.
        priority : sequence of int, optional
        alternatives : array_like, optional
            Shape ``(S, m)``; default :meth:`deviation_bids`.

        Returns
        -------
        DeviationCheck
            Without per-type gains.
        """
        j = self.group._agent(role)
        g = whole_number(group, "group", 0)
        alts = self.deviation_bids() if alternatives is None else np.asarray(alternatives, dtype=float)

        def payoff(profiles, rule):
            return self.expected_payoffs(profiles, g, rule, priority)[:, j]

        label = f"{self.ROLES[j]}_{g + 1}"
        return deviation_check(payoff, self.bids(), 3 * g + j, alts, price_rule, label, priority)

    def deviation_bids(self) -> np.ndarray:
        """The book's family of alternative bids for ``m`` units
        (:func:`~aftermarkets.instances.speculation.deviation_bids`)."""
        return deviation_bids(self.m)
