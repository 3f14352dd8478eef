"""Hypothesis strategies shared by the library tests (marginal values, bids, step values).

Marginals are drawn from a mix of a few small integers (so that ties, zeros and bids equal to a
reserve are frequent) and arbitrary floats in ``[0, 10]``, then sorted into non-increasing rows.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

#: One marginal value: ties and zeros are common on purpose.
MARGINAL = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
    st.floats(min_value=0.0, max_value=10.0, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)

#: A price or reserve: often equal to one of the tie values above, sometimes arbitrary.
PRICE = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]),
    st.floats(min_value=0.0, max_value=11.0, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)


def non_increasing(arr: np.ndarray) -> np.ndarray:
    """Sort every row (last axis) of ``arr`` from largest to smallest."""
    return -np.sort(-np.asarray(arr, dtype=float), axis=-1)


@st.composite
def marginals(draw, n=None, k=None, batch=None, max_n=4, max_k=5, elements=MARGINAL):
    """A non-negative, non-increasing marginal array of shape ``(n, k)`` or ``(batch, n, k)``.

    ``n`` and ``k`` are drawn in ``1..max_n`` and ``1..max_k`` unless given.
    """
    n = draw(st.integers(1, max_n)) if n is None else n
    k = draw(st.integers(1, max_k)) if k is None else k
    shape = (n, k) if batch is None else (batch, n, k)
    size = int(np.prod(shape))
    flat = draw(st.lists(elements, min_size=size, max_size=size))
    return non_increasing(np.array(flat, dtype=float).reshape(shape))


@st.composite
def step_values(draw, n=None, runs=None, batch=None, max_n=3, max_runs=3, max_count=3):
    """``(levels, counts)`` for a :class:`aftermarkets.StepValues` (levels may be batched)."""
    n = draw(st.integers(1, max_n)) if n is None else n
    runs = draw(st.integers(1, max_runs)) if runs is None else runs
    levels = draw(marginals(n=n, k=runs, batch=batch))
    counts = np.array(
        draw(st.lists(st.integers(0, max_count), min_size=n * runs, max_size=n * runs)), dtype=np.int64
    ).reshape(n, runs)
    return levels, counts


def permutation(n: int):
    """A permutation of ``0..n-1`` as a list."""
    return st.permutations(list(range(n)))


def tied_batch(rng: np.random.Generator, size: int, n: int, k: int, continuous: float = 0.0) -> np.ndarray:
    """A batch ``(size, n, k)`` of non-increasing marginals with many ties, for checking kernels.

    Levels are multiples of 1/2 in ``[1/2, 2]`` (dyadic, so every sum is exact in any order), a
    fraction ``continuous`` of them replaced by uniform draws in ``(0, 2)``; each agent has a
    positive marginal on her first ``d`` units only, ``d`` uniform on ``0..k``, so zero bids and
    profiles with fewer positive marginals than units are frequent.
    """
    levels = rng.integers(1, 5, size=(size, n, k)) / 2
    levels = np.where(rng.random((size, n, k)) < continuous, rng.uniform(0.0, 2.0, (size, n, k)), levels)
    demand = rng.integers(0, k + 1, size=(size, n, 1))
    return non_increasing(np.where(np.arange(k) < demand, levels, 0.0))
