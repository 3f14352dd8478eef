"""Tests of ``aftermarkets.valuations``: validation, the run-length form, the paper's distributions.

Section 2.1.1 of the paper: a valuation has :math:`v_i(0) = 0` and non-negative, non-increasing
marginals. Examples 1 and 2 use the distributions :class:`ExampleOneZ` and
:class:`CappedEqualRevenue`.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats
from strategies import marginals, step_values, tied_batch

import aftermarkets as am
from aftermarkets.valuations import _BLOCK_ENTRIES

# --------------------------------------------------------------------------- validate_marginals


@pytest.mark.parametrize(
    "values, pattern",
    [
        ([[1.0, np.nan]], r"finite; entry \[0, 1\] is nan"),
        ([[3.0, 2.0], [np.inf, 1.0]], r"finite; entry \[1, 0\] is inf"),
        ([[3.0, 2.0], [1.0, -np.inf]], r"finite; entry \[1, 1\] is -inf"),
        ([[2.0, 1.0, 0.0], [1.0, -0.5, -1.0]], r"non-negative; entry \[1, 1\] is -0.5"),
        ([[3.0, 2.0, 2.5]], r"non-increasing.*entry \[0, 2\] = 2.5 exceeds the previous marginal 2.0"),
        ([[[1.0, 1.0]], [[1.0, 2.0]]], r"non-increasing.*entry \[1, 0, 1\] = 2.0"),
        ([[[1.0, 1.0]], [[1.0, np.nan]]], r"finite; entry \[1, 0, 1\]"),
    ],
)
def test_validate_marginals_names_problem_and_index(values, pattern):
    """Each kind of bad entry (NaN, +-inf, negative, increasing marginal) raises a ValueError that
    says what is wrong and names the offending index (Section 2.1.1: finite, non-negative,
    non-increasing marginals)."""
    with pytest.raises(ValueError, match=pattern):
        am.validate_marginals(values)


def test_validate_marginals_reports_the_first_bad_entry():
    """With several bad entries the message names the first one in row-major order."""
    with pytest.raises(ValueError, match=r"non-negative; entry \[0, 2\] is -1.0"):
        am.validate_marginals([[1.0, 1.0, -1.0], [-5.0, -6.0, -7.0]])


def test_validate_marginals_uses_the_given_name():
    """The ``name`` argument appears in the message (``bids`` in the auctions)."""
    with pytest.raises(ValueError, match=r"^bids must be non-negative"):
        am.validate_marginals([[-1.0]], name="bids")


@pytest.mark.parametrize(
    "values, batched",
    [
        (np.ones(3), None),
        (np.ones((2, 2, 2, 2)), None),
        (5.0, None),
        (np.ones((2, 3)), True),
        (np.ones((1, 2, 3)), False),
    ],
)
def test_validate_marginals_rejects_wrong_ndim(values, batched):
    """Arrays that are not (n, K) / (S, n, K), or not the dimensionality ``batched`` asks for,
    raise a ValueError naming the expected and the actual shape."""
    with pytest.raises(ValueError, match=r"must have shape .*got shape"):
        am.validate_marginals(values, batched=batched)


@pytest.mark.parametrize("shape", [(0, 3), (2, 0), (4, 0, 2), (4, 2, 0)])
def test_validate_marginals_rejects_empty(shape):
    """No agents or no units is an error (with the shape in the message)."""
    with pytest.raises(ValueError, match=r"at least one agent and one unit, got shape"):
        am.validate_marginals(np.zeros(shape))


def test_validate_marginals_rejects_non_numbers():
    """Non-numeric input is a ValueError, not a TypeError."""
    with pytest.raises(ValueError, match="array of numbers"):
        am.validate_marginals([["a", "b"]])


@given(marginals(max_n=4, max_k=6))
def test_validate_marginals_accepts_valid_profiles(values):
    """Any finite, non-negative, non-increasing (n, K) array is returned unchanged as float64."""
    out = am.validate_marginals(values)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, values)
    np.testing.assert_array_equal(am.validate_marginals(values, batched=False), values)


@given(st.integers(1, 4).flatmap(lambda s: marginals(batch=s)))
def test_validate_marginals_accepts_valid_batches(values):
    """Any valid (S, n, K) batch is accepted, also when ``batched=True`` is required."""
    np.testing.assert_array_equal(am.validate_marginals(values, batched=True), values)


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 5), st.data())
def test_validate_marginals_fast_check_accepts_exactly_the_valid_arrays(seed, n, k, data):
    """validate_marginals first compares neighbouring marginals and checks the first and last
    columns, block by block of ``_BLOCK_ENTRIES`` marginals; an array passes exactly when every
    entry is finite and non-negative and every row non-increasing (checked entry by entry here),
    and the detailed message is the same as before. Bad entries (NaN, +-inf, negative, an
    increase) are planted at random, in small batches and in batches of several blocks."""
    rng = np.random.default_rng(seed)
    size = data.draw(st.sampled_from([3, 3 * _BLOCK_ENTRIES // (n * k) + 5]))
    arr = tied_batch(rng, size, n, k, continuous=0.5)
    bad = data.draw(st.sampled_from([None, np.nan, np.inf, -np.inf, -0.5, -0.0, "increase"]))
    if bad is not None:
        idx = tuple(int(rng.integers(0, d)) for d in arr.shape)
        arr[idx] = arr[idx] + 3.0 if bad == "increase" else bad
    finite = bool(np.all(np.isfinite(arr)))
    valid = finite and bool(np.all(arr >= 0)) and bool(np.all(np.diff(arr, axis=-1) <= 0))
    if valid:
        assert am.validate_marginals(arr) is arr
    else:
        with pytest.raises(ValueError, match=r"^values must (be finite|be non-negative|have non-increasing)"):
            am.validate_marginals(arr)


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 4), st.data())
def test_units_at_least_matches_masked_count(seed, n, runs, data):
    """units_at_least counts the leading runs (one comparison and an argmin; levels never
    increase) and adds up their counts: the same as summing the counts of every run with level
    >= price and > 0, for scalar prices (negative, 0, on the grid, NaN) and one price per profile."""
    rng = np.random.default_rng(seed)
    levels = tied_batch(rng, 5, n, runs, continuous=0.3)
    counts = rng.integers(0, 4, size=(n, runs))
    if data.draw(st.booleans()):
        counts[:] = 1  # dense marginals take a shortcut
    v = am.StepValues(levels, counts)
    price = data.draw(
        st.one_of(st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0, np.nan]), st.just(rng.integers(0, 5, 5) / 2))
    )
    p = np.asarray(price, dtype=float)[..., None, None]
    expected = np.sum(np.where((levels >= p) & (levels > 0), counts, 0), axis=-1)
    np.testing.assert_array_equal(v.units_at_least(price), expected)
    one = am.StepValues(levels[0], counts).units_at_least(price)  # one profile (a batch of prices)
    np.testing.assert_array_equal(
        one, np.sum(np.where((levels[0] >= p) & (levels[0] > 0), counts, 0), axis=-1)
    )


def test_validate_marginals_converts_integers():
    """Integer input (also with ties and zeros) is converted to float64."""
    out = am.validate_marginals([[3, 3, 0], [1, 0, 0]])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[3.0, 3.0, 0.0], [1.0, 0.0, 0.0]])


# --------------------------------------------------------------------------- StepValues


def _dense_reference(levels, counts, m):
    """Expand run-length marginals by hand (np.repeat per agent), padded / cut to m units."""
    levels = np.asarray(levels, dtype=float)
    out = np.zeros(levels.shape[:-1] + (m,))
    for i in range(counts.shape[0]):
        row = np.repeat(levels[..., i, :], counts[i], axis=-1)[..., :m]
        out[..., i, : row.shape[-1]] = row
    return out


@given(step_values(), st.integers(0, 12))
def test_step_values_dense_matches_run_length_expansion(lc, m):
    """``dense(m)`` repeats level l ``counts[i, l]`` times, pads with zeros, cuts at m."""
    levels, counts = lc
    v = am.StepValues(levels, counts)
    np.testing.assert_array_equal(v.dense(m), _dense_reference(levels, counts, m))


@given(st.one_of(step_values(), st.integers(1, 3).flatmap(lambda s: step_values(batch=s))), st.data())
def test_step_values_methods_agree_with_dense(lc, data):
    """For single profiles and batches, with ``D = dense(m)`` and ``m`` beyond the last run:
    ``value(q)`` equals the cumulative sum of ``D`` up to q (with ``v(0) = 0``), ``marginal(j)``
    equals ``D[..., j-1]``, and ``units_at_least(p)`` (p > 0) counts entries of ``D`` >= p."""
    levels, counts = lc
    v = am.StepValues(levels, counts)
    m = int(counts.sum(axis=-1).max()) + 2
    dense = v.dense(m)
    cum = np.concatenate([np.zeros(dense.shape[:-1] + (1,)), np.cumsum(dense, axis=-1)], axis=-1)
    n = v.n
    for q in range(m + 1):
        np.testing.assert_allclose(v.value(np.full(n, q)), cum[..., q], rtol=1e-12, atol=1e-12)
    q = np.array(data.draw(st.lists(st.integers(0, m), min_size=n, max_size=n)))
    expected = np.take_along_axis(cum, np.broadcast_to(q[:, None], cum.shape[:-1] + (1,)), axis=-1)[..., 0]
    np.testing.assert_allclose(v.value(q), expected, rtol=1e-12, atol=1e-12)
    for j in range(1, m + 1):
        np.testing.assert_array_equal(v.marginal(j), dense[..., j - 1])
    for p in [0.25, 0.5, 1.0, 2.0, 2.5, 3.0, 7.0]:
        np.testing.assert_array_equal(v.units_at_least(p), np.sum(dense >= p, axis=-1))


def test_step_values_docstring_example():
    """Example 1's agent B (marginals 2, z, ..., z): value of 3 units is 2 + 2z."""
    v = am.StepValues([[2.0, 0.3]], [[1, 4]])
    assert v.value([3])[0] == pytest.approx(2.6)
    assert v.units_at_least(0.3)[0] == 5 and v.units_at_least(0.31)[0] == 1
    assert v.marginal(6)[0] == 0.0


