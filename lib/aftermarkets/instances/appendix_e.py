r"""Appendix E: Theorem 7's proof made computable, and where its assumptions matter.

Asymmetric monotone profiles on :math:`U[0, 1]` (the symmetric first-price equilibrium is
:math:`b(v) = v/2`), each a family with one parameter (:data:`FAMILIES`, :func:`family`):

* ``"tilt"``: :math:`b_1 = (1 + \kappa) v/2`, :math:`b_2 = (1 - \kappa) v/2`;
  :math:`b_1 > b_2` everywhere (both boundary cases of the proof);
* ``"bump"``: :math:`b_{1,2} = v/2 \pm \kappa\, v (1 - v)(v - c_1)(c_2 - v)`; two interior
  crossings (Figure 1's picture), equal at both ends;
* ``"jump"``: :math:`b_2 = v/2`, :math:`b_1 = \max(v/2 - \kappa, 0)` below :math:`\bar v` and
  :math:`v/2 + \kappa` above: the left limits at :math:`\bar v` differ by :math:`\kappa`
  (Claim 2's case);
* ``"power"``: :math:`b_1 = v^{1-\kappa}/2`, :math:`b_2 = v/2`; equal at both ends.

For the all-pay auction each family is multiplied by :math:`v` (``family(name,
auction="all-pay")``): the symmetric base :math:`v/2` becomes the all-pay equilibrium
:math:`v^2/2`. :data:`VARIANTS` and :func:`regret_sweep` evaluate the families in other combined
markets (bids revealed, buyer-offer resale, all-pay).

:func:`crossing_points` finds the proof's :math:`\bar v \le v^* \le \bar v'`;
:func:`claim2_deviation` builds the deviation in the proof of Claim 2 and evaluates it in the
combined market; :func:`boundary_deviation` the one at :math:`H`; :func:`claim3_check` the
quantities of Claim 3; :func:`envelope` the best-response utility :math:`U_i(v) = \max_\beta
u_i(v, \beta)` with its allocation, for Lemma 1.

Asymmetric laws (Hafalir and Krishna 2008): :math:`v_1 \sim U[0, 1]`, :math:`v_2 \sim U[0, a]`,
first price, seller-offer resale, only the winner revealed. If both bidders' bids have the same
distribution, a bidder at quantile :math:`q` has marginal gain from winning equal to the price
:math:`p_1(q) = \frac{(1+a) q}{2}` that the weak bidder (value :math:`q`) posts against a strong
loser below :math:`a q`, so :math:`(\beta(q)\, q)' = p_1(q)` and :math:`\beta(q) = (1+a) q / 4`:
:math:`b_1(v) = \frac{1+a}{4} v`, :math:`b_2(v) = \frac{1+a}{4a} v` (:func:`resale_equilibrium`,
verified by computed regret; :func:`resale_symbolic` integrates its welfare loss exactly).
Without resale the first-price equilibrium of these laws has inverse bids
:math:`\varphi_1(b) = 2b / (1 - c\, b^2)` and :math:`\varphi_2(b) = 2b / (1 + c\, b^2)` with
top bid :math:`\bar b = a / (1 + a)` and :math:`c = (1 - 2\bar b)/\bar b^2`
(:func:`no_resale_equilibrium`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy import integrate

from .bid_functions import BidFunction
from .laws import uniform
from .single_item import SingleItemMarket

__all__ = [
    "FAMILIES",
    "family",
    "market",
    "crossing_points",
    "Crossing",
    "claim2_deviation",
    "boundary_deviation",
    "claim3_check",
    "claim3_rows",
    "VARIANTS",
    "regret_sweep",
    "envelope",
    "resale_equilibrium",
    "resale_symbolic",
    "no_resale_equilibrium",
]

#: The chapter's families and parameters (the ledger uses the same).
FAMILIES = {
    "tilt": {"kappa": 0.1},
    "bump": {"kappa": 1.5, "c1": 0.3, "c2": 0.75},
    "jump": {"kappa": 0.05, "v_bar": 0.4},
    "power": {"kappa": 0.2},
}


def family(name: str, n: int = 2001, auction: str = "first-price", **params) -> tuple:
    """The pair :math:`(b_1, b_2)` of a family on ``[0, 1]`` (parameters default to :data:`FAMILIES`).

    For ``auction="all-pay"`` both bids are multiplied by :math:`v`, so the symmetric base is the
    all-pay equilibrium :math:`v^2/2` instead of :math:`v/2`.

    Examples
    --------
    >>> b1, b2 = family("tilt", kappa=0.2)
    >>> float(b1(1.0)), float(b2(1.0))
    (0.6, 0.4)
    >>> float(family("tilt", kappa=0.2, auction="all-pay")[0](0.5))
    0.15
    """
    if name not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {name!r}")
    if auction not in ("first-price", "all-pay"):
        raise ValueError(f"auction must be 'first-price' or 'all-pay', got {auction!r}")
    p = {**FAMILIES[name], **params}
    k = float(p["kappa"])
    s = (lambda v: v) if auction == "all-pay" else (lambda v: 1.0)
    half = BidFunction.from_callable(lambda v: s(v) * v / 2, 0.0, 1.0, n, "b2")
    if name == "tilt":
        if not 0 <= k < 1:
            raise ValueError(f"tilt needs 0 <= kappa < 1, got {k}")
        return (
            BidFunction.from_callable(lambda v: s(v) * (1 + k) * v / 2, 0.0, 1.0, n, "b1"),
            BidFunction.from_callable(lambda v: s(v) * (1 - k) * v / 2, 0.0, 1.0, n, "b2"),
        )
    if name == "bump":
        c1, c2 = float(p["c1"]), float(p["c2"])
        if not 0 < c1 < c2 < 1:
            raise ValueError(f"bump needs 0 < c1 < c2 < 1, got {c1}, {c2}")
        g = lambda v: v * (1 - v) * (v - c1) * (c2 - v)
        return (
            BidFunction.from_callable(lambda v: s(v) * (v / 2 + k * g(v)), 0.0, 1.0, n, "b1"),
            BidFunction.from_callable(lambda v: s(v) * (v / 2 - k * g(v)), 0.0, 1.0, n, "b2"),
        )
    if name == "jump":
        vb = float(p["v_bar"])
        if not (0 < vb < 1 and k > 0):
            raise ValueError(f"jump needs 0 < v_bar < 1 and kappa > 0, got {vb}, {k}")
        pieces = [
            (lambda v: s(v) * np.maximum(v / 2 - k, 0.0), 0.0, vb),
            (lambda v: s(v) * (v / 2 + k), vb, 1.0),
        ]
        return BidFunction.piecewise(pieces, n, "b1"), half
    if not 0 <= k < 1:
        raise ValueError(f"power needs 0 <= kappa < 1, got {k}")
    return BidFunction.from_callable(lambda v: s(v) * v ** (1 - k) / 2, 0.0, 1.0, n, "b1"), half


def market(name: str, resale="seller-offer", signal="winner", auction="first-price", **params):
    """The combined market of a family on :math:`U[0, 1]` values (all-pay: the family times :math:`v`)."""
    law = uniform()
    return SingleItemMarket((law, law), family(name, auction=auction, **params), auction, resale, signal)


#: Other combined markets for the families: ``(auction, resale, signal) -> families``. Bids revealed
#: needs strictly increasing bids, which the jump family is not (it bids 0 below 0.1).
VARIANTS = {
    ("first-price", "seller-offer", "bids"): ("tilt", "bump", "power"),
    ("first-price", "buyer-offer", "winner"): ("tilt", "bump", "jump", "power"),
    ("all-pay", "seller-offer", "winner"): ("tilt", "bump", "jump", "power"),
}


def regret_sweep(variants=None, n_types: int = 101, n_bids: int = 201) -> dict:
    """Each family's largest regret (over both agents) and welfare loss in other combined markets.

    Parameters
    ----------
    variants : dict, optional
        ``(auction, resale, signal) -> family names``; default :data:`VARIANTS`.
    n_types, n_bids : int
        The regret's type and bid grids.

    Returns
    -------
    dict
        ``(auction, resale, signal, family) -> (regret, loss)``.
    """
    out = {}
    for (auction, resale, signal), names in (VARIANTS if variants is None else variants).items():
        for name in names:
            m = market(name, resale=resale, signal=signal, auction=auction)
            reg = max(m.regret(i, m.type_grid(i, n_types), m.bid_grid(n_bids)).max for i in (0, 1))
            out[auction, resale, signal, name] = (reg, m.optimal_welfare() - m.welfare())
    return out


@dataclass(frozen=True)
class Crossing:
    """The points of the proof around :math:`v^*` (Figure 1).

    Attributes
    ----------
    v_bar, v_star, v_bar_prime : float
        :math:`\\bar v \\le v^* \\le \\bar v'`: :math:`b_1 \\ge b_2` on :math:`[\\bar v, \\bar v']`.
    lower_boundary, upper_boundary : bool
        Whether :math:`\\bar v` is the bottom of the support, :math:`\\bar v'` the top (the
        proof's boundary cases).
    """

    v_bar: float
    v_star: float
    v_bar_prime: float
    lower_boundary: bool
    upper_boundary: bool


def crossing_points(b1: BidFunction, b2: BidFunction, v_star=None, n: int = 20001) -> Crossing:
    """:math:`\\bar v`, :math:`v^*`, :math:`\\bar v'` for monotone bid functions on one support.

    ``v_star`` defaults to the middle of the set where :math:`b_1 - b_2` is largest. Then
    :math:`\\bar v` is the infimum and :math:`\\bar v'` the supremum of the interval around
    :math:`v^*` on which :math:`b_1 \\ge b_2` (located on a grid of ``n`` points, then by
    bisection).

    Raises
    ------
    ValueError
        If :math:`b_1(v^*) \\le b_2(v^*)` (then there is nothing to cross).
    """
    lo, hi = b1.low, b1.high
    grid = np.linspace(lo, hi, n)
    d = b1(grid) - b2(grid)
    if v_star is None:
        top = np.flatnonzero(d >= d.max() - 1e-12 * max(1.0, abs(d.max())))
        v_star = float(grid[top[len(top) // 2]])
    if not float(b1(v_star) - b2(v_star)) > 0:
        gap = float(b1(v_star) - b2(v_star))
        raise ValueError(f"need b1(v*) > b2(v*) (else nothing to cross), got b1 - b2 = {gap:.3g} at {v_star}")
    k = int(np.searchsorted(grid, v_star))
    k = min(k, n - 1)
    diff = lambda v: float(b1(v) - b2(v))

    def edge(step):
        j = k
        while 0 <= j + step < n and d[j + step] >= 0:
            j += step
        if j + step < 0 or j + step >= n:
            return float(grid[j]), True
        a, b = sorted((grid[j], grid[j + step]))  # d >= 0 at grid[j], < 0 at the other end
        inside, outside = (b, a) if step < 0 else (a, b)
        for _ in range(60):
            mid = (inside + outside) / 2
            inside, outside = (mid, outside) if diff(mid) >= 0 else (inside, mid)
        return float(inside), False

    v_bar, low_edge = edge(-1)
    v_bar_p, high_edge = edge(+1)
    return Crossing(v_bar, float(v_star), v_bar_p, low_edge and v_bar <= lo, high_edge and v_bar_p >= hi)


@dataclass(frozen=True)
class Claim2Deviation:
    """The deviation in the proof of Claim 2, evaluated in the combined market (agent 2 = index 1).

    Attributes
    ----------
    v_bar, eps : float
        The crossing and the gap of the left limits, :math:`\\epsilon`.
    v_hat : float
        Agent 2's value :math:`\\hat v_2 \\in (\\bar v - \\epsilon/4, \\bar v)`.
    bid, deviation : float
        :math:`b_2(\\hat v_2)` and :math:`b_2(\\hat v_2) - \\epsilon/2`.
    win, win_deviation : float
        Her probability of winning the auction with each bid.
    utility, utility_deviation : float
        Her expected utility in the combined market with each bid (resale played optimally).
    resale_gain : float
        What resale adds to her utility with the prescribed bid.
    bound : float
        The proof's lower bound on the gain, :math:`\\frac{\\epsilon}{4} \\Pr[\\text{win}]`.
    """

    v_bar: float
    eps: float
    v_hat: float
    bid: float
    deviation: float
    win: float
    win_deviation: float
    utility: float
    utility_deviation: float
    resale_gain: float
    bound: float

    @property
    def gain(self) -> float:
        """Utility of the deviation minus utility of the prescribed bid."""
        return self.utility_deviation - self.utility

    def rows(self, search_gain=None) -> list:
        """``(quantity, value)`` rows for :func:`aftermarkets.display.table_rows`; ``search_gain`` is
        the gain found by a deviation search on the same two bids, if any."""
        rows = [
            (r"$\epsilon$", f"{self.eps:.4f}"),
            (r"$\hat v_2$", f"{self.v_hat:.5f}"),
            (r"bid $b_2(\hat v_2)$, deviation", f"{self.bid:.5f}, {self.deviation:.5f}"),
            ("wins the auction with", f"{self.win:.4f}, {self.win_deviation:.4f}"),
            ("utility (combined market)", f"{self.utility:.5f}, {self.utility_deviation:.5f}"),
            ("resale adds, at the bid", f"{self.resale_gain:.1e}"),
            ("gain", f"{self.gain:.5f}"),
            (r"proof's lower bound $\frac{\epsilon}{4}\Pr[\text{win}]$", f"{self.bound:.5f}"),
        ]
        if search_gain is not None:
            rows.append(("gain, by deviation_search", f"{search_gain:.5f}"))
        return rows


def claim2_deviation(m: SingleItemMarket, v_bar: float, v_hat=None) -> Claim2Deviation:
    """Build and evaluate Claim 2's deviation at a crossing :math:`\\bar v` where the left limits differ.

    Parameters
    ----------
    m : SingleItemMarket
        Agent 1 (index 0) bids :math:`b_1`, agent 2 (index 1) :math:`b_2`, with
        :math:`\\lim_{v \\uparrow \\bar v} b_2 > \\lim_{v \\uparrow \\bar v} b_1`.
    v_bar : float
    v_hat : float, optional
        Default :math:`\\bar v - \\epsilon/8`.
    """
    b1, b2 = m.bids
    eps = float(b2.left_limit(v_bar) - b1.left_limit(v_bar))
    if not eps > 0:
        raise ValueError(
            f"the left limits at {v_bar} do not differ (eps = {eps:.3g}): Claim 2's case does not arise"
        )
    v_hat = v_bar - eps / 8 if v_hat is None else float(v_hat)
    if not (v_bar - eps / 4 < v_hat < v_bar and b2.left_limit(v_bar) - eps / 2 <= b2(v_hat) <= b2(v_bar)):
        raise ValueError(f"v_hat = {v_hat} does not satisfy the proof's conditions")
    bid = float(b2(v_hat))
    dev = bid - eps / 2
    out = m.outcome(1, np.array([v_hat, v_hat]), np.array([bid, dev]))
    plain = SingleItemMarket(m.laws, m.bids, m.auction, None, m.signal, m.quad_points)
    alone = plain.outcome(1, np.array([v_hat]), np.array([bid])).utility[0]
    return Claim2Deviation(
        float(v_bar),
        eps,
        float(v_hat),
        bid,
        dev,
        float(out.win[0]),
        float(out.win[1]),
        float(out.utility[0]),
        float(out.utility[1]),
        float(out.utility[0] - alone),
        float(eps / 4 * out.win[0]),
    )


def boundary_deviation(m: SingleItemMarket) -> tuple:
    """At the top value :math:`H`, the higher bidder lowers her bid to the other's :math:`b(H)`.

    Returns ``(agent, b_agent(H), b_other(H), gain)``; the proof's boundary case needs
    :math:`b_1(H) = b_2(H)`, and the gain is positive when they differ.
    """
    top = [float(b(b.high)) for b in m.bids]
    i = int(np.argmax(top))
    H = m.laws[i].high
    out = m.outcome(i, np.array([H, H]), np.array([top[i], top[1 - i]]))
    return i, top[i], top[1 - i], float(out.utility[1] - out.utility[0])


def claim3_check(m: SingleItemMarket, v_bar: float, v_bar_prime: float, n: int = 401) -> dict:
    """Claim 3's quantities on :math:`[\\bar v, \\bar v']` for the profile of ``m``.

    Returns a dict with the interim utilities at both ends (``u1_lo, u2_lo, u1_hi, u2_hi``),
    the integrals :math:`\\int \\tilde x_i` (``int_x1, int_x2``), the smallest
    :math:`\\tilde x_1 - \\tilde x_2` inside (``min_gap``), and Lemma 1's residual for each agent,
    :math:`\\tilde u_i(\\bar v') - \\tilde u_i(\\bar v) - \\int \\tilde x_i` (``lemma1_1, lemma1_2``).
    """
    v = np.linspace(v_bar, v_bar_prime, n)
    out = [m.interim(i, v) for i in (0, 1)]
    ints = [float(integrate.simpson(o.x, x=v)) for o in out]
    inner = slice(1, -1)
    return {
        "u1_lo": float(out[0].utility[0]),
        "u2_lo": float(out[1].utility[0]),
        "u1_hi": float(out[0].utility[-1]),
        "u2_hi": float(out[1].utility[-1]),
        "int_x1": ints[0],
        "int_x2": ints[1],
        "min_gap": float(np.min(out[0].x[inner] - out[1].x[inner])),
        "lemma1_1": float(out[0].utility[-1] - out[0].utility[0] - ints[0]),
        "lemma1_2": float(out[1].utility[-1] - out[1].utility[0] - ints[1]),
    }


def claim3_rows(checks: dict) -> list:
    """Rows ``(quantity, value for each profile)`` of :func:`claim3_check` results, keyed by profile."""
    spec = [
        (r"$u_1(\bar v)$, $u_2(\bar v)$", "u1_lo", "u2_lo"),
        (r"$u_1(\bar v')$, $u_2(\bar v')$", "u1_hi", "u2_hi"),
        (r"smallest $\tilde x_1 - \tilde x_2$ inside", "min_gap", None),
        (r"$\int \tilde x_1$, $\int \tilde x_2$", "int_x1", "int_x2"),
        (r"Lemma 1: $\Delta u_i - \int \tilde x_i$", "lemma1_1", "lemma1_2"),
    ]
    cell = lambda c, a, b: f"{c[a]:.5f}" + ("" if b is None else f", {c[b]:.5f}")
    return [(label, *(cell(c, a, b) for c in checks.values())) for label, a, b in spec]


def envelope(m: SingleItemMarket, i: int, n_types: int = 201, n_bids: int = 801) -> dict:
    """Best-response utility :math:`U_i(v)` on a grid, with its allocation, and Lemma 1 for it.

    Returns a dict with ``v``; ``U`` and ``x_br`` (the best of the bid grid and the prescribed
    bid, per type, and the final allocation probability it gives); ``u`` and ``x`` of the
    prescribed bid function; and the largest Lemma 1 residuals
    :math:`|U(v) - U(\\underline v) - \\int_{\\underline v}^v x_{br}|` and
    :math:`|\\tilde u(v) - \\tilde u(\\underline v) - \\int_{\\underline v}^v \\tilde x|` over the grid
    (``residual_br``, ``residual``).
    """
    v = m.type_grid(i, n_types)
    table = m.deviation_table(i, v, m.bid_grid(n_bids))
    k = np.argmax(table.utility, axis=1)
    rows = np.arange(v.size)
    prescribed = m.interim(i, v)
    keep = prescribed.utility >= table.utility[rows, k]  # the prescribed bid is a candidate too
    U = np.where(keep, prescribed.utility, table.utility[rows, k])
    xb = np.where(keep, prescribed.x, table.x[rows, k])
    cum = lambda x: integrate.cumulative_trapezoid(x, v, initial=0.0)
    return {
        "v": v,
        "U": U,
        "x_br": xb,
        "u": prescribed.utility,
        "x": prescribed.x,
        "residual_br": float(np.max(np.abs(U - U[0] - cum(xb)))),
        "residual": m.payment_identity_gap(i, v),
    }


def resale_equilibrium(a: float = 2.0, resale="seller-offer", signal="winner", n: int = 2001):
    """Hafalir and Krishna's setting: :math:`U[0, 1]` against :math:`U[0, a]` with
    :math:`b_1 = \\frac{1+a}{4} v`, :math:`b_2 = \\frac{1+a}{4a} v` (first price).

    Examples
    --------
    >>> m = resale_equilibrium(2.0)
    >>> float(m.bids[0](1.0)), float(m.bids[1](2.0))
    (0.75, 0.75)
    """
    if not a >= 1:
        raise ValueError(f"a must be at least 1 (agent 2 is the strong bidder), got {a!r}")
    k = (1 + a) / 4
    b1 = BidFunction.from_callable(lambda v: k * v, 0.0, 1.0, n, "b1")
    b2 = BidFunction.from_callable(lambda v: k * v / a, 0.0, a, n, "b2")
    return SingleItemMarket((uniform(0, 1), uniform(0, a)), (b1, b2), "first-price", resale, signal)


def resale_symbolic() -> dict:
    """Exact welfare loss, trade probability and optimal welfare of :func:`resale_equilibrium`.

    Returns a dict of sympy expressions in ``a``: ``price`` (the weak winner's price at value
    ``t``), ``bid_quantile`` (:math:`\\beta(q)`), ``loss``, ``trade``, ``optimum``, ``share``
    (loss over optimum).

    Examples
    --------
    >>> s = resale_symbolic()
    >>> s["loss"], s["trade"]
    ((a - 1)**2/(24*a), (a - 1)/(4*a))
    """
    a, t, s, p, q = sp.symbols("a t s p q", positive=True)
    price = sp.solve(sp.diff((p - t) * (a * t - p), p), p)[0]
    bid_q = sp.simplify(sp.integrate(price.subs(t, q), (q, 0, q)) / q)
    loss = sp.factor(sp.integrate(sp.integrate((s - t) / a, (s, t, price)), (t, 0, 1)))
    trade = sp.factor(sp.integrate((a * t - price) / a, (t, 0, 1)))
    optimum = sp.factor(sp.integrate(1 - t * t / a, (t, 0, 1)) + sp.integrate(1 - t / a, (t, 1, a)))
    return {
        "a": a,
        "price": price,
        "bid_quantile": bid_q,
        "loss": loss,
        "trade": trade,
        "optimum": optimum,
        "share": sp.factor(loss / optimum),
    }


def no_resale_equilibrium(a: float = 2.0, n: int = 4001) -> SingleItemMarket:
    """First-price equilibrium of :math:`U[0, 1]` against :math:`U[0, a]` without resale.

    Inverse bids :math:`\\varphi_1(b) = 2b/(1 - c b^2)` and :math:`\\varphi_2(b) = 2b/(1 + c b^2)`
    with :math:`c = (1 - 2\\bar b)/\\bar b^2` and top bid :math:`\\bar b = a/(1+a)` (they solve
    :math:`(\\varphi_i(b) - b)\\,\\varphi_j'(b)/\\varphi_j(b) = 1` with :math:`\\varphi_i(\\bar b) =
    \\omega_i`); the bid functions are their inverses, tabulated.
    """
    if not a > 1:
        raise ValueError(f"a must exceed 1, got {a!r}")
    top = a / (1 + a)
    c = (1 - 2 * top) / top**2
    beta = np.linspace(0.0, top, n)
    phi1 = 2 * beta / (1 - c * beta**2)
    phi2 = 2 * beta / (1 + c * beta**2)
    phi1[-1], phi2[-1] = 1.0, a
    b1, b2 = BidFunction(phi1, beta, "b1"), BidFunction(phi2, beta, "b2")
    return SingleItemMarket((uniform(0, 1), uniform(0, a)), (b1, b2), "first-price", None, "winner")
