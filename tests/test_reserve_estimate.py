"""Tests of ``aftermarkets.instances.reserve_estimate`` and of Example 1's optimal-welfare variance
(Chapter 5, ``sec-05-estimate``, Corollary 2)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from aftermarkets import Example1
from aftermarkets.instances import reserve_estimate as re_


@pytest.mark.parametrize("m", (4, 10, 100))
def test_variance_matches_sympy_integration(m):
    """sec-05-estimate: Var[Wel] from the closed form equals sympy's integrals of the second moments."""
    M = sp.Integer(m)
    t, u, z = sp.symbols("t u z", positive=True)
    h, c = 1 / (2 * M), 2 * M - 1
    ez = sp.log(2 * M) / c + h**2 / 2
    ez2 = sp.integrate(2 * t / (1 + c * t), (t, 0, 1)) + sp.integrate(2 * t * (1 + h - t), (t, 1, 1 + h))
    emax = sp.Rational(5, 4) + h**3 / 3
    emax2 = sp.integrate(2 * u**2, (u, 1, sp.Rational(3, 2))) + sp.integrate(
        sp.integrate(2 * (z**2 - u**2), (u, 1, z)), (z, 1, 1 + h)
    )
    ezmax = ez * sp.Rational(5, 4) + sp.integrate(sp.integrate(2 * z * (z - u), (u, 1, z)), (z, 1, 1 + h))
    var = (M - 3) ** 2 * (ez2 - ez**2) + (emax2 - emax**2) + 2 * (M - 3) * (ezmax - ez * emax)
    assert Example1(m).optimal_welfare_variance() == pytest.approx(float(var), rel=1e-10)
    assert float(Example1.closed_forms(m)["E_z2"]) == pytest.approx(float(ez2), rel=1e-12)


@pytest.mark.parametrize("m", (5, 50))
def test_variance_and_mean_match_sampling(m):
    """The sampled optimal welfares (library greedy) have the exact mean and variance (5 s.e.)."""
    ex = Example1(m)
    w = re_.sample_optimal_welfare(m, 400_000, seed=m, chunk=100_000)
    n = w.size
    assert abs(w.mean() - ex.expected_optimal_welfare()) < 5 * w.std() / math.sqrt(n)
    # s.e. of the sample variance ~ sqrt((mu4 - s^4) / n)
    mu4 = np.mean((w - w.mean()) ** 4)
    assert abs(w.var() - ex.optimal_welfare_variance()) < 5 * math.sqrt((mu4 - w.var() ** 2) / n)
    assert w.min() >= 5.0  # A's two units and B's first


def test_reserve_from_samples_and_blocks():
    """psi/(2m) along the last axis; blocks are consecutive and non-overlapping."""
    assert float(re_.reserve_from_samples([6.0, 8.0], 10)) == pytest.approx(0.35)
    assert re_.reserve_from_samples(np.array([[6.0, 8.0], [5.0, 5.0]]), 5).tolist() == pytest.approx(
        [0.7, 0.5]
    )
    assert re_.block_means(np.arange(7.0), 3).tolist() == [1.0, 4.0]
    for bad in ([], [1.0, -1.0], [np.nan]):
        with pytest.raises(ValueError):
            re_.reserve_from_samples(bad, 5)
    with pytest.raises(ValueError, match="at least"):
        re_.block_means(np.arange(2.0), 3)


@pytest.mark.parametrize("m", (10, 100))
@pytest.mark.parametrize("eps", (0.05, 0.2, 0.5))
def test_one_sample_coverage_exact_against_sampling(m, eps):
    """sec-05-estimate: the exact N = 1 coverage (quadrature over U) agrees with 10^6 samples."""
    w = re_.sample_optimal_welfare(m, 10**6, seed=7)
    est = re_.coverage(w, 1, Example1(m).expected_optimal_welfare(), eps)
    assert abs(est.z_score(re_.one_sample_coverage(m, eps))) < 5


def test_chebyshev_is_a_lower_bound_and_normal_is_close_for_large_N():
    """sec-05-estimate: sampled coverage >= Chebyshev's bound; for large N the normal approximation is
    within a few points."""
    m = 10
    mu = Example1(m).expected_optimal_welfare()
    w = re_.sample_optimal_welfare(m, 10**6, seed=8)
    for N in (1, 10, 100):
        for eps in (0.05, 0.1, 0.3):
            est = re_.coverage(w, N, mu, eps)
            assert est.mean >= float(re_.chebyshev_coverage(m, N, eps)) - 5 * est.se - 1e-12
    assert abs(re_.coverage(w, 100, mu, 0.05).mean - float(re_.normal_coverage(m, 100, 0.05))) < 0.03


def test_guarantee_curve_definition():
    """sec-05-estimate: eps_N is the 95% quantile of the relative error, the guarantee (1 - eps_N)/2, and the
    delivered share the 5% quantile of welfare_at_price at the estimated reserves."""
    m = 10
    ex = Example1(m)
    mu = ex.expected_optimal_welfare()
    w = re_.sample_optimal_welfare(m, 20_000, seed=9)
    eps, guarantee, delivered = re_.guarantee_curve(m, w, (1, 20))
    psi = re_.block_means(w, 20)
    assert eps[1] == pytest.approx(np.quantile(np.abs(psi / mu - 1), 0.95))
    assert guarantee.tolist() == pytest.approx(np.maximum(0, (1 - eps) / 2).tolist())
    shares = [ex.welfare_at_price(x / (2 * m)) / mu for x in psi]
    assert delivered[1] == pytest.approx(np.quantile(shares, 0.05), rel=1e-12)


def test_one_sample_coverage_rejects_bad_eps():
    with pytest.raises(ValueError, match="eps"):
        re_.one_sample_coverage(10, -0.1)
