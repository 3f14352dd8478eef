r"""Costly information acquisition before an auction (Section 4.2, Proposition 5, Appendix A.2).

Before the auction, bidder :math:`k` may buy a signal that reveals the other bidders' types, at a
cost :math:`c \ge 0`; not buying (:math:`\bar\psi`) is free. The decision is not observed by the
others. A strategy of bidder :math:`k` is an acquisition policy :math:`\pi(\theta_k) \in
\{\text{buy}, \text{not}\}` and a bid for each (type, signal); the others bid on their types.

**Reduction to the lab.** Given a policy :math:`\pi`, bidder :math:`k`'s *augmented type* is
:math:`(\theta_k, s)` with :math:`s = \theta_{-k}` if :math:`\pi(\theta_k)` buys and
:math:`s = \varnothing` otherwise: a finite game with *correlated* types, which the equilibrium lab
solves once its market knows the joint prior (:class:`CorrelatedMarket`, the smallest addition
the lab needs: it overrides :meth:`~aftermarkets.lab.FiniteMarket.profile_probs`, and the lab's
interim utilities then condition on the own type, since they divide the joint probability by the
own type's marginal). Only the auction alone is supported here (``resale=False``): the lab's resale
stage forms its beliefs from independent priors. An equilibrium of the game with the option is a
policy and an equilibrium of its augmented game such that no type of bidder :math:`k` gains by
switching its acquisition decision:

.. math::

    \text{regret}_{\text{buy}}(\theta_k) = \max\bigl(V_I(\theta_k) - c,\ V_U(\theta_k)\bigr)
    - \text{value of } \pi(\theta_k),

where :math:`V_I = \mathbf{E}_s[\max_b U(b \mid \theta_k, s)]` and
:math:`V_U = \max_b U(b \mid \theta_k, \varnothing)` against the others' strategies.
:func:`solve_with_option` enumerates the :math:`2^{T_k}` policies.

**Appendix A.2's deviation.** Bidder :math:`i` buys nothing, draws phantom types
:math:`\hat\theta_{-i} \sim F_{-i}` and plays :math:`D_i(\theta_i, \hat\theta_{-i})`.
:func:`phantom_deviation` computes its expected utility exactly, both against the others'
actions *given* :math:`\theta_i` (what the deviator actually faces) and against their marginal
distribution :math:`G_{-i}` (what A.2 writes), together with the expected revenue at equilibrium and
under the product of the marginals :math:`G = \times_j G_j`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from . import smoothness as sm
from .allocation import optimal_welfare
from .lab import FiniteMarket, LabGame, solve

__all__ = [
    "CorrelatedMarket",
    "correlated_market",
    "informed_market",
    "OptionEquilibrium",
    "solve_with_option",
    "phantom_deviation",
    "semi_smooth_chain",
]


@dataclass(frozen=True)
class CorrelatedMarket(FiniteMarket):
    """A :class:`~aftermarkets.lab.FiniteMarket` whose types are drawn from a joint prior.

    Build it with :func:`correlated_market`. ``probs`` holds the marginals (so the lab's checks and
    interim conditioning work); ``joint[t_1, ..., t_n]`` the joint probabilities (zeros allowed).
    """

    joint: np.ndarray = None

    def profile_probs(self) -> np.ndarray:
        """The joint probability of each type profile of :meth:`profiles`."""
        return self.joint[tuple(self.profiles().T)]


def correlated_market(values, joint, names=None) -> CorrelatedMarket:
    """A market with a joint prior over type profiles.

    Parameters
    ----------
    values : sequence of array_like
        As in :class:`~aftermarkets.lab.FiniteMarket`.
    joint : array_like
        Shape ``(T_1, ..., T_n)``, non-negative, summing to 1, every type with positive marginal.
    names : sequence of str, optional

    Examples
    --------
    >>> mk = correlated_market([[[1.0], [2.0]], [[1.0], [2.0]]], [[0.5, 0], [0, 0.5]])
    >>> mk.profile_probs()
    array([0.5, 0. , 0. , 0.5])
    """
    J = np.asarray(joint, dtype=float)
    shape = tuple(len(v) for v in values)
    if J.shape != shape or np.any(J < 0) or abs(J.sum() - 1) > 1e-9:
        raise ValueError(f"joint must be a probability table of shape {shape}, got shape {J.shape}")
    J = J / J.sum()
    marg = [J.sum(axis=tuple(k for k in range(J.ndim) if k != i)) for i in range(J.ndim)]
    if any(np.any(p <= 0) for p in marg):
        raise ValueError("every type needs a positive marginal probability")
    return CorrelatedMarket(tuple(values), tuple(marg), names, J)


def informed_market(market: FiniteMarket, k: int, policy) -> tuple:
    """The augmented market of an acquisition policy (two bidders).

    Parameters
    ----------
    market : FiniteMarket
        Independent types, two bidders.
    k : int
        The bidder who may buy the signal (it reveals the other's type).
    policy : sequence of bool
        ``policy[t]``: whether type ``t`` of bidder ``k`` buys.

    Returns
    -------
    tuple
        ``(CorrelatedMarket, labels)``; ``labels[r] = (t, s)`` for each augmented type ``r`` of
        bidder ``k`` (``s`` the other's type, or ``None`` when uninformed).
    """
    if market.n != 2 or k not in (0, 1):
        raise ValueError("information acquisition is implemented for two bidders, k in {0, 1}")
    policy = [bool(x) for x in policy]
    if len(policy) != market.type_counts[k]:
        raise ValueError(f"policy needs one decision per type of bidder {k} ({market.type_counts[k]})")
    other = 1 - k
    labels = []
    for t, buy in enumerate(policy):
        labels += [(t, s) for s in range(market.type_counts[other])] if buy else [(t, None)]
    vals_k = np.array([market.values[k][t] for t, _ in labels])
    J = np.zeros((len(labels), market.type_counts[other]))
    for r, (t, s) in enumerate(labels):
        for o in range(market.type_counts[other]):
            if s is None or s == o:
                J[r, o] = market.probs[k][t] * market.probs[other][o]
    values = [None, None]
    values[k], values[other] = vals_k, market.values[other]
    joint = J if k == 0 else J.T
    names = market.names
    return correlated_market(values, joint, names), labels


@dataclass(frozen=True)
class OptionEquilibrium:
    """An equilibrium of the game with the information option.

    Attributes
    ----------
    policy : tuple of bool
        Which types of the informed bidder buy the signal.
    labels : list
        The augmented types ``(t, s)`` of the informed bidder.
    result : aftermarkets.lab.Result
        The lab's result on the augmented market (strategies, regrets, welfare, revenue).
    buy_regret : numpy.ndarray
        Per type of the informed bidder: the gain from switching the acquisition decision.
    signal_value : numpy.ndarray
        Per type: :math:`V_I - V_U`, the value of the signal against the others' strategies.
    cost : float
    acquire_probability : float
    """

    policy: tuple
    labels: list
    result: object
    buy_regret: np.ndarray
    signal_value: np.ndarray
    cost: float
    acquire_probability: float

    @property
    def max_regret(self) -> float:
        """The largest regret: bidding (the lab's) or acquisition."""
        return max(self.result.max_regret, float(self.buy_regret.max()))

    @property
    def net_welfare(self) -> float:
        """Expected welfare minus the expected cost of information."""
        return self.result.welfare - self.cost * self.acquire_probability


def _values(market, fmt, k, sigma_other, other_types_market):
    """V_I and V_U per type of bidder k against the other's strategy (auction alone)."""
    T_k = market.type_counts[k]
    full, labels = informed_market(market, k, [True] * T_k)
    none, _ = informed_market(market, k, [False] * T_k)
    out = []
    for mk in (full, none):
        g = LabGame(mk, fmt, resale=False)
        sig = [None, None]
        sig[1 - k] = sigma_other
        sig[k] = np.zeros(mk.type_counts[k], dtype=np.int64)
        out.append(g.utilities(k, sig).max(axis=1))
    best_full, best_none = out
    V_I = np.zeros(T_k)
    for r, (t, s) in enumerate(labels):
        V_I[t] += market.probs[1 - k][s] * best_full[r]
    return V_I, best_none


def solve_with_option(market: FiniteMarket, fmt, k: int, cost: float, tol=1e-9, **solve_kw) -> list:
    """Equilibria of the auction with bidder ``k``'s information option, policy by policy.

    For each of the ``2^{T_k}`` acquisition policies, the lab solves the augmented game
    (:func:`aftermarkets.lab.solve`, auction alone); each equilibrium found gets its acquisition
    regret. Returns every (policy, equilibrium) pair whose bidding regret is at most ``tol``,
    sorted by total regret; those with total regret at most ``tol`` are equilibria of the game with
    the option.
    """
    if cost < 0:
        raise ValueError("the cost of information must be non-negative")
    out = []
    for policy in itertools.product([False, True], repeat=market.type_counts[k]):
        mk, labels = informed_market(market, k, policy)
        game = LabGame(mk, fmt, resale=False)
        for res in solve(game, tol=tol, **solve_kw):
            if not res.is_equilibrium(tol):
                continue
            V_I, V_U = _values(market, fmt, k, res.strategies[1 - k], None)
            chosen = np.where(policy, V_I - cost, V_U)
            regret = np.maximum(V_I - cost, V_U) - chosen
            p_buy = float(np.sum(np.asarray(policy) * market.probs[k]))
            out.append(OptionEquilibrium(policy, labels, res, regret, V_I - V_U, float(cost), p_buy))
    return sorted(out, key=lambda e: (e.max_regret > tol, e.max_regret, e.net_welfare))


def _mixed(strategies, A):
    rows = []
    for s in strategies:
        s = np.asarray(s)
        if s.ndim == 1:
            x = np.zeros((len(s), A))
            x[np.arange(len(s)), s.astype(np.int64)] = 1.0
            s = x
        rows.append(s)
    return rows


def phantom_deviation(
    market: FiniteMarket, game: LabGame, strategies, mech="discriminatory", law=sm.FIRST_PRICE
):  # noqa: E501
    r"""Appendix A.2's quantities at a strategy profile of a (possibly augmented) lab game.

    ``market`` holds the independent *values* :math:`F = \times_i F_i`; ``game`` the (augmented)
    game whose strategies are given; its type profiles must map to value profiles (for an augmented
    type the value is the first element of its label, which :func:`informed_market` keeps as the
    bidder's marginal values).

    Returns
    -------
    dict
        ``equilibrium`` (expected utility per bidder), ``actual`` (the phantom deviation against the
        others' actions given the own type), ``paper`` (against their marginal :math:`G_{-i}`),
        ``welfare`` (:math:`\mathrm{Wel}(F)`), ``revenue`` (at equilibrium, as the lab computes it),
        and :math:`\mathbf{E}_{a \sim G}[\mathrm{Rev}(a)]` under the two readings of Appendix A.2's
        :math:`G`, computed by running the auction on every action profile: ``revenue_joint``
        (:math:`G` the joint law of the equilibrium actions) and ``revenue_product``
        (:math:`G = \times_j G_j`, the product of the marginals).
    """
    mk = game.mk
    n, m, A = mk.n, mk.m, game.A
    grid = game.fmt.actions
    mixed = _mixed(strategies, A)
    prof, prob, vals = game.prof, game.prob, game.vals  # augmented profiles
    # value profiles of the independent market, with probabilities
    vprof = market.profiles()
    vprob = market.profile_probs()
    vvals = market.profile_values()
    res = game.evaluate(strategies)
    out = {"equilibrium": np.asarray(res.utilities), "welfare": float(vprob @ optimal_welfare(vvals, m))}
    out["revenue"] = res.revenue
    # marginal action distributions G_j and conditional ones given the other's value type
    G = [np.einsum("t,ta->a", mk.probs[j], mixed[j]) for j in range(n)]
    actual, paper = np.zeros(n), np.zeros(n)
    for i in range(n):
        for ti_val in range(market.type_counts[i]):
            p_i = market.probs[i][ti_val]
            v_i = market.values[i][ti_val]
            # phantom others: every value profile of the others, with its probability
            for r, row in enumerate(vprof):
                if row[i] != ti_val:
                    continue
                w_phantom = vprob[r] / p_i
                d = sm.optimal_units_directions(vvals[r])[i]  # D_i(theta_i, phantom others)
                # the others' actions: (a) given theta_i, (b) marginal
                for mode, store in (("actual", actual), ("paper", paper)):
                    bids, w = _others_actions(game, mixed, G, i, v_i, mode)
                    prof_b = np.repeat(np.zeros((1, n, m)), len(w), axis=0)
                    for j in range(n):
                        if j != i:
                            prof_b[:, j] = grid[bids[:, j]]
                    values = np.repeat(vvals[r][None], len(w), axis=0)
                    dirs = np.zeros((len(w), n, m))
                    dirs[:, i] = d
                    u = sm.deviation_utilities(mech, values, prof_b, dirs, law)[:, i]
                    store[i] += p_i * w_phantom * float(w @ u)
    out["actual"], out["paper"] = actual, paper
    # E_{a ~ G}[Rev(a)] for the two readings of G: the joint law of the equilibrium actions (types
    # drawn from the game's joint prior, then each type's action), and the product of the marginals
    combos = np.array(list(itertools.product(range(A), repeat=n)))
    wjoint = prob @ np.prod([mixed[j][prof[:, j]][:, combos[:, j]] for j in range(n)], axis=0)
    wprod = np.prod([G[j][combos[:, j]] for j in range(n)], axis=0)
    for key, w in (("revenue_joint", wjoint), ("revenue_product", wprod)):
        keep = w > 0
        bids = np.stack([grid[combos[keep, j]] for j in range(n)], axis=1)
        x, pay = sm.MECHANISMS[mech].run(bids, m) if isinstance(mech, str) else mech.run(bids, m)
        out[key] = float(w[keep] @ pay.sum(axis=-1))
    del vals
    return out


def semi_smooth_chain(game: LabGame, strategies, mech="discriminatory", law=sm.FIRST_PRICE) -> dict:
    r"""Proposition 3's argument at a strategy profile of a lab game (any joint prior).

    Every bidder deviates to :math:`D_i(v_i)`: bid :math:`t\,v_i` on every unit
    (:func:`~aftermarkets.smoothness.all_units_directions`), which needs only her own values. Against
    the others' actual actions, drawn jointly with her type,

    .. math::

        \sum_i \mathbf{E}[u_i(D_i(v_i), a_{-i})] \ge \lambda\,\mathbf{E}[\mathrm{Wel}(\mathbf v)]
        - \mu\,\mathbf{E}[\mathrm{Rev}(a)]

    holds profile by profile (semi-smoothness), whatever the correlation.

    Returns
    -------
    dict
        ``deviation`` (per bidder), ``equilibrium`` (per bidder), ``welfare`` (the profile's
        expected welfare), ``optimal_welfare``, ``revenue`` (expected auction revenue).
    """
    n, A = game.mk.n, game.A
    grid = game.fmt.actions
    mixed = _mixed(strategies, A)
    res = game.evaluate(strategies)
    combos = np.array(list(itertools.product(range(A), repeat=n)))
    dev = np.zeros(n)
    for r in np.flatnonzero(game.prob > 0):
        w = game.prob[r] * np.prod([mixed[j][game.prof[r, j], combos[:, j]] for j in range(n)], axis=0)
        keep = w > 0
        bids = np.stack([grid[combos[keep, j]] for j in range(n)], axis=1)
        vals = np.repeat(game.vals[r][None], keep.sum(), axis=0)
        u = sm.deviation_utilities(mech, vals, bids, sm.all_units_directions(vals), law)
        dev += w[keep] @ u
    return {
        "deviation": dev,
        "equilibrium": np.asarray(res.utilities),
        "welfare": res.welfare,
        "optimal_welfare": res.optimal_welfare,
        "revenue": res.revenue,
    }


def _others_actions(game, mixed, G, i, v_i, mode):
    """Action profiles of the others (indices, shape ``(R, n)``) and weights: given that bidder
    ``i``'s marginal values are ``v_i`` (``mode="actual"``), or from their marginals G."""
    mk, n, A = game.mk, game.mk.n, game.A
    others = [j for j in range(n) if j != i]
    if mode == "paper":
        combos = np.array(list(itertools.product(range(A), repeat=len(others))))
        w = np.prod([G[j][combos[:, c]] for c, j in enumerate(others)], axis=0)
    else:
        own = np.all(np.isclose(mk.values[i], v_i), axis=1)  # augmented types with these values
        rows = np.flatnonzero(own[game.prof[:, i]])
        pw = game.prob[rows] / game.prob[rows].sum()
        combos = np.array(list(itertools.product(range(A), repeat=len(others))))
        w = np.zeros(len(combos))
        for r, p in zip(rows, pw):
            w += p * np.prod([mixed[j][game.prof[r, j], combos[:, c]] for c, j in enumerate(others)], axis=0)
    idx = np.zeros((len(combos), n), dtype=np.int64)
    for c, j in enumerate(others):
        idx[:, j] = combos[:, c]
    keep = w > 0
    return idx[keep], w[keep]
