r"""Valuations: marginal values for identical units, and the paper's distributions.

Buyer :math:`i` has a valuation :math:`v_i:\{0,\dots,m\}\to\mathbb{R}_{\ge 0}` with
:math:`v_i(0)=0` and non-increasing marginals (Section 2.1.1 of the paper)

.. math::

    v_i(j) - v_i(j-1) \ge v_i(j+1) - v_i(j) \ge 0 .

A valuation is stored by its marginals. Two equivalent representations are accepted
everywhere in the library:

* a **dense** array of shape ``(n, K)`` (one profile) or ``(S, n, K)`` (a batch of ``S``
  sampled profiles): entry ``[i, j]`` is agent ``i``'s marginal value for her ``(j+1)``-th
  unit; marginals beyond column ``K`` are zero;
* a :class:`StepValues`, the run-length form: ``levels[..., i, l]`` is repeated
  ``counts[i, l]`` times. Example 1's agent B has marginals ``2, z, z, ..., z`` (m - 1 copies
  of ``z``): two levels instead of ``m`` columns, so a batch of a million profiles at
  ``m = 1000`` costs a few megabytes instead of twenty-four gigabytes.

Validation (:func:`validate_marginals`) raises a :class:`ValueError` that names the first bad
entry and says what is expected.

Distributions (each with a vectorised inverse-CDF sampler, a numeric CDF and the CDF as a sympy
expression):

* :class:`Uniform` on :math:`[a, b]`;
* :class:`ExampleOneZ` — Example 1's :math:`F_B` for ``m`` units,
  :math:`F_B(z) = 1 - \frac{1}{1+(2m-1)z}` on :math:`[0,1)` and
  :math:`F_B(z) = z - \frac{1}{2m}` on :math:`[1, 1+\frac{1}{2m}]`;
* :class:`CappedEqualRevenue` — Example 2's equal-revenue distribution capped at ``H``,
  :math:`F(z) = (z-1)/z` on :math:`[1, H)` and an atom of mass :math:`1/H` at :math:`H`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ._checks import generator, probabilities

#: Default real symbols of the ``cdf_sympy`` methods.
_X, _Z = sp.Symbol("x", real=True), sp.Symbol("z", real=True)
#: The smallest positive float: ``x >= _TINY`` is ``x > 0`` for every float ``x``.
_TINY = float(np.nextafter(0.0, 1.0))

__all__ = [
    "validate_marginals",
    "StepValues",
    "as_step_values",
    "Uniform",
    "ExampleOneZ",
    "CappedEqualRevenue",
    "fb_survival",
    "fb_tail_integral",
]


def _where(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


#: Entries (marginals) per block of profiles in the batched kernels: a block of floats, with the
#: boolean masks made from it, stays in a core's cache (512 KiB of L2 on the benchmark machine).
_BLOCK_ENTRIES = 2**16


def _valid(arr: np.ndarray) -> bool:
    """Whether every entry is finite and non-negative and every row non-increasing.

    A row that never increases (a comparison with NaN is false) lies between its first entry and
    its last, so it only remains to check that the first is finite and the last non-negative.
    The rows are checked a block of about ``_BLOCK_ENTRIES`` entries at a time, so that the ends
    of the rows are read while their block is in cache (read from memory, every first and last
    entry is a cache line of its own). :func:`validate_marginals` then looks for the first
    offending entry only when this fails.
    """
    k = arr.shape[-1]
    rows = arr.reshape(-1, k)
    step = max(1, _BLOCK_ENTRIES // k)
    ok = np.empty(min(step, len(rows)) * k, dtype=bool)
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        if k > 1:  # one long comparison along the block, the ends of its rows ignored
            flat = block.reshape(-1)
            cmp = np.less_equal(flat[1:], flat[:-1], out=ok[: flat.size - 1])
            cmp[k - 1 :: k] = True
            if not cmp.all():
                return False
        if not (block[:, -1].min() >= 0 and block[:, 0].max() < np.inf):
            return False
    return True


def _leading_count(mask: np.ndarray) -> np.ndarray:
    """Number of leading ``True`` entries along the last axis, for masks whose ``True`` entries
    come first (such as ``row >= x`` on a non-increasing row): one ``argmin`` instead of a sum.

    Examples
    --------
    >>> _leading_count(np.array([[True, True, False], [True, True, True], [False, False, False]]))
    array([2, 3, 0])
    """
    first_false = np.argmin(mask, axis=-1)  # 0 when the row is all True or all False
    return np.where(mask[..., -1], mask.shape[-1], first_false)


def validate_marginals(values, *, name: str = "values", batched: bool | None = None) -> np.ndarray:
    """Check and return marginal values as a float array.

    Parameters
    ----------
    values : array_like
        Marginal values, shape ``(n, K)`` for one profile or ``(S, n, K)`` for a batch.
    name : str, optional
        What the array is called in error messages (``"bids"``, ``"values"``, ...).
    batched : bool or None, optional
        ``True`` requires 3 dimensions, ``False`` requires 2, ``None`` accepts either.

    Returns
    -------
    numpy.ndarray
        ``values`` as a float64 array (a copy only when a conversion was needed).

    Raises
    ------
    ValueError
        If the array has the wrong number of dimensions or no agents or units, contains NaN or
        infinite entries, a negative entry, or a marginal that increases along a row. The
        message names the first offending index.
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers, got {type(values).__name__}") from exc
    allowed = {True: (3,), False: (2,), None: (2, 3)}[batched]
    if arr.ndim not in allowed:
        shapes = " or ".join({2: "(n, K)", 3: "(S, n, K)"}[d] for d in allowed)
        raise ValueError(f"{name} must have shape {shapes} (agents x marginal units), got shape {arr.shape}")
    if arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ValueError(f"{name} needs at least one agent and one unit, got shape {arr.shape}")
    if _valid(arr):
        return arr
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = np.argwhere(bad)[0]
        raise ValueError(f"{name} must be finite; entry {_where(idx)} is {arr[tuple(idx)]}")
    neg = arr < 0
    if neg.any():
        idx = np.argwhere(neg)[0]
        raise ValueError(f"{name} must be non-negative; entry {_where(idx)} is {arr[tuple(idx)]}")
    inc = np.diff(arr, axis=-1) > 0
    if inc.any():
        idx = np.argwhere(inc)[0]
        nxt = tuple(idx[:-1]) + (idx[-1] + 1,)
        raise ValueError(
            f"{name} must have non-increasing marginals along each row; entry {_where(nxt)} = "
            f"{arr[nxt]} exceeds the previous marginal {arr[tuple(idx)]}"
        )
    return arr


