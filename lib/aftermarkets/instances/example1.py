r"""Example 1 (Section 3): a speculator in a uniform-price auction with resale.

``m > 3`` identical units and three agents: A (index 0), B (1) and the speculator C (2).

* A's marginals are :math:`2, U, 0, 0, \dots` with :math:`U \sim \mathrm{Uniform}[1, 1.5]`;
* B's marginals are :math:`2, z, z, \dots, z` (:math:`m - 1` copies of :math:`z`) with
  :math:`z \sim F_B` (:class:`~aftermarkets.valuations.ExampleOneZ`);
* C values every bundle at 0.

The equilibrium profile: A and B bid 2 on one unit, C bids 1 on :math:`m - 2` units (zeros
elsewhere), so exactly :math:`m` marginal bids are positive and the clearing price (the highest
losing bid) is 0. In the take-it-or-leave-it resale market C offers all her units at price 1,
A first, then B. With :math:`h = 1/(2m)` the exact quantities (:func:`symbolic`) are

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
anarchy is :math:`\mathbb{E}[\mathrm{Wel}(\mathbf{v})] / \mathbb{E}[\mathrm{Wel}_{\mathrm{eq}}]
\sim \tfrac{2}{23}\ln m`. Each closed form is written once, as a sympy expression; the float
values (:func:`closed_forms` and the methods of :class:`Example1`) are those expressions compiled
with ``sympy.lambdify``.

Random quantities are simulated with the library's mechanisms
(:func:`~aftermarkets.uniform_price_auction`, :func:`~aftermarkets.take_it_or_leave_it`,
:func:`~aftermarkets.combined_market`, :func:`~aftermarkets.optimal_welfare`); exact payoffs off
the equilibrium path come from :func:`~aftermarkets.instances.speculation.group_payoffs`, the
speculator's resale problem from :mod:`~aftermarkets.instances.resale`, the dominance
witnesses of Appendix B.2 from :mod:`~aftermarkets.instances.dominance`, and the quantities at a
per-unit price or reserve (Sections 5.1 and 6) from :mod:`~aftermarkets.instances.example1_prices`.
The auction may carry a per-unit reserve (``reserve=`` of :meth:`Example1.expected_payoffs` and
:meth:`Example1.deviation_check`); the default 0 is the paper's Example 1.
"""

from __future__ import annotations

import functools
from itertools import permutations

import numpy as np
import sympy as sp
from scipy import optimize

from .._checks import generator, whole_number
from ..allocation import optimal_welfare
from ..auctions import AuctionOutcome, uniform_price_auction
from ..combined import combined_market
from ..montecarlo import estimate, ratio_estimate
from ..trade import TradeOutcome, take_it_or_leave_it
from ..valuations import ExampleOneZ, StepValues
from . import dominance
from .example1_prices import AT_PRICE, PricesMixin, closed_forms_at_price, expressions
from .resale import (
    SECOND_UNIT,
    ResaleChoice,
    auction_outcomes,
    optimal_resale_price,
    price_classes,
    price_table,
    resale_revenue,
    single_buyer_price,
)
from .speculation import (
    DeviationCheck,
    SimulationResult,
    deviation_bids,
    deviation_check,
    group_payoffs,
    group_values,
)

__all__ = [
    "Example1",
    "symbolic",
    "closed_forms",
    "closed_forms_at_price",
    "AT_PRICE",
    "smallest_m_with_poa_above",
    "proposition1_deviations",
]

_M = sp.Symbol("m", positive=True)
_Z = sp.Symbol("z", nonnegative=True)
_P = sp.Symbol("p", positive=True)

#: The quantities :func:`closed_forms` evaluates (each a sympy expression of :func:`symbolic`).
NUMERIC = (
    "E_z",
    "expected_optimal_welfare",
    "expected_equilibrium_welfare",
    "price_of_anarchy",
    "speculator_utility",
    "utility_A",
    "utility_B",
    "max_revenue_per_unit",
    "paper_equilibrium_bound",
    "paper_optimal_bound",
    "balanced_price",
    "break_even_reserve",
    "E_z2",
    "optimal_welfare_variance",
)


