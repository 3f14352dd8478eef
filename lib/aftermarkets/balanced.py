r"""Balanced prices (Section 5: Definition 5, Claim 1) and the static posted price built from them.

**Definition 5** (Dütting et al., 2020). For a valuation profile :math:`\mathbf{v}`, a pricing
function :math:`p` (a price :math:`p(x) \ge 0` for every bundle :math:`x \subseteq M`) is
:math:`(\alpha, \beta)`-balanced if, for every pair of allocations :math:`\mathbf{x}, \mathbf{x}'`
that allocate disjoint sets of items,

.. math::

    \text{(i)}\quad \sum_i p(x_i) &\ge \tfrac{1}{\alpha}\bigl(\mathbf{v}(\mathrm{OPT}(\mathbf{v}))
        - \mathbf{v}(\mathrm{OPT}(\mathbf{v}, M \setminus \mathbf{x}))\bigr), \\
    \text{(ii)}\quad \sum_i p(x'_i) &\le \beta\, \mathbf{v}(\mathrm{OPT}(\mathbf{v}, M \setminus \mathbf{x})).

With identical units and non-increasing marginals, :math:`\mathrm{OPT}(\mathbf{v}, M \setminus
\mathbf{x})` is the optimum with :math:`m - |\mathbf{x}|` units: the sum of the
:math:`m - |\mathbf{x}|` largest marginals. :func:`check_balanced` enumerates every such pair on a
small instance, either at the level of bundle sizes (a price for each number of units) or at the
level of items (a price for each set of items, so that identical items may carry different prices),
and returns the worst slack of each condition with the pair attaining it.

**Claim 1.** The per-unit price :math:`w^{\mathbf{v}} = \frac1m \sum_i v_i(x_i^*(\mathbf{v}))`,
the average per-unit welfare of the optimum, with :math:`p^{\mathbf{v}}(x) = w^{\mathbf{v}} |x|`,
is :math:`(1, 1)`-balanced (:func:`per_unit_price`). It is also the only :math:`(1, 1)`-balanced
per-unit price: (i) with :math:`\mathbf{x}` allocating all :math:`m` units forces
:math:`m w \ge \mathrm{OPT}`, and (ii) with :math:`\mathbf{x} = \emptyset` and :math:`\mathbf{x}'`
allocating all :math:`m` units forces :math:`m w \le \mathrm{OPT}`.

**The static price** of a posted-price mechanism that "uses :math:`(\alpha, \beta)`-balanced
prices" is :math:`p(x) = \frac{\alpha}{1 + \alpha\beta}\,\mathbb{E}_{\mathbf{v}}[p^{\mathbf{v}}(x)]`;
for the per-unit prices of Claim 1, :math:`\frac{1}{2m}\mathbb{E}[\mathbf{v}(\mathrm{OPT}(\mathbf{v}))]`
per unit. :func:`static_price` estimates it from sampled profiles, with its standard error.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import generator, whole_number
from .allocation import optimal_welfare
from .montecarlo import Estimate, estimate
from .valuations import as_step_values, validate_marginals

__all__ = [
    "per_unit_price",
    "per_unit_pricing",
    "item_pricing",
    "BalanceCheck",
    "check_balanced",
    "static_price",
    "random_marginals",
    "MAX_PAIRS",
]

#: Largest number of pairs :func:`check_balanced` enumerates (a guard against huge instances).
MAX_PAIRS = 2_000_000


def per_unit_price(values, m) -> np.ndarray:
    r"""Claim 1's per-unit price :math:`w^{\mathbf{v}} = \mathbf{v}(\mathrm{OPT}(\mathbf{v})) / m`.

    Parameters
    ----------
    values : array_like or StepValues
        Marginal values, one profile ``(n, K)`` or a batch ``(S, n, K)``.
    m : int
        Number of units, ``m >= 1``.

    Returns
    -------
    float or numpy.ndarray
        One price per profile.

    Examples
    --------
    >>> float(per_unit_price([[3, 1], [2, 0]], 2))
    2.5
    """
    m = whole_number(m, "m", 1, " of units")
    return optimal_welfare(values, m) / m


def per_unit_pricing(w) -> Callable:
    """The pricing function ``k -> w * k`` on bundle sizes (a price per unit ``w >= 0``).

    Examples
    --------
    >>> per_unit_pricing(0.5)(np.array([0, 1, 3]))
    array([0. , 0.5, 1.5])
    """
    w = float(w)
    if not np.isfinite(w) or w < 0:
        raise ValueError(f"a per-unit price must be a finite number >= 0, got {w!r}")
    return lambda k: w * np.asarray(k, dtype=float)


def item_pricing(item_prices) -> Callable:
    """Additive item prices as a pricing function on item sets (boolean masks over the items).

    Parameters
    ----------
    item_prices : array_like
        One finite, non-negative price per item.

    Examples
    --------
    >>> item_pricing([3.0, 1.0])(np.array([[True, False], [True, True]]))
    array([3., 4.])
    """
    c = np.asarray(item_prices, dtype=float)
    if c.ndim != 1 or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"item prices must be a vector of finite numbers >= 0, got {item_prices!r}")
    return lambda mask: np.asarray(mask, dtype=float) @ c


@dataclass(frozen=True)
class BalanceCheck:
    """Worst slack of each condition of Definition 5 over every pair of allocations tried.

    Attributes
    ----------
    alpha, beta : float
    revenue_slack : float
        :math:`\\min_{\\mathbf{x}} \\sum_i p(x_i) - \\frac1\\alpha(\\mathrm{OPT} - \\mathrm{OPT}(M \\setminus
        \\mathbf{x}))`; condition (i) fails iff it is negative.
    revenue_pair : tuple
        The pair ``(x, x')`` attaining it.
    remaining_slack : float
        :math:`\\min_{\\mathbf{x}, \\mathbf{x}'} \\beta\\,\\mathrm{OPT}(M \\setminus \\mathbf{x}) - \\sum_i
        p(x'_i)`; condition (ii) fails iff it is negative.
    remaining_pair : tuple
        The pair attaining it.
    pairs : int
        How many pairs ``(x, x')`` were enumerated.
    level : str
        ``"sizes"`` (allocations are unit counts per agent) or ``"items"`` (each agent gets a set
        of item indices).
    """

    alpha: float
    beta: float
    revenue_slack: float
    revenue_pair: tuple
    remaining_slack: float
    remaining_pair: tuple
    pairs: int
    level: str

    def holds(self, tol: float = 1e-9) -> bool:
        """Whether both conditions hold on every pair, up to ``tol``."""
        return self.revenue_slack >= -tol and self.remaining_slack >= -tol

    @property
    def failing_pair(self):
        """The pair of the most violated condition, or ``None`` when both hold exactly."""
        if min(self.revenue_slack, self.remaining_slack) >= 0:
            return None
        return self.revenue_pair if self.revenue_slack <= self.remaining_slack else self.remaining_pair


def _pairs_sizes(n: int, m: int) -> np.ndarray:
    """Every ``(x, x')`` of unit counts with ``|x| + |x'| <= m``: shape ``(P, 2n)``."""
    count = (m + 1) ** (2 * n)
    if count > MAX_PAIRS * 4:
        raise ValueError(f"too many allocation pairs to enumerate for n={n}, m={m}; use a smaller instance")
    grid = np.stack(np.meshgrid(*[np.arange(m + 1)] * (2 * n), indexing="ij"), axis=-1).reshape(-1, 2 * n)
    return grid[grid.sum(axis=1) <= m]


def _pairs_items(n: int, m: int) -> np.ndarray:
    """Every assignment of the ``m`` items to nobody (0), to agent ``i`` in ``x`` (``1 + i``) or in
    ``x'`` (``1 + n + i``): shape ``(P, m)``."""
    if (2 * n + 1) ** m > MAX_PAIRS:
        raise ValueError(f"too many item assignments to enumerate for n={n}, m={m}; use a smaller instance")
    return np.array(list(itertools.product(range(2 * n + 1), repeat=m)), dtype=np.int64).reshape(-1, m)


def check_balanced(values, m, pricing: Callable, alpha=1.0, beta=1.0, items=False) -> BalanceCheck:
    r"""Check Definition 5 for ``pricing`` on one valuation profile, over every pair of allocations.

    Parameters
    ----------
    values : array_like or StepValues
        One profile of marginal values, ``(n, K)``.
    m : int
        Number of units (``m >= 1``).
    pricing : callable
        ``items=False``: the price of a bundle of ``k`` units, ``pricing(k)`` for an int array ``k``
        (vectorised). ``items=True``: the price of a set of items, ``pricing(mask)`` for a boolean
        array ``mask`` of shape ``(..., m)`` (vectorised over the leading axes); see
        :func:`item_pricing`.
    alpha, beta : float
        The balancedness parameters (``> 0``).
    items : bool
        Enumerate allocations of item sets (``(2n+1)^m`` assignments) rather than of unit counts.

    Returns
    -------
    BalanceCheck
        Pairs are reported as ``(x, x')``: tuples of unit counts, or tuples of item-index tuples.

    Raises
    ------
    ValueError
        On a batch of profiles, non-positive ``alpha`` or ``beta``, negative or non-finite prices,
        or an instance too large to enumerate.

    Examples
    --------
    >>> v = [[3.0, 1.0], [2.0, 0.0]]
    >>> check_balanced(v, 2, per_unit_pricing(per_unit_price(v, 2))).holds()
    True
    >>> c = check_balanced(v, 2, per_unit_pricing(3.0))  # the highest marginal, per unit
    >>> round(c.remaining_slack, 6), c.remaining_pair
    (-1.0, ((0, 0), (0, 2)))
    """
    vals = as_step_values(values)
    if vals.batch_shape:
        raise ValueError("check_balanced takes one valuation profile, not a batch")
    m = whole_number(m, "m", 1, " of units")
    alpha, beta = float(alpha), float(beta)
    if not (np.isfinite(alpha) and np.isfinite(beta) and alpha > 0 and beta > 0):
        raise ValueError(f"alpha and beta must be finite and positive, got {alpha!r}, {beta!r}")
    n = vals.n
    opt_k = np.array([optimal_welfare(vals, k) for k in range(m + 1)])  # OPT with k units
    if items:
        assign = _pairs_items(n, m)
        in_x = [assign == 1 + i for i in range(n)]
        in_xp = [assign == 1 + n + i for i in range(n)]
        price_x = sum(_prices(pricing(mask), assign.shape[0]) for mask in in_x)
        price_xp = sum(_prices(pricing(mask), assign.shape[0]) for mask in in_xp)
        size_x = sum(mask.sum(axis=1) for mask in in_x)

        def pair(k):
            def sets(masks):
                return tuple(tuple(int(j) for j in np.flatnonzero(mk[k])) for mk in masks)

            return (sets(in_x), sets(in_xp))

    else:
        grid = _pairs_sizes(n, m)
        x, xp = grid[:, :n], grid[:, n:]
        price_x = _prices(pricing(x), x.shape, per_agent=True).sum(axis=1)
        price_xp = _prices(pricing(xp), xp.shape, per_agent=True).sum(axis=1)
        size_x = x.sum(axis=1)

        def pair(k):
            return (tuple(int(t) for t in x[k]), tuple(int(t) for t in xp[k]))

    left = opt_k[m - size_x]
    slack1 = price_x - (opt_k[m] - left) / alpha
    slack2 = beta * left - price_xp
    k1, k2 = int(np.argmin(slack1)), int(np.argmin(slack2))
    return BalanceCheck(
        alpha,
        beta,
        float(slack1[k1]),
        pair(k1),
        float(slack2[k2]),
        pair(k2),
        int(len(slack1)),
        "items" if items else "sizes",
    )


def _prices(p, shape, per_agent=False) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    want = shape if per_agent else (shape,)
    try:
        arr = np.broadcast_to(arr, want)
    except ValueError as exc:
        msg = f"the pricing function must return one price per bundle, got shape {arr.shape}"
        raise ValueError(msg) from exc
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("the pricing function must return finite prices >= 0")
    return arr


def static_price(values, m, alpha=1.0, beta=1.0, unit_price: Callable | None = None) -> Estimate:
    r"""The static per-unit posted price :math:`\frac{\alpha}{1+\alpha\beta}\mathbb{E}[p^{\mathbf{v}}(1)]`,
    estimated from sampled profiles, with its standard error.

    Parameters
    ----------
    values : array_like or StepValues
        A batch of sampled profiles, ``(S, n, K)`` (``S >= 2``).
    m : int
        Number of units.
    alpha, beta : float
        The balancedness of ``unit_price``.
    unit_price : callable, optional
        ``unit_price(values, m) -> (S,)`` per-unit prices of a per-unit pricing function
        :math:`p^{\mathbf{v}}(x) = \text{price} \cdot |x|`; default :func:`per_unit_price` (Claim 1,
        with ``alpha = beta = 1``).

    Returns
    -------
    Estimate
        For Claim 1's prices, an estimate of :math:`\mathbb{E}[\mathbf{v}(\mathrm{OPT}(\mathbf{v}))]/(2m)`.
    """
    vals = as_step_values(values)
    if len(vals.batch_shape) != 1:
        raise ValueError("static_price needs a batch of sampled profiles, shape (S, n, K)")
    alpha, beta = float(alpha), float(beta)
    if not (np.isfinite(alpha) and np.isfinite(beta) and alpha > 0 and beta > 0):
        raise ValueError(f"alpha and beta must be finite and positive, got {alpha!r}, {beta!r}")
    rule = per_unit_price if unit_price is None else unit_price
    return estimate(alpha / (1 + alpha * beta) * np.asarray(rule(vals, m), dtype=float))


def random_marginals(size, n, k, seed=None, levels=None) -> np.ndarray:
    """Random valuation profiles: non-increasing marginals, shape ``(size, n, k)``.

    Each marginal is drawn uniformly from ``levels`` (default: a few small values with ties and
    zeros, 0, 0.5, 1, 1.5, 2, 3) or, with ``levels="continuous"``, uniformly from ``[0, 3]``; rows
    are then sorted into non-increasing order.

    Examples
    --------
    >>> random_marginals(2, 3, 2, seed=0).shape
    (2, 3, 2)
    """
    size, n, k = whole_number(size, "size", 1), whole_number(n, "n", 1), whole_number(k, "k", 1)
    rng = generator(seed)
    if isinstance(levels, str) and levels == "continuous":
        raw = rng.uniform(0.0, 3.0, (size, n, k))
    else:
        grid = np.asarray([0.0, 0.5, 1.0, 1.5, 2.0, 3.0] if levels is None else levels, dtype=float)
        raw = rng.choice(grid, (size, n, k))
    return validate_marginals(-np.sort(-raw, axis=-1))