@given(marginals(max_n=3, max_k=5))
def test_as_step_values_round_trips_dense(values):
    """``as_step_values`` of a dense (n, K) array expands back to the same array."""
    v = am.as_step_values(values)
    np.testing.assert_array_equal(v.dense(values.shape[-1]), values)
    assert am.as_step_values(v) is v


@pytest.mark.parametrize(
    "levels, counts, pattern",
    [
        ([[2.0, 1.0]], [[1, 2, 3]], r"counts must have shape"),
        ([[2.0, 1.0]], [[1, -2]], r"counts must be non-negative; entry \[0, 1\]"),
        ([[2.0, 1.0]], [[1, 1.5]], r"whole numbers"),
        ([[1.0, 2.0]], [[1, 1]], r"levels must have non-increasing marginals"),
        ([[1.0, np.nan]], [[1, 1]], r"levels must be finite"),
    ],
)
def test_step_values_rejects_bad_input(levels, counts, pattern):
    """Bad levels or counts raise a ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=pattern):
        am.StepValues(levels, counts)


# --------------------------------------------------------------------------- distributions

ONE_Z_MS = [0.75, 1, 2, 5, 50, 1000]


def _distributions():
    return (
        [am.Uniform(), am.Uniform(2.0, 5.0)]
        + [am.ExampleOneZ(m) for m in ONE_Z_MS]
        + [am.CappedEqualRevenue(H) for H in (1.5, 4.0, 100.0)]
    )


DISTS = _distributions()


def _support(d):
    if isinstance(d, am.Uniform):
        return d.low, d.high
    if isinstance(d, am.ExampleOneZ):
        return 0.0, d.top
    return 1.0, d.H


@pytest.mark.parametrize("dist", DISTS, ids=repr)
@given(u=st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True))
def test_ppf_is_generalised_inverse_of_cdf(dist, u):
    """``ppf(u) = inf{x : F(x) >= u}``: ``F(ppf(u)) >= u`` and ``F(x) < u`` just below ``ppf(u)``;
    where F is continuous (everywhere except the atom at H) this is ``F(ppf(u)) = u``."""
    x = float(dist.ppf(u))
    lo, hi = _support(dist)
    assert lo <= x <= hi
    fx = float(dist.cdf(x))
    assert fx >= u - 1e-9
    assert float(dist.cdf(x - 1e-7 * max(1.0, abs(x)))) < u + 1e-9
    atom = isinstance(dist, am.CappedEqualRevenue) and x == dist.H
    if not atom:
        assert fx == pytest.approx(u, abs=1e-9)


def test_ppf_endpoints_and_vectorisation():
    """ppf maps 0 and 1 to the ends of the support and works elementwise on arrays."""
    for dist in DISTS:
        lo, hi = _support(dist)
        out = dist.ppf(np.array([0.0, 0.5, 1.0]))
        assert out.shape == (3,)
        assert out[0] == pytest.approx(lo) and out[2] == pytest.approx(hi)


@pytest.mark.parametrize("dist", [d for d in DISTS if not isinstance(d, am.CappedEqualRevenue)], ids=repr)
def test_samples_follow_cdf_ks(dist):
    """Kolmogorov-Smirnov test of 20000 seeded samples against the cdf (continuous laws):
    the KS distance is below 0.015 (p-value above 1e-3 at this sample size)."""
    x = dist.sample(20_000, seed=12345)
    res = stats.kstest(x, dist.cdf)
    assert res.statistic < 0.015, res
    assert res.pvalue > 1e-3, res


@pytest.mark.parametrize("H", [1.5, 4.0, 100.0])
def test_capped_equal_revenue_samples_atom_and_body(H):
    """Capped equal revenue (Example 2) has an atom 1/H at H, so a plain KS test does not apply:
    the fraction of samples equal to H matches 1/H (binomial test) and the samples below H follow
    the conditional law F(z) / (1 - 1/H) on [1, H) (KS test)."""
    d = am.CappedEqualRevenue(H)
    x = d.sample(20_000, seed=2024)
    at_cap = x == H
    assert stats.binomtest(int(at_cap.sum()), x.size, 1.0 / H).pvalue > 1e-3
    body = x[~at_cap]
    assert body.min() >= 1.0 and body.max() < H
    res = stats.kstest(body, lambda z: d.cdf(z) / (1.0 - 1.0 / H))
    assert res.pvalue > 1e-3, res


def test_sample_is_seeded_and_accepts_generators():
    """Same seed, same samples; a Generator can be passed instead of a seed; shapes are honoured."""
    for dist in DISTS:
        a = dist.sample((3, 4), seed=7)
        assert a.shape == (3, 4)
        np.testing.assert_array_equal(a, dist.sample((3, 4), seed=7))
        np.testing.assert_array_equal(a, dist.sample((3, 4), seed=np.random.default_rng(7)))


def _grid(dist):
    lo, hi = _support(dist)
    special = [lo, hi, lo - 1.0, hi + 1.0, 1.0, (lo + hi) / 2]
    return np.unique(np.concatenate([np.linspace(lo - 0.5, hi + 0.5, 61), special]))


@pytest.mark.parametrize(
    "dist",
    [
        am.Uniform(),
        am.Uniform(2.0, 5.0),
        am.ExampleOneZ(0.75),
        am.ExampleOneZ(3),
        am.ExampleOneZ(1000),
        am.CappedEqualRevenue(4.0),
        am.CappedEqualRevenue(2.5),
    ],
    ids=repr,
)
def test_cdf_sympy_agrees_with_cdf(dist):
    """The sympy CDF evaluates to the numeric CDF at 60+ points across (and beyond) the support,
    including the kinks and the atom at H."""
    sym = dist.cdf_sympy()
    (var,) = sym.free_symbols
    f = sp.lambdify(var, sym, "math")
    xs = _grid(dist)
    np.testing.assert_allclose([float(f(float(x))) for x in xs], dist.cdf(xs), rtol=1e-12, atol=1e-12)


def test_cdf_sympy_symbolic_parameter():
    """With a symbolic m (resp. H) the CDF is continuous at z = 1 and reaches 1 at the top of the
    support, as the paper's F_B (resp. the capped equal-revenue law) must."""
    z = sp.Symbol("z", real=True)
    m = sp.Symbol("m", positive=True)
    F = am.ExampleOneZ(2).cdf_sympy(z, m=m)
    left = sp.limit(F.args[1][0], z, 1)
    right = F.args[2][0].subs(z, 1)
    assert sp.simplify(left - right) == 0
    assert sp.simplify(F.args[2][0].subs(z, 1 + 1 / (2 * m)) - 1) == 0
    H = sp.Symbol("H", positive=True)
    G = am.CappedEqualRevenue(3).cdf_sympy(z, H=H)
    assert sp.simplify(G.args[1][0].subs(z, H) - (1 - 1 / H)) == 0