@dataclass(frozen=True)
class StepValues:
    r"""Marginal values in run-length form.

    Agent ``i``'s marginal for her ``j``-th unit is ``levels[..., i, l]`` where ``l`` is the run
    containing ``j``: the first ``counts[i, 0]`` units have marginal ``levels[..., i, 0]``, the
    next ``counts[i, 1]`` units ``levels[..., i, 1]``, and so on; units beyond
    ``counts[i].sum()`` have marginal 0.

    Parameters
    ----------
    levels : array_like
        Shape ``(n, L)`` or ``(S, n, L)``; finite, non-negative, non-increasing along the last axis.
    counts : array_like of int
        Shape ``(n, L)``, non-negative integers, shared by every profile of a batch.

    Examples
    --------
    Example 1's agent B with ``z = 0.3`` and ``m = 5`` (marginals 2, 0.3, 0.3, 0.3, 0.3):

    >>> v = StepValues([[2.0, 0.3]], [[1, 4]])
    >>> v.dense(5)
    array([[2. , 0.3, 0.3, 0.3, 0.3]])
    >>> float(v.value([3])[0])
    2.6
    """

    levels: np.ndarray
    counts: np.ndarray

    def __post_init__(self):
        levels = validate_marginals(self.levels, name="levels")
        counts = np.asarray(self.counts)
        if counts.shape != levels.shape[-2:]:
            want = levels.shape[-2:]
            raise ValueError(f"counts must have shape {want} (agents x runs), got {counts.shape}")
        if counts.size and (not np.all(np.isfinite(counts)) or np.any(counts != np.round(counts))):
            raise ValueError("counts must be whole numbers of units")
        if np.any(counts < 0):
            idx = np.argwhere(counts < 0)[0]
            raise ValueError(f"counts must be non-negative; entry {_where(idx)} is {counts[tuple(idx)]}")
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "counts", counts.astype(np.int64))

    @classmethod
    def _checked(cls, levels: np.ndarray, counts: np.ndarray) -> StepValues:
        """Build from levels already returned by :func:`validate_marginals` and int64 counts of
        the right shape, without checking them a second time."""
        self = object.__new__(cls)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "counts", counts)
        return self

    @functools.cached_property
    def _unit_runs(self) -> bool:
        """Whether every run is one unit long (dense marginals, as :func:`as_step_values` makes)."""
        return bool(np.all(self.counts == 1))

    @functools.cached_property
    def _run_starts(self) -> np.ndarray:
        """``(n, L + 1)``: the units before each run, then each agent's total (computed once; the
        levels and counts of a :class:`StepValues` are never changed after it is made)."""
        zero = np.zeros(self.counts.shape[:-1] + (1,), dtype=np.int64)
        return np.concatenate([zero, np.cumsum(self.counts, axis=-1)], axis=-1)

    @property
    def n(self) -> int:
        """Number of agents."""
        return self.levels.shape[-2]

    @property
    def batch_shape(self) -> tuple:
        """Leading batch shape: ``()`` for one profile, ``(S,)`` for a batch."""
        return self.levels.shape[:-2]

    def units_at_least(self, price) -> np.ndarray:
        """Number of units each agent values at ``price`` or more (and above zero).

        Units of marginal value 0 are never counted, so the answer does not depend on how many
        zero marginals happen to be listed (a buyer does not demand a worthless unit, even at
        price 0; this matches the auctions' rule that zero bids never win).

        Parameters
        ----------
        price : float or array_like
            Per-unit price, scalar or broadcastable to the batch shape.

        Returns
        -------
        numpy.ndarray of int
            Shape ``batch_shape + (n,)``.
        """
        p = np.asarray(price, dtype=float)
        # ">= p and > 0" is ">= p" for p > 0 and ">= the smallest positive float" for p <= 0
        floor = np.where(p <= 0, _TINY, p)[..., None, None]
        runs = _leading_count(self.levels >= floor)  # levels never increase: wanted runs lead
        if self._unit_runs:
            return runs
        ends = self._run_starts
        if runs.ndim == 1:  # one profile
            return ends[np.arange(len(runs)), runs]
        if runs.shape != ends.shape[:-1]:  # a batch: every profile has the same runs
            ends = np.broadcast_to(ends, runs.shape + ends.shape[-1:])
        return np.take_along_axis(ends, runs[..., None], axis=-1)[..., 0]

    def value(self, quantity) -> np.ndarray:
        r"""Total value :math:`v_i(x_i)` of holding ``quantity[..., i]`` units.

        Parameters
        ----------
        quantity : array_like of int
            Shape broadcastable to ``batch_shape + (n,)``.

        Returns
        -------
        numpy.ndarray
            Shape ``batch_shape + (n,)``.
        """
        q = np.asarray(quantity)
        start = self._run_starts[..., :-1]  # units before each run
        used = np.minimum(np.maximum(q[..., None] - start, 0), self.counts)
        return np.sum(self.levels * used, axis=-1)

    def marginal(self, j) -> np.ndarray:
        """Marginal value of each agent's ``j``-th unit (1-based), shape ``batch_shape + (n,)``."""
        j = np.asarray(j)
        end = np.cumsum(self.counts, axis=-1)
        inside = j[..., None] <= end
        run = np.argmax(inside, axis=-1)
        lev = np.take_along_axis(
            self.levels, np.broadcast_to(run[..., None], self.levels.shape[:-1] + (1,)), axis=-1
        )[..., 0]
        return np.where(inside.any(axis=-1), lev, 0.0)

    def dense(self, m: int) -> np.ndarray:
        """Expand to a dense ``batch_shape + (n, m)`` array of marginals (small ``m`` only)."""
        units = np.arange(1, m + 1)
        return (
            np.stack([self.marginal(j) for j in units], axis=-1)
            if m
            else np.zeros(self.batch_shape + (self.n, 0))
        )


