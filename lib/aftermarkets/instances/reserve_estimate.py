r"""Setting the reserve from data (Section 6, Corollary 2): the estimate and its error on Example 1.

The seller does not know :math:`\mathbb{E}[\mathbf v(\mathrm{OPT}(\mathbf v))]`; she sees :math:`N`
independent (historical) valuation profiles and uses the sample mean

.. math::

    \psi_N = \frac1N \sum_{k=1}^N \mathbf v^{(k)}(\mathrm{OPT}(\mathbf v^{(k)})),
    \qquad \text{reserve } p' = \frac{\psi_N}{2m}
    \quad (:func:`reserve_from_samples`).

:math:`\psi_N` is unbiased with variance :math:`\sigma^2/N`, where :math:`\sigma^2` is the variance
of one profile's optimal welfare (exact on Example 1:
:meth:`Example1.optimal_welfare_variance
<aftermarkets.instances.example1.Example1.optimal_welfare_variance>`). Its relative error
:math:`|\psi_N / \mathbb{E}[\mathrm{OPT}] - 1|` decides the guarantees: Corollary 2 needs
:math:`\psi_N \in [(1-\epsilon)\mathbb{E}[\mathrm{OPT}], (1+\epsilon)\mathbb{E}[\mathrm{OPT}]]`
and then promises :math:`\frac{1-\epsilon}{2}` of the optimum.

* exact: the mean and variance; Chebyshev's bound
  :math:`\Pr[|\psi_N/\mu - 1| \le \epsilon] \ge 1 - \sigma^2/(N\epsilon^2\mu^2)`
  (:func:`chebyshev_coverage`); the distribution of one profile's welfare, so the coverage for
  :math:`N = 1` (:func:`one_sample_coverage`, by quadrature over :math:`U`);
* sampled: the distribution of :math:`\psi_N` for :math:`N > 1`, from profiles drawn with
  :meth:`Example1.sample_values <aftermarkets.instances.example1.Example1.sample_values>` and
  valued with the library's :func:`~aftermarkets.optimal_welfare` (:func:`sample_optimal_welfare`),
  grouped into independent non-overlapping blocks of :math:`N` (:func:`block_means`).
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, special

from .._checks import generator, whole_number
from ..allocation import optimal_welfare
from ..montecarlo import Estimate, estimate
from .example1 import Example1, closed_forms_at_price

__all__ = [
    "reserve_from_samples",
    "sample_optimal_welfare",
    "block_means",
    "relative_errors",
    "coverage",
    "chebyshev_coverage",
    "normal_coverage",
    "one_sample_coverage",
    "sample_pools",
    "guarantee_curve",
]


def reserve_from_samples(optimal_welfares, m) -> np.ndarray:
    """The estimated reserve :math:`\\psi_N/(2m)` from sampled optimal welfares (last axis).

    Parameters
    ----------
    optimal_welfares : array_like
        Shape ``(..., N)``: the optimal welfare of each sampled profile.
    m : int
        Number of units.

    Returns
    -------
    numpy.ndarray
        Shape ``(...)``.

    Examples
    --------
    >>> float(reserve_from_samples([6.0, 8.0], 10))
    0.35
    """
    m = whole_number(m, "m", 1)
    w = np.asarray(optimal_welfares, dtype=float)
    if w.ndim == 0 or w.shape[-1] == 0 or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("optimal_welfares must be a non-empty array of finite numbers >= 0")
    return w.mean(axis=-1) / (2 * m)


def sample_optimal_welfare(m, n, seed=None, chunk=250_000) -> np.ndarray:
    """Optimal welfare of ``n`` sampled profiles of Example 1 (the library's greedy optimum).

    Parameters
    ----------
    m : int
        Units of Example 1.
    n : int
        Profiles.
    seed : int, numpy.random.Generator or None
        One generator draws every chunk in turn.
    chunk : int
        Profiles per batch (bounds memory).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``.
    """
    ex = Example1(m)
    n = whole_number(n, "n", 1)
    rng = generator(seed)
    out = np.empty(n)
    for start in range(0, n, int(chunk)):
        size = min(int(chunk), n - start)
        out[start : start + size] = optimal_welfare(ex.sample_values(size, rng), ex.m)
    return out


def block_means(samples, N) -> np.ndarray:
    """Means of consecutive non-overlapping blocks of ``N`` samples: independent copies of
    :math:`\\psi_N` (a trailing partial block is dropped)."""
    N = whole_number(N, "N", 1)
    x = np.asarray(samples, dtype=float)
    k = x.size // N
    if k < 1:
        raise ValueError(f"need at least N = {N} samples, got {x.size}")
    return x[: k * N].reshape(k, N).mean(axis=1)


def relative_errors(samples, N, mean) -> np.ndarray:
    """:math:`|\\psi_N/\\mu - 1|` for each block of ``N`` samples (:func:`block_means`)."""
    return np.abs(block_means(samples, N) / float(mean) - 1.0)


def coverage(samples, N, mean, eps) -> Estimate:
    """Sampled :math:`\\Pr[|\\psi_N/\\mu - 1| \\le \\epsilon]` with its standard error."""
    return estimate((relative_errors(samples, N, mean) <= float(eps)).astype(float))


def _moments(m):
    ex = Example1(m)
    return ex.expected_optimal_welfare(), ex.optimal_welfare_variance()


def chebyshev_coverage(m, N, eps) -> np.ndarray:
    """Chebyshev's lower bound on :math:`\\Pr[|\\psi_N/\\mu - 1| \\le \\epsilon]` for Example 1,
    exact moments: :math:`\\max(0, 1 - \\sigma^2/(N\\epsilon^2\\mu^2))` (vectorised in ``N``, ``eps``)."""
    mu, var = _moments(m)
    N, eps = np.asarray(N, dtype=float), np.asarray(eps, dtype=float)
    return np.maximum(0.0, 1.0 - var / (N * eps**2 * mu**2))


def normal_coverage(m, N, eps) -> np.ndarray:
    """The central-limit approximation :math:`2\\Phi(\\epsilon\\mu\\sqrt N/\\sigma) - 1` (not a bound)."""
    mu, var = _moments(m)
    N, eps = np.asarray(N, dtype=float), np.asarray(eps, dtype=float)
    return 2 * special.ndtr(eps * mu * np.sqrt(N) / np.sqrt(var)) - 1  # ndtr: the normal CDF


def _welfare_cdf(ex: Example1, w: float) -> float:
    """:math:`\\Pr[\\mathrm{Wel}(\\mathbf v) \\le w]` by quadrature over :math:`U` (density 2 on [1, 1.5]).

    Given :math:`U = u`, :math:`\\mathrm{Wel} = 4 + (m-3)z + \\max(u, z)` increases in :math:`z`:
    it is at most ``w`` iff :math:`z \\le (w - 4 - u)/(m-3)` when that is at most :math:`u`, else
    iff :math:`z \\le (w - 4)/(m - 2)`.
    """
    m = ex.m

    def given(u):
        z1 = (w - 4 - u) / (m - 3)
        zstar = z1 if z1 <= u else (w - 4) / (m - 2)
        return 2.0 * float(ex.z.cdf(zstar)) if zstar >= 0 else 0.0

    kink = [u for u in ((w - 4) / (m - 2),) if 1 < u < 1.5]
    return integrate.quad(given, 1.0, 1.5, points=kink or None, epsabs=1e-13, epsrel=1e-12, limit=200)[0]


def one_sample_coverage(m, eps) -> float:
    """Exact :math:`\\Pr[|\\mathrm{Wel}(\\mathbf v)/\\mu - 1| \\le \\epsilon]` for one profile of Example 1
    (:math:`N = 1`; the law of :math:`\\mathrm{Wel}` is continuous).

    Examples
    --------
    >>> 0 < one_sample_coverage(10, 0.1) < 1
    True
    """
    ex = Example1(m)
    eps = float(eps)
    if not (np.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
    mu = ex.expected_optimal_welfare()
    return _welfare_cdf(ex, (1 + eps) * mu) - _welfare_cdf(ex, (1 - eps) * mu)


def sample_pools(ms=(10, 100), n=10**6, seed=60) -> dict:
    """:func:`sample_optimal_welfare` for each ``m`` (seed ``seed + m``): the book's pools of
    sampled optimal welfares, ``{m: array of n}``."""
    return {m: sample_optimal_welfare(m, n, seed=seed + m) for m in ms}


def guarantee_curve(m, pool, Ns, level=0.95) -> tuple:
    """What a regulator gets from ``N`` sampled profiles of Example 1, for each ``N`` in ``Ns``.

    Parameters
    ----------
    m : int
        Units of Example 1.
    pool : array_like
        Sampled optimal welfares (:func:`sample_optimal_welfare`), grouped into blocks of ``N``.
    Ns : sequence of int
        Sample sizes.
    level : float
        Confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        ``(eps, guarantee, delivered)``: the ``level``-quantile :math:`\\epsilon_N` of the relative
        error, Corollary 2's share :math:`\\max(0, (1 - \\epsilon_N)/2)`, and the
        ``(1 - level)``-quantile of the reserve profile's welfare share at the estimated reserve
        (:meth:`Example1.welfare_at_price <aftermarkets.instances.example1.Example1.welfare_at_price>`).
    """
    ex = Example1(m)
    mu = ex.expected_optimal_welfare()
    eps, delivered = [], []
    for N in Ns:
        psi = block_means(pool, N)
        eps.append(np.quantile(np.abs(psi / mu - 1), level))
        wel = closed_forms_at_price(ex.m, reserve_from_samples(psi[:, None], ex.m))["welfare_at_price"]
        delivered.append(np.quantile(wel / mu, 1 - level))
    eps = np.array(eps)
    return eps, np.maximum(0.0, (1 - eps) / 2), np.array(delivered)
