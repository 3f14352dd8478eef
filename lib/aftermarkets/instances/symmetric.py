r"""Symmetric Bayes-Nash equilibria of the first-price and all-pay auctions, two i.i.d. bidders.

Two bidders with values i.i.d. :math:`F` on :math:`[\underline v, H]`, atomless with density
:math:`f`. If the opponent bids :math:`b(v)`, strictly increasing, a bidder of value :math:`v`
who bids as type :math:`w` would gets

.. math::

    U^{\mathrm{FP}}(v, w) = (v - b(w))\,F(w), \qquad U^{\mathrm{AP}}(v, w) = v\,F(w) - b(w).

Setting :math:`\partial U / \partial w = 0` at :math:`w = v` gives the equilibrium ODEs

.. math::

    \text{first price: } (b F)'(v) = v f(v), \qquad \text{all pay: } b'(v) = v f(v),

with :math:`b(\underline v) = \underline v` (first price) and :math:`b(\underline v) = 0` (all
pay), whose solutions are

.. math::

    b^{\mathrm{FP}}(v) = \mathbb{E}[v_2 \mid v_2 < v] = v - \frac{\int_{\underline v}^v F(t)\,dt}{F(v)},
    \qquad b^{\mathrm{AP}}(v) = \int_{\underline v}^v t\,dF(t) = v F(v) - \int_{\underline v}^v F(t)\,dt .

For :math:`F(v) = v^a` on :math:`[0, 1]` (uniform: :math:`a = 1`) they are
:math:`b^{\mathrm{FP}} = \frac{a}{a+1} v` and :math:`b^{\mathrm{AP}} = \frac{a}{a+1} v^{a+1}`
(:func:`closed_forms`, derived by sympy's ``dsolve``). Without aftermarkets these are the unique
equilibria (Chawla and Hartline 2013, for the first-price auction) and they are efficient: the
higher value bids more.

:func:`solve_symmetric` computes the equilibrium for any :class:`~.laws.ValueLaw` by quadrature
of :math:`\int F` (cumulative Simpson on a refined grid) and returns it on a grid together with
its regret per type (:meth:`SymmetricEquilibrium.regret`), the best gain from any bid on a fine
bid grid, computed by :class:`~.single_item.SingleItemMarket` with or without an aftermarket.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp
from scipy import integrate

from ..equilibrium import GridRegret
from .bid_functions import BidFunction
from .laws import ValueLaw, beta, power, truncated_normal, uniform
from .single_item import AUCTIONS, SingleItemMarket

__all__ = [
    "first_order_condition",
    "symbolic_bid",
    "closed_forms",
    "example_laws",
    "AFTERMARKETS",
    "SymmetricEquilibrium",
    "solve_symmetric",
]

#: The four ex post IR aftermarkets of the chapter: (resale rule, signal).
AFTERMARKETS = (
    ("seller-offer", "winner"),
    ("seller-offer", "bids"),
    ("buyer-offer", "winner"),
    ("buyer-offer", "bids"),
)


def example_laws() -> list:
    """The chapter's laws: U[0, 1], :math:`F(v) = v^2`, N(0.5, 0.2²) on [0, 1], Beta(2, 3), U[1, 2]."""
    return [
        uniform(),
        power(2),
        truncated_normal(0.5, 0.2, 0.0, 1.0),
        beta(2, 3),
        uniform(1, 2),
    ]


def _check_auction(auction):
    if auction not in AUCTIONS:
        raise ValueError(f"auction must be one of {AUCTIONS}, got {auction!r}")


def _variable(F, v):
    if v is not None:
        return v
    free = sorted(F.free_symbols, key=str)
    if len(free) != 1:
        raise ValueError(f"say which symbol is the value: F has symbols {free}")
    return free[0]


