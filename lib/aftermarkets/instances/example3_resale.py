r"""Example 3 (Section 5.1): the speculator's resale stage after the balanced posted price.

After the posted price, the speculator C holds ``q`` units and posts one take-it-or-leave-it price
in Example 1's resale market (A buys first, then B; :mod:`~aftermarkets.instances.resale`). What she
knows about B's parameter :math:`z \sim F_B` depends on what the posted price revealed: nothing
(``"prior"``), that :math:`z \ge p` (``"above"``: B demanded every unit, survival
:math:`S(x)/S(p)` above the posted price :math:`p`), or that :math:`z < p` (``"below"``: B demanded
one unit, survival :math:`(S(x) - S(p))/(1 - S(p))` below :math:`p`) (:func:`conditional_survival`).

Her revenue-maximising price for a belief (:func:`optimal_resale_given`) is attained at one of
finitely many candidates (:func:`_candidates`): the ends of the pieces of the revenue curve and the
stationary points of every piece, for every belief. The revenue at each candidate is the library's
:func:`~aftermarkets.instances.resale.resale_revenue` with that belief, evaluated exactly, so the
maximiser is exact. :mod:`~aftermarkets.instances.example3` uses these functions for C's purchase.
"""

from __future__ import annotations

import numpy as np

from .._checks import prices
from ..valuations import fb_survival
from .resale import SECOND_UNIT, _sold_counts, resale_revenue

__all__ = ["BELIEFS", "conditional_survival", "optimal_resale_given"]

#: C's possible beliefs about :math:`z` at the resale stage.
BELIEFS = ("prior", "above", "below")
_TOL = 1e-12


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