def as_step_values(values) -> StepValues:
    """Return ``values`` as :class:`StepValues` (dense arrays become runs of length one).

    Parameters
    ----------
    values : array_like or StepValues
        Dense marginals of shape ``(n, K)`` / ``(S, n, K)``, or a :class:`StepValues`.

    Returns
    -------
    StepValues
    """
    if isinstance(values, StepValues):
        return values
    arr = validate_marginals(values)
    return StepValues._checked(arr, np.ones(arr.shape[-2:], dtype=np.int64))


@dataclass(frozen=True)
class Uniform:
    """Uniform distribution on ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Finite bounds with ``0 <= low < high``.
    """

    low: float = 0.0
    high: float = 1.0

    def __post_init__(self):
        if not (np.isfinite(self.low) and np.isfinite(self.high) and 0 <= self.low < self.high):
            raise ValueError(f"Uniform needs finite 0 <= low < high, got low={self.low}, high={self.high}")

    def sample(self, size, seed=None) -> np.ndarray:
        """Draw ``size`` samples with ``numpy.random.default_rng(seed)`` (or a Generator)."""
        return generator(seed).uniform(self.low, self.high, size)

    def ppf(self, u) -> np.ndarray:
        """Inverse CDF at ``u`` in ``[0, 1]``."""
        return self.low + (self.high - self.low) * probabilities(u, "ppf needs u")

    def cdf(self, x) -> np.ndarray:
        """CDF at ``x`` (vectorised)."""
        return np.clip((np.asarray(x, dtype=float) - self.low) / (self.high - self.low), 0.0, 1.0)

    def survival(self, x) -> np.ndarray:
        r""":math:`\Pr[X \ge x]` (vectorised)."""
        return np.clip((self.high - np.asarray(x, dtype=float)) / (self.high - self.low), 0.0, 1.0)

    def cdf_sympy(self, x=_X) -> sp.Expr:
        """The CDF as a sympy ``Piecewise`` in ``x``."""
        a, b = sp.nsimplify(self.low), sp.nsimplify(self.high)
        return sp.Piecewise((0, x < a), ((x - a) / (b - a), x <= b), (1, True))

    def mean(self) -> float:
        """Expectation."""
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class ExampleOneZ:
    r"""Example 1's distribution :math:`F_B` of :math:`z_B` for ``m`` units.

    .. math::

        F_B(z) = \begin{cases} 1 - \dfrac{1}{1 + (2m-1) z} & 0 \le z < 1, \\[4pt]
                 z - \dfrac{1}{2m} & 1 \le z \le 1 + \dfrac{1}{2m}. \end{cases}

    It is continuous (both pieces equal :math:`1 - 1/(2m)` at 1), has no atom, and its unique
    revenue-maximising price is 1 with revenue :math:`1/(2m)`. Example 4 uses the same law with
    ``m`` replaced by ``m / k``; ``m`` may be any real number above 1/2 here.

    Parameters
    ----------
    m : float
        The number of units the distribution is tuned to (``m > 1/2``).
    """

    m: float

    def __post_init__(self):
        if not (np.isfinite(self.m) and self.m > 0.5):
            raise ValueError(f"ExampleOneZ needs a finite m > 1/2, got m={self.m}")

    @property
    def top(self) -> float:
        """Upper end of the support, :math:`1 + 1/(2m)`."""
        return 1.0 + 1.0 / (2 * self.m)

    def ppf(self, u) -> np.ndarray:
        """Inverse CDF at ``u`` in ``[0, 1]`` (vectorised)."""
        u = probabilities(u, "ppf needs u")
        knee = 1.0 - 1.0 / (2 * self.m)
        with np.errstate(divide="ignore", invalid="ignore"):
            low = (1.0 / (1.0 - u) - 1.0) / (2 * self.m - 1)
        return np.where(u < knee, low, u + 1.0 / (2 * self.m))

    def sample(self, size, seed=None) -> np.ndarray:
        """Draw ``size`` samples by inversion with ``numpy.random.default_rng(seed)``."""
        return self.ppf(generator(seed).random(size))

    def survival(self, p) -> np.ndarray:
        r""":math:`S(p) = \Pr[z \ge p] = 1 - F_B(p)` (vectorised; no atom, so also :math:`\Pr[z > p]`).

        :math:`1/(1 + (2m-1)p)` on :math:`[0, 1)`, :math:`1 + \frac{1}{2m} - p` on
        :math:`[1, 1 + \frac{1}{2m}]`, 1 below 0 and 0 above the support.
        """
        return fb_survival(self.m, p)

    def cdf(self, z) -> np.ndarray:
        """CDF at ``z`` (vectorised): ``1 - survival(z)``."""
        return 1.0 - self.survival(z)

    def tail_integral(self, p) -> np.ndarray:
        r""":math:`\int_p^\infty S(t)\,dt`, so that :math:`\mathbb{E}[z\,\mathbf{1}\{z \ge p\}] = p\,S(p) +`
        this, and ``tail_integral(0)`` is :math:`\mathbb{E}[z]` (vectorised, ``p >= 0``)."""
        return fb_tail_integral(self.m, p)

    def cdf_sympy(self, z=_Z, m=None) -> sp.Expr:
        """The CDF as a sympy ``Piecewise``; pass a symbol as ``m`` to keep it symbolic."""
        m = sp.nsimplify(self.m) if m is None else m
        return sp.Piecewise(
            (0, z < 0),
            (1 - 1 / (1 + (2 * m - 1) * z), z < 1),
            (z - 1 / (2 * m), z <= 1 + 1 / (2 * m)),
            (1, True),
        )

    @staticmethod
    def mean_sympy(m) -> sp.Expr:
        r""":math:`\mathbb{E}[z] = \frac{\ln 2m}{2m-1} + \frac{1}{8m^2}` as a sympy expression in ``m``.

        The integral of :math:`1 - F_B`: :math:`\int_0^1 \frac{dz}{1 + (2m-1)z} = \frac{\ln 2m}{2m-1}`
        plus :math:`\int_1^{1 + h} (1 + h - z)\,dz = h^2/2` with :math:`h = 1/(2m)`.
        """
        return sp.log(2 * m) / (2 * m - 1) + 1 / (8 * m**2)

    def mean(self) -> float:
        r""":math:`\mathbb{E}[z]`, the float value of :meth:`mean_sympy`."""
        return float(_fb_mean()(self.m))


