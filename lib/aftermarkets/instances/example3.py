r"""Example 3 (Section 5.1): Example 1's market sold by a posted price at the balanced price.

The :math:`m` units of Example 1 are offered at the per-unit price
:math:`p = \mathbb{E}[\mathbf{v}(\mathrm{OPT}(\mathbf{v}))]/(2m)`
(:meth:`~aftermarkets.instances.example1.Example1.balanced_price`) to A, B and the speculator C in
some arrival order; each buys any quantity of what is left. Then Example 1's resale market runs: C
posts one take-it-or-leave-it price for her units, A buys first, then B
(:mod:`~aftermarkets.instances.resale`).

**Behaviour computed here.** A and B buy their demand: A's marginals are :math:`2, U \ge 1 > p`,
so A takes two units; B takes one unit if :math:`z < p` and all :math:`m` if :math:`z \ge p`
(probability :math:`S(p) = \Pr[z \ge p]`). The speculator chooses her quantity :math:`q` on arrival
to maximise her expected resale revenue minus :math:`pq`. Her beliefs follow the public
allocation: if B arrived before her, what is left tells her whether :math:`z \ge p`; if B arrives
after her, B's purchase reveals it at the resale stage whenever B had at least two units to choose
from. Her resale price is optimal for the belief she then holds
(:func:`~aftermarkets.instances.example3_resale.optimal_resale_given`, exact).

**Which quantities to try.** On a run of consecutive :math:`q` on which the class of the holdings
does not change (:func:`candidate_quantities`), C's optimal revenue is a maximum of functions
affine in :math:`q`, hence convex, and so is her profit: it peaks at an end of the run. The runs
end at :math:`q \le 3` or within six units of the most C can buy, so :func:`scan` evaluates those
quantities only (the tests check the runs, and every quantity for :math:`m \le 200`).

Everything is vectorised over :math:`m` (:func:`scan`, :math:`m = 4, \dots, 1000` at once), with
the expected welfare in closed form over four cells (:math:`U \gtrless x`, :math:`z \gtrless x`
given the class of :math:`z`): within a cell every decision is fixed and welfare is linear in
:math:`(U, z)`. :mod:`~aftermarkets.instances.example3_mechanisms` reruns the choices through the
library's posted-price mechanism, resale market and combined market as a check.
:func:`balanced_posted_price_welfare` is the reusable entry point for other chapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import numpy as np

from .._checks import prices, whole_number
from ..allocation import serve_in_order
from ..valuations import fb_survival, fb_tail_integral
from .example1 import Example1
from .example3_resale import BELIEFS, conditional_survival, optimal_resale_given
from .resale import SECOND_UNIT, resale_revenue

__all__ = [
    "ORDERS",
    "BELIEFS",
    "conditional_survival",
    "optimal_resale_given",
    "SpeculatorProfits",
    "speculator_profits",
    "candidate_quantities",
    "Example3Scan",
    "scan",
    "balanced_posted_price_welfare",
]

#: The six arrival orders, as strings of agent names (``"CAB"``: C first, then A, then B).
ORDERS = tuple("".join(o) for o in permutations("ABC"))
_TOL = 1e-12
_CLASSES = ("above", "below")  # z >= p (B demands m units) and z < p (B demands 1)


# ----------------------------------------------------------------------------- C's purchase
def _holdings(order, m, q, demand_b) -> np.ndarray:
    """Holdings (A, B, C) after the posted price, agents in ``order`` requesting 2, ``demand_b`` and
    ``q``: the library's sale-in-order rule (vectorised; ``m`` broadcast with ``q``)."""
    q = np.asarray(q, dtype=np.int64)
    m = np.asarray(m, dtype=np.int64)
    shape = np.broadcast_shapes(q.shape, m.shape, np.shape(demand_b))
    req = np.stack(
        [np.full(shape, 2), np.broadcast_to(demand_b, shape), np.broadcast_to(q, shape)], axis=-1
    ).astype(np.int64)
    return serve_in_order(req, np.broadcast_to(m, shape), ["ABC".index(c) for c in order])


def _by_class(order, m, q) -> dict:
    return {"above": _holdings(order, m, q, m), "below": _holdings(order, m, q, 1)}


def _check_order(order) -> str:
    if order not in ORDERS:
        raise ValueError(f"order must be a permutation of 'ABC', got {order!r}")
    return order