def _revenue_maximiser(upper, m, p):
    """The maximiser of the revenue curve for every whole ``m >= 4`` (write ``m = 4 + t``).

    The lower piece increases up to its value at 1; on the upper piece compare 1, ``1 + h`` and
    the stationary points that lie in ``[1, 1 + h]``.
    """
    t = sp.Symbol("t", nonnegative=True)
    h = 1 / (2 * m)

    def nonneg(e):
        return sp.simplify(e.subs(m, 4 + t)).is_nonnegative

    cands = [sp.Integer(1), 1 + h]
    cands += [c for c in sp.solve(sp.diff(upper, p), p) if nonneg(c - 1) and nonneg(1 + h - c)]
    rev_at = {c: upper.subs(p, c) for c in cands}
    best = [c for c in cands if all(nonneg(rev_at[c] - rev_at[d]) for d in cands)]
    return (best[0], rev_at[best[0]]) if best else (sp.nan, sp.nan)


@functools.cache
def _symbolic() -> dict:
    m, z, p = _M, _Z, _P
    h = 1 / (2 * m)
    F = ExampleOneZ(4).cdf_sympy(z, m=m)
    zr = sp.Symbol("z", real=True)  # pieces read off the general Piecewise (z >= 0 drops "z < 0")
    f_low, f_high = (ExampleOneZ(4).cdf_sympy(zr, m=m).args[k][0].subs(zr, z) for k in (1, 2))
    lower, upper = p * (1 - f_low.subs(z, p)), sp.expand(p * (1 - f_high.subs(z, p)))
    rev = sp.Piecewise((lower, p < 1), (sp.factor(upper), p <= 1 + h), (0, True))
    p_star, r_star = _revenue_maximiser(upper, m, p)
    ez = ExampleOneZ.mean_sympy(m)
    opt = sp.Rational(21, 4) + (m - 3) * ez + h**3 / 3
    eq = sp.Rational(21, 4) + (m - 3) * (h + h**2 / 2)
    spec = 1 + (m - 3) * h
    out = {
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
        "max_revenue_per_unit": r_star,
        "speculator_utility": 1 + (m - 3) * h,
        "utility_A": sp.Rational(9, 4),
        "utility_B": 2 + (m - 3) * h**2 / 2,
        "clearing_price": sp.Integer(0),
        "paper_equilibrium_bound": 2 + sp.Rational(3, 2) + 2 + h * (m - 3) * (1 + h),
        "paper_optimal_bound": 4 + (m - 2) * ez,
    }
    out.update(expressions(m, ez, opt, spec))  # Sections 5.1 and 6 (example1_prices)
    return out


def symbolic() -> dict:
    r"""Example 1's quantities as sympy expressions in the positive symbol ``m``.

    Returns
    -------
    dict
        ``m``, ``z``, ``p`` (the symbols), ``F_B`` (Piecewise in ``z``), ``revenue_curve``
        (:math:`p(1 - F_B(p))`, Piecewise in ``p``), ``E_z``, ``expected_optimal_welfare``,
        ``expected_equilibrium_welfare``, ``price_of_anarchy``, ``revenue_maximizing_price``,
        ``max_revenue_per_unit``, ``speculator_utility``, ``utility_A``, ``utility_B``,
        ``clearing_price``, ``paper_equilibrium_bound``, ``paper_optimal_bound``; ``E_z2``
        (:math:`\mathbb{E}[z^2]`) and ``optimal_welfare_variance``; and, for
        Sections 5.1 and 6, ``r`` (a per-unit price or reserve, a symbol), ``balanced_price``
        (:math:`\mathbb{E}[\mathrm{Wel}(\mathbf v)]/(2m)`), ``break_even_reserve`` (the reserve
        at which the speculator's Proposition 1 strategy breaks even),
        ``speculator_utility_at_reserve``, ``utility_A_at_reserve``, ``utility_B_at_reserve``
        (Proposition 1's strategies in an auction with reserve ``r``, Piecewise in ``r``) and
        ``welfare_at_price`` (:meth:`Example1.welfare_at_price`, valid for ``0 <= r <= 1``).
        ``revenue_maximizing_price`` and ``max_revenue_per_unit`` are derived by comparing the
        revenue curve's candidate maximisers for every whole ``m >= 4``; ``clearing_price`` is the
        value of :meth:`Example1.clearing_price` (the auction cannot run on a symbol; the tests
        check the two agree). Computed once per process (about a second) and copied on return.

    Examples
    --------
    >>> s = symbolic()
    >>> s["speculator_utility"].subs(s["m"], 10)
    27/20
    """
    return dict(_symbolic())


