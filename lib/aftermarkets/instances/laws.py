r"""Atomless value laws on a bounded support, for the single-item chapters (Appendix E).

Theorem 7 of the paper assumes two i.i.d. buyers whose value distribution :math:`F` is atomless,
bounded and has positive density on its support :math:`[\underline v, H]`. A :class:`ValueLaw`
is such a distribution, with

* the CDF :math:`F`, the density :math:`f`, the quantile function :math:`F^{-1}` and a sampler
  (vectorised; the sampler goes through ``numpy.random.default_rng``);
* the CDF as a sympy expression where it has a closed form (uniform and power laws), so that
  equilibria can be derived symbolically;
* fast evaluation on large arrays (:meth:`ValueLaw.cdf_fast`): the CDF tabulated on
  :data:`TABLE_POINTS` points and interpolated linearly, for the quadratures of
  :mod:`.single_item`.

Constructors:

* :func:`uniform` on :math:`[a, b]`, :math:`F(v) = (v - a)/(b - a)`;
* :func:`power` on :math:`[0, 1]`, :math:`F(v) = v^a` (:math:`a = 1` is the uniform law);
* :func:`truncated_normal`, a normal law conditioned on :math:`[a, b]`;
* :func:`beta`, the Beta(:math:`\alpha, \beta`) law on :math:`[0, 1]`.

:func:`expected_max` is the optimal welfare :math:`\mathbb{E}[\max(v_1, v_2)] = H - \int F_1 F_2`
of one item and two independent buyers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy import integrate

from .._checks import generator, probabilities

__all__ = ["ValueLaw", "uniform", "power", "truncated_normal", "beta", "expected_max", "TABLE_POINTS"]

#: Points of the table behind :meth:`ValueLaw.cdf_fast` (interpolation error about 1e-10).
TABLE_POINTS = 40_001

_V = sp.Symbol("v", nonnegative=True)


@dataclass(frozen=True, eq=False)
class ValueLaw:
    """An atomless law on ``[low, high]`` with positive density inside.

    Build one with :func:`uniform`, :func:`power`, :func:`truncated_normal` or :func:`beta`.

    Parameters
    ----------
    name : str
        A short label for tables, e.g. ``"U[0, 1]"``.
    low, high : float
        The support, ``low < high``, both finite.
    dist : scipy.stats frozen distribution
        The law (its support must be ``[low, high]``).
    sympy_cdf : callable, optional
        ``sympy_cdf(v) -> sympy.Expr``, the CDF on the support in closed form.
    fast_cdf : callable, optional
        A cheap vectorised CDF on the support used by :meth:`cdf_fast` instead of the table.
    """

    name: str
    low: float
    high: float
    dist: object = field(repr=False)
    sympy_cdf: Callable | None = field(default=None, repr=False)
    fast_cdf: Callable | None = field(default=None, repr=False)

    def __post_init__(self):
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"a value law needs a bounded support low < high, got [{self.low}, {self.high}]")
        grid = np.linspace(self.low, self.high, TABLE_POINTS)
        table = np.clip(self.dist.cdf(grid), 0.0, 1.0)
        table[0], table[-1] = 0.0, 1.0
        object.__setattr__(self, "_grid", grid)
        object.__setattr__(self, "_table", np.maximum.accumulate(table))

    def cdf(self, v) -> np.ndarray:
        """:math:`F(v)` (0 below the support, 1 above)."""
        v = np.asarray(v, dtype=float)
        return np.where(v <= self.low, 0.0, np.where(v >= self.high, 1.0, self.dist.cdf(v)))

    def cdf_fast(self, v) -> np.ndarray:
        """:math:`F(v)`, cheaply: the law's ``fast_cdf``, or linear interpolation in a table of
        :data:`TABLE_POINTS` equally spaced points."""
        if self.fast_cdf is not None:
            return self.fast_cdf(np.clip(np.asarray(v, dtype=float), self.low, self.high))
        pos = (np.asarray(v, dtype=float) - self.low) * ((TABLE_POINTS - 1) / (self.high - self.low))
        pos = np.clip(pos, 0.0, TABLE_POINTS - 1.0)
        k = np.minimum(pos.astype(np.int64), TABLE_POINTS - 2)
        w = pos - k
        return self._table[k] * (1.0 - w) + self._table[k + 1] * w

    def pdf(self, v) -> np.ndarray:
        """The density :math:`f(v)` (0 outside the support)."""
        v = np.asarray(v, dtype=float)
        inside = (v >= self.low) & (v <= self.high)
        return np.where(inside, self.dist.pdf(np.clip(v, self.low, self.high)), 0.0)

    def ppf(self, u) -> np.ndarray:
        """The quantile function :math:`F^{-1}(u)` for ``u`` in ``[0, 1]``."""
        u = probabilities(u, "ppf needs u")
        return np.clip(self.dist.ppf(u), self.low, self.high)

    def sample(self, size, seed=None) -> np.ndarray:
        """``size`` draws by inversion, with ``numpy.random.default_rng(seed)`` (or a Generator)."""
        return self.ppf(generator(seed).random(size))

    def mean(self) -> float:
        """:math:`\\mathbb{E}[v]`."""
        return float(self.dist.mean())

    def cdf_sympy(self, v=_V) -> sp.Expr:
        """The CDF on the support as a sympy expression in ``v``.

        Raises
        ------
        ValueError
            If the law has no closed form here (truncated normal, Beta).
        """
        if self.sympy_cdf is None:
            raise ValueError(f"the law {self.name} has no closed-form CDF in this library")
        return self.sympy_cdf(v)


def uniform(low: float = 0.0, high: float = 1.0) -> ValueLaw:
    """The uniform law on ``[low, high]``.

    Examples
    --------
    >>> law = uniform(0, 2)
    >>> float(law.cdf(0.5)), law.cdf_sympy()
    (0.25, v/2)
    """
    if not (np.isfinite(low) and np.isfinite(high) and 0 <= low < high):
        raise ValueError(f"uniform needs finite 0 <= low < high, got low={low}, high={high}")
    a, b = sp.nsimplify(low), sp.nsimplify(high)
    name = f"U[{low:g}, {high:g}]"
    cdf = lambda v: (v - a) / (b - a)
    fast = lambda v: (v - low) * (1.0 / (high - low))
    from scipy import stats  # here, not at the top: importing scipy.stats takes a second

    return ValueLaw(name, float(low), float(high), stats.uniform(low, high - low), cdf, fast)


def power(a: float) -> ValueLaw:
    """The power law :math:`F(v) = v^a` on ``[0, 1]`` (``a > 0``; ``a = 1`` is uniform).

    Examples
    --------
    >>> float(power(2).cdf(0.5)), power(2).cdf_sympy(), power(2).name
    (0.25, v**2, 'F(v) = v²')
    """
    if not (np.isfinite(a) and a > 0):
        raise ValueError(f"power needs an exponent a > 0, got {a!r}")
    exponent = sp.nsimplify(a)
    sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    name = f"F(v) = v{format(a, 'g').translate(sup)}" if float(a).is_integer() else f"F(v) = v^{a:g}"
    from scipy import stats  # here, not at the top: importing scipy.stats takes a second

    return ValueLaw(name, 0.0, 1.0, stats.powerlaw(a), lambda v: v**exponent)


def truncated_normal(mean: float, sd: float, low: float, high: float) -> ValueLaw:
    """A normal law with ``mean`` and ``sd``, conditioned on ``[low, high]`` (``0 <= low < high``).

    Examples
    --------
    >>> law = truncated_normal(0.5, 0.2, 0.0, 1.0)
    >>> round(float(law.cdf(0.5)), 12)
    0.5
    """
    if not (np.isfinite(sd) and sd > 0 and np.isfinite(mean)):
        raise ValueError(f"truncated_normal needs a finite mean and sd > 0, got mean={mean!r}, sd={sd!r}")
    if not (np.isfinite(low) and np.isfinite(high) and 0 <= low < high):
        raise ValueError(f"truncated_normal needs finite 0 <= low < high, got low={low}, high={high}")
    from scipy import stats  # here, not at the top: importing scipy.stats takes a second

    dist = stats.truncnorm((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)
    return ValueLaw(f"N({mean:g}, {sd:g}²) on [{low:g}, {high:g}]", float(low), float(high), dist)


def beta(alpha: float, beta_: float) -> ValueLaw:
    """The Beta(``alpha``, ``beta_``) law on ``[0, 1]`` (both parameters positive).

    Examples
    --------
    >>> round(beta(2, 2).mean(), 12)
    0.5
    """
    if not (np.isfinite(alpha) and np.isfinite(beta_) and alpha > 0 and beta_ > 0):
        raise ValueError(f"beta needs positive parameters, got {alpha!r}, {beta_!r}")
    from scipy import stats  # here, not at the top: importing scipy.stats takes a second

    return ValueLaw(f"Beta({alpha:g}, {beta_:g})", 0.0, 1.0, stats.beta(alpha, beta_))


def expected_max(law1: ValueLaw, law2: ValueLaw | None = None) -> float:
    r""":math:`\mathbb{E}[\max(v_1, v_2)]` for independent values (the optimal welfare of one item).

    Computed as :math:`\int_0^{\bar H} (1 - F_1 F_2)` with adaptive quadrature, where
    :math:`\bar H` is the larger upper end.

    Examples
    --------
    >>> round(expected_max(uniform()), 12)  # 2/3
    0.666666666667
    """
    law2 = law1 if law2 is None else law2
    top = max(law1.high, law2.high)
    points = sorted({law1.low, law1.high, law2.low, law2.high} - {0.0, top})
    val, _ = integrate.quad(
        lambda x: 1.0 - float(law1.cdf(x)) * float(law2.cdf(x)), 0.0, top, points=points or None, limit=400
    )
    return float(val)