def _prices_for(ms, price) -> np.ndarray:
    if price is None:
        p = Example1.closed_forms(ms)["balanced_price"]
    else:
        p = np.asarray(price, dtype=float)
        p = np.broadcast_to(p.reshape(p.shape + (1,) * (ms.ndim - p.ndim)) if p.ndim else p, ms.shape)
    p = np.asarray(prices(p, "price"), dtype=float)
    if np.any(p <= 0) or np.any(p >= 1):
        raise ValueError(f"the posted price must lie in (0, 1), got {p!r}")
    return p


def _evaluate(ms, ps, order, qs) -> dict:
    """C's profit for quantities ``qs`` (shape ``(M, K)``) at each ``m`` of ``ms`` (shape ``(M, 1)``)."""
    sp = fb_survival(ms, ps)
    limit = {c: h[..., 2] for c, h in _by_class(order, ms, ms).items()}  # (M, 1) what is left for C
    hold = _by_class(order, ms, qs)
    saw_b = order.index("B") < order.index("C")
    revealed = np.ones(qs.shape, bool) if saw_b else np.any(hold["above"] != hold["below"], axis=-1)
    x_prior = optimal_resale_given(*np.moveaxis(hold["above"], -1, 0), ms, ps, "prior")[0]
    out = {"hold": hold, "revealed": revealed, "saw_b": saw_b, "limit": limit, "x": {}, "profit": {}}
    for c, h in hold.items():
        a, b, q = np.moveaxis(h, -1, 0)
        x = np.where(revealed, optimal_resale_given(a, b, q, ms, ps, c)[0], x_prior)
        surv = lambda t, c=c: conditional_survival(ms, t, ps, c)  # noqa: E731
        rev = np.where(q > 0, resale_revenue(a, b, q, x, 4, z_survival=surv), 0.0)
        out["x"][c] = x
        out["profit"][c] = np.where(qs <= limit[c], rev - ps * q, -np.inf)
    with np.errstate(invalid="ignore"):
        out["profit"]["expected"] = sp * out["profit"]["above"] + (1 - sp) * out["profit"]["below"]
    return out


@dataclass(frozen=True)
class SpeculatorProfits:
    """C's expected profit from each purchase quantity at one ``m`` (:func:`speculator_profits`).

    Attributes
    ----------
    q : numpy.ndarray of int
        Quantities requested.
    profit : dict of str to numpy.ndarray
        ``"above"`` / ``"below"``: C's expected profit given :math:`z \\ge p` / :math:`z < p`
        (``-inf`` where ``q`` exceeds what is left in that class); ``"expected"``: their average
        with weights :math:`S(p)` and :math:`1 - S(p)`.
    holdings : dict of str to numpy.ndarray
        Holdings (A, B, C) after the posted price in each class, shape ``(len(q), 3)``.
    resale_price : dict of str to numpy.ndarray
        C's resale price in each class.
    revealed : numpy.ndarray of bool
        Whether C knows the class of :math:`z` at the resale stage.
    saw_b : bool
        Whether C arrives after B (and so knows the class when she buys).
    price, p_above : float
        The posted price and :math:`S(p) = \\Pr[z \\ge p]`.
    """

    q: np.ndarray
    profit: dict
    holdings: dict
    resale_price: dict
    revealed: np.ndarray
    saw_b: bool
    price: float
    p_above: float


def speculator_profits(m, order, qs=None, price=None) -> SpeculatorProfits:
    """C's expected resale revenue minus :math:`pq`, for each purchase quantity ``q``, at one ``m``.

    A and B buy their demand; C's resale price is optimal for her belief at the resale stage (the
    class of :math:`z` if she saw B buy or B's purchase revealed it, else the prior), and her revenue
    is computed under the true class.

    Parameters
    ----------
    m : int
        Number of units, ``m >= 4``.
    order : str
        Arrival order, a permutation of ``"ABC"``.
    qs : array_like of int, optional
        Quantities to evaluate (default every ``q`` from 0 to the most that can be left for C).
    price : float, optional
        The posted price (default the balanced price); must lie in ``(0, 1)``.

    Returns
    -------
    SpeculatorProfits
    """
    m = whole_number(m, "m", 4)
    order = _check_order(order)
    ms = np.array([[m]])
    ps = _prices_for(ms, price)
    top = max(int(h[2]) for h in _by_class(order, m, m).values())
    qs = np.arange(top + 1) if qs is None else np.asarray(qs, dtype=np.int64).ravel()
    ev = _evaluate(ms, ps, order, qs[None, :])
    return SpeculatorProfits(
        qs,
        {k: v[0] for k, v in ev["profit"].items()},
        {k: v[0] for k, v in ev["hold"].items()},
        {k: v[0] for k, v in ev["x"].items()},
        ev["revealed"][0],
        ev["saw_b"],
        float(ps[0, 0]),
        float(fb_survival(m, ps[0, 0])),
    )


