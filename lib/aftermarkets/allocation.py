r"""Welfare-optimal allocation of :math:`m` identical units.

With non-increasing marginals the welfare of an allocation :math:`\mathbf{x}` is
:math:`\mathrm{Wel}(\mathbf{v}, \mathbf{x}) = \sum_i v_i(x_i)` and the optimum

.. math::

    \mathrm{Wel}(\mathbf{v}) = \max_{\sum_i x_i \le m} \sum_i v_i(x_i)

is the sum of the :math:`m` largest marginals among all :math:`n \times m` of them (an
exchange argument: any allocation that skips a larger marginal for a smaller one can swap).
The greedy rule below takes marginals from the largest down, never allocates a unit of marginal
value 0 (it adds nothing), and breaks ties towards the lower agent index.
Everything is batched: a leading axis of sampled profiles is handled in one vectorised pass.
"""

from __future__ import annotations

import numpy as np

from ._checks import whole_number
from .valuations import as_step_values

__all__ = ["optimal_allocation", "optimal_welfare", "welfare", "serve_in_order", "feasible_allocations"]


def _check_m(m) -> int:
    return whole_number(m, "m", 0, " of units")


def _greedy_take(levels: np.ndarray, counts: np.ndarray, m: int) -> np.ndarray:
    """Units taken from each run by the greedy rule; shape of ``levels``."""
    shape = levels.shape
    flat = levels.reshape(shape[:-2] + (-1,))
    cnt = np.broadcast_to(counts.reshape(-1), flat.shape)
    order = np.argsort(-flat, axis=-1, kind="stable")
    c_sorted = np.take_along_axis(cnt, order, axis=-1)
    l_sorted = np.take_along_axis(flat, order, axis=-1)
    before = np.cumsum(c_sorted, axis=-1) - c_sorted
    take_sorted = np.clip(m - before, 0, c_sorted) * (l_sorted > 0)
    take = np.empty_like(take_sorted)
    np.put_along_axis(take, order, take_sorted, axis=-1)
    return take.reshape(shape)


def optimal_allocation(values, m) -> np.ndarray:
    """Welfare-maximising allocation of ``m`` identical units (greedy on marginals).

    Parameters
    ----------
    values : array_like or StepValues
        Marginal values, dense ``(n, K)`` / ``(S, n, K)`` or :class:`~aftermarkets.StepValues`.
    m : int
        Number of units, ``m >= 0``.

    Returns
    -------
    numpy.ndarray of int
        Units per agent, shape ``(n,)`` or ``(S, n)``; sums to at most ``m``.

    Examples
    --------
    >>> optimal_allocation([[5, 1, 0], [3, 2, 2]], 3)
    array([1, 2])
    """
    m = _check_m(m)
    v = as_step_values(values)
    return _greedy_take(v.levels, v.counts, m).sum(axis=-1)


def optimal_welfare(values, m) -> np.ndarray:
    r"""Optimal welfare :math:`\mathrm{Wel}(\mathbf{v})`: the sum of the ``m`` largest marginals.

    Parameters
    ----------
    values : array_like or StepValues
        Marginal values, one profile or a batch.
    m : int
        Number of units.

    Returns
    -------
    float or numpy.ndarray
        A float for one profile, shape ``(S,)`` for a batch.

    Examples
    --------
    >>> float(optimal_welfare([[5, 1, 0], [3, 2, 2]], 3))
    10.0
    """
    m = _check_m(m)
    v = as_step_values(values)
    take = _greedy_take(v.levels, v.counts, m)
    return np.sum(v.levels * take, axis=(-2, -1))


def welfare(values, allocation) -> np.ndarray:
    r"""Welfare :math:`\sum_i v_i(x_i)` of a given allocation.

    Parameters
    ----------
    values : array_like or StepValues
        Marginal values, one profile or a batch.
    allocation : array_like of int
        Units per agent, shape broadcastable to ``(n,)`` / ``(S, n)``; non-negative.

    Returns
    -------
    float or numpy.ndarray
    """
    v = as_step_values(values)
    x = np.asarray(allocation)
    if x.shape[-1:] != (v.n,):
        raise ValueError(f"allocation must give one quantity per agent ({v.n}), got shape {x.shape}")
    if np.any(x < 0):
        raise ValueError("allocation must be non-negative")
    return v.value(x).sum(axis=-1)


def serve_in_order(requests, supply, order) -> np.ndarray:
    """Sequential sale while supplies last: agents in ``order`` each take ``min(request, left)``.

    The allocation rule shared by the posted-price mechanism (Section 2.1.2) and take-it-or-leave-it
    resale (the seller's units are the supply).

    Parameters
    ----------
    requests : array_like of int
        Units each agent asks for, shape ``(..., n)``.
    supply : int or array_like of int
        Units available, broadcastable to the batch shape ``(...)``.
    order : sequence of int
        The agents served, in turn; agents not listed get nothing.

    Returns
    -------
    numpy.ndarray of int
        Units each agent gets, shape ``broadcast(requests, supply + (n,))``.

    Examples
    --------
    >>> serve_in_order([3, 2, 4], 4, order=[2, 0, 1])
    array([0, 0, 4])
    """
    req = np.asarray(requests, dtype=np.int64)
    supply = np.asarray(supply, dtype=np.int64)
    got = np.zeros(np.broadcast_shapes(req.shape, supply.shape + req.shape[-1:]), dtype=np.int64)
    left = np.broadcast_to(supply, got.shape[:-1])
    for i in order:  # a loop over the few agents, vectorised over samples
        take = np.minimum(req[..., i], left)
        got[..., i] = take
        left = left - take
    return got


def feasible_allocations(n, m) -> np.ndarray:
    """Every feasible allocation: all ``x`` in ``{0..m}^n`` with ``sum(x) <= m``, one per row.

    Examples
    --------
    >>> feasible_allocations(2, 1)
    array([[0, 0],
           [0, 1],
           [1, 0]])
    """
    n, m = whole_number(n, "n", 1), _check_m(m)
    grid = np.stack(np.meshgrid(*[np.arange(m + 1)] * n, indexing="ij"), axis=-1).reshape(-1, n)
    return grid[grid.sum(axis=1) <= m]
