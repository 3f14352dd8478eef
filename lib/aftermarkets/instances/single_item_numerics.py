r"""Numerical helpers of the single-item market (:mod:`.single_item`).

* :func:`best_price`: an elementwise maximiser over an interval by a coarse-to-fine grid, used for
  every optimal take-it-or-leave-it price against a posterior;
* :func:`prefix_where`: cumulative sums of ``weight * (key <= threshold)`` over the cells of a
  quadrature grid, interpolated inside a cell, for many thresholds at once. With the key a resale
  price on the path and the threshold a deviator's value, this integrates the trades she accepts
  over the other agent's value.
"""

from __future__ import annotations

import numpy as np

__all__ = ["best_price", "prefix_where"]


def best_price(objective, low, high, points: int = 13, rounds: int = 6):
    """Maximise ``objective(p)`` over ``p`` in ``[low, high]``, elementwise, by refining a grid.

    Each round evaluates ``points`` equally spaced prices in the current bracket and shrinks the
    bracket to the two grid cells around the best one; after ``rounds`` rounds the bracket is
    ``(high - low) * (2 / (points - 1)) ** rounds`` wide.

    Parameters
    ----------
    objective : callable
        ``objective(p)`` for ``p`` of shape ``low.shape + (points,)``, vectorised.
    low, high : array_like
        Brackets (broadcast together); where ``high <= low`` the answer is ``low``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The maximiser and the maximum, of the brackets' shape.

    Examples
    --------
    >>> p, val = best_price(lambda p: (p - 0.2) * (1 - p), 0.2, 1.0)
    >>> round(float(p), 6), round(float(val), 6)
    (0.6, 0.16)
    """
    lo, hi = np.broadcast_arrays(np.asarray(low, dtype=float), np.asarray(high, dtype=float))
    lo, hi = lo.copy(), np.maximum(hi, lo)
    steps = np.linspace(0.0, 1.0, points)
    for _ in range(rounds):
        cand = lo[..., None] + (hi - lo)[..., None] * steps
        val = objective(cand)
        k = np.argmax(val, axis=-1)
        width = (hi - lo) / (points - 1)
        centre = np.take_along_axis(cand, k[..., None], axis=-1)[..., 0]
        lo, hi = np.maximum(lo, centre - width), np.minimum(hi, centre + width)
    cand = np.stack([lo, hi, (lo + hi) / 2], axis=-1)
    val = objective(cand)
    k = np.argmax(val, axis=-1)[..., None]
    return np.take_along_axis(cand, k, axis=-1)[..., 0], np.take_along_axis(val, k, axis=-1)[..., 0]


def prefix_where(key, weights, thr, positions, block: int = 256):
    """Cumulative sums of ``weight * (key <= thr)`` over cells, at fractional cell positions.

    For each threshold ``thr[n]`` (one per row) and each position ``pos = k + w`` in row ``n`` of
    ``positions[c]``, returns ``sum(weight[l] for l < k if key[l] <= thr[n]) + w * weight[k] *
    (key[k] <= thr[n])``: the cumulative sum interpolated linearly inside cell ``k``, for each
    array of ``weights``.

    Two algorithms, chosen by cost: with many positions per row, a table of all ``K`` cumulative
    sums per row (rows in blocks of ``block``); with few, square-root decomposition (blocks of
    about ``sqrt(K)`` cells, each sorted by ``key``, then a partial block per position).

    Returns ``out[c][w]``: an array of ``positions[c]``'s shape for each weight array.
    """
    K = key.size
    size = int(np.ceil(np.sqrt(K)))
    queries = sum(pos.size for pos in positions)
    if thr.size * K <= queries * size:
        return _prefix_table(key, weights, thr, positions, block)
    nb = -(-K // size)
    kp = np.full(nb * size, np.inf)
    kp[:K] = key
    order = np.argsort(kp.reshape(nb, size), axis=1, kind="stable")
    ks = np.take_along_axis(kp.reshape(nb, size), order, axis=1)
    idx = np.stack([np.searchsorted(ks[b], thr, side="right") for b in range(nb)], axis=-1)
    padded, full = [], []
    for weight in weights:
        wp = np.zeros(nb * size)
        wp[:K] = weight
        sorted_w = np.take_along_axis(wp.reshape(nb, size), order, axis=1)
        cw = np.concatenate([np.zeros((nb, 1)), np.cumsum(sorted_w, axis=1)], axis=1)
        blocks = cw[np.arange(nb), idx]  # (N, nb): weight of each block's cells with key <= thr
        full.append(np.concatenate([np.zeros((thr.size, 1)), np.cumsum(blocks, axis=1)], axis=1))
        padded.append(wp)
    out = []
    for pos in positions:
        rows = np.arange(thr.size).reshape((-1,) + (1,) * (pos.ndim - 1)) * np.ones(pos.shape, dtype=np.int64)
        k = np.clip(np.floor(pos).astype(np.int64), 0, K - 1)
        frac = np.clip(pos - k, 0.0, 1.0)
        first = k // size
        cells = first[..., None] * size + np.arange(size)
        inside = (cells < k[..., None]) & (kp[cells] <= thr[rows][..., None])
        own = key[k] <= thr[rows]
        sums = []
        for f, wp, weight in zip(full, padded, weights):
            partial = np.sum(np.where(inside, wp[cells], 0.0), axis=-1)
            sums.append(f[rows, first] + partial + frac * np.where(own, weight[k], 0.0))
        out.append(sums)
    return out


def _prefix_table(key, weights, thr, positions, block):
    """:func:`_prefix_where` by a table of cumulative sums per row (rows in blocks)."""
    K = key.size
    out = [[np.empty(pos.shape) for _ in weights] for pos in positions]
    for start in range(0, thr.size, block):
        rows = slice(start, start + block)
        ok = key[None, :] <= thr[rows, None]
        tables = [np.cumsum(np.where(ok, w, 0.0), axis=1) for w in weights]
        tables = [np.concatenate([np.zeros((t.shape[0], 1)), t], axis=1) for t in tables]
        for c, pos in enumerate(positions):
            pc = pos[rows]
            k = np.clip(np.floor(pc).astype(np.int64), 0, K - 1)
            frac = np.clip(pc - k, 0.0, 1.0)
            r = np.arange(pc.shape[0]).reshape((-1,) + (1,) * (pc.ndim - 1)) * np.ones(
                pc.shape, dtype=np.int64
            )
            own = ok[r, k]
            for n, (t, w) in enumerate(zip(tables, weights)):
                out[c][n][rows] = t[r, k] + frac * np.where(own, w[k], 0.0)
    return out