def candidate_quantities(m, order) -> np.ndarray:
    """The purchase quantities at which C's profit can peak, at one ``m``.

    0 to 3, and both ends of every run of consecutive ``q`` on which, in each class of :math:`z`,
    ``min(a, 2)``, whether ``b = 0``, whether C's purchase is cut by the supply, and whether the
    class is revealed all stay the same. On such a run with ``q >= 3`` the units sold at any resale
    price are affine in ``q`` (:math:`s_0, s_1 \\le 3` in :mod:`~aftermarkets.instances.resale`), so
    C's optimal revenue is a maximum of affine functions of ``q``, convex, and so is her profit: it
    peaks at an end of the run.
    """
    m = whole_number(m, "m", 4)
    order = _check_order(order)
    top = max(int(h[2]) for h in _by_class(order, m, m).values())
    qs = np.arange(top + 1)
    hold = list(_by_class(order, m, qs).values())
    sig = np.stack(
        [np.minimum(h[:, 0], 2) for h in hold]
        + [(h[:, 1] == 0).astype(np.int64) for h in hold]
        + [(h[:, 2] < qs).astype(np.int64) for h in hold]
        + [np.any(hold[0] != hold[1], axis=1).astype(np.int64), np.minimum(qs, 3)],
        axis=1,
    )
    ends = np.flatnonzero(np.any(np.diff(sig, axis=0) != 0, axis=1))
    return np.unique(np.concatenate([qs[:4], qs[ends], qs[ends + 1], [top]]))


def _template(ms, order) -> np.ndarray:
    """Quantities tried by :func:`scan`: 0 to 4 and the seven largest, clipped (shape ``(M, 12)``)."""
    top = np.maximum(*(h[..., 2] for h in _by_class(order, ms, ms).values()))  # (M, 1)
    q = np.concatenate([np.broadcast_to(np.arange(5), (len(ms), 5)), top - np.arange(7)[::-1]], axis=1)
    return np.clip(q, 0, top)


def _argbest(profit, qs) -> tuple:
    """Smallest maximising quantity per row, its column, and whether the maximiser is unique."""
    top = profit.max(axis=1, keepdims=True)
    hit = profit >= top - _TOL * np.maximum(1.0, np.abs(top))
    qmin = np.where(hit, qs, np.iinfo(np.int64).max).min(axis=1)
    col = np.argmax(hit & (qs == qmin[:, None]), axis=1)
    distinct = np.array([len(np.unique(qs[r][hit[r]])) for r in range(len(qs))])
    return qmin, col, distinct == 1


# ----------------------------------------------------------------------------- the outcome
def _upper_mean(mz, y) -> np.ndarray:
    """:math:`\\mathbb{E}[z\\,\\mathbf{1}\\{z \\ge y\\}] = y S(y) + \\int_y^\\infty S` (0 at infinity)."""
    y = np.asarray(y, dtype=float)
    fin = np.isfinite(y)
    yy = np.where(fin, np.maximum(y, 0.0), 0.0)
    return np.where(fin, yy * fb_survival(mz, yy) + fb_tail_integral(mz, yy), 0.0)