@functools.cache
def _compiled():
    s = _symbolic()
    return {k: sp.lambdify(_M, s[k], "numpy") for k in NUMERIC}


def closed_forms(m) -> dict:
    """Every exact quantity of :data:`NUMERIC` at real ``m`` (vectorised).

    The continuous extension used for root finding and plots; the example itself needs a whole
    ``m > 3``.

    Parameters
    ----------
    m : float or array_like
        Number of units (any real ``m > 1/2`` evaluates).

    Returns
    -------
    dict of numpy.ndarray
        One array of the shape of ``m`` per key of :data:`NUMERIC`.

    Examples
    --------
    >>> round(float(closed_forms(10)["speculator_utility"]), 12)
    1.35
    """
    m = np.asarray(m, dtype=float)
    return {k: np.broadcast_to(np.asarray(f(m), dtype=float), m.shape) for k, f in _compiled().items()}


@functools.lru_cache(maxsize=16)
def _auction(key: bytes, shape: tuple, m: int, reserve: float, priority) -> AuctionOutcome:
    """The uniform-price auction on bids given as bytes, cached (read-only arrays): the deviation
    checks evaluate the same batch of bid profiles once per type on their type grid, and the
    auction does not depend on the types."""
    bids = np.frombuffer(key, dtype=float).reshape(shape)
    out = uniform_price_auction(bids, m, reserve=reserve, priority=priority)
    for arr in (out.allocation, out.payments):
        arr.setflags(write=False)
    return out