def fb_survival(m, p) -> np.ndarray:
    r""":math:`S(p) = \Pr[z \ge p]` for :math:`z \sim F_B` with parameter ``m``, vectorised in both
    ``m`` and ``p`` (broadcast together; ``m > 1/2`` is not checked here: :class:`ExampleOneZ`
    checks it and calls this function).

    :math:`1/(1 + (2m-1)p)` on :math:`[0, 1)`, :math:`1 + \frac{1}{2m} - p` on
    :math:`[1, 1 + \frac{1}{2m}]`, 1 below 0 and 0 above the support.

    Examples
    --------
    >>> fb_survival(np.array([10.0, 100.0]), 1.0)
    array([0.05 , 0.005])
    """
    m, p = np.asarray(m, dtype=float), np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = 1.0 / (1.0 + (2 * m - 1) * np.maximum(p, 0.0))
    out = np.where(p < 1.0, low, np.clip(1.0 + 1.0 / (2 * m) - p, 0.0, 1.0))
    return np.where(p <= 0.0, 1.0, out)


def fb_tail_integral(m, p) -> np.ndarray:
    r""":math:`\int_p^\infty S(t)\,dt` for :math:`F_B` with parameter ``m`` (vectorised in ``m`` and
    ``p``, ``p >= 0``; see :meth:`ExampleOneZ.tail_integral`)."""
    m, p = np.asarray(m, dtype=float), np.asarray(p, dtype=float)
    h = 1.0 / (2 * m)
    c = 2 * m - 1
    low = (np.log(2 * m) - np.log1p(c * np.clip(p, 0.0, 1.0))) / c + h * h / 2
    return np.where(p < 1.0, low, np.maximum(1.0 + h - p, 0.0) ** 2 / 2)