def _cells(mz, p, above, x) -> tuple:
    """The four cells (U >= x or not) x (z >= x or not) given the class of z (``above``), for resale
    prices ``x``: probabilities and conditional means of U and z, each of shape ``x.shape + (4,)``.
    A cell of probability 0 gets a mean on its side of ``x`` (it weighs nothing)."""
    lo_u, hi_u = SECOND_UNIT.low, SECOND_UNIT.high
    x = np.asarray(x, dtype=float)
    zlo = np.where(above, p, 0.0)
    zhi = np.where(above, np.inf, p)
    s_hi = np.where(above, 0.0, fb_survival(mz, p))
    mass = fb_survival(mz, zlo) - s_hi
    xu = np.clip(x, lo_u, hi_u)
    pu = SECOND_UNIT.survival(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        u_hi = np.where(pu > 0, (hi_u**2 - xu**2) / (2 * (hi_u - lo_u)) / pu, x)
        u_lo = np.where(pu < 1, (xu**2 - lo_u**2) / (2 * (hi_u - lo_u)) / (1 - pu), lo_u)
        cut = np.minimum(np.maximum(x, zlo), zhi)
        pz = (fb_survival(mz, cut) - s_hi) / mass
        z_hi = np.where(pz > 0, (_upper_mean(mz, cut) - _upper_mean(mz, zhi)) / mass / pz, np.maximum(x, zlo))
        z_lo = np.where(pz < 1, (_upper_mean(mz, zlo) - _upper_mean(mz, cut)) / mass / (1 - pz), zlo)
    prob = np.stack([pu * pz, pu * (1 - pz), (1 - pu) * pz, (1 - pu) * (1 - pz)], axis=-1)
    U = np.stack([u_hi, u_hi, u_lo, u_lo], axis=-1)
    Z = np.stack([z_hi, z_lo, z_hi, z_lo], axis=-1)
    return prob, U, Z


def _resale_closed(m, h, x, U, Z) -> dict:
    """Example 1's resale market in closed form: C offers her ``q`` units at ``x``; A, then B, buy
    every further unit they value at ``x`` or more. Returns final holdings, payments and welfare."""
    a, b, q = h[..., 0], h[..., 1], h[..., 2]
    want_a = (a == 0) * (x <= 2) + (a <= 1) * (U >= x)
    n_a = np.minimum(want_a, q)
    want_b = (b == 0) * (x <= 2) + (m - 1 - np.maximum(b - 1, 0)) * (Z >= x)
    n_b = np.minimum(want_b, q - n_a)
    fa, fb = a + n_a, b + n_b
    welfare = 2.0 * (fa >= 1) + U * (fa >= 2) + 2.0 * (fb >= 1) + Z * np.maximum(fb - 1, 0)
    return {"welfare": welfare, "b_final": fb, "revenue_from_b": n_b * x, "units_for_b": q - n_a}


@dataclass(frozen=True)
class Example3Scan:
    """Example 3 for many ``m`` and arrival orders (:func:`scan`); arrays of shape ``(M, O)``.

    Attributes
    ----------
    m : numpy.ndarray
        The numbers of units, shape ``(M,)``.
    orders : tuple of str
    price, p_above, optimal_welfare : numpy.ndarray
        Shape ``(M,)``: the posted price, :math:`S(p) = \\Pr[z \\ge p]` and
        :math:`\\mathbb{E}[\\mathbf{v}(\\mathrm{OPT}(\\mathbf{v}))]`.
    q_above, q_below : numpy.ndarray of int
        C's best quantity when :math:`z \\ge p` and when :math:`z < p` (equal unless C saw B buy).
    unique : numpy.ndarray of bool
        Whether that quantity is the unique maximiser.
    profit : numpy.ndarray
        C's expected profit.
    holdings_above, holdings_below : numpy.ndarray of int
        Holdings (A, B, C) after the posted price, shape ``(M, O, 3)``.
    resale_above, resale_below : numpy.ndarray
        C's resale price in each class.
    revealed : numpy.ndarray of bool
        Whether C knows the class of :math:`z` at the resale stage.
    welfare, b_units, b_final, revenue_from_b, units_for_b : numpy.ndarray
        Expected welfare after resale; B's expected holding after the posted price and after
        resale; C's expected resale revenue from B and the expected number of her units left for B
        after A.
    """

    m: np.ndarray
    orders: tuple
    price: np.ndarray
    p_above: np.ndarray
    optimal_welfare: np.ndarray
    q_above: np.ndarray
    q_below: np.ndarray
    unique: np.ndarray
    profit: np.ndarray
    holdings_above: np.ndarray
    holdings_below: np.ndarray
    resale_above: np.ndarray
    resale_below: np.ndarray
    revealed: np.ndarray
    welfare: np.ndarray
    b_units: np.ndarray
    b_final: np.ndarray
    revenue_from_b: np.ndarray
    units_for_b: np.ndarray

    @property
    def ratio(self) -> np.ndarray:
        """Welfare over the expected optimal welfare (Theorem 4 promises at least 1/2)."""
        return self.welfare / self.optimal_welfare[:, None]


def scan(ms, orders=ORDERS, price=None) -> Example3Scan:
    """C's best purchase quantity and the resulting market for every ``m`` of ``ms`` and every order.

    Vectorised over ``m``; the welfare is exact (closed form over the four cells of each class).

    Parameters
    ----------
    ms : int or array_like of int
        Numbers of units (each ``>= 4``).
    orders : sequence of str, optional
        Arrival orders (default all six).
    price : float or array_like, optional
        The posted price per ``m`` (default the balanced price); must lie in ``(0, 1)``.

    Returns
    -------
    Example3Scan

    Examples
    --------
    >>> s = scan([4, 100], orders=("CAB",))
    >>> s.q_above[:, 0].tolist(), [round(float(r), 4) for r in s.ratio[:, 0]]
    ([4, 100], [0.72, 0.5106])
    """
    ms_flat = np.atleast_1d(np.asarray(ms))
    for m in ms_flat:
        whole_number(m, "m", 4)
    orders = tuple(_check_order(o) for o in orders)
    ms = ms_flat.astype(np.int64)[:, None]
    ps = _prices_for(ms.astype(float), price)
    sp = fb_survival(ms, ps)
    cols = {k: [] for k in Example3Scan.__dataclass_fields__ if k not in ("m", "orders", "price", "p_above")}
    cols.pop("optimal_welfare")
    rows = np.arange(len(ms))
    for order in orders:
        qs = _template(ms, order)
        ev = _evaluate(ms, ps, order, qs)
        if ev["saw_b"]:
            qa, ca, ua = _argbest(ev["profit"]["above"], qs)
            qb, cb, ub = _argbest(ev["profit"]["below"], qs)
            unique = ua & ub
            profit = (
                sp[:, 0] * ev["profit"]["above"][rows, ca] + (1 - sp[:, 0]) * ev["profit"]["below"][rows, cb]
            )
        else:
            qa, ca, unique = _argbest(ev["profit"]["expected"], qs)
            qb, cb = qa, ca
            profit = ev["profit"]["expected"][rows, ca]
        pick = {"above": ca, "below": cb}
        h = {c: ev["hold"][c][rows, pick[c]] for c in _CLASSES}
        x = {c: ev["x"][c][rows, pick[c]] for c in _CLASSES}
        out = {k: 0.0 for k in ("welfare", "b_final", "revenue_from_b", "units_for_b")}
        for c, w in (("above", sp[:, 0]), ("below", 1 - sp[:, 0])):
            prob, U, Z = _cells(ms[:, 0], ps[:, 0], c == "above", x[c])
            res = _resale_closed(ms, h[c][:, None, :], x[c][:, None], U, Z)
            for k in out:
                out[k] = out[k] + w * np.sum(prob * res[k], axis=1)
        vals = {
            "q_above": qa,
            "q_below": qb,
            "unique": unique,
            "profit": profit,
            "holdings_above": h["above"],
            "holdings_below": h["below"],
            "resale_above": x["above"],
            "resale_below": x["below"],
            "revealed": ev["revealed"][rows, ca],
            "b_units": sp[:, 0] * h["above"][:, 1] + (1 - sp[:, 0]) * h["below"][:, 1],
            **out,
        }
        for k in cols:
            cols[k].append(vals[k])
    stacked = {k: np.stack(v, axis=1) for k, v in cols.items()}
    return Example3Scan(
        m=ms[:, 0],
        orders=orders,
        price=ps[:, 0],
        p_above=sp[:, 0],
        optimal_welfare=Example1.closed_forms(ms[:, 0].astype(float))["expected_optimal_welfare"],
        **stacked,
    )


def balanced_posted_price_welfare(ms, orders=ORDERS) -> dict:
    """Expected welfare of Example 1 sold at the balanced posted price, with resale, per order.

    The speculator buys her best quantity and resells optimally; A and B buy their demand
    (:func:`scan`). Chapter 4 computes it; other chapters can compare with it.

    Parameters
    ----------
    ms : int or sequence of int
        Numbers of units (each ``>= 4``).
    orders : sequence of str, optional
        Arrival orders (default all six).

    Returns
    -------
    dict
        ``"m"``: the array of ``ms``; ``"optimum"``: :math:`\\mathbb{E}[\\mathbf{v}(\\mathrm{OPT})]`;
        for each order its expected welfare (arrays aligned with ``ms``); ``"worst"``: the smallest
        over the orders.

    Examples
    --------
    >>> w = balanced_posted_price_welfare([4, 10], orders=("ABC",))
    >>> [round(float(r), 4) for r in w["worst"] / w["optimum"]]
    [0.9757, 0.9366]
    """
    s = scan(ms, orders)
    out = {o: s.welfare[:, j] for j, o in enumerate(s.orders)}
    return {"m": s.m, "optimum": s.optimal_welfare, **out, "worst": s.welfare.min(axis=1)}
