"""The kernels of ``benchmarks/bench_kernels.py`` agree with its per-profile references (untimed).

``make bench`` times each vectorised kernel against a plain per-profile Python loop and fails if
they disagree; these tests run the same comparisons, on smaller seeded batches, as part of the
test suite, so that the benchmark's references are themselves checked and a kernel change that
alters an outcome fails here without any timing. The batches are larger than one block of the
kernels (``aftermarkets.allocation._BLOCK_ENTRIES``), so the blockwise path is exercised.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftermarkets import Example1, Example4
from aftermarkets.allocation import _BLOCK_ENTRIES

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_kernels.py"
_spec = importlib.util.spec_from_file_location("bench_kernels", PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

SIZE = 3 * _BLOCK_ENTRIES // (bench.N_AGENTS * bench.M) + 17  # three blocks and a part


@pytest.fixture(scope="module")
def values():
    return bench.batch(seed=5, size=SIZE)


@pytest.mark.parametrize("index", range(8))
def test_kernel_agrees_with_its_reference(values, index):
    """Each kernel of the benchmark (optimal welfare and allocation, the uniform-price and
    discriminatory auctions with and without the reserve 1, the posted price, serve_in_order)
    gives, exactly, on every profile of a seeded batch of more than three blocks, what the
    benchmark's sorted-list reference gives for that profile."""
    name, kernel, ref, data = bench.cases(values)[index]
    expected = bench.run_per_profile(ref, data.tolist())
    assert bench.differences(kernel(data), expected) == [], name


@given(st.integers(0, 2**32 - 1), st.integers(1, 8))
def test_kernels_agree_with_references_on_random_batches(seed, size):
    """The same on small random batches (hypothesis: seed and size), every kernel exactly."""
    values = bench.batch(seed=seed, size=size)
    for name, kernel, ref, data in bench.cases(values):
        expected = bench.run_per_profile(ref, data.tolist())
        assert bench.differences(kernel(data), expected) == [], name


@pytest.mark.parametrize("ex, groups", [(Example1(20), 1), (Example4(0.25, 5), 4)])
def test_simulation_agrees_with_per_profile_reference(ex, groups):
    """Example 1's and Example 4's simulate (auction, resale, welfare, optimum, on 3000 sampled
    profiles) equal the benchmark's per-profile loop on the same draws, to a relative 1e-9 (sums
    of the same continuous numbers in another order)."""
    res = ex.simulate(3000, seed=11)
    kernel = {k: getattr(res, k) for k in bench.SIMULATION_FIELDS}
    expected = bench.ref_simulate(ex, 3000, 11, groups)
    assert bench.differences(kernel, expected, exact=False) == []


def test_differences_detects_a_disagreement(values):
    """The benchmark's check can fail: one changed allocation is reported by name."""
    name, kernel, ref, data = bench.cases(values[:50])[1]
    out = kernel(data)
    out["allocation"] = out["allocation"].copy()
    out["allocation"][3, 0] += 1
    assert bench.differences(out, bench.run_per_profile(ref, data.tolist())) == ["allocation"]
