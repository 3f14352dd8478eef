r"""Simultaneous item auctions with submodular valuations (Section 2.2; Table 1, Appendix A.3).

There are :math:`k` distinct items and :math:`n` bidders; bidder :math:`i` values a bundle
:math:`S \subseteq [k]` at :math:`v_i(S)`, stored by bitmask: ``values[..., i, s]`` is the value of
the bundle whose bit ``j`` is set iff item ``j`` is in it (``values[..., i, 0] = 0``). Valuations are
monotone and *submodular*: :math:`v(S) + v(T) \ge v(S \cap T) + v(S \cup T)`.

Each bidder bids a non-negative amount on every item; each item goes to its highest bidder (ties to
the lower index; a bid of 0 never wins, as in the library's auctions). In the **simultaneous
first-price auction** a bidder pays her winning bids; in the **simultaneous all-pay auction** she
pays all her bids.

**The deviation** behind Table 1's rows for these formats (Syrgkanis and Tardos, 2013): bidder
:math:`i` takes her bundle :math:`S^*_i` in an optimal allocation and its *supporting prices*
:math:`q_{ij}` (the marginal value of item :math:`j` when the items of :math:`S^*_i` are added in
index order; by submodularity :math:`\sum_{j \in T} q_{ij} \le v_i(T)` for :math:`T \subseteq S^*_i`
and :math:`\sum_{j \in S^*_i} q_{ij} = v_i(S^*_i)`), and bids :math:`t\,q_{ij}` on each
:math:`j \in S^*_i` with the scale :math:`t` of :data:`~aftermarkets.smoothness.FIRST_PRICE` or
:data:`~aftermarkets.smoothness.ALL_PAY`. Item by item this is the single-item deviation, which gives
:math:`(1 - 1/e, 1)` and :math:`(1/2, 1)`. :func:`slack` computes Definition 3's slack exactly
(:func:`aftermarkets.smoothness.expected_over_scale`).
"""

from __future__ import annotations

import itertools

import numpy as np

from ._checks import generator, whole_number
from .smoothness import E_INV, FIRST_PRICE, ScaleLaw, SlackReport, expected_over_scale

__all__ = [
    "validate_bundle_values",
    "random_submodular",
    "optimal_assignment",
    "run",
    "supporting_prices",
    "slack",
]

FORMATS = ("first-price", "all-pay")


def _items(values) -> int:
    size = values.shape[-1]
    k = size.bit_length() - 1
    if size < 2 or 1 << k != size:
        raise ValueError(f"bundle values need 2^k columns (one per bundle), got {size}")
    return k


def validate_bundle_values(values) -> np.ndarray:
    """Check bundle values: shape ``(..., n, 2^k)``, finite, ``v(empty) = 0``, monotone, submodular.

    Returns
    -------
    numpy.ndarray
        The values as floats.

    Raises
    ------
    ValueError
        Naming the first property that fails.

    Examples
    --------
    >>> validate_bundle_values([[0, 1, 1, 1.5]]).shape  # two items, v(both) = 1.5
    (1, 4)
    """
    v = np.asarray(values, dtype=float)
    if v.ndim < 2:
        raise ValueError(f"bundle values must have shape (n, 2^k) or (S, n, 2^k), got {v.shape}")
    k = _items(v)
    if not np.all(np.isfinite(v)):
        raise ValueError("bundle values must be finite")
    if np.any(v[..., 0] != 0):
        raise ValueError("the empty bundle must have value 0")
    masks = np.arange(1 << k)
    for j in range(k):
        with_j = masks | (1 << j)
        if np.any(v[..., with_j] < v[..., masks] - 1e-12):
            raise ValueError("bundle values must be monotone (adding an item never lowers the value)")
    for s, t in itertools.combinations(range(1 << k), 2):
        if np.any(v[..., s] + v[..., t] < v[..., s & t] + v[..., s | t] - 1e-12):
            raise ValueError(f"bundle values must be submodular; bundles {s} and {t} violate it")
    return v


def random_submodular(size, n: int, k: int, seed=None, elements: int = 4) -> np.ndarray:
    r"""Random weighted-coverage valuations (monotone and submodular), shape ``(size, n, 2^k)``.

    Bidder :math:`i`'s item :math:`j` covers each of ``elements`` elements with probability 1/2;
    the elements have weights uniform on :math:`[0, 1]`; a bundle is worth the total weight of the
    elements its items cover.
    """
    size, n, k = whole_number(size, "size", 1), whole_number(n, "n", 1), whole_number(k, "k", 1)
    if k > 4:
        raise ValueError("at most 4 items (bundles are enumerated)")
    rng = generator(seed)
    covers = rng.random((size, n, k, elements)) < 0.5
    weights = rng.random((size, n, 1, elements))
    out = np.zeros((size, n, 1 << k))
    for s in range(1, 1 << k):
        items = [j for j in range(k) if s >> j & 1]
        union = covers[:, :, items].any(axis=2)
        out[..., s] = np.sum(union * weights[:, :, 0], axis=-1)
    return out


def _assignments(n, k):
    return np.array(list(itertools.product(range(n), repeat=k)), dtype=np.int64)  # (n^k, k)


def _bundles(assign, n):
    """Bitmask of each bidder's bundle for each assignment, shape ``(A, n)``."""
    k = assign.shape[1]
    return np.stack([np.sum((assign == i) << np.arange(k), axis=1) for i in range(n)], axis=1)


