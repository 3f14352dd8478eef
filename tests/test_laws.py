"""Tests of ``aftermarkets.instances.laws``: the atomless value laws of Chapter 6 (Appendix E's
assumptions: bounded support, no atom, positive density) and ``expected_max``, the optimal welfare
of one item (sec-06-footnote23, sec-06-iid)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from aftermarkets.instances import laws

LAWS = [
    laws.uniform(),
    laws.uniform(1, 2),
    laws.power(2),
    laws.power(0.5),
    laws.truncated_normal(0.5, 0.2, 0.0, 1.0),
    laws.truncated_normal(1.0, 0.5, 0.5, 2.0),
    laws.beta(2, 3),
]


@pytest.mark.parametrize("law", LAWS, ids=lambda x: x.name)
def test_cdf_pdf_ppf_are_consistent(law):
    """F goes from 0 to 1 on the support and is non-decreasing; the density integrates to 1 and to
    F; the quantile function inverts F; the fast table agrees with F to 1e-8."""
    v = np.linspace(law.low, law.high, 2001)
    F = law.cdf(v)
    assert F[0] == 0.0 and F[-1] == 1.0 and np.all(np.diff(F) >= 0)
    assert float(law.cdf(law.low - 1)) == 0.0 and float(law.cdf(law.high + 1)) == 1.0
    total, _ = integrate.quad(lambda x: float(law.pdf(x)), law.low, law.high, limit=200)
    assert total == pytest.approx(1.0, abs=1e-8)
    mid = law.low + 0.37 * (law.high - law.low)
    part, _ = integrate.quad(lambda x: float(law.pdf(x)), law.low, mid, limit=200)
    assert part == pytest.approx(float(law.cdf(mid)), abs=1e-8)
    u = np.linspace(0.01, 0.99, 99)
    assert np.allclose(law.cdf(law.ppf(u)), u, atol=1e-9)
    assert np.max(np.abs(law.cdf_fast(v) - F)) < 1e-8
    assert float(law.pdf(law.high + 1)) == 0.0


@pytest.mark.parametrize("law", LAWS, ids=lambda x: x.name)
def test_samples_are_seeded_and_inside_the_support(law):
    """Sampling by inversion with a seed is reproducible, stays in the support, and has the law's mean."""
    a, b = law.sample(50_000, seed=3), law.sample(50_000, seed=3)
    assert np.array_equal(a, b)
    assert a.min() >= law.low and a.max() <= law.high
    assert abs(a.mean() - law.mean()) < 5 * a.std() / np.sqrt(a.size)


def test_sympy_cdfs():
    """The closed forms: (v - a)/(b - a) for the uniform law and v^a for the power law; none for
    the truncated normal or the Beta (ValueError)."""
    v = sp.Symbol("v", nonnegative=True)
    assert sp.simplify(laws.uniform(1, 3).cdf_sympy(v) - (v - 1) / 2) == 0
    assert laws.power(3).cdf_sympy(v) == v**3
    assert laws.power(2).name == "F(v) = v²" and laws.power(0.5).name == "F(v) = v^0.5"
    with pytest.raises(ValueError, match="closed-form"):
        laws.beta(2, 3).cdf_sympy()
    with pytest.raises(ValueError, match="closed-form"):
        laws.truncated_normal(0.5, 0.2, 0, 1).cdf_sympy()


@settings(max_examples=20)
@given(st.floats(min_value=0.2, max_value=6.0))
def test_power_law_table_matches_closed_form(a):
    """For any exponent the tabulated CDF is v^a to 1e-6 (the kink at 0 for a < 1 included)."""
    law = laws.power(a)
    v = np.linspace(0, 1, 1001)
    assert np.max(np.abs(law.cdf_fast(v) - v**a)) < 1e-6


def test_expected_max():
    """E[max] = 2/3 for two U[0, 1] values, 4/5 for F = v^2 (the maximum has CDF v^4), and
    (3a^2 + 1)/(6a) = 13/12 for U[0, 1] against U[0, 2] (sec-06-iid)."""
    assert laws.expected_max(laws.uniform()) == pytest.approx(2 / 3, abs=1e-12)
    assert laws.expected_max(laws.power(2)) == pytest.approx(4 / 5, abs=1e-10)
    assert laws.expected_max(laws.uniform(), laws.uniform(0, 2)) == pytest.approx(13 / 12, abs=1e-10)
    assert laws.expected_max(laws.uniform(1, 2)) == pytest.approx(1 + 2 / 3, abs=1e-10)


@pytest.mark.parametrize(
    "make",
    [
        lambda: laws.uniform(1, 1),
        lambda: laws.uniform(-1, 1),
        lambda: laws.uniform(0, np.inf),
        lambda: laws.power(0),
        lambda: laws.power(-1),
        lambda: laws.truncated_normal(0.5, 0, 0, 1),
        lambda: laws.truncated_normal(0.5, 0.1, 1, 0),
        lambda: laws.beta(0, 1),
    ],
)
def test_bad_parameters_raise(make):
    """Unbounded, empty or negative supports and non-positive parameters are refused."""
    with pytest.raises(ValueError):
        make()
