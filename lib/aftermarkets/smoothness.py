r"""Smoothness as a computable quantity (Section 4, Definitions 3 and 4).

An auction :math:`\mathcal{M}` is :math:`(\lambda, \mu)`-smooth (Definition 3) if for every valuation
profile :math:`\mathbf{v}` there are deviation distributions :math:`D_i(\mathbf{v})` such that for
every action profile :math:`a`

.. math::

    \operatorname{slack}(\mathbf{v}, a) = \sum_i \mathbf{E}_{a'_i \sim D_i(\mathbf{v})}
    \bigl[u_i(\mathcal{M}(a'_i, a_{-i}))\bigr] - \lambda\,\mathrm{Wel}(\mathbf{v})
    + \mu\,\mathrm{Rev}(a) \;\ge\; 0 .

It is *semi-smooth* (Definition 4) when :math:`D_i` depends on :math:`v_i` only.

**Scaled deviations.** Every deviation used here bids :math:`a'_i = t\, d_i` for a fixed direction
:math:`d_i` (a non-increasing vector of marginal bids) and a random scale :math:`t` with a density
:math:`f` on :math:`[t_0, t_1]` (:class:`ScaleLaw`):

* :data:`FIRST_PRICE` — :math:`f(t) = 1/(1-t)` on :math:`[0, 1 - 1/e]`. With :math:`d = v` one unit,
  the bid :math:`b = tv` has density :math:`1/(v-b)` on :math:`[0, (1-1/e)v]`, the first-price
  deviation (Table 1 of the paper credits the single-item bounds to Roughgarden, 2012; see also
  Syrgkanis and Tardos, 2013), and :math:`\mathbf{E}[u] = ((1-1/e)v - B)^+` against a highest
  competing bid :math:`B` (:func:`single_item_utility`; derived in sympy in
  :mod:`aftermarkets.single_item_deviations`, where a linear program over deviations on a bid grid,
  with :math:`\mu = 1`, finds no better constant);
* :data:`ALL_PAY` — :math:`f(t) = 1` on :math:`[0, 1]`: the bid is uniform on :math:`[0, v]` and
  :math:`\mathbf{E}[u] = (v - B)^+ - v/2 \ge v/2 - B`.

**Exact expectations.** Against a fixed profile :math:`a_{-i}`, the ranking of :math:`t d_i` among
all marginal bids changes only at the *breakpoints* :math:`t = \beta / d_{ij}` (a competing bid
over an own direction; in a pay-as-bid format only the thresholds :math:`\beta^{-i}_{m-j+1}/d_{ij}`
move the allocation). Between two breakpoints the allocation is constant and every payment rule
used here (pay-as-bid, highest losing bid, all-pay) is affine in :math:`t`, so the utility is
:math:`\alpha + \gamma t` there and

.. math::

    \mathbf{E}[u] = \sum_{\text{segments}} \alpha\, M_0 + \gamma\, M_1, \qquad
    M_0 = \int f, \; M_1 = \int t f ,

with :math:`M_0, M_1` in closed form. :func:`expected_over_scale` evaluates the actual mechanism at
two interior points of every segment (affinity between them is checked when asked) and sums
exactly: no quadrature, no sampling.

**The discriminatory auction** (smoothness as cited by the paper's Corollary 1 from de Keijzer et
al., 2013; the deviation below is derived in chapter 3, not taken from their paper). With
:math:`\beta^{-i}_k` the :math:`k`-th highest marginal bid of the others, bidder :math:`i`'s
:math:`j`-th bid wins iff it exceeds :math:`\beta^{-i}_{m-j+1}` (:func:`thresholds`); so the
deviation :math:`t\,v_i` restricted to her :math:`x^*_i` units in an optimal allocation earns
exactly :math:`\sum_{j \le x^*_i} ((1-1/e)v_{ij} - \beta^{-i}_{m-j+1})^+`, and :math:`\sum_i \sum_{j
\le x^*_i} \beta^{-i}_{m-j+1} \le \mathrm{Rev}(a)` gives :math:`(1 - 1/e, 1)`-smoothness
(:func:`optimal_units_directions`). Bidding :math:`t\, v_i` on *all*
units only adds non-negative terms and depends on :math:`v_i` alone: semi-smoothness, footnote 16
(:func:`all_units_directions`). The construction is derived in the companion's chapter 3.

Searching for violations (certificates, adversarial search, weak smoothness) is in
:mod:`aftermarkets.smoothness_search`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import generator
from .allocation import optimal_allocation, optimal_welfare
from .auctions import discriminatory_auction, uniform_price_auction
from .valuations import validate_marginals

__all__ = [
    "ScaleLaw",
    "FIRST_PRICE",
    "ALL_PAY",
    "Mechanism",
    "MECHANISMS",
    "single_item_utility",
    "thresholds",
    "optimal_units_directions",
    "all_units_directions",
    "expected_over_scale",
    "deviation_utilities",
    "SlackReport",
    "slack",
    "discriminatory_closed_form",
]

E_INV = math.exp(-1.0)


# ----------------------------------------------------------------------------- scale laws
@dataclass(frozen=True)
class ScaleLaw:
    r"""A law of the scale :math:`t` of a deviation :math:`a'_i = t\,d_i`.

    Attributes
    ----------
    name : str
    low, high : float
        The support :math:`[t_0, t_1]`, ``0 <= low < high <= 1``.
    kind : {"first-price", "all-pay"}
        Which closed forms :meth:`moments` and :meth:`ppf` use.
    """

    name: str
    low: float
    high: float
    kind: str

    def moments(self, t1, t2) -> tuple:
        r""":math:`(\int_{t_1}^{t_2} f, \int_{t_1}^{t_2} t f)` for ``low <= t1 <= t2 <= high``."""
        t1, t2 = np.asarray(t1, dtype=float), np.asarray(t2, dtype=float)
        if self.kind == "first-price":  # f = 1/(1 - t)
            m0 = np.log1p(-t1) - np.log1p(-t2)
            return m0, m0 - (t2 - t1)
        return t2 - t1, (t2 * t2 - t1 * t1) / 2  # f = 1

    def ppf(self, u) -> np.ndarray:
        r"""Inverse CDF: :math:`t = 1 - e^{-u}` (first price) or :math:`t = u` (all pay)."""
        u = np.asarray(u, dtype=float)
        if np.any((u < 0) | (u > 1)):
            raise ValueError("ppf needs u in [0, 1]")
        return -np.expm1(-u) if self.kind == "first-price" else u

    def sample(self, size, seed=None) -> np.ndarray:
        """Draws of :math:`t` with ``numpy.random.default_rng(seed)``."""
        return self.ppf(generator(seed).random(size))


#: The first-price deviation: density ``1/(1 - t)`` on ``[0, 1 - 1/e]``.
FIRST_PRICE = ScaleLaw("first price, density 1/(1 - t) on [0, 1 - 1/e]", 0.0, 1.0 - E_INV, "first-price")
#: The all-pay deviation: ``t`` uniform on ``[0, 1]``.
ALL_PAY = ScaleLaw("all pay, t uniform on [0, 1]", 0.0, 1.0, "all-pay")


def single_item_utility(v, B, law: ScaleLaw = FIRST_PRICE) -> np.ndarray:
    r"""Expected utility of the single-item deviation :math:`b = t v` against a highest competing
    bid :math:`B` (ties have probability 0): :math:`((1-1/e)v - B)^+` in the first-price auction,
    :math:`(v - B)^+ - v/2` in the all-pay auction (vectorised).

    Examples
    --------
    >>> float(single_item_utility(1.0, 0.0))  # doctest: +ELLIPSIS
    0.632...
    >>> round(float(single_item_utility(1.0, 0.3, ALL_PAY)), 12)
    0.2
    """
    v, B = np.asarray(v, dtype=float), np.asarray(B, dtype=float)
    if np.any(v < 0) or np.any(B < 0):
        raise ValueError("values and bids must be non-negative")
    if law.kind == "first-price":
        return np.maximum((1 - E_INV) * v - B, 0.0)
    return np.maximum(v - B, 0.0) - v / 2


# ----------------------------------------------------------------------------- mechanisms
@dataclass(frozen=True)
class Mechanism:
    r"""A sealed-bid multi-unit auction for the smoothness computations.

    Attributes
    ----------
    name : str
    run : callable
        ``run(bids, m) -> (allocation, payments)`` on bids of shape ``(..., n, m)``.
    pay_as_bid : bool
        Whether a bidder's payment depends only on her own bids (discriminatory, first price, all
        pay). Then the allocation of a deviation :math:`t\,d_i` changes only where
        :math:`t\,d_{ij} = \beta^{-i}_{m-j+1}` (:func:`thresholds`), which are its only breakpoints;
        otherwise (uniform price) every ratio of a competing bid to an own direction is one.
    """

    name: str
    run: Callable
    pay_as_bid: bool = True

    def revenue(self, bids, m) -> np.ndarray:
        r""":math:`\mathrm{Rev}(a)`, the total payment (vectorised over leading axes)."""
        return self.run(bids, m)[1].sum(axis=-1)


def _batched(fn):
    def run(bids, m):
        bids = np.asarray(bids, dtype=float)
        lead, (n, k) = bids.shape[:-2], bids.shape[-2:]
        x, p = fn(bids.reshape((-1, n, k)), m)
        return x.reshape(lead + (n,)), p.reshape(lead + (n,))

    return run


def _disc(bids, m):
    out = discriminatory_auction(bids, m)
    return out.allocation, out.payments


def _unif(bids, m):
    out = uniform_price_auction(bids, m)
    return out.allocation, out.payments


def _all_pay(bids, m):
    if m != 1 or bids.shape[-1] != 1:
        raise ValueError("the all-pay auction here sells a single item (m = 1, one bid each)")
    out = discriminatory_auction(bids, 1)
    return out.allocation, bids[..., 0].copy()


#: The formats, by name: the library's auctions (first price is the discriminatory auction with
#: ``m = 1``), and the single-item all-pay auction (everyone pays her bid, the highest bid wins).
MECHANISMS = {
    "discriminatory": Mechanism("discriminatory", _batched(_disc)),
    "uniform-price": Mechanism("uniform-price", _batched(_unif), pay_as_bid=False),
    "first-price": Mechanism("first-price", _batched(_disc)),
    "all-pay": Mechanism("all-pay", _batched(_all_pay)),
}


def _mechanism(mech) -> Mechanism:
    if isinstance(mech, Mechanism):
        return mech
    if mech not in MECHANISMS:
        raise ValueError(f"mechanism must be one of {sorted(MECHANISMS)} or a Mechanism, got {mech!r}")
    return MECHANISMS[mech]


def _profile(values, bids):
    v = validate_marginals(values, name="values")
    a = validate_marginals(bids, name="bids")
    if v.ndim == 2:
        v = v[None]
    if a.ndim == 2:
        a = a[None]
    if v.shape[-2:] != a.shape[-2:]:
        raise ValueError(f"values and bids must have the same (n, m), got {v.shape[-2:]} and {a.shape[-2:]}")
    v, a = np.broadcast_arrays(v, a)
    return v, a


# ----------------------------------------------------------------------------- deviations
def thresholds(bids, agent: int) -> np.ndarray:
    r""":math:`\beta^{-i}_{m-j+1}` for :math:`j = 1, \dots, m`: the bid bidder ``agent``'s :math:`j`-th
    marginal bid must exceed to win in a multi-unit auction (the :math:`(m-j+1)`-th highest
    marginal bid of the others; 0 if there are fewer).

    Parameters
    ----------
    bids : array_like
        Marginal bids ``(n, m)`` or ``(S, n, m)``.
    agent : int

    Returns
    -------
    numpy.ndarray
        Shape ``(m,)`` or ``(S, m)``, non-decreasing in ``j``.

    Examples
    --------
    >>> thresholds([[0, 0], [3, 1], [2, 0]], 0)
    array([2., 3.])
    """
    a = validate_marginals(bids, name="bids")
    n, m = a.shape[-2:]
    if not 0 <= agent < n:
        raise ValueError(f"agent must be in 0..{n - 1}, got {agent}")
    others = np.delete(a, agent, axis=-2).reshape(a.shape[:-2] + (-1,))
    top = -np.sort(-others, axis=-1)
    if top.shape[-1] < m:
        top = np.concatenate([top, np.zeros(top.shape[:-1] + (m - top.shape[-1],))], axis=-1)
    return top[..., :m][..., ::-1]


def optimal_units_directions(values, m=None) -> np.ndarray:
    r"""Deviation directions of Definition 3 for the multi-unit auctions: bidder :math:`i` bids
    :math:`t\,v_{ij}` on the :math:`x^*_i` units she gets in the library's optimal allocation, 0 on
    the rest. Depends on the whole profile (through :math:`x^*`).

    Parameters
    ----------
    values : array_like
        Marginals ``(n, m)`` or ``(S, n, m)``.
    m : int, optional
        Units (default: the number of columns).

    Examples
    --------
    >>> optimal_units_directions([[3, 1], [2, 0]])
    array([[3., 0.],
           [2., 0.]])
    """
    v = validate_marginals(values, name="values")
    m = v.shape[-1] if m is None else int(m)
    x = optimal_allocation(v, m)
    return np.where(np.arange(v.shape[-1]) < x[..., None], v, 0.0)


def all_units_directions(values) -> np.ndarray:
    r"""Deviation directions of Definition 4 (footnote 16): bidder :math:`i` bids :math:`t\,v_{ij}`
    on every unit; depends on :math:`v_i` only."""
    return validate_marginals(values, name="values").copy()


def expected_over_scale(utility_at: Callable, breakpoints, law: ScaleLaw = FIRST_PRICE, check: bool = False):
    r""":math:`\mathbf{E}_t[u(t)]` exactly, for a utility that is affine in :math:`t` between breakpoints.

    Parameters
    ----------
    utility_at : callable
        ``utility_at(t) -> u`` for ``t`` of shape ``(S, P)``, returning shape ``(S, P)``.
    breakpoints : array_like
        Shape ``(S, K)``: the points where the utility may jump or change slope (any order; values
        outside the support are clipped).
    law : ScaleLaw
    check : bool
        Also evaluate the middle of every segment and raise if the utility there is off the line
        through the two sample points (catches a missed breakpoint in the segment's middle third).

    Returns
    -------
    numpy.ndarray
        Shape ``(S,)``.
    """
    bp = np.asarray(breakpoints, dtype=float)
    if bp.ndim != 2:
        raise ValueError(f"breakpoints must have shape (S, K), got {bp.shape}")
    S = bp.shape[0]
    edges = np.sort(
        np.concatenate(
            [np.full((S, 1), law.low), np.clip(bp, law.low, law.high), np.full((S, 1), law.high)], 1
        ),
        axis=1,
    )
    t1, t2 = edges[:, :-1], edges[:, 1:]
    p, q = t1 + (t2 - t1) / 3, t1 + 2 * (t2 - t1) / 3
    u = utility_at(np.concatenate([p, q] + ([(t1 + t2) / 2] if check else []), axis=1))
    K = t1.shape[1]
    up, uq = u[:, :K], u[:, K : 2 * K]
    width = q - p
    slope = np.where(width > 0, (uq - up) / np.where(width > 0, width, 1.0), 0.0)
    intercept = up - slope * p
    if check:
        mid = u[:, 2 * K :]
        err = np.abs(intercept + slope * (t1 + t2) / 2 - mid)
        if np.any(err > 1e-9 * (1 + np.abs(mid))):
            raise ValueError(f"the utility is not affine between breakpoints (error {err.max():.2e})")
    m0, m1 = law.moments(t1, t2)
    return np.sum(intercept * m0 + slope * m1, axis=1)


def deviation_utilities(
    mech, values, bids, directions, law: ScaleLaw = FIRST_PRICE, check=False
) -> np.ndarray:
    r""":math:`\mathbf{E}_t[u_i(\mathcal{M}(t\,d_i, a_{-i}))]` for every bidder, exactly.

    Parameters
    ----------
    mech : str or Mechanism
        A key of :data:`MECHANISMS` or a :class:`Mechanism`.
    values, bids, directions : array_like
        Marginal values :math:`\mathbf{v}`, the action profile :math:`a` and the deviation
        directions :math:`d`, each ``(n, m)`` or ``(S, n, m)`` (broadcast together).
    law : ScaleLaw
    check : bool
        Check affinity between breakpoints (:func:`expected_over_scale`).

    Returns
    -------
    numpy.ndarray
        Shape ``(S, n)``.
    """
    mech = _mechanism(mech)
    v, a = _profile(values, bids)
    d = validate_marginals(directions, name="directions")
    if d.ndim == 2:
        d = d[None]
    v, a, d = np.broadcast_arrays(v, a, d)
    S, n, m = v.shape
    cum = np.concatenate([np.zeros((S, n, 1)), np.cumsum(v, axis=-1)], axis=-1)
    out = np.zeros((S, n))
    for i in range(n):  # a loop over the few agents, vectorised over profiles and segments
        di = d[:, i]
        with np.errstate(divide="ignore", invalid="ignore"):
            if mech.pay_as_bid:  # the j-th bid wins iff t d_ij > beta_{m-j+1}
                bp = np.where(di > 0, thresholds(a, i) / di, 0.0)
            else:  # every comparison of an own bid with a competing one
                comp = np.delete(a, i, axis=1).reshape(S, -1)
                bp = np.where(di[:, None, :] > 0, comp[:, :, None] / di[:, None, :], 0.0).reshape(S, -1)

        def utility_at(t, i=i, di=di):
            P = t.shape[1]
            prof = np.repeat(a[:, None], P, axis=1).copy()  # (S, P, n, m)
            prof[:, :, i] = t[..., None] * di[:, None, :]
            x, pay = mech.run(prof, m)
            value = np.take_along_axis(np.repeat(cum[:, None, i], P, axis=1), x[..., i, None], axis=-1)[
                ..., 0
            ]
            return value - pay[..., i]

        out[:, i] = expected_over_scale(utility_at, bp, law, check)
    return out


@dataclass(frozen=True)
class SlackReport:
    r"""The terms of Definition 3 on a batch of (values, bids) pairs.

    Attributes
    ----------
    utilities : numpy.ndarray
        ``(S, n)``: each bidder's expected deviation utility.
    welfare : numpy.ndarray
        ``(S,)``: :math:`\mathrm{Wel}(\mathbf{v})`.
    revenue : numpy.ndarray
        ``(S,)``: :math:`\mathrm{Rev}(a)`.
    lam, mu : float
    """

    utilities: np.ndarray
    welfare: np.ndarray
    revenue: np.ndarray
    lam: float
    mu: float

    @property
    def deviation_total(self) -> np.ndarray:
        r""":math:`\sum_i \mathbf{E}[u_i(a'_i, a_{-i})]`."""
        return self.utilities.sum(axis=-1)

    @property
    def slack(self) -> np.ndarray:
        r""":math:`\sum_i \mathbf{E}[u_i] - \lambda\,\mathrm{Wel}(\mathbf{v}) + \mu\,\mathrm{Rev}(a)`."""
        return self.deviation_total - self.lam * self.welfare + self.mu * self.revenue

    def relative(self) -> np.ndarray:
        r"""The slack divided by :math:`\mathrm{Wel}(\mathbf{v})` (0 where the welfare is 0)."""
        w = self.welfare
        return np.where(w > 0, self.slack / np.where(w > 0, w, 1.0), 0.0)


def slack(
    mech, values, bids, directions=None, lam=1 - E_INV, mu=1.0, law: ScaleLaw = FIRST_PRICE, check=False
) -> SlackReport:
    r"""The slack of Definition 3 at every (values, bids) pair, computed exactly.

    Parameters
    ----------
    mech : str or Mechanism
    values, bids : array_like
        ``(n, m)`` or ``(S, n, m)``.
    directions : array_like or callable, optional
        The deviation directions, or a function of the values returning them (default:
        :func:`optimal_units_directions`).
    lam, mu : float
        The constants :math:`\lambda > 0`, :math:`\mu \ge 0` to test.
    law : ScaleLaw
    check : bool

    Returns
    -------
    SlackReport
    """
    if not (lam > 0 and mu >= 0):
        raise ValueError(f"need lam > 0 and mu >= 0, got lam={lam}, mu={mu}")
    mech = _mechanism(mech)
    v, a = _profile(values, bids)
    if directions is None:
        directions = optimal_units_directions
    d = directions(v) if callable(directions) else directions
    u = deviation_utilities(mech, v, a, d, law, check)
    return SlackReport(
        u, optimal_welfare(v, v.shape[-1]), mech.revenue(a, v.shape[-1]), float(lam), float(mu)
    )


def discriminatory_closed_form(values, bids, directions=None) -> np.ndarray:
    r"""The discriminatory auction's deviation utilities in closed form (first-price scale law):
    :math:`\sum_{j:\, d_{ij} > 0} ((1 - 1/e)\,v_{ij} - \beta^{-i}_{m-j+1})^+` per bidder, where the
    directions must equal the values on the units they bid on. Shape ``(S, n)``.
    """
    v, a = _profile(values, bids)
    d = optimal_units_directions(v) if directions is None else np.broadcast_to(directions, v.shape)
    if np.any((d > 0) & (np.abs(d - v) > 1e-12)):
        raise ValueError("the closed form needs directions equal to the values where positive")
    out = np.zeros(v.shape[:2])
    for i in range(v.shape[1]):
        beta = thresholds(a, i)
        out[:, i] = np.sum(np.where(d[:, i] > 0, np.maximum((1 - E_INV) * v[:, i] - beta, 0.0), 0.0), axis=-1)
    return out
