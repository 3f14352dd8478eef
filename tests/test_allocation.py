"""Tests of ``aftermarkets.allocation``: the welfare-optimal allocation of m identical units.

Section 2.1.1 of the paper: :math:`\\mathrm{Wel}(\\mathbf{v}) = \\max_{\\sum_i x_i \\le m}
\\sum_i v_i(x_i)`. The library computes it greedily; here it is compared with brute force.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import marginals, step_values, tied_batch

import aftermarkets as am
from aftermarkets.allocation import _greedy_take


def _value(values: np.ndarray, i: int, q: int) -> float:
    """v_i(q) from dense marginals by hand (marginals beyond the last column are 0)."""
    return float(np.sum(values[i, :q]))


def _brute_force(values: np.ndarray, m: int):
    """Best welfare over every allocation with x_i in 0..m and sum x_i <= m, by enumeration."""
    n = values.shape[0]
    best = 0.0
    for x in itertools.product(range(m + 1), repeat=n):
        if sum(x) <= m:
            best = max(best, sum(_value(values, i, q) for i, q in enumerate(x)))
    return best


@given(marginals(max_n=3, max_k=6), st.integers(0, 5))
def test_optimal_welfare_equals_brute_force(values, m):
    """Wel(v) (Section 2.1.1) from the greedy rule equals the maximum over all feasible
    allocations found by enumeration (n <= 3, m <= 5, K columns possibly != m)."""
    assert float(am.optimal_welfare(values, m)) == pytest.approx(
        _brute_force(values, m), rel=1e-12, abs=1e-12
    )


@given(marginals(max_n=3, max_k=6), st.integers(0, 5))
def test_optimal_allocation_is_feasible_and_optimal(values, m):
    """The allocation uses at most m units, non-negative integers, attains optimal_welfare, and
    never gives a unit of marginal value 0 (the library's documented convention)."""
    x = am.optimal_allocation(values, m)
    assert x.shape == (values.shape[0],)
    assert np.issubdtype(x.dtype, np.integer)
    assert np.all(x >= 0) and x.sum() <= m
    assert float(am.welfare(values, x)) == pytest.approx(
        float(am.optimal_welfare(values, m)), rel=1e-12, abs=1e-12
    )
    for i, q in enumerate(x):
        if q:
            assert values[i, q - 1] > 0  # the last (smallest) unit given to i has positive value
    # all units are given out unless positive marginals run out
    assert x.sum() == min(m, int(np.sum(values > 0)))


def test_optimal_allocation_docstring_and_ties():
    """Worked example (marginals 5,1 | 3,2,2 with m = 3 gives 1 and 2 units, welfare 10) and the
    tie rule: equal marginals go to the lower agent index first."""
    np.testing.assert_array_equal(am.optimal_allocation([[5, 1, 0], [3, 2, 2]], 3), [1, 2])
    assert float(am.optimal_welfare([[5, 1, 0], [3, 2, 2]], 3)) == 10.0
    np.testing.assert_array_equal(am.optimal_allocation([[1, 1], [1, 1]], 3), [2, 1])
    np.testing.assert_array_equal(am.optimal_allocation([[1, 0], [1, 1]], 2), [1, 1])


@given(st.integers(1, 5).flatmap(lambda s: marginals(batch=s, max_n=3, max_k=5)), st.integers(0, 6))
def test_batched_equals_loop(values, m):
    """A batch (S, n, K) gives the same allocations and welfare as S separate calls."""
    xs = am.optimal_allocation(values, m)
    ws = am.optimal_welfare(values, m)
    assert xs.shape == values.shape[:2] and ws.shape == values.shape[:1]
    for s in range(values.shape[0]):
        np.testing.assert_array_equal(xs[s], am.optimal_allocation(values[s], m))
        assert ws[s] == pytest.approx(float(am.optimal_welfare(values[s], m)), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(am.welfare(values, xs), ws, rtol=1e-12, atol=1e-12)


@given(st.one_of(step_values(), st.integers(1, 3).flatmap(lambda s: step_values(batch=s))), st.integers(0, 8))
def test_step_values_equal_dense(lc, m):
    """StepValues and their dense expansion give the same optimal allocation and welfare (also
    batched), and ``welfare`` agrees on both representations."""
    v = am.StepValues(*lc)
    if m == 0:  # dense(0) has no columns, which validation rejects; check the step form alone
        assert np.all(am.optimal_allocation(v, 0) == 0) and np.all(am.optimal_welfare(v, 0) == 0)
        return
    dense = v.dense(m)
    x_step = am.optimal_allocation(v, m)
    np.testing.assert_array_equal(x_step, am.optimal_allocation(dense, m))
    np.testing.assert_allclose(am.optimal_welfare(v, m), am.optimal_welfare(dense, m), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(am.welfare(v, x_step), am.welfare(dense, x_step), rtol=1e-12, atol=1e-12)


def test_large_step_values_example_one_shape():
    """Run-length form at m = 10**6 (Example 1's agent B: 2 then z repeated m - 1 times) with a
    competitor of value 1.2 per unit: the optimum takes every unit of value 2 and 1.2 first."""
    m = 10**6
    v = am.StepValues([[2.0, 0.3], [1.2, 0.0]], [[1, m - 1], [10, 0]])
    np.testing.assert_array_equal(am.optimal_allocation(v, m), [m - 10, 10])
    assert float(am.optimal_welfare(v, m)) == pytest.approx(2.0 + 0.3 * (m - 11) + 12.0)


def test_m_zero():
    """m = 0: nobody gets anything and the optimal welfare is 0 (batched too)."""
    np.testing.assert_array_equal(am.optimal_allocation([[3, 2], [1, 0]], 0), [0, 0])
    assert float(am.optimal_welfare([[3, 2], [1, 0]], 0)) == 0.0
    np.testing.assert_array_equal(am.optimal_welfare(np.ones((4, 2, 3)), 0), np.zeros(4))


def test_welfare_of_given_allocation():
    """welfare(v, x) = sum_i v_i(x_i), with marginals beyond the last column worth 0."""
    v = [[5.0, 1.0, 0.0], [3.0, 2.0, 2.0]]
    assert float(am.welfare(v, [0, 0])) == 0.0
    assert float(am.welfare(v, [2, 1])) == 9.0
    assert float(am.welfare(v, [7, 3])) == 13.0


@pytest.mark.parametrize("m", [-1, 2.5, np.nan, np.inf, True, None, "3", "three"])
def test_bad_m_raises_value_error(m):
    """m must be a non-negative whole number; anything else (negative, fractional, NaN, inf, a
    bool, None, a string) is a ValueError naming m."""
    with pytest.raises(ValueError, match=r"^m must be a non-negative whole number"):
        am.optimal_allocation([[1.0, 0.5]], m)
    with pytest.raises(ValueError, match=r"^m must be a non-negative whole number"):
        am.optimal_welfare([[1.0, 0.5]], m)


@pytest.mark.parametrize("m", [3, 3.0, np.int64(3)])
def test_whole_number_m_accepted(m):
    """Integral m given as int, float or numpy integer is accepted."""
    assert float(am.optimal_welfare([[1.0, 0.5], [0.7, 0.0]], m)) == pytest.approx(2.2)


@pytest.mark.parametrize(
    "values, pattern",
    [
        ([[1.0, 2.0]], "non-increasing"),
        ([[1.0, np.nan]], "finite"),
        ([[-1.0, -2.0]], "non-negative"),
        ([1.0, 2.0], "shape"),
    ],
)
def test_bad_values_raise_value_error(values, pattern):
    """Invalid marginals are rejected by both functions with validate_marginals' messages."""
    with pytest.raises(ValueError, match=pattern):
        am.optimal_allocation(values, 2)
    with pytest.raises(ValueError, match=pattern):
        am.optimal_welfare(values, 2)


def test_welfare_rejects_bad_allocation():
    """welfare() needs one non-negative quantity per agent."""
    with pytest.raises(ValueError, match="one quantity per agent"):
        am.welfare([[1.0], [2.0]], [1, 1, 1])
    with pytest.raises(ValueError, match="non-negative"):
        am.welfare([[1.0], [2.0]], [1, -1])


# --------------------------------------------------------------------------- vectorised kernels


def sorted_reference(profile: np.ndarray, m: int):
    """One profile by hand: sort (marginal, agent) pairs from the largest marginal down (a stable
    sort, so ties stay in agent, then unit order), take the first m positive ones."""
    ranked = sorted(
        ((float(v), i) for i, row in enumerate(profile) for v in row), key=lambda e: e[0], reverse=True
    )
    x = np.zeros(profile.shape[0], dtype=int)
    welfare = 0.0
    for v, i in ranked[:m]:
        if v > 0:
            x[i] += 1
            welfare += v
    return x, welfare


@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 6),
    st.integers(1, 8),
    st.integers(0, 12),
    st.sampled_from([0.0, 0.3]),
)
def test_batch_kernels_match_sorted_reference_with_ties(seed, n, k, m, continuous):
    """On batches of 40 profiles with many ties, zeros and fewer positive marginals than units, the
    selection kernels (np.partition and per-row counts, no sort) give, profile by profile, the
    allocation of a stable sort of all marginals, ties to the lower agent index (Section 2.1.1's
    greedy optimum); the welfare is exact on dyadic values, else equal to 1e-12."""
    values = tied_batch(np.random.default_rng(seed), 40, n, k, continuous)
    xs, ws = am.optimal_allocation(values, m), am.optimal_welfare(values, m)
    for s in range(len(values)):
        x, w = sorted_reference(values[s], m)
        np.testing.assert_array_equal(xs[s], x)
        if continuous:
            assert ws[s] == pytest.approx(w, rel=1e-12, abs=1e-12)
        else:
            assert ws[s] == w


@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 6), st.integers(0, 10))
def test_dense_kernels_match_run_length_greedy(seed, n, k, m):
    """One-unit runs take the selection kernels; the general run-length greedy (a stable argsort
    of the runs) must give the same allocation and welfare: appending an empty run to every agent
    (count 0) forces the general path on the same marginals."""
    values = tied_batch(np.random.default_rng(seed), 30, n, k, continuous=0.3)
    counts = np.ones((n, k + 1), dtype=int)
    counts[:, -1] = 0
    runs = am.StepValues(np.concatenate([values, np.zeros((30, n, 1))], axis=-1), counts)
    np.testing.assert_array_equal(am.optimal_allocation(values, m), am.optimal_allocation(runs, m))
    welfare = am.optimal_welfare(values, m)
    np.testing.assert_allclose(welfare, am.optimal_welfare(runs, m), rtol=1e-12, atol=1e-12)
    take = _greedy_take(values, np.ones((n, k), dtype=int), m)
    np.testing.assert_array_equal(am.optimal_allocation(values, m), take.sum(axis=-1))


