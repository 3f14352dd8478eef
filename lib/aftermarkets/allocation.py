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

How it is computed (the auctions of :mod:`~aftermarkets.auctions` share these kernels). Every
row of marginals is non-increasing, so the greedy rule never needs a full sort: with :math:`t`
the :math:`m`-th largest of the :math:`nK` marginals (one ``np.partition``, :math:`O(nK)` per
profile), agent :math:`i` gets her units of marginal above :math:`t`, then the units left over go
to the marginals equal to :math:`t`, agent by agent in the tie-breaking order. Counting the
entries of a non-increasing row above a threshold is one comparison and one ``argmin``. The
optimal welfare needs no allocation: the same selection puts each profile's :math:`m` largest
marginals first, and they are summed. Run-length marginals with longer runs
(:class:`~aftermarkets.StepValues`) take the greedy rule on their few runs (a stable ``argsort`` of
the runs, then a cumulative count). Batches are processed in blocks
of profiles small enough to stay in cache (:func:`_blockwise`); every profile is computed on its
own, so the blocks change no result.
"""

from __future__ import annotations

import numpy as np

from ._checks import whole_number
from .valuations import _BLOCK_ENTRIES, _leading_count, as_step_values

__all__ = ["optimal_allocation", "optimal_welfare", "welfare", "serve_in_order", "feasible_allocations"]


def _check_m(m) -> int:
    return whole_number(m, "m", 0, " of units")


def _greedy_ranked(levels: np.ndarray, counts: np.ndarray, m: int) -> tuple:
    """The greedy rule on runs, in rank order: ``(order, ranked, take)``, each ``(..., n * L)``.

    The runs are ranked by level (largest first, ties in agent-then-run order: a stable sort);
    ``order`` lists the runs (flattened agent by agent) in rank order, ``ranked`` their levels, and
    ``take`` the units each takes: what is left of ``m`` after the runs ranked before it, up to its
    count. A run of level 0 takes nothing (runs of level 0 rank after every positive run, so no
    positive run's share changes).
    """
    flat = levels.reshape(levels.shape[:-2] + (-1,))
    order = np.argsort(-flat, axis=-1, kind="stable")
    ranked = np.take_along_axis(flat, order, axis=-1)
    c_sorted = counts.reshape(-1)[order] * (ranked > 0)
    left = np.cumsum(c_sorted, axis=-1)
    left -= c_sorted
    np.subtract(m, left, out=left)  # what is left of m for each run, in rank order
    take = np.minimum(np.maximum(left, 0, out=left), c_sorted, out=left)
    return order, ranked, take


def _greedy_take(levels: np.ndarray, counts: np.ndarray, m: int) -> np.ndarray:
    """Units taken from each run by the greedy rule (:func:`_greedy_ranked`); shape of ``levels``."""
    order, _, take_sorted = _greedy_ranked(levels, counts, m)
    take = np.empty_like(take_sorted)
    np.put_along_axis(take, order, take_sorted, axis=-1)
    return take.reshape(levels.shape)


def _blocks(batch: int, entries: int) -> list:
    """Slices cutting ``range(batch)`` (profiles of ``entries`` numbers each) into blocks of about
    ``_BLOCK_ENTRIES`` numbers, at least one profile each. The kernels treat every profile on its
    own, so running them block by block changes no result, only where the data sits (in cache)."""
    step = max(1, _BLOCK_ENTRIES // max(entries, 1))
    return [slice(start, min(start + step, batch)) for start in range(0, batch, step)]


def _blockwise(kernel, arrays: tuple, row_dims: int) -> tuple:
    """``kernel(*blocks)`` on blocks of profiles, outputs concatenated: ``arrays`` share their batch
    shape (all axes but the last ``row_dims``, one profile per entry), ``kernel`` returns a tuple
    of arrays with one leading axis of profiles. One profile (no batch axis) runs at once."""
    batch = arrays[0].shape[:-row_dims] if row_dims else arrays[0].shape
    if len(batch) == 0:
        return kernel(*arrays)
    size = int(np.prod(batch))
    flat = [a.reshape((size,) + a.shape[len(batch) :]) for a in arrays]
    per_profile = int(np.prod(arrays[0].shape[len(batch) :]))
    blocks = _blocks(size, per_profile)
    if len(blocks) <= 1:  # one block (or none): no copies, the kernel's outputs reshaped
        return tuple(out.reshape(batch + out.shape[1:]) for out in kernel(*flat))
    parts = [kernel(*(a[sl] for a in flat)) for sl in blocks]
    return tuple(np.concatenate(out).reshape(batch + out[0].shape[1:]) for out in zip(*parts))


def _select(flat: np.ndarray, m: int) -> np.ndarray:
    """The ``m``-th largest entry of each row of ``flat`` (..., N), ``m >= 1`` (0 if ``N < m``).

    One selection (``ndarray.partition``, :math:`O(N)` per row), never a sort. The entries are
    negated into a new array first (selecting among the negated entries measured faster than among
    the entries), which is then partitioned in place.
    """
    if flat.shape[-1] < m:
        return np.zeros(flat.shape[:-1])
    neg = np.negative(flat)
    neg.partition(m - 1, axis=-1)
    return -neg[..., m - 1]


def _count_at_least(rows: np.ndarray, u: np.ndarray, strict: bool = False) -> np.ndarray:
    """Entries ``>= u`` (``> u`` if ``strict``) in each non-increasing row of ``rows`` (..., n, K)."""
    u = u[..., None, None]
    return _leading_count(rows > u if strict else rows >= u)


def _greedy_counts(rows: np.ndarray, m: int, t: np.ndarray, floor: float, order: np.ndarray) -> tuple:
    """Units per agent when the ``m`` first admissible entries win, entries ranked by value (largest
    first), then by the agent's place in ``order``, then by unit.

    Parameters
    ----------
    rows : numpy.ndarray
        ``(..., n, K)``, every row non-increasing (validated).
    m : int
        Units, ``m >= 1``.
    t : numpy.ndarray
        The ``m``-th largest entry of each profile (0 if there are fewer than ``m``), from
        :func:`_select`.
    floor : float
        Admissible entries are ``> 0`` and ``>= floor``.
    order : sequence of int
        The agents from first to last served on ties (a permutation).

    Returns
    -------
    tuple
        ``(x, admissible, at_least)``: units per agent ``(..., n)``; whether ``t`` is admissible
        ``(...)``; and, where it is, each agent's number of entries ``>= t`` ``(..., n)``.

    Notes
    -----
    If ``t`` is admissible, every entry above ``t`` wins (fewer than ``m`` of them) and the units
    left go to the entries equal to ``t``, agent by agent in ``order`` (:func:`serve_in_order`).
    Otherwise fewer than ``m`` entries are admissible, all above ``t``, and they all win: the
    entries ``>= floor`` if ``floor > 0``, else the positive ones.
    """
    admissible = (t > 0) & (t >= floor)
    u = np.where(admissible, t, floor)
    above = _count_at_least(rows, u, strict=True)
    at_least = _count_at_least(rows, u)
    left = np.maximum(m - above.sum(axis=-1), 0)
    winners = above + serve_in_order(at_least - above, left, order)
    return np.where(admissible[..., None], winners, at_least if floor > 0 else above), admissible, at_least


def _dense_counts(levels: np.ndarray, m: int) -> np.ndarray:
    """The greedy allocation for one-unit runs (dense marginals ``(..., n, K)``)."""
    n, k = levels.shape[-2:]
    if m == 0:
        return np.zeros(levels.shape[:-1], dtype=np.int64)

    def block(rows):
        t = _select(rows.reshape(rows.shape[:-2] + (n * k,)), m)
        return (_greedy_counts(rows, m, t, 0.0, range(n))[0],)

    return _blockwise(block, (levels,), 2)[0]


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
    if v._unit_runs:
        return _dense_counts(v.levels, m)
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
    n, k = v.levels.shape[-2:]
    if not v._unit_runs:  # the levels times the units taken, added in rank order
        _, ranked, take = _greedy_ranked(v.levels, v.counts, m)
        return np.sum(ranked * take, axis=-1)
    if m == 0:
        return np.sum(v.levels * 0, axis=(-2, -1))
    if n * k <= m:  # every positive marginal is taken, and zeros add nothing
        return np.sum(v.levels, axis=(-2, -1))

    def block(rows):
        # one selection puts each profile's m largest marginals first (in some order): their sum
        neg = np.negative(rows.reshape(rows.shape[:-2] + (n * k,)))
        neg.partition(m - 1, axis=-1)
        return (-np.sum(neg[..., :m], axis=-1),)

    return _blockwise(block, (v.levels,), 2)[0]


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
    same = supply.shape == req.shape[:-1]
    got = np.zeros(
        req.shape if same else np.broadcast_shapes(req.shape, supply.shape + req.shape[-1:]), dtype=np.int64
    )
    left = supply if same else np.broadcast_to(supply, got.shape[:-1])
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
