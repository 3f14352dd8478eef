r"""Theorem 4 (Section 5, Appendix C.1) on small markets: balanced posted prices with resale.

A posted-price mechanism uses the static per-unit price
:math:`p = \frac{1}{2}\mathbb{E}[w^{\mathbf{v}}] = \mathbb{E}[\mathbf{v}(\mathrm{OPT}(\mathbf{v}))]/(2m)`
built from Claim 1's :math:`(1, 1)`-balanced prices. Theorem 4: every Bayes-Nash equilibrium of the
posted price followed by any trade mechanism keeps half of the expected optimal welfare. Here the
markets are finite (:class:`~aftermarkets.lab.FiniteMarket`), the aftermarket is the lab's Bayesian
take-it-or-leave-it resale, and equilibria are computed by :func:`aftermarkets.lab.solve` for
**every arrival order** (:func:`in_order` puts the bidders in arrival order; the lab's posted price
with ``random_order=False`` serves them by index).

**The proof, term by term.** Write :math:`Z(\mathbf{v})` for the units the posted price leaves
unsold at the equilibrium and
:math:`g(k) = \mathbb{E}_{\mathbf{v}'}[\mathbf{v}'(\mathrm{OPT}(\mathbf{v}', k))]` for the
expected optimum with :math:`k` units (:func:`optimum_by_supply`). With identical units,
:math:`\mathbf{v}'(\mathrm{OPT}(\mathbf{v}', M \setminus \mathbf{x}(\mathbf{v})))` is the optimum
of :math:`\mathbf{v}'` with :math:`Z(\mathbf{v})` units, so with :math:`\alpha = \beta = 1` the
proof's bounds read

.. math::

    \text{(4)}\quad \mathbb{E}\Bigl[\sum_i u_i\Bigr] &\ge \tfrac12\,\mathbb{E}[g(Z)], \\
    \text{(5)}\quad \mathbb{E}\Bigl[\sum_i p(x_i)\Bigr] &\ge \tfrac12\,g(m) - \tfrac12\,\mathbb{E}[g(Z)].

(5) holds for any allocation rule: its slack is :math:`\frac12\mathbb{E}[g(Z) - Z\,g(m)/m] \ge 0`
because the average of the :math:`Z` largest marginals is at least the average of all :math:`m`
(:func:`revenue_bound_slack`, :func:`worst_allocation_rule`). (4) uses the equilibrium: a buyer can
always buy her demand on arrival and stay out of the aftermarket (the lab's action "request my
demand" is that deviation). At an approximate equilibrium it holds up to the buyers' expected
regret (:func:`proof_terms`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .. import lab
from .._checks import generator, whole_number
from ..allocation import optimal_welfare
from ..balanced import per_unit_price

__all__ = [
    "random_market",
    "balanced_price",
    "in_order",
    "OrderEquilibria",
    "equilibria_by_order",
    "optimum_by_supply",
    "unsold_distribution",
    "proof_terms",
    "revenue_bound_slack",
    "worst_allocation_rule",
]


def random_market(n, m, types=2, seed=None, levels=(0.0, 0.5, 1.0, 2.0, 4.0), speculator=False):
    """A random finite market: ``n`` bidders, ``m`` units, ``types`` equally likely types each.

    Each type's marginals are drawn from ``levels`` and sorted into non-increasing order. With
    ``speculator=True`` the last bidder has a single type that values nothing (a pure speculator,
    as C in Example 1).

    Returns
    -------
    aftermarkets.lab.FiniteMarket

    Examples
    --------
    >>> mk = random_market(3, 2, seed=0, speculator=True)
    >>> mk.type_counts, mk.values[2].tolist()
    ((2, 2, 1), [[0.0, 0.0]])
    """
    n, m, types = whole_number(n, "n", 1), whole_number(m, "m", 1), whole_number(types, "types", 1)
    rng = generator(seed)
    vals, probs = [], []
    for i in range(n):
        if speculator and i == n - 1:
            vals.append(np.zeros((1, m)))
            probs.append(np.ones(1))
            continue
        v = -np.sort(-rng.choice(np.asarray(levels, dtype=float), size=(types, m)), axis=1)
        vals.append(v)
        probs.append(np.full(types, 1.0 / types))
    return lab.FiniteMarket(vals, probs)


def balanced_price(market: lab.FiniteMarket) -> float:
    r"""The static balanced per-unit price :math:`\frac12 \mathbb{E}[w^{\mathbf{v}}]` of Claim 1,
    exact for a finite market (a weighted sum over type profiles)."""
    return 0.5 * float(market.profile_probs() @ per_unit_price(market.profile_values(), market.m))


def in_order(market: lab.FiniteMarket, order) -> lab.FiniteMarket:
    """The market with its bidders listed in arrival ``order`` (a permutation of bidder indices)."""
    order = [int(i) for i in order]
    if sorted(order) != list(range(market.n)):
        raise ValueError(f"order must be a permutation of 0..{market.n - 1}, got {order!r}")
    return lab.FiniteMarket(
        [market.values[i] for i in order], [market.probs[i] for i in order], [market.names[i] for i in order]
    )


@dataclass(frozen=True)
class OrderEquilibria:
    """The equilibria the lab finds for one arrival order.

    Attributes
    ----------
    order : tuple of str
        Bidders' names in arrival order.
    game : aftermarkets.lab.LabGame
        The posted price (fixed order) with or without resale.
    results : list of aftermarkets.lab.Result
        Distinct profiles found, equilibria first (each with its regret).
    price : float
    """

    order: tuple
    game: object
    results: list
    price: float

    def equilibria(self, tol: float = 1e-9) -> list:
        """The results whose regret is at most ``tol``."""
        return [r for r in self.results if r.is_equilibrium(tol)]

    @property
    def best(self):
        """The result with the smallest regret (an equilibrium if one was found)."""
        return min(self.results, key=lambda r: r.max_regret)


def equilibria_by_order(market, price=None, resale=True, random_starts=1, seed=0, tol=1e-9) -> list:
    """Solve the posted price at ``price`` (default :func:`balanced_price`) for every arrival order.

    Parameters
    ----------
    market : aftermarkets.lab.FiniteMarket
    price : float, optional
    resale : bool
        Run the lab's Bayesian resale stage after the posted price (``False``: Proposition 6's
        setting, no aftermarket).
    random_starts, seed : int
        Passed to :func:`aftermarkets.lab.solve` (besides its demand / nothing / everything starts).
    tol : float
        Regret tolerance of an equilibrium.

    Returns
    -------
    list of OrderEquilibria
        One per permutation of the bidders, in ``itertools.permutations`` order.
    """
    p = balanced_price(market) if price is None else float(price)
    out = []
    for order in itertools.permutations(range(market.n)):
        mk = in_order(market, order)
        fmt = lab.posted_price(mk.m, p, random_order=False, bound=0.5)
        game = lab.LabGame(mk, fmt, resale=resale)
        res = lab.solve(game, tol=tol, seed=seed, random_starts=random_starts)
        out.append(OrderEquilibria(tuple(mk.names), game, res, p))
    return out


def optimum_by_supply(market: lab.FiniteMarket) -> np.ndarray:
    r""":math:`g(k) = \mathbb{E}[\mathbf{v}(\mathrm{OPT}(\mathbf{v}, k))]` for ``k = 0..m`` (exact)."""
    vals, probs = market.profile_values(), market.profile_probs()
    return np.array([probs @ optimal_welfare(vals, k) for k in range(market.m + 1)])


def unsold_distribution(game, strategies) -> np.ndarray:
    """Probability that the posted price leaves ``k = 0..m`` units unsold at a (mixed) profile.

    Averages the lab's outcome table over type profiles, the strategies' action probabilities and
    the arrival orders (this is the smallest addition the lab needs for the proof's terms).
    """
    mk = game.mk
    mixed = game.mixed(strategies)
    n, A = mk.n, game.A
    sold = game.alloc.sum(axis=-1)  # (A,)*n + (O,)
    onehot = (mk.m - sold)[..., None] == np.arange(mk.m + 1)  # (A,)*n + (O, m+1)
    per_actions = onehot.mean(axis=n)  # (A,)*n + (m+1,)
    dist = np.zeros(mk.m + 1)
    for t, w in zip(game.prof, game.prob):
        joint = np.ones(())
        for i in range(n):
            joint = np.multiply.outer(joint, mixed[i][t[i]])
        dist += w * np.tensordot(joint, per_actions, axes=n)
    if A and abs(dist.sum() - 1) > 1e-9:
        raise RuntimeError("the unsold-units distribution does not sum to 1")
    return dist


def proof_terms(game, result) -> dict:
    """The terms of Theorem 4's proof at a profile the lab returned (``alpha = beta = 1``).

    Returns
    -------
    dict
        ``welfare``, ``utilities`` (sum of the bidders' expected utilities), ``revenue`` (the posted
        price's), ``trade_surplus`` (welfare minus both: 0 for resale), ``E_g_Z``
        (:math:`\\mathbb{E}[g(Z)]`), ``bound4``, ``bound5``, ``half_optimum``, ``slack4``,
        ``slack5``, ``regret_allowance`` (the bidders' expected regret, by which (4) may fall short
        at an approximate equilibrium) and ``max_regret``.
    """
    mk = game.mk
    g = optimum_by_supply(mk)
    dist = unsold_distribution(game, result.strategies)
    egz = float(dist @ g)
    utilities = float(np.sum(result.utilities))
    allowance = float(sum(mk.probs[i] @ r for i, r in enumerate(result.regrets)))
    bound4, bound5 = 0.5 * egz, 0.5 * g[-1] - 0.5 * egz
    return {
        "welfare": result.welfare,
        "utilities": utilities,
        "revenue": result.revenue,
        "trade_surplus": result.welfare - utilities - result.revenue,
        "E_g_Z": egz,
        "bound4": bound4,
        "bound5": bound5,
        "half_optimum": 0.5 * g[-1],
        "slack4": utilities - bound4,
        "slack5": result.revenue - bound5,
        "regret_allowance": allowance,
        "max_regret": result.max_regret,
    }


def revenue_bound_slack(market: lab.FiniteMarket, unsold) -> float:
    r"""Slack of bound (5) for an allocation rule leaving ``unsold[t]`` units at type profile ``t``:
    revenue :math:`p\,\mathbb{E}[m - Z]` minus :math:`\frac12 g(m) - \frac12 \mathbb{E}[g(Z)]`, with
    :math:`p = g(m)/(2m)`. Who gets the sold units does not matter. Vectorised over leading axes of
    ``unsold`` (shape ``(..., T)``)."""
    g = optimum_by_supply(market)
    z = np.asarray(unsold, dtype=np.int64)
    if np.any(z < 0) or np.any(z > market.m):
        raise ValueError(f"unsold units must lie in 0..{market.m}")
    probs = market.profile_probs()
    revenue = g[-1] / (2 * market.m) * ((market.m - z) @ probs)
    return revenue - (0.5 * g[-1] - 0.5 * (g[z] @ probs))


def worst_allocation_rule(market: lab.FiniteMarket, limit: int = 2_000_000) -> tuple:
    """The smallest slack of bound (5) over **every** deterministic allocation rule.

    The slack depends on a rule only through the units it leaves unsold at each type profile, so
    enumerating all :math:`(m+1)^T` maps from type profiles to unsold units covers every rule.

    Returns
    -------
    tuple
        ``(smallest slack, an unsold-units map attaining it, number of maps)``.
    """
    T, m = len(market.profile_probs()), market.m
    count = (m + 1) ** T
    if count > limit:
        raise ValueError(f"{count} rules to enumerate (more than {limit}); use a smaller market")
    rules = np.array(list(itertools.product(range(m + 1), repeat=T)), dtype=np.int64)
    slack = revenue_bound_slack(market, rules)
    k = int(np.argmin(slack))
    return float(slack[k]), rules[k], count