@functools.cache
def _fb_mean():
    m = sp.Symbol("m", positive=True)
    return sp.lambdify(m, ExampleOneZ.mean_sympy(m), "math")


@dataclass(frozen=True)
class CappedEqualRevenue:
    r"""The equal-revenue distribution capped at ``H`` (Example 2).

    :math:`F(z) = (z - 1)/z` for :math:`1 \le z < H` and :math:`F(H) = 1`: an atom of mass
    :math:`1/H` at :math:`H`. Every price in :math:`[1, H]` earns revenue exactly 1.

    Parameters
    ----------
    H : float
        The cap, ``H > 1``.
    """

    H: float

    def __post_init__(self):
        if not (np.isfinite(self.H) and self.H > 1):
            raise ValueError(f"CappedEqualRevenue needs a finite cap H > 1, got H={self.H}")

    def ppf(self, u) -> np.ndarray:
        """Inverse CDF (left-continuous) at ``u`` in ``[0, 1]``."""
        u = probabilities(u, "ppf needs u")
        with np.errstate(divide="ignore"):
            z = 1.0 / (1.0 - u)
        return np.minimum(z, self.H)

    def sample(self, size, seed=None) -> np.ndarray:
        """Draw ``size`` samples by inversion with ``numpy.random.default_rng(seed)``."""
        return self.ppf(generator(seed).random(size))

    def cdf(self, z) -> np.ndarray:
        """CDF at ``z`` (vectorised)."""
        z = np.asarray(z, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            body = np.where(z >= 1, (z - 1) / z, 0.0)
        return np.where(z >= self.H, 1.0, body)

    def cdf_sympy(self, z=_Z, H=None) -> sp.Expr:
        """The CDF as a sympy ``Piecewise``; pass a symbol as ``H`` to keep it symbolic."""
        H = sp.nsimplify(self.H) if H is None else H
        return sp.Piecewise((0, z < 1), ((z - 1) / z, z < H), (1, True))

    def mean(self) -> float:
        r""":math:`\mathbb{E}[z] = 1 + \ln H` (exact)."""
        return 1.0 + float(np.log(self.H))
