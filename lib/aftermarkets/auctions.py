r"""Multi-unit auctions with standard bidding, and the posted-price mechanism (Section 2.1.2).

Each bidder submits :math:`m` non-increasing marginal bids :math:`a_{i1} \ge \dots \ge a_{im}
\ge 0`. The :math:`n \times m` marginal bids are sorted and the units go to the highest ones.

* **Uniform-price auction** — every winner pays the same per-unit price :math:`p`, which the
  paper takes to be the *highest losing bid* (the :math:`(m+1)`-st highest marginal bid). With a
  per-unit reserve :math:`r` (Section 6), marginal bids strictly below :math:`r` are ignored, bids
  equal to :math:`r` are allowed, and :math:`p = \max(r, \text{highest losing bid})`.
* **Discriminatory auction** — a bidder who wins :math:`x_i` units pays her :math:`x_i` highest
  marginal bids, :math:`p_i = \sum_{j \le x_i} a_{ij}`.
* **Posted-price mechanism** — a per-unit price :math:`p`; buyers arrive in a fixed order and
  each buys any quantity up to what remains, paying :math:`p` per unit.

Conventions (the paper breaks ties "arbitrarily"; here they are deterministic and documented):

* a marginal bid of 0 declares no demand and never wins a unit, so units may stay unsold;
* equal marginal bids are ranked by the bidders' ``priority`` (default: lower index first) and,
  within a bidder, by unit;
* a posted-price buyer buys every unit whose marginal value is at least the price (at equality
  she is indifferent), unless a requested quantity is given.

The bids are never sorted: the :math:`m`-th and :math:`(m+1)`-st highest come from one
``np.partition`` per profile, and each bidder's units from comparing her (non-increasing) row with
the :math:`m`-th highest bid, the tie rule applied to the bids equal to it (the kernels of
:mod:`~aftermarkets.allocation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import prices, unit_counts
from .allocation import _blockwise, _check_m, _greedy_counts, _select, serve_in_order
from .valuations import as_step_values, validate_marginals

__all__ = ["AuctionOutcome", "uniform_price_auction", "discriminatory_auction", "posted_price_mechanism"]


@dataclass(frozen=True)
class AuctionOutcome:
    """Result of a primary mechanism.

    Attributes
    ----------
    allocation : numpy.ndarray of int
        Units won per agent, shape ``(n,)`` or ``(S, n)``.
    payments : numpy.ndarray
        Total payment per agent, same shape.
    price : float, numpy.ndarray or None
        The uniform per-unit price (uniform-price auction, posted price); ``None`` for the
        discriminatory auction, where winners pay their own bids.
    """

    allocation: np.ndarray
    payments: np.ndarray
    price: object = None

    @property
    def revenue(self):
        """Total payments collected, :math:`\\sum_i p_i`."""
        return self.payments.sum(axis=-1)


def _check_order(order, n: int, name: str = "order") -> np.ndarray:
    if order is None:
        return np.arange(n)
    arr = np.asarray(order)
    if arr.shape != (n,) or sorted(arr.tolist()) != list(range(n)):
        raise ValueError(f"{name} must be a permutation of the {n} agent indices 0..{n - 1}, got {order!r}")
    return arr.astype(np.int64)


def _auction_inputs(bids, m, reserve, priority):
    """Check the inputs of an auction; returns ``(m, bids, reserve, order, flat bids)``.

    Rows shorter than ``m`` are padded with zero bids (a bidder who lists ``k < m`` marginals bids
    0 on the rest); more than ``m`` columns is an error. ``order`` lists the agents from first to
    last served on ties; ``flat bids`` has shape ``(..., n * m)``.
    """
    m = _check_m(m)
    if m < 1:
        raise ValueError("m must be at least 1 unit")
    bids = validate_marginals(bids, name="bids")
    n, k = bids.shape[-2:]
    if k > m:
        raise ValueError(f"bids must have at most m = {m} columns (one marginal bid per unit), got {k}")
    if k < m:
        bids = np.concatenate([bids, np.zeros(bids.shape[:-1] + (m - k,))], axis=-1)
    reserve = float(prices(reserve, "reserve", scalar=True))
    order = _check_order(priority, n, "priority")
    return m, bids, reserve, order, bids.reshape(bids.shape[:-2] + (n * m,))


def _highest_losing(bids, m, t, at_least):
    """The ``(m+1)``-st highest of the ``n * m`` bids (``n >= 2``), from the ``m``-th highest ``t``
    and each bidder's number of bids ``>= t``: ``t`` again if more than ``m`` bids reach it, else
    the highest bid below ``t`` (the bid after each bidder's last bid ``>= t``)."""
    k = bids.shape[-1]
    start = np.arange(at_least.size).reshape(at_least.shape) * k  # each row in the raveled bids
    after = np.take(bids.reshape(-1), start + np.minimum(at_least, k - 1))
    after = np.where(at_least < k, after, 0.0)
    below = after[..., 0]
    for i in range(1, after.shape[-1]):  # a loop over the few bidders, vectorised over profiles
        below = np.maximum(below, after[..., i])
    return np.where(at_least.sum(axis=-1) > m, t, below)


def uniform_price_auction(bids, m, reserve=0.0, priority=None) -> AuctionOutcome:
    """Uniform-price auction: price = highest losing bid, or the reserve if higher.

    Parameters
    ----------
    bids : array_like
        Marginal bids, shape ``(n, K)`` or a batch ``(S, n, K)`` with ``K <= m``; each row
        non-increasing. Rows shorter than ``m`` are padded with zero bids.
    m : int
        Number of units for sale (``m >= 1``).
    reserve : float, optional
        Per-unit reserve ``>= 0``. Bids strictly below it are ignored; bids equal to it may win.
    priority : sequence of int, optional
        Tie-breaking order of the agents (a permutation of ``0..n-1``, first = preferred).

    Returns
    -------
    AuctionOutcome
        ``price`` is a float (or a ``(S,)`` array for a batch).

    Raises
    ------
    ValueError
        On bids that are not finite, non-negative and non-increasing, on more than ``m`` columns,
        on ``m < 1`` or a negative reserve.

    Examples
    --------
    >>> out = uniform_price_auction([[3, 1], [2, 2]], 2)
    >>> out.allocation, out.payments, out.price
    (array([1, 1]), array([2., 2.]), 2.0)
    """
    m, bids, reserve, order, flat = _auction_inputs(bids, m, reserve, priority)

    def block(bids, flat):
        t = _select(flat, m)
        x, admissible, at_least = _greedy_counts(bids, m, t, reserve, order)
        if bids.shape[-2] == 1:  # m bids in all: nothing loses
            return x, np.maximum(reserve, np.zeros(bids.shape[:-2]))
        # with t inadmissible, every losing bid is below the reserve (or 0 = reserve)
        return x, np.where(admissible, np.maximum(reserve, _highest_losing(bids, m, t, at_least)), reserve)

    x, price = _blockwise(block, (bids, flat), 2)
    payments = x * np.asarray(price)[..., None]
    return AuctionOutcome(x, payments, float(price) if np.ndim(price) == 0 else price)


def discriminatory_auction(bids, m, reserve=0.0, priority=None) -> AuctionOutcome:
    """Discriminatory (pay-as-bid) auction: each winner pays her winning marginal bids.

    Parameters
    ----------
    bids : array_like
        Marginal bids, shape ``(n, K)`` or ``(S, n, K)`` with ``K <= m`` (padded with zeros).
    m : int
        Number of units (``m >= 1``).
    reserve : float, optional
        Per-unit reserve ``>= 0``; bids strictly below it are ignored.
    priority : sequence of int, optional
        Tie-breaking order of the agents.

    Returns
    -------
    AuctionOutcome
        With ``price=None``.

    Examples
    --------
    >>> out = discriminatory_auction([[3, 1], [2, 2]], 2)
    >>> out.allocation, out.payments
    (array([1, 1]), array([3., 2.]))
    """
    m, bids, reserve, order, flat = _auction_inputs(bids, m, reserve, priority)

    def block(bids, flat):
        t = _select(flat, m)
        x = _greedy_counts(bids, m, t, reserve, order)[0]
        won = np.arange(m) < x[..., None]  # a winner wins her highest marginal bids
        return x, np.sum(bids * won, axis=-1)

    return AuctionOutcome(*_blockwise(block, (bids, flat), 2), None)


def posted_price_mechanism(values, m, price, order=None, quantities=None) -> AuctionOutcome:
    """Sequential posted prices: buyers in ``order`` buy at ``price`` per unit while supplies last.

    Parameters
    ----------
    values : array_like or StepValues
        Marginal values, one profile ``(n, K)`` or a batch ``(S, n, K)``.
    m : int
        Units for sale.
    price : float or array_like
        Per-unit price ``>= 0`` (a scalar, or one per sampled profile).
    order : sequence of int, optional
        Arrival order, a permutation of ``0..n-1`` (default ``0, 1, ..., n-1``).
    quantities : array_like of int, optional
        Requested quantities, shape ``(n,)`` or ``(S, n)``. By default each buyer requests the
        units whose marginal value is at least the price (her demand).

    Returns
    -------
    AuctionOutcome
        Each buyer gets ``min(request, remaining)``.

    Examples
    --------
    >>> posted_price_mechanism([[3, 1], [2, 2]], 3, 1.5).allocation
    array([1, 2])
    """
    m = _check_m(m)
    v = as_step_values(values)
    p = prices(price, "price")
    order = _check_order(order, v.n)
    if quantities is None:
        want = v.units_at_least(p)
    else:
        want = unit_counts(quantities, "quantities")
        if want.shape[-1:] != (v.n,):
            raise ValueError(f"quantities must give one whole number per agent ({v.n}), got {quantities!r}")
    x = serve_in_order(want, np.full(np.broadcast_shapes(v.batch_shape, p.shape), m), order)
    payments = x * p[..., None]
    return AuctionOutcome(x, payments, float(p) if p.ndim == 0 else p)
