r"""Monte Carlo estimates with standard errors and confidence intervals.

A simulation of :math:`n` independent profiles estimates a mean :math:`\mu = \mathbb{E}[X]` by
:math:`\bar X` with standard error :math:`s/\sqrt n` (:math:`s` the sample standard deviation);
the normal approximation gives the interval :math:`\bar X \pm z_{(1+\ell)/2}\, s/\sqrt n` at level
:math:`\ell`. A ratio of two means, such as a price of anarchy
:math:`\mathbb{E}[\mathrm{Wel}(\mathbf v)] / \mathbb{E}[\mathrm{Wel}_{\mathrm{eq}}]`, is estimated by
the ratio of the sample means with the delta-method standard error

.. math::

    \operatorname{se}(\bar X / \bar Y)^2 \approx
    \frac{s_X^2 - 2 r\, s_{XY} + r^2 s_Y^2}{n\, \bar Y^2}, \qquad r = \bar X / \bar Y .

A book chapter states an exact value and checks that it lies inside the interval of an
estimate computed by the library's mechanisms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri  # the normal quantile (scipy.stats.norm.ppf, without importing scipy.stats)

__all__ = ["Estimate", "estimate", "ratio_estimate"]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate with its standard error.

    Attributes
    ----------
    mean : float
    se : float
        Standard error of ``mean``.

    Examples
    --------
    >>> e = Estimate(1.0, 0.01)
    >>> [round(x, 4) for x in e.interval(0.95)], e.contains(1.02, 0.95)
    ([0.9804, 1.0196], False)
    """

    mean: float
    se: float

    def interval(self, level: float = 0.99) -> tuple:
        """Normal-approximation confidence interval ``(low, high)`` at ``level`` in (0, 1)."""
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        half = float(ndtri(0.5 + level / 2)) * self.se
        return (self.mean - half, self.mean + half)

    def contains(self, value: float, level: float = 0.99) -> bool:
        """Whether ``value`` lies in the ``level`` confidence interval."""
        lo, hi = self.interval(level)
        return lo <= value <= hi

    def z_score(self, value: float) -> float:
        """How many standard errors ``value`` lies from the estimate, ``(mean - value) / se``."""
        return (self.mean - value) / self.se if self.se > 0 else math.copysign(math.inf, self.mean - value)


def estimate(x) -> Estimate:
    """Sample mean of ``x`` with its standard error (``ddof=1``).

    Parameters
    ----------
    x : array_like
        At least two independent draws.

    Returns
    -------
    Estimate
    """
    x = np.asarray(x, dtype=float).ravel()
    if x.size < 2:
        raise ValueError(f"an estimate needs at least 2 draws, got {x.size}")
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size)))


def ratio_estimate(num, den) -> Estimate:
    """Ratio of means ``mean(num) / mean(den)`` with its delta-method standard error.

    Parameters
    ----------
    num, den : array_like
        Paired draws (same length, at least two).

    Returns
    -------
    Estimate
    """
    num, den = np.asarray(num, dtype=float).ravel(), np.asarray(den, dtype=float).ravel()
    if num.shape != den.shape or num.size < 2:
        raise ValueError(
            f"num and den must be paired draws of equal length >= 2, got {num.size} and {den.size}"
        )
    mn, md = float(num.mean()), float(den.mean())
    r = mn / md
    cov = np.cov(num, den, ddof=1)
    var = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (md * md * num.size)
    return Estimate(r, float(math.sqrt(max(var, 0.0))))