class Example1(PricesMixin):
    r"""Example 1 (Section 3): a speculator in a uniform-price auction with resale.

    A thin front over this module's functions and :mod:`~aftermarkets.instances.speculation`.

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
    symbolic = staticmethod(symbolic)
    closed_forms = staticmethod(closed_forms)

    def __init__(self, m):
        self.m = whole_number(m, "m", 4)
        self.second_unit = SECOND_UNIT
        self.z = ExampleOneZ(self.m)

    def __repr__(self) -> str:
        return f"Example1(m={self.m})"

    # ---------------- the equilibrium profile -------------------------------------------
    def bids(self) -> np.ndarray:
        """Equilibrium bids, shape ``(3, m)``: A and B bid 2 on one unit, C bids 1 on ``m - 2``."""
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
        """Run-length marginals of (A, B, C) for second-unit values ``U`` and ``z`` (broadcast
        together; arrays give a batch): A ``[2, U]`` on ``[1, 1]`` units, B ``[2, z]`` on
        ``[1, m - 1]``, C zero."""
        return group_values(U, z, self.m - 1)

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
        """
        n = whole_number(n, "n", 1)
        rng = generator(seed)
        U = self.second_unit.sample(n, rng)
        return self.values(U, self.z.sample(n, rng))

    def resale(self, values, holdings, price=RESALE_PRICE) -> TradeOutcome:
        """The resale market: C offers all her units at ``price`` (default 1), A then B buy."""
        return take_it_or_leave_it(values, holdings, seller=self.SELLER, price=price, order=self.ORDER)

    # ---------------- exact values --------------------------------------------------------
    def _exact(self, key: str) -> float:
        return float(_compiled()[key](self.m))

    def expected_z(self) -> float:
        r""":math:`\mathbb{E}[z] = \ln(2m)/(2m-1) + 1/(8m^2)`."""
        return self._exact("E_z")

    def expected_optimal_welfare(self) -> float:
        r""":math:`\mathbb{E}[\mathrm{Wel}(\mathbf v)] = 21/4 + (m-3)\mathbb{E}[z] + 1/(24m^3)`."""
        return self._exact("expected_optimal_welfare")

    def expected_equilibrium_welfare(self) -> float:
        r"""Equilibrium welfare after resale, :math:`21/4 + (m-3)(1/(2m) + 1/(8m^2))`."""
        return self._exact("expected_equilibrium_welfare")

    def price_of_anarchy(self) -> float:
        """Expected optimal welfare over expected equilibrium welfare."""
        return self._exact("price_of_anarchy")

    def speculator_utility(self, reserve=0.0) -> float:
        r"""C's expected payoff from Proposition 1's strategies, in an auction with per-unit ``reserve``.

        With ``reserve = 0`` (the paper's auction) it is :math:`1 + (m-3)/(2m)`. With a reserve
        :math:`r \le 1` every positive bid is still admissible, so the outcome is unchanged and the
        price rises from 0 to :math:`r` (C's resale problem is unchanged given her holdings):
        :math:`1 + (m-3)/(2m) - r(m - 2)`. For :math:`r > 1` C's bids of 1 are ignored and she
        wins nothing: 0.

        Parameters
        ----------
        reserve : float, optional
            Per-unit reserve ``>= 0``.

        Examples
        --------
        >>> ex = Example1(10)
        >>> ex.speculator_utility(), round(ex.speculator_utility(0.1), 12)
        (1.35, 0.55)
        """
        if float(reserve) == 0.0:
            return self._exact("speculator_utility")
        return self._at_price("speculator_utility_at_reserve", reserve)

    def utilities(self, reserve=0.0) -> tuple:
        """Expected payoffs of (A, B, C) from Proposition 1's strategies (the equilibrium path
        when ``reserve = 0``), in an auction with per-unit ``reserve``: A and B pay the reserve
        for their first unit (for ``reserve <= 1``; above 1 C wins nothing, above 2 nobody does)."""
        if float(reserve) == 0.0:
            return tuple(self._exact(k) for k in ("utility_A", "utility_B", "speculator_utility"))
        keys = ("utility_A_at_reserve", "utility_B_at_reserve", "speculator_utility_at_reserve")
        return tuple(self._at_price(k, reserve) for k in keys)

    def max_revenue_per_unit(self) -> float:
        r"""The maximal revenue per unit from B, :math:`p(1 - F_B(p))` at :math:`p = 1`: :math:`1/(2m)`."""
        return self._exact("max_revenue_per_unit")

    def paper_equilibrium_bound(self) -> float:
        r"""The paper's bound :math:`2 + 1.5 + 2 + \frac{1}{2m}(m-3)(1 + \frac{1}{2m})` (<= 6)."""
        return self._exact("paper_equilibrium_bound")

    def paper_optimal_bound(self) -> float:
        r"""The paper's lower bound :math:`4 + (m - 2)\mathbb{E}[z]` on the optimal welfare."""
        return self._exact("paper_optimal_bound")

    def revenue_maximizing_price(self) -> float:
        r"""The maximiser of the revenue curve :math:`p\,(1 - F_B(p))`, computed from the curve.

        Evaluates the curve at its candidate points
        (:func:`~aftermarkets.instances.resale.single_buyer_price`); the paper says the unique
        maximiser is 1.

        Examples
        --------
        >>> Example1(10).revenue_maximizing_price()
        1.0
        """
        return single_buyer_price(self.m)[0]

    def clearing_price(self, priority=None) -> float:
        """The price of the library's uniform-price auction at the equilibrium bids.

        Runs :meth:`auction` (``O(m)`` memory, ``O(m log m)`` time). With exactly ``m`` positive
        bids the highest losing bid is 0.

        Examples
        --------
        >>> Example1(10).clearing_price()
        0.0
        """
        return float(self.auction(priority).price)

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
        utils = tuple(estimate(out.utilities[:, i]) for i in range(3))
        return SimulationResult(
            n=n,
            seed=seed,
            equilibrium_welfare=estimate(wel),
            optimal_welfare=estimate(opt),
            price_of_anarchy=ratio_estimate(opt, wel),
            speculator_utility=utils[self.SELLER],
            utilities=utils,
            clearing_price=float(auction.price),
            auction_revenue=float(auction.revenue),
        )

    # ---------------- Proposition 1: resale prices off the path ---------------------------
    def optimal_resale_price(self, a, b, q) -> ResaleChoice:
        """C's exact revenue-maximising price after holdings ``(a, b, q)`` of A, B and C."""
        return optimal_resale_price(a, b, q, self.m)

    def resale_revenue(self, a, b, q, price):
        """C's exact expected resale revenue at ``price`` after holdings ``(a, b, q)``."""
        return resale_revenue(a, b, q, price, self.m)

    def auction_outcomes(self) -> np.ndarray:
        """Every auction outcome ``(a, b, q)`` with ``q >= 1`` and ``a + b + q <= m``
        (:func:`~aftermarkets.instances.resale.auction_outcomes`)."""
        return auction_outcomes(self.m)

    def resale_price_table(self) -> dict:
        """C's optimal price after every outcome (:func:`~aftermarkets.instances.resale.price_table`)."""
        return price_table(self.m)

    def resale_price_classes(self) -> list:
        """C's optimal price by class of outcome (:func:`~aftermarkets.instances.resale.price_classes`)."""
        return price_classes(self.m)

    # ---------------- Proposition 1: exact payoffs of any bids ----------------------------
    def _payoffs(self, bids, price_rule, priority, U=None, z=None, reserve=0.0, z_range=None):
        bids = np.ascontiguousarray(bids, dtype=float)
        prio = None if priority is None else tuple(int(i) for i in priority)
        auc = _auction(bids.tobytes(), bids.shape, self.m, float(reserve), prio)
        util, wel = group_payoffs(
            auc.allocation, auc.payments, self.m, self.m - 1, price_rule, U, z, z_range=z_range
        )
        return util.reshape(bids.shape[:-2] + (3,)), wel.reshape(bids.shape[:-2])

    def expected_payoffs(
        self, bids, price_rule="optimal-low", priority=None, U=None, z=None, reserve=0.0, z_range=None
    ):
        """Exact expected payoffs of (A, B, C) in the combined market for given auction bids.

        Runs the library's uniform-price auction (with per-unit ``reserve``) on every bid profile,
        then the resale market with C's price from ``price_rule``, and integrates over the types
        exactly. With a reserve, C pays it for every unit she wins and her resale problem is
        unchanged given her holdings.

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
        reserve : float, optional
            Per-unit reserve of the auction (Section 6); default 0, the paper's Example 1.
        z_range : tuple of float, optional
            ``(lo, hi)``: integrate over B's type conditionally on ``lo <= z < hi``.

        Returns
        -------
        numpy.ndarray
            Shape ``(3,)`` or ``(S, 3)``.
        """
        return self._payoffs(bids, price_rule, priority, U, z, reserve, z_range)[0]

    def expected_welfare_of(
        self, bids, price_rule="optimal-low", priority=None, reserve=0.0, z_range=None
    ) -> np.ndarray:
        """Exact expected welfare of the combined market for given bids (shape ``()`` or ``(S,)``),
        in an auction with per-unit ``reserve``, conditionally on ``z_range`` if given."""
        return self._payoffs(bids, price_rule, priority, reserve=reserve, z_range=z_range)[1]

    def deviation_bids(self) -> np.ndarray:
        """The book's family of alternative bids for ``m`` units
        (:func:`~aftermarkets.instances.speculation.deviation_bids`)."""
        return deviation_bids(self.m)

    def deviation_check(
        self,
        agent,
        price_rule="optimal",
        priority=None,
        alternatives=None,
        type_grid=None,
        bid_floor=0.0,
        reserve=0.0,
    ) -> DeviationCheck:
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
            Bids to try, shape ``(S, m)`` (default :meth:`deviation_bids`).
        type_grid : array_like, optional
            Own types checked one by one (A: ``U``, B: ``z``; default 11 points; ignored for C).
        bid_floor : float, optional
            Added to every marginal bid of every agent. A tiny positive floor emulates the other
            zero-bid convention, under which "zero" bids may win leftover units at a price of
            about 0.
        reserve : float, optional
            Per-unit reserve of the auction (Section 6); default 0.

        Returns
        -------
        DeviationCheck
        """
        i = self._agent(agent)
        alts = self.deviation_bids() if alternatives is None else np.asarray(alternatives, dtype=float)
        own = ("U", "z", None)[i]
        if own == "U" and type_grid is None:
            type_grid = np.linspace(self.second_unit.low, self.second_unit.high, 11)
        if own == "z" and type_grid is None:
            type_grid = np.unique(np.concatenate([np.linspace(0, 1, 6), np.linspace(1, self.z.top, 6)]))

        def payoff(profiles, rule, **types):
            return self.expected_payoffs(profiles, rule, priority, reserve=reserve, **types)[:, i]

        return deviation_check(
            payoff, self.bids(), i, alts, price_rule, self.AGENTS[i], priority, own, type_grid, bid_floor
        )

    def deviation_checks(self, price_rule="optimal", alternatives=None, bid_floor=0.0, reserve=0.0) -> list:
        """:meth:`deviation_check` for every agent under every one of the 6 tie-breaking orders
        (``itertools.permutations`` order, agents A, B, C within each): 18 checks."""
        return [
            self.deviation_check(i, price_rule, prio, alternatives, bid_floor=bid_floor, reserve=reserve)
            for prio in permutations(range(3))
            for i in range(3)
        ]

    def _agent(self, agent) -> int:
        if isinstance(agent, str) and agent in self.AGENTS:
            return self.AGENTS.index(agent)
        if isinstance(agent, (int, np.integer)) and not isinstance(agent, bool) and 0 <= agent < 3:
            return int(agent)
        raise ValueError(f"agent must be 0, 1, 2 or 'A', 'B', 'C', got {agent!r}")

    # ---------------- Proposition 1: not weakly dominated (Appendix B.2) -------------------
    def dominance_witnesses(self, eps=None) -> list:
        """The witness profiles of Appendix B.2 (:func:`~aftermarkets.instances.dominance.witnesses`)."""
        return dominance.witnesses(self, eps)

    def dominance_scan(self, alternatives=None, grid_points=6) -> list:
        """Every alternative against its class's witness (:func:`~aftermarkets.instances.dominance.scan`)."""
        return dominance.scan(self, alternatives, grid_points)