def test_kernels_on_one_agent_and_on_exactly_m_marginals():
    """Edge cases of the selection: a single agent, exactly m marginals in all (n K = m), fewer
    than m, all equal (the lower index takes the tied units), and all zero."""
    np.testing.assert_array_equal(am.optimal_allocation([[3.0, 2.0, 0.0]], 2), [2])
    np.testing.assert_array_equal(am.optimal_allocation([[3.0, 2.0], [1.0, 1.0]], 4), [2, 2])
    np.testing.assert_array_equal(am.optimal_allocation([[3.0, 2.0], [1.0, 0.0]], 5), [2, 1])
    np.testing.assert_array_equal(am.optimal_allocation(np.ones((3, 2)), 3), [2, 1, 0])
    np.testing.assert_array_equal(am.optimal_allocation(np.zeros((2, 3, 2)), 3), np.zeros((2, 3)))
    assert float(am.optimal_welfare([[3.0, 2.0], [1.0, 1.0]], 4)) == 7.0
    assert float(am.optimal_welfare([[3.0, 2.0], [1.0, 1.0]], 3)) == 6.0


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 5), st.integers(0, 7), st.integers(1, 40))
def test_blockwise_kernels_equal_one_block(seed, n, k, m, block):
    """The batched kernels run block by block (``_BLOCK_ENTRIES`` marginals at a time, for the
    cache); with blocks of a few profiles (the last one partial) the outputs of optimal welfare
    and allocation and of both auctions, on a batch of 30 profiles, equal bit for bit
    (values, shapes, dtypes) those of one block holding the whole batch."""
    import aftermarkets.allocation as alloc

    values = tied_batch(np.random.default_rng(seed), 30, n, k, continuous=0.3)
    m_auction = max(m, k)

    def outputs():
        uni = am.uniform_price_auction(values, m_auction, reserve=0.5, priority=list(range(n))[::-1])
        dis = am.discriminatory_auction(values, m_auction, reserve=0.5)
        return [
            am.optimal_welfare(values, m),
            am.optimal_allocation(values, m),
            uni.allocation,
            uni.payments,
            uni.price,
            dis.allocation,
            dis.payments,
        ]

    saved = alloc._BLOCK_ENTRIES
    try:
        alloc._BLOCK_ENTRIES = 10**9
        whole = outputs()
        alloc._BLOCK_ENTRIES = block
        blocked = outputs()
    finally:
        alloc._BLOCK_ENTRIES = saved
    for a, b in zip(whole, blocked):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@given(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(1, 6), st.integers(0, 12), st.booleans())
def test_optimal_welfare_is_the_sum_of_the_m_largest(seed, n, k, m, grid):
    """The selection kernel's welfare is the sum of the m largest marginals of each profile (here
    a full sort): exactly on the dyadic grid (every sum exact whatever the order of the additions),
    to rounding on continuous values (the kernel adds the selected entries in the order the
    selection leaves them). One profile gives a numpy float, as a batch gives an array."""
    values = tied_batch(np.random.default_rng(seed), 40, n, k, continuous=0.0 if grid else 0.7)
    expected = -np.sort(-values.reshape(40, n * k), axis=-1)[:, :m].sum(axis=-1)
    got = am.optimal_welfare(values, m)
    if grid:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)
    one = am.optimal_welfare(values[0], m)
    assert isinstance(one, np.float64) and one == got[0]