def first_order_condition(auction: str, F: sp.Expr, v: sp.Symbol | None = None, b=None) -> sp.Expr:
    r"""The equilibrium ODE :math:`\partial U(v, w)/\partial w |_{w = v} = 0`, as an expression.

    Parameters
    ----------
    auction : {"first-price", "all-pay"}
    F : sympy.Expr
        The CDF in ``v``.
    v : sympy.Symbol, optional
        The value (default: the only symbol of ``F``).
    b : sympy.Function, optional
        The unknown bid function (default ``sympy.Function("b")``).

    Returns
    -------
    sympy.Expr
        An expression in ``b(v)`` and its derivative that vanishes at an equilibrium.

    Examples
    --------
    >>> v = sp.Symbol("v", positive=True)
    >>> first_order_condition("first-price", v)  # uniform on [0, 1]
    -v*Derivative(b(v), v) + v - b(v)
    """
    _check_auction(auction)
    v = _variable(F, v)
    b = sp.Function("b") if b is None else b
    w = sp.Symbol("w", positive=True)
    Fw = F.subs(v, w)
    U = (v - b(w)) * Fw if auction == "first-price" else v * Fw - b(w)
    return sp.expand(sp.diff(U, w).subs(w, v).doit())


def symbolic_bid(auction: str, F: sp.Expr, v: sp.Symbol | None = None, low=0) -> sp.Expr:
    """The equilibrium bid from the integral formula, for a CDF ``F`` given in closed form.

    Examples
    --------
    >>> v = sp.Symbol("v", positive=True)
    >>> symbolic_bid("first-price", v**2, v), symbolic_bid("all-pay", v**2, v)
    (2*v/3, 2*v**3/3)
    """
    _check_auction(auction)
    v = _variable(F, v)
    t = sp.Symbol("t", positive=True)
    integral = sp.integrate(F.subs(v, t), (t, low, v))
    expr = v - integral / F if auction == "first-price" else v * F - integral
    return sp.simplify(expr)


@functools.lru_cache(maxsize=1)
def closed_forms() -> dict:
    r"""Equilibrium bids for :math:`F(v) = v^a` on :math:`[0, 1]`, solved with ``dsolve``.

    Returns
    -------
    dict
        ``{"v", "a", "F", "ode": {auction: expr}, "bid": {auction: expr}, "x", "payment":
        {auction: expr}}``: the symbols, the CDF, the ODE, its solution with the boundary
        condition (bounded at 0 for the first-price auction, :math:`b(0) = 0` for all-pay), the
        interim allocation :math:`x(v) = F(v)` and the interim payment. ``dsolve`` is told that
        the ODEs are linear (hint ``"1st_linear"``), which keeps it fast; the result is cached.

    Examples
    --------
    >>> cf = closed_forms()
    >>> cf["bid"]["first-price"], cf["bid"]["all-pay"]
    (a*v/(a + 1), a*v**(a + 1)/(a + 1))
    """
    v, a = sp.symbols("v a", positive=True)
    b = sp.Function("b")
    F = v**a
    out = {"v": v, "a": a, "F": F, "ode": {}, "bid": {}, "x": F, "payment": {}}
    for auction in AUCTIONS:
        ode = first_order_condition(auction, F, v, b)
        general = sp.dsolve(sp.Eq(ode, 0), b(v), hint="1st_linear", simplify=False).rhs  # linear ODEs
        consts = sorted(general.free_symbols - {v, a}, key=str)
        # the first-price solution is a v/(a+1) + C v^(-a): bounded at 0 forces C = 0;
        # the all-pay solution is a v^(a+1)/(a+1) + C: b(0) = 0 forces C = 0
        sol = sp.simplify(sp.powsimp(sp.expand(general.subs({c: 0 for c in consts})), force=True))
        out["ode"][auction] = ode
        out["bid"][auction] = sol
        out["payment"][auction] = sp.simplify(sol * F if auction == "first-price" else sol)
    return out