def smallest_m_with_poa_above(target: float) -> tuple:
    """The smallest whole ``m`` at which Example 1's price of anarchy exceeds ``target``.

    Solves ``PoA(m) = target`` on the continuous extension (:func:`closed_forms`) with
    ``scipy.optimize.brentq``, then checks the whole numbers on each side (the PoA increases in
    ``m``).

    Returns
    -------
    tuple
        ``(root, m)``: the continuous root and the smallest whole ``m > 3`` with PoA above target.

    Examples
    --------
    >>> smallest_m_with_poa_above(1.5)[1]
    440
    """
    target = float(target)

    def excess(m):
        return float(closed_forms(m)["price_of_anarchy"]) - target

    if excess(4) > 0:
        return 4.0, 4
    root = optimize.brentq(excess, 4, 1e30, xtol=1e-12, rtol=1e-15)
    m = max(4, int(np.ceil(root)))
    while Example1(m).price_of_anarchy() <= target:
        m += 1
    while m > 4 and Example1(m - 1).price_of_anarchy() > target:
        m -= 1
    return root, m


def proposition1_deviations(ms=(4, 5, 10)) -> list:
    """The book's check of Proposition 1's equilibrium: the largest gain from deviating.

    For each ``m`` and agent: the largest gain over :meth:`Example1.deviation_bids`, in
    expectation and (A, B) type by type, with C's corrected optimal resale prices under all six
    tie-breaking orders, and with the paper's price 1 under the default order.

    Returns
    -------
    list of dict
        Keys ``m``, ``agent``, ``bids``, ``utility`` (at the equilibrium), ``gain_optimal``,
        ``gain_paper``.
    """
    rows = []
    for m in ms:
        ex = Example1(m)
        optimal = ex.deviation_checks("optimal")
        for i, agent in enumerate(ex.AGENTS):
            mine = [c for c in optimal if c.report.agent == agent]
            rows.append(
                {
                    "m": m,
                    "agent": agent,
                    "bids": len(mine[0].alternatives),
                    "utility": mine[0].report.equilibrium_utility,
                    "gain_optimal": max(c.largest_gain for c in mine),
                    "gain_paper": ex.deviation_check(i, "paper").largest_gain,
                }
            )
    return rows
