r"""Finite markets for the equilibrium lab: types, formats, action grids and outcome tables.

A :class:`FiniteMarket` has :math:`n \le 3` bidders and :math:`m \le 4` identical units. Bidder
:math:`i`'s type is one of the rows of ``values[i]`` (non-increasing marginal values), drawn with
probabilities ``probs[i]``, independently across bidders. Every bidder chooses an action from one
finite grid: standard bids (non-increasing vectors of length :math:`m`) in the auctions, requested
quantities :math:`0, \dots, m` in the posted-price mechanism.

**Ties.** Equal marginal bids are broken by a uniformly random priority order over the bidders
(each of the :math:`n!` orders with probability :math:`1/n!`), the library's ``priority`` rule
averaged exactly; in the posted-price mechanism with a random arrival order the :math:`n!` orders
are the arrival orders. Every format uses this one rule, so every expected payoff is an exact
average over the orders.

**Formats** (:func:`uniform_price`, :func:`discriminatory`, :func:`first_price`,
:func:`all_pay`, :func:`posted_price`) run the library's mechanisms
(:func:`~aftermarkets.uniform_price_auction`, :func:`~aftermarkets.discriminatory_auction`,
:func:`~aftermarkets.allocation.serve_in_order`) on every action profile and every order once:
:meth:`Format.table` returns the allocation and the payments of all :math:`|A|^n \times |O|`
cases, which the solver then only indexes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from .._checks import prices, whole_number
from ..allocation import optimal_welfare, serve_in_order
from ..auctions import discriminatory_auction, uniform_price_auction
from ..valuations import validate_marginals

__all__ = [
    "FiniteMarket",
    "Format",
    "uniform_price",
    "discriminatory",
    "first_price",
    "all_pay",
    "posted_price",
    "bid_grid",
]


@dataclass(frozen=True)
class FiniteMarket:
    """Bidders with finitely many types, independent across bidders.

    Parameters
    ----------
    values : sequence of array_like
        ``values[i]`` has shape ``(T_i, m)``: bidder ``i``'s possible marginal-value vectors
        (non-negative, non-increasing), one per type.
    probs : sequence of array_like
        ``probs[i]`` has shape ``(T_i,)``: the types' probabilities (positive, summing to 1).
    names : sequence of str, optional
        Bidders' names (default ``"1", "2", ...``).

    Raises
    ------
    ValueError
        On more than 3 bidders or 4 units, bad marginals, or probabilities that are not a
        distribution.

    Examples
    --------
    >>> mk = FiniteMarket([[[2, 0], [1, 0]], [[1.5, 1.5]]], [[0.5, 0.5], [1.0]])
    >>> mk.n, mk.m, mk.type_counts
    (2, 2, (2, 1))
    """

    values: tuple
    probs: tuple
    names: tuple = field(default=None)

    def __post_init__(self):
        vals = tuple(
            validate_marginals(v, name=f"values[{i}]", batched=False) for i, v in enumerate(self.values)
        )
        if not 1 <= len(vals) <= 3:
            raise ValueError(f"the lab solves markets of 1 to 3 bidders, got {len(vals)}")
        ms = {v.shape[1] for v in vals}
        if len(ms) != 1 or not 1 <= ms.pop() <= 4:
            raise ValueError(
                f"every bidder needs the same m of marginals, 1 <= m <= 4, got {[v.shape for v in vals]}"
            )
        ps = []
        for i, (v, p) in enumerate(zip(vals, self.probs)):
            p = np.asarray(p, dtype=float)
            if p.shape != (v.shape[0],) or np.any(~(p > 0)) or abs(p.sum() - 1) > 1e-9:
                raise ValueError(
                    f"probs[{i}] must be {v.shape[0]} positive probabilities summing to 1, got {p}"
                )
            ps.append(p / p.sum())
        if len(ps) != len(vals):
            raise ValueError(f"need one probability vector per bidder ({len(vals)}), got {len(self.probs)}")
        names = tuple(str(k + 1) for k in range(len(vals))) if self.names is None else tuple(self.names)
        if len(names) != len(vals):
            raise ValueError(f"need one name per bidder ({len(vals)}), got {names}")
        object.__setattr__(self, "values", vals)
        object.__setattr__(self, "probs", tuple(ps))
        object.__setattr__(self, "names", names)

    @property
    def n(self) -> int:
        """Number of bidders."""
        return len(self.values)

    @property
    def m(self) -> int:
        """Number of units."""
        return self.values[0].shape[1]

    @property
    def type_counts(self) -> tuple:
        """Number of types of each bidder."""
        return tuple(v.shape[0] for v in self.values)

    def profiles(self) -> np.ndarray:
        """Every type profile, shape ``(T, n)`` (``T`` the product of the type counts), in
        lexicographic order."""
        return np.array(list(itertools.product(*[range(t) for t in self.type_counts])), dtype=np.int64)

    def profile_probs(self) -> np.ndarray:
        """Probability of each type profile of :meth:`profiles`."""
        prof = self.profiles()
        return np.prod([self.probs[i][prof[:, i]] for i in range(self.n)], axis=0)

    def profile_values(self) -> np.ndarray:
        """Marginals of every type profile, shape ``(T, n, m)``."""
        prof = self.profiles()
        return np.stack([self.values[i][prof[:, i]] for i in range(self.n)], axis=1)

    def expected_optimal_welfare(self) -> float:
        r""":math:`\mathrm{Wel}(F) = \mathbb{E}[\mathrm{Wel}(\mathbf{v})]`, exact (a finite sum)."""
        return float(self.profile_probs() @ optimal_welfare(self.profile_values(), self.m))


def bid_grid(m, levels) -> np.ndarray:
    """Every non-increasing bid vector of length ``m`` with entries in ``levels`` (0 included).

    Examples
    --------
    >>> bid_grid(2, [1, 2])
    array([[0., 0.],
           [1., 0.],
           [1., 1.],
           [2., 0.],
           [2., 1.],
           [2., 2.]])
    """
    m = whole_number(m, "m", 1)
    lv = sorted({0.0, *(float(x) for x in prices(levels, "levels").ravel())})
    rows = [sorted(c, reverse=True) for c in itertools.combinations_with_replacement(lv, m)]
    return np.unique(np.array(rows, dtype=float), axis=0)


@dataclass(frozen=True)
class Format:
    """A primary mechanism on a finite action grid.

    Attributes
    ----------
    name : str
    actions : numpy.ndarray
        The action grid: bids, shape ``(A, m)``, or requested quantities, shape ``(A, 1)``.
    kind : str
        ``"uniform"``, ``"discriminatory"``, ``"all-pay"`` or ``"posted"``.
    reserve : float
        Per-unit reserve (uniform price) or the posted price.
    random_order : bool
        Posted price: arrival order uniformly random (else bidders arrive in index order).
    bound : float or None
        The welfare guarantee the paper proves for this format with any aftermarket, as a fraction
        of the optimum (``None`` if there is none).
    """

    name: str
    actions: np.ndarray
    kind: str
    reserve: float = 0.0
    random_order: bool = True
    bound: float | None = None

    def orders(self, n: int) -> list:
        """The tie-breaking (or arrival) orders averaged over, each with probability 1/len."""
        if self.kind == "posted" and not self.random_order:
            return [tuple(range(n))]
        return list(itertools.permutations(range(n)))

    def table(self, n: int, m: int) -> tuple:
        """Allocation and payments of every action profile under every order.

        Returns
        -------
        tuple of numpy.ndarray
            ``(alloc, pay)``, shapes ``(A,) * n + (O, n)``: units won and auction payments.
        """
        A = len(self.actions)
        idx = np.array(list(itertools.product(range(A), repeat=n)), dtype=np.int64)  # (A^n, n)
        outs_x, outs_p = [], []
        for order in self.orders(n):
            x, p = self._run(idx, order, n, m)
            outs_x.append(x)
            outs_p.append(p)
        shape = (A,) * n + (len(outs_x), n)
        return np.stack(outs_x, axis=1).reshape(shape), np.stack(outs_p, axis=1).reshape(shape)

    def _run(self, idx, order, n, m):
        if self.kind == "posted":
            want = self.actions[idx, 0].astype(np.int64)  # (P, n)
            x = serve_in_order(want, np.full(len(idx), m), order)
            return x, x * self.reserve
        bids = self.actions[idx]  # (P, n, m)
        if self.kind == "uniform":
            out = uniform_price_auction(bids, m, reserve=self.reserve, priority=order)
            return out.allocation, out.payments
        out = discriminatory_auction(bids, m, priority=order)
        if self.kind == "all-pay":
            return out.allocation, bids[..., 0]
        return out.allocation, out.payments


def uniform_price(bids, reserve=0.0) -> Format:
    """The uniform-price auction (price = highest losing bid, or the per-unit reserve if higher).

    With no reserve the paper proves no bound with an aftermarket (Theorem 1); with the balanced
    reserve, Theorem 5's bound 1/2 (set ``bound`` on the returned format when the reserve is the
    balanced one).
    """
    r = float(prices(reserve, "reserve", scalar=True))
    name = "uniform price" if r == 0 else f"uniform price, reserve {r:g}"
    return Format(name, _grid(bids), "uniform", r)


def discriminatory(bids) -> Format:
    """The discriminatory (pay-as-bid) auction: bound 1 - 1/e with any aftermarket (Corollary 1)."""
    return Format("discriminatory", _grid(bids), "discriminatory", bound=1 - np.exp(-1))


def first_price(bids) -> Format:
    """The first-price auction (one unit): bound 1 - 1/e with any aftermarket (Table 1)."""
    g = _grid(bids)
    if g.shape[1] != 1:
        raise ValueError(
            f"the first-price auction sells one unit: bids must have one column, got {g.shape[1]}"
        )
    return Format("first price", g, "discriminatory", bound=1 - np.exp(-1))


def all_pay(bids) -> Format:
    """The all-pay auction (one unit; everyone pays her bid): bound 1/2 with any aftermarket (Table 1)."""
    g = _grid(bids)
    if g.shape[1] != 1:
        raise ValueError(f"the all-pay auction sells one unit: bids must have one column, got {g.shape[1]}")
    return Format("all-pay", g, "all-pay", bound=0.5)


def posted_price(m, price, random_order=True, bound=None) -> Format:
    """Posted price ``price`` per unit; each bidder, on arrival, requests 0..m units.

    Pass ``bound=0.5`` when ``price`` is the balanced price (Theorem 4 with Claim 1).
    """
    m = whole_number(m, "m", 1)
    p = float(prices(price, "price", scalar=True))
    order = "random order" if random_order else "fixed order"
    q = np.arange(m + 1, dtype=float)[:, None]
    return Format(f"posted price {p:g}, {order}", q, "posted", p, bool(random_order), bound)


def _grid(bids) -> np.ndarray:
    g = validate_marginals(bids, name="bids", batched=False)
    if len(np.unique(g, axis=0)) != len(g):
        raise ValueError("the bid grid has repeated rows")
    return g
