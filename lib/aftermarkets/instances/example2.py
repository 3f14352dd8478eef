r"""Example 2 (Section 5): a median posted price fails once the buyer can resell.

One item, two buyers, buyer 1 approached first. :math:`v_1 \sim U[0, 1]`; :math:`v_2 = 0` with
probability :math:`1 - \epsilon` and :math:`v_2 = z/\epsilon` with probability :math:`\epsilon`,
where :math:`z` has the equal-revenue law capped at :math:`H`
(:class:`~aftermarkets.valuations.CappedEqualRevenue`: :math:`\Pr[z \ge y] = 1/y` on
:math:`[1, H]`, an atom :math:`1/H` at :math:`H`). Write :math:`\delta = \epsilon / H`. Exact
quantities (:func:`symbolic`; the float methods of :class:`Example2` are these expressions compiled
with ``sympy.lambdify``):

.. math::

    \mathbb{E}[z] &= 1 + \ln H, \qquad
    \mathbb{E}[\max_i v_i] = \tfrac{1-\epsilon}{2} + 1 + \ln H
        \quad (v_2 > 0 \Rightarrow v_2 \ge 1/\epsilon > v_1), \\
    S_2(x) &= \Pr[v_2 \ge x] = \epsilon \ (0 < x \le 1/\epsilon), \quad 1/x \ (1/\epsilon \le x
        \le H/\epsilon), \quad 0 \text{ above}, \\
    G_2(x) &= \mathbb{E}[v_2 \mathbf{1}\{v_2 \ge x\}] = 1 + \ln H \ (x \le 1/\epsilon),
        \quad 1 + \ln\tfrac{H}{\epsilon x} \ (x \le H/\epsilon),

the median price :math:`p^* = \sup\{p : \Pr[\max_i v_i > p] \ge \frac12\}`, equal to
:math:`\frac{1}{2(1-\epsilon)}` for :math:`\epsilon < \frac12` and to :math:`\min(2, H/\epsilon)`
otherwise, and the welfare of the posted price :math:`P` with no aftermarket,
:math:`\frac{1 - P^2}{2} + P\,G_2(P)` for :math:`P \le 1` (and :math:`G_2(P)` above 1).

**Resale.** If buyer 1 holds the item she may offer it to buyer 2 at a price :math:`x`; she keeps
it, worth :math:`v_1`, if the offer is refused. Her expected payoff is
:math:`R(x; v_1) = x\,S_2(x) + (1 - S_2(x))\,v_1`, equal to :math:`1 + v_1(1 - 1/x)` on
:math:`[1/\epsilon, H/\epsilon]`: increasing, so :math:`x = H/\epsilon` is the unique optimum for
:math:`v_1 > 0` (every :math:`x \in [1/\epsilon, H/\epsilon]` ties when :math:`v_1 = 0`), worth
:math:`1 + v_1(1 - \delta)`, which is more than keeping the item. Buying at :math:`P` and reselling
pays iff :math:`v_1 \ge t(P) = (P - 1)/(1 - \delta)`. So the equilibrium of the combined market (buyer
1 buys iff :math:`v_1 \ge t(P)`, clipped to :math:`[0, 1]`, and resells at :math:`H/\epsilon`;
otherwise buyer 2 buys iff :math:`v_2 \ge P`) has welfare

.. math::

    W(P) = (1 - \delta)\tfrac{1 - t^2}{2} + (1 - t) + t\, G_2(P).

At the median price (:math:`\epsilon < \frac12`) :math:`t = 0`: the paper's equilibrium, welfare
:math:`\frac32 - \frac{\delta}{2}`. At the balanced price :math:`\frac12\mathbb{E}[\max_i v_i]`,
:math:`t \ge 1` once :math:`H` is moderately large and buyer 1 no longer buys to resell.
:meth:`Example2.regrets` checks the equilibrium by the best gain from deviating on grids; buyer 2
accepting an offer at :math:`v_2 = H/\epsilon` (a tie of probability :math:`\delta`) is part of it.

:meth:`Example2.simulate` runs the library's :func:`~aftermarkets.posted_price_mechanism` and
:func:`~aftermarkets.take_it_or_leave_it` on sampled profiles.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .._checks import generator, prices, whole_number
from ..auctions import posted_price_mechanism
from ..combined import combined_market
from ..montecarlo import Estimate, estimate, ratio_estimate
from ..trade import take_it_or_leave_it
from ..valuations import CappedEqualRevenue, Uniform

__all__ = ["Example2", "symbolic", "Example2Simulation", "SCENARIOS"]

_EPS, _H = sp.symbols("epsilon H", positive=True)
_P, _X, _V = sp.symbols("P x v", positive=True)

#: The market scenarios of :meth:`Example2.simulate` and :meth:`Example2.welfare`.
SCENARIOS = ("median, no aftermarket", "median, resale", "balanced, no aftermarket", "balanced, resale")


def _pieces(eps, H, x):
    s2 = sp.Piecewise((eps, x <= 1 / eps), (1 / x, x <= H / eps), (0, True))
    g2 = sp.Piecewise((1 + sp.log(H), x <= 1 / eps), (1 + sp.log(H / (eps * x)), x <= H / eps), (0, True))
    return s2, g2


@functools.cache
def _symbolic() -> dict:
    eps, H, P, x, v = _EPS, _H, _P, _X, _V
    delta = eps / H
    s2, g2 = _pieces(eps, H, x)
    opt = (1 - eps) / 2 + 1 + sp.log(H)
    g2P = g2.subs(x, P)
    isolated = sp.Piecewise(((1 - P**2) / 2 + P * g2P, P <= 1), (g2P, True))
    t = sp.Min(1, sp.Max(0, (P - 1) / (1 - delta)))
    resale = (1 - delta) * (1 - t**2) / 2 + (1 - t) + t * g2P
    sold = (1 - t) + t * s2.subs(x, P)
    median = sp.Piecewise((1 / (2 * (1 - eps)), eps < sp.Rational(1, 2)), (sp.Min(2, H / eps), True))
    return {
        "epsilon": eps,
        "H": H,
        "P": P,
        "x": x,
        "v1": v,
        "E_z": 1 + sp.log(H),
        "survival_v2": s2,
        "tail_mean_v2": g2,
        "expected_optimal_welfare": opt,
        "median_price": median,
        "balanced_price": opt / 2,
        "welfare_no_aftermarket": isolated,
        "resale_payoff": x * s2 + (1 - s2) * v,
        "best_resale_price": H / eps,
        "best_resale_payoff": 1 + v * (1 - delta),
        "buy_threshold": t,
        "welfare_with_resale": resale,
        "probability_sold": sold,
        "paper_equilibrium_welfare": sp.Rational(3, 2) - delta / 2,
    }


def symbolic() -> dict:
    r"""Example 2's quantities as sympy expressions.

    Symbols: ``epsilon``, ``H``, the posted price ``P``, a resale price ``x`` and buyer 1's value
    ``v1``. Keys: ``E_z``, ``survival_v2`` (:math:`S_2(x)`), ``tail_mean_v2`` (:math:`G_2(x)`),
    ``expected_optimal_welfare``, ``median_price``, ``balanced_price``, ``welfare_no_aftermarket``
    (in ``P``), ``resale_payoff`` (:math:`R(x; v_1)`), ``best_resale_price``, ``best_resale_payoff``,
    ``buy_threshold`` (:math:`t(P)`), ``welfare_with_resale`` (:math:`W(P)`), ``probability_sold``
    (at that equilibrium), ``paper_equilibrium_welfare`` (:math:`W(p^*)` for :math:`\epsilon < 1/2`).
    Returned as a copy.

    Examples
    --------
    >>> s = symbolic()
    >>> s["median_price"].subs({s["epsilon"]: sp.Rational(1, 10), s["H"]: 100})
    5/9
    """
    return dict(_symbolic())


@functools.cache
def _compiled():
    s = _symbolic()
    args = (s["epsilon"], s["H"], s["P"])
    keys = ("E_z", "expected_optimal_welfare", "median_price", "balanced_price")
    out = {k: sp.lambdify(args[:2], s[k], "numpy") for k in keys}
    for k in ("welfare_no_aftermarket", "welfare_with_resale", "buy_threshold", "probability_sold"):
        out[k] = sp.lambdify(args, s[k], "numpy")
    out["resale_payoff"] = sp.lambdify((s["epsilon"], s["H"], s["x"], s["v1"]), s["resale_payoff"], "numpy")
    return out


@dataclass(frozen=True)
class Example2Simulation:
    """Monte Carlo of Example 2's markets (:meth:`Example2.simulate`).

    Attributes
    ----------
    n : int
    seed : object
    welfare : dict of str to Estimate
        Expected welfare per scenario of :data:`SCENARIOS`.
    ratio : dict of str to Estimate
        Expected welfare over expected optimal welfare, per scenario.
    optimal_welfare : Estimate
    resale_share : Estimate
        Fraction of profiles in which buyer 1 buys at the median price and resells (scenario
        ``"median, resale"``): should be 1 for :math:`\\epsilon < 1/2`.
    """

    n: int
    seed: object
    welfare: dict
    ratio: dict
    optimal_welfare: Estimate
    resale_share: Estimate


class Example2:
    r"""Example 2 (Section 5): a median posted price fails with resale.

    Parameters
    ----------
    eps : float
        Probability that buyer 2 has a positive value, ``0 < eps < 1``.
    H : float
        The cap of the equal-revenue law, ``H > 1``.

    Examples
    --------
    >>> ex = Example2(0.1, 1000)
    >>> round(ex.median_price(), 6), round(ex.welfare("median, resale"), 6)
    (0.555556, 1.49995)
    """

    def __init__(self, eps, H):
        eps, H = float(eps), float(H)
        if not (np.isfinite(eps) and 0 < eps < 1):
            raise ValueError(f"Example2 needs 0 < eps < 1, got eps={eps!r}")
        if not (np.isfinite(H) and H > 1):
            raise ValueError(f"Example2 needs a finite cap H > 1, got H={H!r}")
        self.eps, self.H = eps, H
        self.v1 = Uniform(0.0, 1.0)
        self.z = CappedEqualRevenue(H)

    def __repr__(self) -> str:
        return f"Example2(eps={self.eps:g}, H={self.H:g})"

    symbolic = staticmethod(symbolic)

    # ------------------------------------------------------------- exact values
    def _f(self, key, *args):
        return float(_compiled()[key](self.eps, self.H, *args))

    def expected_z(self) -> float:
        r""":math:`\mathbb{E}[z] = 1 + \ln H`."""
        return self._f("E_z")

    def expected_optimal_welfare(self) -> float:
        r""":math:`\mathbb{E}[\max_i v_i] = (1 - \epsilon)/2 + 1 + \ln H`."""
        return self._f("expected_optimal_welfare")

    def median_price(self) -> float:
        r""":math:`p^* = \sup\{p : \Pr[\max_i v_i > p] \ge 1/2\}` (closed form; see the module docstring)."""
        return self._f("median_price")

    def median_price_by_bisection(self, iterations=200) -> float:
        r""":math:`\sup\{p : \Pr[\max_i v_i > p] \ge 1/2\}` found by bisection on
        :meth:`probability_max_above` (non-increasing in :math:`p`): a check of :meth:`median_price`."""
        lo, hi = 0.0, 2.0 * self.H / self.eps + 2.0
        for _ in range(whole_number(iterations, "iterations", 1)):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self.probability_max_above(mid) >= 0.5 else (lo, mid)
        return lo

    def balanced_price(self) -> float:
        r"""The balanced price :math:`\frac12\mathbb{E}[\max_i v_i]` (Section 5)."""
        return self._f("balanced_price")

    def price(self, which) -> float:
        """The posted price ``"median"`` or ``"balanced"``, or a number (checked and returned)."""
        if isinstance(which, str):
            if which not in ("median", "balanced"):
                raise ValueError(f"price must be 'median', 'balanced' or a number >= 0, got {which!r}")
            return self.median_price() if which == "median" else self.balanced_price()
        return float(prices(which, "price", scalar=True))

    def survival_v2(self, x) -> np.ndarray:
        r""":math:`S_2(x) = \Pr[v_2 \ge x]` for ``x > 0`` (vectorised, from the distributions)."""
        x = np.asarray(x, dtype=float)
        top = self.H / self.eps
        y = np.where(x >= top, self.H, self.eps * x)  # eps * (H / eps) may round away from H
        inside = self.eps * (1.0 - self.z.cdf(y) + self._atom_at(y))
        return np.where(x <= 0, 1.0, np.where(x > top, 0.0, inside))

    def _atom_at(self, y):
        return np.where(y == self.H, 1.0 / self.H, 0.0)

    def probability_max_above(self, p) -> np.ndarray:
        r""":math:`\Pr[\max_i v_i > p]` (vectorised), from the two laws."""
        p = np.asarray(p, dtype=float)
        below1 = self.v1.cdf(p)
        below2 = np.where(p >= 0, (1 - self.eps) + self.eps * self.z.cdf(self.eps * p), 0.0)
        return 1.0 - below1 * below2

    def welfare_no_aftermarket(self, price) -> float:
        """Expected welfare of the posted price with no aftermarket (buyer 1 first)."""
        return self._f("welfare_no_aftermarket", self.price(price))

    def resale_payoff(self, x, v1) -> np.ndarray:
        r"""Buyer 1's expected payoff :math:`R(x; v_1)` from offering the item at ``x`` (what she keeps
        if refused included); vectorised over ``x`` and ``v1``."""
        return np.asarray(_compiled()["resale_payoff"](self.eps, self.H, np.asarray(x, float), v1), float)

    def best_resale_price(self) -> float:
        r"""The revenue-maximising resale price :math:`H/\epsilon` (unique for :math:`v_1 > 0`)."""
        return self.H / self.eps

    def buy_threshold(self, price) -> float:
        r""":math:`t(P)`: buyer 1 buys (and resells) iff :math:`v_1 \ge t(P)`, clipped to ``[0, 1]``."""
        return self._f("buy_threshold", self.price(price))

    def buys(self, v1, price) -> np.ndarray:
        r"""Whether buyer 1 of type ``v1`` buys at ``price`` in the equilibrium with resale: iff buying
        and reselling at :math:`H/\epsilon` pays, :math:`1 + v_1(1 - \epsilon/H) \ge P`."""
        P = self.price(price)
        return self.resale_payoff(self.best_resale_price(), np.asarray(v1, dtype=float)) >= P

    def welfare_with_resale(self, price) -> float:
        r""":math:`W(P)`: expected welfare at the equilibrium of the combined market."""
        return self._f("welfare_with_resale", self.price(price))

    def welfare(self, scenario) -> float:
        """Expected welfare of one of :data:`SCENARIOS`."""
        if scenario not in SCENARIOS:
            raise ValueError(f"scenario must be one of {SCENARIOS}, got {scenario!r}")
        which, market = scenario.split(", ")
        f = self.welfare_with_resale if market == "resale" else self.welfare_no_aftermarket
        return f(which)

    def theorem4_terms(self, price="balanced") -> dict:
        r"""The terms of Theorem 4's proof at the equilibrium with resale, for a posted price.

        With one item, :math:`\mathbf{v}'(\mathrm{OPT}(\mathbf{v}', M \setminus \mathbf{x}(\mathbf{v})))`
        is :math:`\max_i v'_i` if the item is unsold and 0 otherwise, so bound (4) is
        :math:`\frac12 \Pr[\text{unsold}]\,\mathbb{E}[\max_i v_i]` and bound (5) is
        :math:`\frac12 \Pr[\text{sold}]\,\mathbb{E}[\max_i v_i]` (with :math:`\alpha = \beta = 1`).

        Returns
        -------
        dict
            ``welfare``, ``revenue``, ``utilities`` (sum of the buyers' expected utilities),
            ``bound4``, ``bound5``, ``half_optimum``, ``probability_sold``.
        """
        P = self.price(price)
        sold = self._f("probability_sold", P)
        opt = self.expected_optimal_welfare()
        welfare = self.welfare_with_resale(P)
        revenue = P * sold
        return {
            "welfare": welfare,
            "revenue": revenue,
            "utilities": welfare - revenue,
            "bound4": 0.5 * (1 - sold) * opt,
            "bound5": 0.5 * sold * opt,
            "half_optimum": 0.5 * opt,
            "probability_sold": sold,
        }

    # ------------------------------------------------------------- equilibrium check
    def regrets(self, price, v1_grid=None, resale_grid=None, threshold=None) -> dict:
        r"""Best gains from deviating at the equilibrium with resale, on grids.

        Buyer 1 of type :math:`v_1` compares the equilibrium action (buy iff :math:`v_1 \ge t(P)`,
        then offer at :math:`H/\epsilon`) with not buying and with buying and offering at any price
        of ``resale_grid`` (or keeping the item). Buyer 2, when the item is still there, compares
        buying iff :math:`v_2 \ge P` with the other choice and with buying to resell to buyer 1
        (posterior :math:`v_1 \sim U[0, t)`) at any price of the grid. Pass ``threshold`` to evaluate
        another strategy of buyer 1 instead (buy iff :math:`v_1 \ge` ``threshold``, then offer at
        :math:`H/\epsilon`); buyer 2's posterior then follows that threshold.

        Returns
        -------
        dict
            ``buyer1``, ``buyer2``: the largest gain found (``<= 0`` up to rounding means no
            profitable deviation on the grids); ``buyer1_at``: the :math:`v_1` where buyer 1's is
            attained.
        """
        P = self.price(price)
        v1 = np.linspace(0, 1, 2001) if v1_grid is None else np.asarray(v1_grid, float)
        top = self.H / self.eps
        xs = np.unique(np.concatenate([np.geomspace(1e-3, 2 * top, 4000), [1 / self.eps, top]]))
        xs = xs if resale_grid is None else np.asarray(resale_grid, float)
        t = self.buy_threshold(P) if threshold is None else float(np.clip(threshold, 0.0, 1.0))
        keep_or_sell = np.maximum(v1, self.resale_payoff(xs[:, None], v1[None, :]).max(axis=0))
        best = np.maximum(0.0, keep_or_sell - P)
        buying = self.buys(v1, P) if threshold is None else v1 >= float(threshold)
        eq = np.where(buying, self.resale_payoff(top, v1) - P, 0.0)
        gain1 = best - eq
        # buyer 2: types 0 and a grid of positive values; resale to buyer 1 with v1 ~ U[0, t)
        v2 = np.concatenate([[0.0], np.geomspace(1 / self.eps, top, 200)])
        if t > 0:
            accept = np.clip((t - xs) / t, 0.0, 1.0)  # Pr[v1 >= x | v1 < t]
            resell = (xs * accept)[:, None] + (1 - accept)[:, None] * v2[None, :]
            via_resale = resell.max(axis=0) - P
        else:  # buyer 1 always buys: buyer 2 never sees the item
            via_resale = np.full(v2.shape, -np.inf)
        best2 = np.maximum.reduce([np.zeros_like(v2), v2 - P, via_resale])
        eq2 = np.where(v2 >= P, v2 - P, 0.0)
        gain2 = (best2 - eq2) if t > 0 else np.zeros_like(v2)
        k = int(np.argmax(gain1))
        return {"buyer1": float(gain1[k]), "buyer1_at": float(v1[k]), "buyer2": float(gain2.max())}

    # ------------------------------------------------------------- simulation
    def sample_values(self, n, seed=None) -> np.ndarray:
        """Sampled profiles as dense marginals, shape ``(n, 2, 1)`` (``v1`` then ``v2``)."""
        n = whole_number(n, "n", 2)
        rng = generator(seed)
        v1 = self.v1.sample(n, rng)
        positive = rng.random(n) < self.eps
        v2 = np.where(positive, self.z.sample(n, rng) / self.eps, 0.0)
        return np.stack([v1, v2], axis=1)[:, :, None]

    def resale(self, values, holdings):
        """The aftermarket: a holder buyer 1 offers the item to buyer 2 at :math:`H/\\epsilon`."""
        return take_it_or_leave_it(values, holdings, seller=0, price=self.H / self.eps, order=[1])

    def run(self, values, scenario):
        """One scenario of :data:`SCENARIOS` on sampled ``values`` through the library's mechanisms:
        the posted price (requests from the equilibrium strategies), then resale if any.

        Returns
        -------
        CombinedOutcome
        """
        if scenario not in SCENARIOS:
            raise ValueError(f"scenario must be one of {SCENARIOS}, got {scenario!r}")
        which, market = scenario.split(", ")
        P = self.price(which)
        v = np.asarray(values, dtype=float)
        if market == "resale":
            want = np.stack([self.buys(v[:, 0, 0], P), v[:, 1, 0] >= P], axis=1).astype(int)
            auction = posted_price_mechanism(v, 1, P, order=(0, 1), quantities=want)
            return combined_market(v, auction, self.resale)
        return combined_market(v, posted_price_mechanism(v, 1, P, order=(0, 1)))

    def simulate(self, n, seed=None) -> Example2Simulation:
        """Monte Carlo of every scenario on the same ``n`` sampled profiles.

        Parameters
        ----------
        n : int
            Profiles (``>= 2``).
        seed : int, numpy.random.Generator or None

        Returns
        -------
        Example2Simulation
        """
        v = self.sample_values(n, seed)
        opt = v.max(axis=(1, 2))
        welfare, ratio = {}, {}
        for sc in SCENARIOS:
            out = self.run(v, sc)
            w = np.asarray(out.welfare, dtype=float)
            welfare[sc] = estimate(w)
            ratio[sc] = ratio_estimate(w, opt)
            if sc == "median, resale":
                share = estimate((out.auction.allocation[:, 0] == 1).astype(float))
        return Example2Simulation(whole_number(n, "n", 2), seed, welfare, ratio, estimate(opt), share)