@pytest.mark.parametrize("dist", DISTS, ids=repr)
def test_mean_is_integral_of_survival(dist):
    """``mean()`` equals the integral of ``1 - F`` over [0, top of support] (scipy quad)."""
    lo, hi = _support(dist)
    brk = sorted({p for p in (1.0, lo) if 0 < p < hi})
    val, err = integrate.quad(lambda z: 1.0 - float(dist.cdf(z)), 0.0, hi, points=brk or None, limit=200)
    assert dist.mean() == pytest.approx(val, rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("m", ONE_Z_MS)
def test_example_one_z_revenue_curve(m):
    """Example 1's F_B: the revenue p(1 - F(p)) is maximised at p = 1 with revenue 1/(2m) (the
    class docstring's claim), checked on a fine grid of prices."""
    d = am.ExampleOneZ(m)
    p = np.union1d(np.linspace(0.0, d.top, 20_001), [1.0])
    rev = p * (1 - d.cdf(p))
    assert rev.max() == pytest.approx(1 / (2 * m), rel=1e-9)
    assert p[np.argmax(rev)] == pytest.approx(1.0, abs=d.top / 20_000)


@pytest.mark.parametrize("H", [1.5, 4.0, 100.0])
def test_capped_equal_revenue_is_equal_revenue(H):
    """Every price p in [1, H] earns p * P(z >= p) = 1 (Example 2)."""
    d = am.CappedEqualRevenue(H)
    p = np.linspace(1.0, H, 101)
    left_limit = np.where(p < H, d.cdf(p), 1.0 - 1.0 / H)  # P(z < p)
    np.testing.assert_allclose(p * (1 - left_limit), 1.0, rtol=1e-12)


@pytest.mark.parametrize(
    "factory, pattern",
    [
        (lambda: am.Uniform(1.0, 1.0), "low < high"),
        (lambda: am.Uniform(2.0, 1.0), "low < high"),
        (lambda: am.Uniform(-1.0, 1.0), "0 <= low"),
        (lambda: am.Uniform(0.0, np.inf), "finite"),
        (lambda: am.Uniform(np.nan, 1.0), "finite"),
        (lambda: am.ExampleOneZ(0.5), "m > 1/2"),
        (lambda: am.ExampleOneZ(-3), "m > 1/2"),
        (lambda: am.ExampleOneZ(np.inf), "finite m"),
        (lambda: am.ExampleOneZ(np.nan), "finite m"),
        (lambda: am.CappedEqualRevenue(1.0), "H > 1"),
        (lambda: am.CappedEqualRevenue(0.5), "H > 1"),
        (lambda: am.CappedEqualRevenue(np.inf), "finite cap"),
        (lambda: am.CappedEqualRevenue(np.nan), "finite cap"),
    ],
)
def test_distributions_reject_bad_parameters(factory, pattern):
    """Out-of-range or non-finite parameters raise a ValueError naming the requirement."""
    with pytest.raises(ValueError, match=pattern):
        factory()


def test_zero_marginals_are_never_demanded():
    """At price 0 a buyer demands only units of positive value, however many zeros are listed:
    dense [[3, 0, 0]], dense [[3]] and a run-length form with nine zero units all demand 1 unit."""
    forms = [
        am.as_step_values([[3.0, 0.0, 0.0]]),
        am.as_step_values([[3.0]]),
        am.StepValues([[3.0, 0.0]], [[1, 9]]),
    ]
    for v in forms:
        np.testing.assert_array_equal(v.units_at_least(0.0), [1])
    for vals in ([[3.0, 0.0, 0.0]], [[3.0]]):
        assert am.posted_price_mechanism(vals, 3, 0.0).allocation.tolist() == [1]
