r"""Secondary markets as trade mechanisms (Section 2.1.2, Definitions 1 and 2).

A secondary market :math:`\mathcal{M}^2` starts from the auction's allocation :math:`\mathbf{x}`
and maps an action profile :math:`\mathbf{a}` to a new allocation and payments
:math:`p_i^{\mathcal{M}^2}(\mathbf{a};\mathbf{x})` (a negative payment is money received).
Agent :math:`i`'s utility is :math:`u_i = v_i(x_i^{\mathcal{M}^2}) - p_i^{\mathcal{M}^2}`.

* **Voluntary participation** (Definition 1): every agent has an opt-out action
  :math:`a_i^*` with :math:`v_i(x_i) \le u_i(\mathcal{M}^2((a_i^*, \mathbf{a}_{-i}); \mathbf{x}))`
  for all :math:`\mathbf{a}_{-i}`.
* **Weak budget balance** (Definition 2): :math:`\sum_i p_i^{\mathcal{M}^2}(\mathbf{a};\mathbf{x})
  \ge 0` for every :math:`\mathbf{a}`.

A mechanism with both is a *trade mechanism*. The resale market of Examples 1, 2 and 4 is
:class:`TakeItOrLeaveIt`: a holder posts a per-unit price for some of her units and the other
agents, in a fixed order, buy at that price. :func:`voluntary_participation_gap` and
:func:`budget_balance_gap` test the two definitions over a family of action profiles and report
the worst value found (a counterexample when negative), in the style of a regret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import prices, unit_counts
from .allocation import serve_in_order
from .valuations import StepValues, as_step_values

__all__ = [
    "TradeOutcome",
    "take_it_or_leave_it",
    "TakeItOrLeaveIt",
    "DefinitionCheck",
    "voluntary_participation_gap",
    "budget_balance_gap",
    "check_trade_mechanism",
]


@dataclass(frozen=True)
class TradeOutcome:
    """Result of a secondary market.

    Attributes
    ----------
    allocation : numpy.ndarray of int
        Holdings after trade, shape ``(n,)`` or ``(S, n)``.
    payments : numpy.ndarray
        Net payment of each agent in the secondary market (negative = received).
    """

    allocation: np.ndarray
    payments: np.ndarray


def _holdings(holdings, v: StepValues) -> np.ndarray:
    """Holdings as whole numbers, one per agent, broadcast to the valuation batch."""
    h = unit_counts(holdings, "holdings")
    if h.shape[-1:] != (v.n,):
        raise ValueError(f"holdings must give one whole number per agent ({v.n}), got shape {h.shape}")
    shape = v.batch_shape + (v.n,)
    return h if h.shape == shape else np.broadcast_to(h, np.broadcast_shapes(h.shape, shape))


def take_it_or_leave_it(
    values, holdings, seller, price, order=None, quantity=None, requests=None
) -> TradeOutcome:
    """Take-it-or-leave-it resale: ``seller`` offers units at ``price``; buyers in ``order`` buy.

    Each buyer ``i`` in turn buys ``min(request_i, units still offered)`` units at ``price`` each,
    where by default ``request_i`` is her demand given what she already holds: the number of her
    further units with marginal value at least ``price``.

    Parameters
    ----------
    values : array_like or StepValues
        Marginal values, one profile or a batch of ``S``.
    holdings : array_like of int
        Units held after the auction, shape ``(n,)`` or ``(S, n)``.
    seller : int
        Index of the agent who posts the price.
    price : float or array_like
        Per-unit price ``>= 0``, scalar or one per sampled profile.
    order : sequence of int, optional
        Buyers in the order they are approached (default: every other agent by index).
    quantity : int or array_like, optional
        Units offered (default: all the seller holds); capped at her holdings.
    requests : array_like of int, optional
        Requested quantities per agent, overriding demand (entries for non-buyers are ignored).

    Returns
    -------
    TradeOutcome
        Net payments sum to zero (the market is strongly budget balanced).

    Examples
    --------
    Example 1 on the equilibrium path with ``m = 6``: C holds 4 units and posts price 1; A
    (second-unit value 1.2) buys one, B (``z = 1.05``) buys the other three.

    >>> v = StepValues([[2, 1.2, 0], [2, 1.05, 0], [0, 0, 0]], [[1, 1, 4], [1, 5, 0], [6, 0, 0]])
    >>> out = take_it_or_leave_it(v, [1, 1, 4], seller=2, price=1.0, order=[0, 1])
    >>> out.allocation, out.payments
    (array([2, 4, 0]), array([ 1.,  3., -4.]))
    """
    v = as_step_values(values)
    h = _holdings(holdings, v)
    n = v.n
    if isinstance(seller, (bool, np.bool_)) or not (
        isinstance(seller, (int, np.integer)) and 0 <= seller < n
    ):
        raise ValueError(f"seller must be an agent index in 0..{n - 1}, got {seller!r}")
    p = prices(price, "price")
    buyers = [i for i in range(n) if i != seller] if order is None else [int(i) for i in order]
    if seller in buyers or len(set(buyers)) != len(buyers) or any(not 0 <= i < n for i in buyers):
        raise ValueError(
            f"order must list distinct agent indices other than the seller {seller}, got {order!r}"
        )
    batch = h.shape[:-1] if p.shape in ((), h.shape[:-1]) else np.broadcast_shapes(h.shape[:-1], p.shape)
    offered = h[..., seller]
    if quantity is not None:
        offered = np.minimum(unit_counts(quantity, "quantity offered"), offered)
    if requests is None:
        want = np.maximum(v.units_at_least(p) - h, 0)
    else:
        req = np.asarray(requests)
        if req.shape[-1:] != (n,):
            raise ValueError(f"requests must give one whole number per agent ({n}), got shape {req.shape}")
        shape = batch + (n,)
        want = np.array(
            req if req.shape == shape else np.broadcast_to(req, np.broadcast_shapes(req.shape, shape))
        )
        want[..., seller] = 0  # the seller's own entry is ignored
        want = unit_counts(want, "requests")
    bought = serve_in_order(
        want, offered if offered.shape == batch else np.broadcast_to(offered, batch), buyers
    )
    sold = bought.sum(axis=-1)
    bought[..., seller] = -sold
    payments = bought * p[..., None]
    return TradeOutcome(h + bought, payments)


@dataclass(frozen=True)
class TakeItOrLeaveIt:
    """The take-it-or-leave-it resale market as a mechanism of actions.

    Actions: the seller's action is ``None`` (no offer, her opt-out) or a pair
    ``(price, quantity)`` (``quantity=None`` offers everything she holds). A buyer's action is
    ``"demand"`` (buy the units her marginals justify), or a whole number of units to request
    (``0`` is her opt-out). Footnote 10 of the paper: a buyer's action may depend on the price;
    a callable ``f(price) -> request`` is accepted too.

    Parameters
    ----------
    seller : int
        The holder who posts the price.
    order : sequence of int, optional
        The buyers' order.
    """

    seller: int
    order: Sequence[int] | None = None

    def opt_out(self, agent: int):
        """The action guaranteeing agent ``agent`` her pre-trade utility (Definition 1)."""
        return None if agent == self.seller else 0

    def __call__(self, values, holdings, actions) -> TradeOutcome:
        """Run the market on an action profile.

        Parameters
        ----------
        values : array_like or StepValues
            Marginal values (one profile or a batch).
        holdings : array_like of int
            The initial allocation, shape ``(n,)`` or ``(S, n)``.
        actions : sequence
            One action per agent, as described in the class docstring.

        Returns
        -------
        TradeOutcome
        """
        v = as_step_values(values)
        offer = actions[self.seller]
        if offer is None:
            h = _holdings(holdings, v)
            return TradeOutcome(h.copy(), np.zeros(h.shape))
        price, quantity = offer
        h = _holdings(holdings, v)
        req = np.maximum(v.units_at_least(price) - h, 0).astype(float)  # checked whole below
        for i, a in self._requests(actions, price):
            req[..., i] = a
        return take_it_or_leave_it(v, h, self.seller, price, self.order, quantity, requests=req)

    def _requests(self, actions, price) -> list:
        """``(agent, units)`` for each buyer who does not play ``"demand"`` (a callable action is
        evaluated at ``price``)."""
        return [
            (i, a(price) if callable(a) else a)
            for i, a in enumerate(actions)
            if i != self.seller and not (isinstance(a, str) and a == "demand")
        ]

    def batch(self, values, holdings, profiles) -> TradeOutcome:
        """The market on many action profiles at once, for one valuation profile.

        Row ``k`` of the result is ``self(values, holdings, profiles[k])``: the same numbers,
        computed in one call of :func:`take_it_or_leave_it` over the profiles (no offer is an offer
        of no unit, which changes nothing). :func:`check_trade_mechanism` uses it.

        Parameters
        ----------
        values : array_like or StepValues
            One valuation profile.
        holdings : array_like of int
            The initial allocation, shape ``(n,)``.
        profiles : sequence of sequences
            Action profiles, one action per agent each.

        Returns
        -------
        TradeOutcome
            Allocations and payments of shape ``(len(profiles), n)``.
        """
        v = as_step_values(values)
        if v.batch_shape:
            raise ValueError(f"batch takes one valuation profile, got a batch of shape {v.batch_shape}")
        h = _holdings(holdings, v)
        if h.ndim != 1:
            raise ValueError(f"batch takes one allocation of shape ({v.n},), got shape {h.shape}")
        profiles = list(profiles)
        price = np.zeros(len(profiles))
        quantity = np.zeros(len(profiles), dtype=np.int64)
        req = np.zeros((len(profiles), v.n))
        demand = np.ones(req.shape, dtype=bool)  # who plays "demand" (the default)
        for k, actions in enumerate(profiles):
            if len(actions) != v.n:
                raise ValueError(f"profile {k} must give one action per agent ({v.n}), got {len(actions)}")
            offer = actions[self.seller]
            if offer is None:
                continue  # no unit offered: the holdings stay, nobody pays
            price[k], q = offer
            quantity[k] = h[self.seller] if q is None else q
            for i, a in self._requests(actions, price[k]):
                req[k, i], demand[k, i] = a, False
        price = prices(price, "price")
        req = np.where(demand, np.maximum(v.units_at_least(price) - h, 0), req)
        return take_it_or_leave_it(
            v, np.broadcast_to(h, req.shape), self.seller, price, self.order, quantity, requests=req
        )


@dataclass(frozen=True)
class DefinitionCheck:
    """Worst value of a definition's inequality over the profiles tried.

    Attributes
    ----------
    worst : float
        The smallest slack found; the definition is violated iff ``worst < -tol``.
    witness : object
        The profile (and agent, for Definition 1) attaining ``worst``.
    checked : int
        How many (agent, profile) pairs were evaluated.
    """

    worst: float
    witness: object
    checked: int

    def holds(self, tol: float = 1e-12) -> bool:
        """Whether no violation larger than ``tol`` was found."""
        return self.worst >= -tol


def voluntary_participation_gap(mechanism: Callable, values, holdings, profiles: Iterable) -> DefinitionCheck:
    r"""Check Definition 1 on a family of action profiles.

    For every agent :math:`i` and profile :math:`\mathbf{a}`, computes
    :math:`u_i(\mathcal{M}^2((a_i^*, \mathbf{a}_{-i}); \mathbf{x})) - v_i(x_i)` with
    :math:`a_i^* =` ``mechanism.opt_out(i)``, and returns the smallest value found.

    Parameters
    ----------
    mechanism : callable
        ``mechanism(values, holdings, actions) -> TradeOutcome`` with an ``opt_out(i)`` method.
    values : array_like or StepValues
        One valuation profile.
    holdings : array_like of int
        The initial allocation :math:`\mathbf{x}`.
    profiles : iterable of sequences
        Action profiles :math:`\mathbf{a}` (one action per agent).

    Returns
    -------
    DefinitionCheck
    """
    v = as_step_values(values)
    h = np.asarray(holdings)
    before = v.value(h)
    if hasattr(mechanism, "batch"):  # every (profile, agent) at once; the same first worst
        profiles = [tuple(p) for p in profiles]
        if not profiles:
            return DefinitionCheck(np.inf, None, 0)
        slack = np.empty((len(profiles), v.n))
        for i in range(v.n):
            out = mechanism.batch(v, h, [p[:i] + (mechanism.opt_out(i),) + p[i + 1 :] for p in profiles])
            slack[:, i] = v.value(out.allocation)[:, i] - out.payments[:, i] - before[i]
        k, i = np.unravel_index(np.argmin(slack), slack.shape)
        acts = profiles[k][:i] + (mechanism.opt_out(i),) + profiles[k][i + 1 :]
        return DefinitionCheck(float(slack[k, i]), (int(i), acts), slack.size)
    worst, witness, checked = np.inf, None, 0
    for prof in profiles:
        for i in range(v.n):
            acts = list(prof)
            acts[i] = mechanism.opt_out(i)
            out = mechanism(v, h, acts)
            slack = float(v.value(out.allocation)[i] - out.payments[i] - before[i])
            checked += 1
            if slack < worst:
                worst, witness = slack, (i, tuple(acts))
    return DefinitionCheck(worst, witness, checked)


def budget_balance_gap(mechanism: Callable, values, holdings, profiles: Iterable) -> DefinitionCheck:
    r"""Check Definition 2: the smallest :math:`\sum_i p_i^{\mathcal{M}^2}(\mathbf{a};\mathbf{x})` found.

    Parameters
    ----------
    mechanism : callable
        ``mechanism(values, holdings, actions) -> TradeOutcome``.
    values, holdings, profiles
        As in :func:`voluntary_participation_gap`.

    Returns
    -------
    DefinitionCheck
    """
    if hasattr(mechanism, "batch"):
        profiles = [tuple(p) for p in profiles]
        if not profiles:
            return DefinitionCheck(np.inf, None, 0)
        total = np.sum(mechanism.batch(values, holdings, profiles).payments, axis=1)
        k = int(np.argmin(total))
        return DefinitionCheck(float(total[k]), profiles[k], len(profiles))
    worst, witness, checked = np.inf, None, 0
    for prof in profiles:
        out = mechanism(values, holdings, list(prof))
        total = float(np.sum(out.payments))
        checked += 1
        if total < worst:
            worst, witness = total, tuple(prof)
    return DefinitionCheck(worst, witness, checked)


def check_trade_mechanism(mechanism: Callable, instances: Iterable, profiles: Sequence) -> tuple:
    """Definitions 1 and 2 on every ``(values, holdings)`` instance and every action profile.

    Parameters
    ----------
    mechanism : callable
        ``mechanism(values, holdings, actions) -> TradeOutcome`` with an ``opt_out(i)`` method.
    instances : iterable of (values, holdings)
        Valuation profiles and initial allocations to try.
    profiles : sequence of sequences
        Action profiles (one action per agent), tried on every instance.

    Returns
    -------
    tuple of DefinitionCheck
        ``(voluntary participation, weak budget balance)``, each the worst over all instances;
        a witness is ``(instance index, witness of the instance)``.

    Examples
    --------
    >>> vp, bb = check_trade_mechanism(TakeItOrLeaveIt(seller=1), [([[2.0], [0.0]], [0, 1])],
    ...                                [("demand", (1.5, None)), (0, (1.5, None))])
    >>> vp.holds(), bb.holds(), vp.checked, bb.checked
    (True, True, 4, 2)
    """
    worst = [DefinitionCheck(np.inf, None, 0), DefinitionCheck(np.inf, None, 0)]
    for k, (values, holdings) in enumerate(instances):
        for d, check in enumerate((voluntary_participation_gap, budget_balance_gap)):
            c = check(mechanism, values, holdings, profiles)
            best = c if c.worst < worst[d].worst else worst[d]
            witness = (k, c.witness) if best is c else best.witness
            worst[d] = DefinitionCheck(best.worst, witness, worst[d].checked + c.checked)
    return tuple(worst)
