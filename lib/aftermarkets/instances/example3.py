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
from. Her resale price is optimal for the belief she then holds: the prior, :math:`z \ge p`
(survival :math:`S(x)/S(p)` above :math:`p`) or :math:`z < p` (:math:`(S(x) - S(p))/(1 - S(p))`
below :math:`p`) (:func:`conditional_survival`). The revenue is the library's
:func:`~aftermarkets.instances.resale.resale_revenue` with that belief; its maximum is attained at
one of the candidates of :func:`_candidates` (piece ends and the stationary points of every piece,
for every belief), all evaluated exactly.

**Which quantities to try.** On a run of consecutive :math:`q` on which the class of the holdings
does not change (:func:`candidate_quantities`), C's optimal revenue is a maximum of functions
affine in :math:`q`, hence convex, and so is her profit: it peaks at an end of the run. The runs
end at :math:`q \le 3` or within six units of the most C can buy, so :func:`scan` evaluates those
quantities only (the tests check the runs, and every quantity for :math:`m \le 200`).

Everything is vectorised over :math:`m` (:func:`scan`, :math:`m = 4, \dots, 1000` at once), with
the expected welfare in closed form over four cells (:math:`U \gtrless x`, :math:`z \gtrless x`
given the class of :math:`z`): within a cell every decision is fixed and welfare is linear in
:math:`(U, z)`. :func:`posted_price_outcomes` recomputes the welfare, B's holdings and the resale
payments at one :math:`m` with the library's :func:`~aftermarkets.posted_price_mechanism`,
:func:`~aftermarkets.take_it_or_leave_it` and :func:`~aftermarkets.combined_market` run at the
cells' conditional means. :func:`balanced_posted_price_welfare` is the reusable entry point for
other chapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import numpy as np

from .._checks import prices, whole_number
from ..allocation import serve_in_order
from ..auctions import posted_price_mechanism
from ..combined import combined_market
from ..trade import take_it_or_leave_it
from ..valuations import fb_survival, fb_tail_integral
from .example1 import Example1
from .resale import SECOND_UNIT, _sold_counts, resale_revenue
from .speculation import group_values

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
    "Example3Outcome",
    "posted_price_outcomes",
    "balanced_posted_price_welfare",
]

#: The six arrival orders, as strings of agent names (``"CAB"``: C first, then A, then B).
ORDERS = tuple("".join(o) for o in permutations("ABC"))
#: C's possible beliefs about :math:`z` at the resale stage.
BELIEFS = ("prior", "above", "below")
_TOL = 1e-12
_CLASSES = ("above", "below")  # z >= p (B demands m units) and z < p (B demands 1)


# ----------------------------------------------------------------------------- the resale stage
def conditional_survival(mz, x, price, belief) -> np.ndarray:
    r""":math:`\Pr[z \ge x \mid \text{belief}]` for :math:`z \sim F_B` with parameter ``mz``:
    ``"prior"``, ``"above"`` (:math:`z \ge p`) or ``"below"`` (:math:`z < p`), :math:`p` = ``price``.
    Vectorised in ``mz``, ``x`` and ``price``.

    Examples
    --------
    >>> [float(conditional_survival(10, x, 0.2, b)) for x, b in ((0.1, "above"), (0.3, "below"))]
    [1.0, 0.0]
    """
    x, price = np.asarray(x, dtype=float), np.asarray(price, dtype=float)
    s = fb_survival(mz, x)
    if belief == "prior":
        return s
    sp = fb_survival(mz, price)
    if belief == "above":
        return np.where(x <= price, 1.0, s / sp)
    if belief == "below":
        return np.where(x < price, (s - sp) / (1.0 - sp), 0.0)
    raise ValueError(f"belief must be one of {BELIEFS}, got {belief!r}")