@dataclass(frozen=True, eq=False)
class SymmetricEquilibrium:
    """A symmetric equilibrium computed on a grid.

    Attributes
    ----------
    law : ValueLaw
    auction : str
    values, bids : numpy.ndarray
        The grid and the bid at each grid value.
    """

    law: ValueLaw
    auction: str
    values: np.ndarray = field(repr=False)
    bids: np.ndarray = field(repr=False)

    @cached_property
    def bid_function(self) -> BidFunction:
        """The bids as a piecewise-linear :class:`BidFunction`."""
        return BidFunction(self.values, self.bids, f"{self.auction} equilibrium, {self.law.name}")

    def market(self, resale=None, signal: str = "winner", quad_points: int = 4000) -> SingleItemMarket:
        """Both bidders use this bid function, followed by an aftermarket (``None``: none)."""
        b = self.bid_function
        return SingleItemMarket((self.law, self.law), (b, b), self.auction, resale, signal, quad_points)

    def regret(
        self, resale=None, signal: str = "winner", n_types: int = 201, n_bids: int = 401
    ) -> GridRegret:
        """Regret per type on ``n_types`` values and ``n_bids`` bids (from 0 to 5% above the top bid)."""
        m = self.market(resale, signal)
        return m.regret(0, m.type_grid(0, n_types), m.bid_grid(n_bids))

    def with_aftermarkets(self, markets=AFTERMARKETS, n_types: int = 101, n_bids: int = 201) -> dict:
        """Footnote 23: run the symmetric bids through aftermarkets; the worst case over them.

        Parameters
        ----------
        markets : sequence of (resale, signal)
            Default :data:`AFTERMARKETS`.
        n_types, n_bids : int
            Grids of the regret computation.

        Returns
        -------
        dict
            ``trade`` (largest probability of resale), ``gap`` (largest
            :math:`|\\mathbb{E}[\\max(v_1, v_2)] - \\text{welfare}|`), ``regret`` (largest regret).
        """
        out = {"trade": 0.0, "gap": 0.0, "regret": -np.inf}
        for resale, signal in markets:
            m = self.market(resale, signal)
            out["trade"] = max(out["trade"], m.trade_probability())
            out["gap"] = max(out["gap"], abs(m.optimal_welfare() - m.welfare()))
            out["regret"] = max(out["regret"], m.regret(0, m.type_grid(0, n_types), m.bid_grid(n_bids)).max)
        return out

    def ode_residual(self) -> float:
        """Largest relative residual of the ODE on the grid (central differences)."""
        v, b = self.values, self.bids
        F, f = self.law.cdf(v), self.law.pdf(v)
        lhs = np.gradient(b * F, v) if self.auction == "first-price" else np.gradient(b, v)
        rhs = v * f
        inner = slice(2, -2)
        return float(np.max(np.abs(lhs[inner] - rhs[inner])) / np.max(np.abs(rhs)))


def solve_symmetric(
    law: ValueLaw, auction: str = "first-price", n: int = 2001, refine: int = 8
) -> SymmetricEquilibrium:
    r"""The symmetric equilibrium of the first-price or all-pay auction with two i.i.d. bidders.

    Parameters
    ----------
    law : ValueLaw
        Atomless, bounded, positive density on its support.
    auction : {"first-price", "all-pay"}
    n : int
        Grid points on the support.
    refine : int
        The integral :math:`\int F` is computed on a grid ``refine`` times finer.

    Returns
    -------
    SymmetricEquilibrium

    Examples
    --------
    >>> from aftermarkets.instances.laws import uniform
    >>> eq = solve_symmetric(uniform(), "first-price", n=11)
    >>> np.round(eq.bids, 12).tolist()[:4]
    [0.0, 0.05, 0.1, 0.15]
    """
    _check_auction(auction)
    if not isinstance(law, ValueLaw):
        raise ValueError("law must be a ValueLaw (see aftermarkets.instances.laws)")
    if int(n) < 3 or int(refine) < 1:
        raise ValueError(f"need n >= 3 and refine >= 1, got n={n!r}, refine={refine!r}")
    n, refine = int(n), int(refine)
    fine = np.linspace(law.low, law.high, (n - 1) * refine + 1)
    Ffine = law.cdf(fine)
    integral = integrate.cumulative_simpson(Ffine, x=fine, initial=0.0)[::refine]
    v, F = fine[::refine], Ffine[::refine]
    if auction == "first-price":
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(F > 0, v - integral / np.where(F > 0, F, 1.0), v)
        b[0] = law.low
    else:
        b = v * F - integral
        b[0] = 0.0
    b = np.maximum.accumulate(np.maximum(b, 0.0))  # rounding never makes the bids decrease
    return SymmetricEquilibrium(law, auction, v, b)