def optimal_assignment(values) -> tuple:
    """The welfare-maximising assignment of the items (all ``n^k`` assignments are compared).

    Returns
    -------
    tuple
        ``(bundles, welfare)``: each bidder's bundle as a bitmask, shape ``(S, n)``, and the optimal
        welfare, shape ``(S,)``.
    """
    v = validate_bundle_values(values)
    v = v[None] if v.ndim == 2 else v
    n, k = v.shape[-2], _items(v)
    B = _bundles(_assignments(n, k), n)  # (A, n)
    idx = np.broadcast_to(B[None, :, :, None], (len(v),) + B.shape + (1,))
    wel = np.sum(
        np.take_along_axis(np.broadcast_to(v[:, None], (len(v), len(B)) + v.shape[1:]), idx, -1)[..., 0], -1
    )
    best = np.argmax(wel, axis=1)
    return B[best], wel[np.arange(len(v)), best]


def run(bids, kind: str = "first-price") -> tuple:
    """The simultaneous auction on item bids of shape ``(..., n, k)``.

    Returns
    -------
    tuple
        ``(bundles, payments)``: each bidder's won bundle (bitmask) and payment, shape ``(..., n)``.
    """
    if kind not in FORMATS:
        raise ValueError(f"kind must be one of {FORMATS}, got {kind!r}")
    b = np.asarray(bids, dtype=float)
    if b.ndim < 2 or np.any(b < 0) or not np.all(np.isfinite(b)):
        raise ValueError("bids must be finite, non-negative, of shape (..., n, k)")
    n, k = b.shape[-2:]
    winner = np.argmax(b, axis=-2)  # (..., k): lowest index among the highest
    sold = np.max(b, axis=-2) > 0
    wins = (winner[..., None, :] == np.arange(n)[:, None]) & sold[..., None, :]  # (..., n, k)
    bundles = np.sum(wins << np.arange(k), axis=-1)
    pay = np.sum(b * wins, axis=-1) if kind == "first-price" else b.sum(axis=-1)
    return bundles, pay


def supporting_prices(values, bundles) -> np.ndarray:
    r"""Supporting prices :math:`q_{ij}` of each bidder's bundle: the marginal value of item
    :math:`j` when the bundle's items are added in index order (0 off the bundle). Shape
    ``(S, n, k)``."""
    v = validate_bundle_values(values)
    v = v[None] if v.ndim == 2 else v
    S, n = v.shape[:2]
    k = _items(v)
    bundles = np.broadcast_to(np.asarray(bundles, dtype=np.int64), (S, n))
    q = np.zeros((S, n, k))
    have = np.zeros((S, n), dtype=np.int64)
    for j in range(k):
        inside = (bundles >> j & 1).astype(bool)
        new = have | (1 << j)
        gain = (
            np.take_along_axis(v, new[..., None], -1)[..., 0]
            - np.take_along_axis(v, have[..., None], -1)[..., 0]
        )
        q[..., j] = np.where(inside, gain, 0.0)
        have = np.where(inside, new, have)
    return q


def slack(
    values, bids, kind: str = "first-price", lam=1 - E_INV, mu=1.0, law: ScaleLaw = FIRST_PRICE, check=False
):
    r"""Definition 3's slack for a simultaneous auction with the supporting-price deviation, exactly.

    Parameters
    ----------
    values : array_like
        Bundle values ``(n, 2^k)`` or ``(S, n, 2^k)``.
    bids : array_like
        Item bids ``(n, k)`` or ``(S, n, k)``.
    kind : {"first-price", "all-pay"}
    lam, mu : float
    law : ScaleLaw
        :data:`~aftermarkets.smoothness.FIRST_PRICE` or :data:`~aftermarkets.smoothness.ALL_PAY`.
    check : bool
        Check that each utility is affine between breakpoints.

    Returns
    -------
    SlackReport
    """
    v = validate_bundle_values(values)
    v = v[None] if v.ndim == 2 else v
    a = np.asarray(bids, dtype=float)
    a = a[None] if a.ndim == 2 else a
    k = _items(v)
    if a.shape[-1] != k or a.shape[-2] != v.shape[-2]:
        raise ValueError(f"bids must have shape (n, k) = {v.shape[-2], k}, got {a.shape[-2:]}")
    lead = np.broadcast_shapes(v.shape[:-1], a.shape[:-1])
    v, a = np.broadcast_to(v, lead + v.shape[-1:]), np.broadcast_to(a, lead + (k,))
    S, n = v.shape[:2]
    opt_bundles, opt = optimal_assignment(v)
    q = supporting_prices(v, opt_bundles)
    u = np.zeros((S, n))
    for i in range(n):
        comp = np.delete(a, i, axis=1)  # (S, n - 1, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            bp = np.where(q[:, None, i] > 0, comp / q[:, None, i], 0.0).reshape(S, -1)

        def utility_at(t, i=i):
            P = t.shape[1]
            prof = np.repeat(a[:, None], P, axis=1).copy()
            prof[:, :, i] = t[..., None] * q[:, None, i]
            won, pay = run(prof, kind)
            value = np.take_along_axis(np.repeat(v[:, None, i], P, axis=1), won[..., i, None], -1)[..., 0]
            return value - pay[..., i]

        u[:, i] = expected_over_scale(utility_at, bp, law, check)
    _, pay = run(a, kind)
    return SlackReport(u, opt, pay.sum(axis=-1), float(lam), float(mu))