def _candidates(a, b, q, mz, price) -> np.ndarray:
    """Every price at which some belief's revenue curve can peak, shape broadcast + (K,).

    Piece ends (the posted price, 1, 1 + h, 1.5, 2) and the stationary points of: the cubic on
    ``[1, 1 + h]`` with survival ``K (1 + h - x)`` for ``K = 1`` (prior) and ``K = 1/S(p)`` (above);
    the quadratic ``x (s0 + (3 - 2x) d)`` (above ``1 + h``, or above 1 when ``z < p`` is known);
    and, when ``z < p`` is known, the concave piece ``K0 x + L0 x / (1 + c x)`` below the posted
    price. Candidates outside ``(0, 2]`` are NaN.
    """
    mz, price = np.asarray(mz, dtype=float), np.asarray(price, dtype=float)
    s0, s1 = _sold_counts(a, b, q)
    shape = np.broadcast_shapes(np.shape(q), s0.shape, mz.shape, price.shape)
    q, s0, s1, mz, price = (
        np.broadcast_to(np.asarray(t, dtype=float), shape) for t in (q, s0, s1, mz, price)
    )
    h, c, sp = 1.0 / (2 * mz), 2.0 * mz - 1.0, fb_survival(mz, price)
    d, e = s1 - s0, s0 + 3 * (s1 - s0)
    cands = [price, np.ones(shape), 1.0 + h, np.full(shape, SECOND_UNIT.high), np.full(shape, 2.0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        for K in (1.0, 1.0 / sp):
            c0 = K * q * (1 + h) + e * (1 - K * (1 + h))
            c1 = -K * q + e * K - 2 * d * (1 - K * (1 + h))
            A, B, C = 3 * (-2 * d * K), 2 * c1, c0  # R'(x) = C + B x + A x^2
            disc = B * B - 4 * A * C
            root = np.sqrt(np.where(disc >= 0, disc, np.nan))
            cands += [
                np.where(A != 0, (-B + root) / (2 * A), -C / B),
                np.where(A != 0, (-B - root) / (2 * A), np.nan),
            ]
        cands.append(np.where(d > 0, e / (4 * d), np.nan))
        K0 = s1 - (q - s1) * sp / (1 - sp)
        L0 = (q - s1) / (1 - sp)
        cands.append(np.where((K0 < 0) & (L0 > 0), (np.sqrt(-L0 / K0) - 1) / c, np.nan))
    out = np.stack(cands, axis=-1)
    return np.where((out > 0) & (out <= 2.0), out, np.nan)


def optimal_resale_given(a, b, q, m, price, belief) -> tuple:
    """C's revenue-maximising resale price and revenue after holdings ``(a, b, q)`` under ``belief``.

    Parameters
    ----------
    a, b, q : array_like of int
        Holdings of A, B and C after the posted-price mechanism.
    m : int or array_like of int
        Example 1's number of units (``>= 4``; broadcast with the holdings).
    price : float or array_like
        The posted price that B's purchase compares :math:`z` with.
    belief : {"prior", "above", "below"}
        C's belief about :math:`z` (:func:`conditional_survival`).

    Returns
    -------
    tuple of numpy.ndarray
        ``(resale price, expected revenue)``: the smallest maximiser among the candidates. With
        ``q = 0`` the revenue is 0 (and the price 1, immaterial).

    Examples
    --------
    On Example 1's equilibrium path (``a = b = 1``, ``q = m - 2``) with the prior, price 1 earns
    :math:`1 + (m-3)/(2m)`:

    >>> x, r = optimal_resale_given(1, 1, 8, 10, 0.3, "prior")
    >>> float(x), round(float(r), 12)
    (1.0, 1.35)
    """
    m = np.asarray(m)
    if m.size == 0 or np.any(m != np.round(m)) or np.any(m < 4):
        raise ValueError(f"m must be whole numbers >= 4, got {m!r}")
    price = prices(price, "price")
    a, b, q = (np.asarray(t) for t in (a, b, q))
    cand = _candidates(a, b, q, m, price)
    mm, pp = (np.asarray(t, dtype=float)[..., None] for t in (m, price))
    surv = lambda x: conditional_survival(mm, x, pp, belief)  # noqa: E731
    rev = resale_revenue(a[..., None], b[..., None], q[..., None], np.nan_to_num(cand), 4, z_survival=surv)
    rev = np.where(np.isnan(cand), -np.inf, rev)
    best = rev.max(axis=-1)
    k = np.argmax(rev >= best[..., None] - _TOL * np.maximum(1.0, best[..., None]), axis=-1)
    x = np.take_along_axis(np.where(np.isnan(cand), np.inf, cand), k[..., None], axis=-1)[..., 0]
    empty = q == 0
    return np.where(empty, 1.0, x), np.where(empty, 0.0, best)


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


@dataclass(frozen=True)
class Example3Outcome:
    """One ``m`` and arrival order, recomputed with the library's mechanisms (:func:`posted_price_outcomes`).

    Attributes
    ----------
    m : int
    order : str
    price : float
    q : tuple of int
        C's best quantity when :math:`z \\ge p` and when :math:`z < p`.
    holdings_above, holdings_below : tuple of int
        Holdings (A, B, C) after the posted price in each class.
    resale_price : tuple of float
        C's resale price in each class.
    welfare, optimal_welfare, b_units, b_final, revenue_from_b, units_for_b : float
        As in :class:`Example3Scan`, from the library's posted-price mechanism, resale market and
        combined market run at the cells' conditional means.
    """

    m: int
    order: str
    price: float
    q: tuple
    holdings_above: tuple
    holdings_below: tuple
    resale_price: tuple
    welfare: float
    optimal_welfare: float
    b_units: float
    b_final: float
    revenue_from_b: float
    units_for_b: float

    @property
    def ratio(self) -> float:
        """Welfare over the expected optimal welfare."""
        return self.welfare / self.optimal_welfare


def posted_price_outcomes(m, orders=ORDERS, price=None) -> list:
    """C's choices from :func:`scan` at one ``m``, and the market they lead to run through the
    library's mechanisms.

    For each order and each class of :math:`z`, the library's
    :func:`~aftermarkets.posted_price_mechanism` (requests: A's and B's demand and C's quantity),
    then :func:`~aftermarkets.take_it_or_leave_it` (C sells at her resale price, A then B buy) inside
    :func:`~aftermarkets.combined_market`, on the conditional means of the four cells; the cells'
    probabilities weight the results.

    Returns
    -------
    list of Example3Outcome
    """
    m = whole_number(m, "m", 4)
    s = scan([m], orders, price)
    ex = Example1(m)
    p, sp = float(s.price[0]), float(s.p_above[0])
    hold = np.concatenate([s.holdings_above[0], s.holdings_below[0]])  # (2O, 3): above rows, then below
    x = np.concatenate([s.resale_above[0], s.resale_below[0]])
    above = np.repeat([True, False], len(s.orders))
    prob, U, Z = _cells(m, p, above, x)  # (2O, 4)
    demand = np.where(np.repeat(above, 4), m, 1)
    requests = np.column_stack([np.full(demand.shape, 2), demand, np.repeat(hold[:, 2], 4)])
    arrival = [tuple("ABC".index(c) for c in o) for o in s.orders] * 2
    outs = []
    for k in range(len(arrival)):  # one arrival order per row group
        sel = slice(4 * k, 4 * k + 4)
        v = group_values(U.ravel()[sel], Z.ravel()[sel], m - 1)
        auction = posted_price_mechanism(v, m, p, order=arrival[k], quantities=requests[sel])
        outs.append(
            combined_market(
                v,
                auction,
                lambda vv, hh, k=k: take_it_or_leave_it(vv, hh, seller=2, price=x[k], order=(0, 1)),
            )
        )
    weight = np.where(above, sp, 1 - sp)[:, None] * prob  # (2O, 4)
    res = []
    for j, order in enumerate(s.orders):
        acc = {"welfare": 0.0, "b_units": 0.0, "b_final": 0.0, "revenue_from_b": 0.0, "units_for_b": 0.0}
        for k in (j, j + len(s.orders)):
            out, w = outs[k], weight[k]
            acc["welfare"] += float(w @ out.welfare)
            acc["b_units"] += float(w @ out.auction.allocation[:, 1])
            acc["b_final"] += float(w @ out.allocation[:, 1])
            acc["revenue_from_b"] += float(w @ out.trade.payments[:, 1])
            bought_a = out.allocation[:, 0] - out.auction.allocation[:, 0]
            acc["units_for_b"] += float(w @ (out.auction.allocation[:, 2] - bought_a))
        res.append(
            Example3Outcome(
                m=m,
                order=order,
                price=p,
                q=(int(s.q_above[0, j]), int(s.q_below[0, j])),
                holdings_above=tuple(int(t) for t in s.holdings_above[0, j]),
                holdings_below=tuple(int(t) for t in s.holdings_below[0, j]),
                resale_price=(float(s.resale_above[0, j]), float(s.resale_below[0, j])),
                optimal_welfare=ex.expected_optimal_welfare(),
                **acc,
            )
        )
    return res


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
