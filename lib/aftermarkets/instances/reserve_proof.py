r"""The proofs of Theorem 5 (Appendix C.2) and Theorem 6 (Appendix D), term by term, on finite
instances.

A :class:`FiniteInstance` has :math:`n` agents, each with :math:`K` types (non-increasing marginal
vectors for :math:`m` units) drawn independently with given probabilities, so every expectation
over :math:`\mathbf v` and the phantom profile :math:`\mathbf v'` is a finite sum, computed exactly.
A *strategy profile* gives every agent's bid for each of her types (an array ``(n, K, m)``); it
need not be an equilibrium. The auction is the library's uniform-price auction with per-unit
reserve :math:`p'` (Theorem 5: :math:`p' = p = \mathbb{E}[\mathbf v(\mathrm{OPT}(\mathbf v))]/(2m)`).

:func:`proof_terms` follows the proof. With :math:`Z(\mathbf b)` the number of units the auction
leaves unsold, :math:`z(v_i)` the number of agent :math:`i`'s marginals at or above the threshold
:math:`\tau` (the proof's :math:`p`; :math:`p'` in Theorem 6, see below), and
:math:`y_i = \min\{z(v_i), \mathrm{OPT}_i((v_i, \mathbf v'_{-i}); m)\}`, agent :math:`i`'s
deviation bids :math:`p'` on :math:`y_i` units and stays out of resale. The terms, summed over
agents and averaged over :math:`(\mathbf v, \mathbf v')`, are

* ``surplus`` :math:`\sum_i \mathbb{E}[u_i(\mathbf b(\mathbf v))]` (the profile's own utilities;
  no aftermarket here, since the proof's chain below does not involve one);
* ``deviation`` the deviation's utility, from the library's auction;
* ``capped`` :math:`v_i(\min\{z(v_i), k\}) - p' \min\{z(v_i), k\}`, with
  :math:`k = \mathrm{OPT}_i((v_i, \mathbf v'_{-i}); Z(\mathbf b(v'_i, \mathbf v_{-i})))`;
* ``uncapped`` :math:`v_i(k) - p' k`;
* ``swapped`` the same after the change of variables,
  :math:`\mathbf v(\mathrm{OPT}(\mathbf v; Z(\mathbf b(\mathbf v')))) - p' \,|\mathrm{OPT}(\mathbf v;
  Z(\mathbf b(\mathbf v')))|`;
* ``averaged`` :math:`\mathbb{E}[Z(\mathbf b(\mathbf v'))]\,\mathbb{E}[\mathbf v(\mathrm{OPT}(\mathbf
  v))]/m - p'\,\mathbb{E}[Z]`, using :math:`\mathbf v(\mathrm{OPT}(\mathbf v; k)) \ge
  \frac{k}{m}\mathbf v(\mathrm{OPT}(\mathbf v))` (checked for every profile and every ``k``);
* ``bound`` :math:`(2p - p')\,\mathbb{E}[Z]` (:math:`= p\,\mathbb{E}[Z]` when :math:`p' = p`);

and the revenue, which is at least :math:`p'(m - \mathbb{E}[Z])`. The proof's chain is
``surplus >= deviation >= capped >= uncapped = swapped >= averaged = bound``; only the first
inequality uses the equilibrium. Per pair it also checks the step
:math:`x_i(b'_i, \mathbf b_{-i}(\mathbf v_{-i})) \ge \min\{y_i, Z(\mathbf b(v'_i, \mathbf v_{-i}))\}`
and that the deviator pays exactly :math:`p'` per unit won.

**Ties at the reserve.** ``tie_rule="weak"`` is Section 6's rule (bids equal to the reserve may
win); ``"strict"`` ignores them too (a reserve that must be beaten). ``deviator`` puts the deviating
agent last (``"adverse"``) or first (``"favourable"``) in the auction's tie-breaking order.

**Theorem 6's threshold.** Its proof defines :math:`z(v_i)` with :math:`p` but has the deviator pay
:math:`p'`. ``threshold="reserve"`` uses :math:`p'`, ``threshold="balanced"`` uses :math:`p`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import product

import numpy as np

from .._checks import generator, prices, whole_number
from ..allocation import optimal_allocation, optimal_welfare
from ..auctions import uniform_price_auction
from ..valuations import validate_marginals

__all__ = [
    "FiniteInstance",
    "random_instance",
    "strategies",
    "ProofTerms",
    "proof_terms",
    "STEPS",
    "KINDS",
    "random_cases",
]

#: The strategy profiles of :func:`strategies`, in the book's order.
KINDS = ("truthful", "shaded", "at-reserve", "speculative")

#: The proof's inequalities, in order, as (name, larger term, smaller term).
STEPS = (
    ("equilibrium", "surplus", "deviation"),
    ("deviation wins enough", "deviation", "capped"),
    ("drop the cap z(v_i)", "capped", "uncapped"),
    ("Z-unit optimum", "swapped", "averaged"),
)


@dataclass(frozen=True)
class FiniteInstance:
    """Independent finite type distributions: agent ``i`` has type ``types[i, k]`` (marginals for
    ``m`` units) with probability ``probs[i, k]``.

    Parameters
    ----------
    types : array_like
        Shape ``(n, K, m)``, non-negative, non-increasing along the last axis.
    probs : array_like
        Shape ``(n, K)``, each row a probability vector.
    """

    types: np.ndarray
    probs: np.ndarray

    def __post_init__(self):
        t = validate_marginals(np.asarray(self.types, dtype=float), name="types")
        p = np.asarray(self.probs, dtype=float)
        if t.ndim != 3:
            raise ValueError(f"types must have shape (n, K, m), got {t.shape}")
        if p.shape != t.shape[:2]:
            raise ValueError(f"probs must have shape (n, K) = {t.shape[:2]}, got {p.shape}")
        if np.any(~np.isfinite(p)) or np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-12):
            raise ValueError("each row of probs must be a probability vector")
        object.__setattr__(self, "types", t)
        object.__setattr__(self, "probs", p)

    @property
    def n(self) -> int:
        return self.types.shape[0]

    @property
    def K(self) -> int:
        return self.types.shape[1]

    @property
    def m(self) -> int:
        return self.types.shape[2]

    def profiles(self) -> tuple:
        """Every type profile: ``(index (P, n), values (P, n, m), probability (P,))``."""
        idx = np.array(list(product(range(self.K), repeat=self.n)), dtype=np.int64)
        agents = np.arange(self.n)
        return idx, self.types[agents, idx], np.prod(self.probs[agents, idx], axis=1)

    @cached_property
    def optima(self) -> tuple:
        """For every profile and every ``k = 0..m``: the greedy optimal allocation of ``k`` units
        (shape ``(m + 1, P, n)``) and its welfare (``(m + 1, P)``); computed once per instance."""
        _, values, _ = self.profiles()
        alloc = np.stack([optimal_allocation(values, k) for k in range(self.m + 1)])
        wel = np.stack([optimal_welfare(values, k) for k in range(self.m + 1)])
        return alloc, wel

    def expected_optimal_welfare(self) -> float:
        r""":math:`\mathbb{E}[\mathbf v(\mathrm{OPT}(\mathbf v))]`, exactly."""
        _, _, prob = self.profiles()
        return float(prob @ self.optima[1][self.m])

    def balanced_reserve(self) -> float:
        r"""Theorem 5's reserve :math:`\mathbb{E}[\mathbf v(\mathrm{OPT}(\mathbf v))]/(2m)`."""
        return self.expected_optimal_welfare() / (2 * self.m)


def random_instance(n=3, m=5, K=2, seed=None, speculator=True, grid=0.25, top=3.0) -> FiniteInstance:
    """A random instance: marginals on a grid (so that ties are common), sorted non-increasing.

    Each type values a uniformly random number of units (0 to ``m``) at positive multiples of
    ``grid`` up to ``top``, and the rest at 0, so that units often go unsold.

    Parameters
    ----------
    n : int
        Agents with values (``>= 1``); with ``speculator`` one more agent values nothing.
    m, K : int
        Units (``>= 1``) and types per agent (``>= 1``).
    seed : int, numpy.random.Generator or None
    speculator : bool
        Append an agent whose every type values every unit at 0.
    grid, top : float
        Marginals are multiples of ``grid`` in ``[0, top]``.

    Returns
    -------
    FiniteInstance
    """
    n, m, K = whole_number(n, "n", 1), whole_number(m, "m", 1), whole_number(K, "K", 1)
    rng = generator(seed)
    steps = int(round(top / grid))
    vals = grid * rng.integers(1, steps + 1, size=(n, K, m))
    vals = -np.sort(-vals, axis=-1)
    wanted = rng.integers(0, m + 1, size=(n, K, 1))
    vals = np.where(np.arange(m) < wanted, vals, 0.0)
    probs = rng.dirichlet(np.ones(K), size=n)
    if speculator:
        vals = np.concatenate([vals, np.zeros((1, K, m))])
        probs = np.concatenate([probs, np.full((1, K), 1.0 / K)])
    return FiniteInstance(vals, probs)


def strategies(instance: FiniteInstance, kind: str, reserve=None, factor=0.6) -> np.ndarray:
    """Named strategy profiles, shape ``(n, K, m)``: each agent's bid for each of her types.

    * ``"truthful"``: bid the marginal values;
    * ``"shaded"``: bid ``factor`` times them (demand reduction, some bids fall below the reserve);
    * ``"at-reserve"``: bid the reserve on every unit worth at least the reserve (the proof's
      deviation, played by everyone; ties at the reserve everywhere);
    * ``"speculative"``: truthful, except that the last agent bids the highest marginal value of
      the instance plus 1 on ``m - 1`` units, whatever her type.
    """
    t = instance.types
    if kind == "truthful":
        return t.copy()
    if kind == "shaded":
        return float(factor) * t
    if kind == "at-reserve":
        r = float(prices(instance.balanced_reserve() if reserve is None else reserve, "reserve", scalar=True))
        return np.where((t >= r) & (t > 0), r, 0.0)
    if kind == "speculative":
        b = t.copy()
        b[-1] = 0.0
        b[-1, :, : instance.m - 1] = t.max() + 1.0
        return b
    raise ValueError(f"kind must be 'truthful', 'shaded', 'at-reserve' or 'speculative', got {kind!r}")


@dataclass(frozen=True)
class ProofTerms:
    """The terms of the proof of Theorem 5 (or 6) for one instance and strategy profile.

    Attributes
    ----------
    reserve, balanced : float
        The auction's reserve :math:`p'` and the balanced price :math:`p`.
    expected_optimum : float
        :math:`\\mathbb{E}[\\mathbf v(\\mathrm{OPT}(\\mathbf v))]`.
    unsold : float
        :math:`\\mathbb{E}[Z(\\mathbf b(\\mathbf v))]`.
    terms : dict of str to float
        ``surplus, deviation, capped, uncapped, swapped, averaged, bound``, summed over agents.
    agent_slack : numpy.ndarray
        Per agent, ``surplus - deviation`` (negative: the profile is not an equilibrium).
    revenue, revenue_bound, welfare : float
        Expected auction revenue, :math:`p'(m - \\mathbb{E}[Z])`, and expected welfare (surplus plus
        revenue).
    wins_slack : float
        Smallest :math:`x_i - \\min\\{y_i, Z(\\mathbf b(v'_i, \\mathbf v_{-i}))\\}` over agents and pairs.
    price_gap : float
        Largest :math:`|` price paid per unit by a winning deviator :math:`- p'|`.
    deviation_min : float
        Smallest utility of the deviation over agents and pairs (the proof says it is
        non-negative).
    pair_slack : dict of str to float
        The two steps ``"deviation wins enough"`` and ``"drop the cap z(v_i)"`` checked pair by pair
        (smallest slack over agents and pairs; the proof's argument makes both non-negative).
    average_slack : float
        Smallest :math:`\\mathbf v(\\mathrm{OPT}(\\mathbf v; k))
        - \\frac{k}{m}\\mathbf v(\\mathrm{OPT}(\\mathbf v))` over profiles and ``k``.
    """

    m: int
    reserve: float
    balanced: float
    expected_optimum: float
    unsold: float
    terms: dict
    agent_slack: np.ndarray
    revenue: float
    revenue_bound: float
    welfare: float
    wins_slack: float
    price_gap: float
    deviation_min: float
    average_slack: float
    pair_slack: dict

    def step_slacks(self) -> dict:
        """Each inequality of :data:`STEPS`: larger minus smaller term (``>= 0`` when it holds)."""
        return {name: self.terms[a] - self.terms[b] for name, a, b in STEPS}

    @property
    def guarantee(self) -> float:
        """The theorem's guarantee :math:`\\tfrac12\\mathbb{E}[\\mathrm{OPT}] - m|p' - p|`."""
        return self.expected_optimum / 2 - self.m * abs(self.reserve - self.balanced)


def _priority(n, i, deviator):
    if deviator == "adverse":
        return [j for j in range(n) if j != i] + [i]
    if deviator == "favourable":
        return [i] + [j for j in range(n) if j != i]
    raise ValueError(f"deviator must be 'adverse' or 'favourable', got {deviator!r}")


def proof_terms(
    instance: FiniteInstance, bids, reserve=None, threshold="reserve", tie_rule="weak", deviator="adverse"
) -> ProofTerms:
    """Compute every term of the proof of Theorem 5 (Theorem 6 when ``reserve`` is not the
    balanced price) for one strategy profile, exactly.

    Parameters
    ----------
    instance : FiniteInstance
    bids : array_like
        Strategy profile, shape ``(n, K, m)`` (see :func:`strategies`).
    reserve : float, optional
        The auction's reserve :math:`p'`; default the balanced price :math:`p`.
    threshold : {"reserve", "balanced"}
        What :math:`z(v_i)` counts marginals against: :math:`p'` or :math:`p`.
    tie_rule : {"weak", "strict"}
        Whether bids equal to the reserve may win (Section 6) or are ignored.
    deviator : {"adverse", "favourable"}
        The deviating agent is last or first in the auction's tie-breaking order.

    Returns
    -------
    ProofTerms
    """
    n, K, m = instance.n, instance.K, instance.m
    b = np.asarray(bids, dtype=float)
    if b.shape != (n, K, m):
        raise ValueError(f"bids must have shape (n, K, m) = {(n, K, m)}, got {b.shape}")
    b = validate_marginals(b, name="bids")
    p = instance.balanced_reserve()
    pr = p if reserve is None else float(prices(reserve, "reserve", scalar=True))
    if threshold not in ("reserve", "balanced"):
        raise ValueError(f"threshold must be 'reserve' or 'balanced', got {threshold!r}")
    if tie_rule not in ("weak", "strict"):
        raise ValueError(f"tie_rule must be 'weak' or 'strict', got {tie_rule!r}")
    tau = pr if threshold == "reserve" else p
    admit = pr if tie_rule == "weak" else np.nextafter(pr, np.inf)  # strict: bids equal to pr ignored

    idx, values, prob = instance.profiles()
    P, agents = len(prob), np.arange(n)
    powers = K ** np.arange(n - 1, -1, -1)  # type tuple @ powers = its profile index
    opt_k, wel_k = instance.optima  # (m + 1, P, n) and (m + 1, P)
    cum = np.concatenate([np.zeros(values.shape[:-1] + (1,)), np.cumsum(values, axis=-1)], axis=-1)

    eq = uniform_price_auction(b[agents, idx], m, reserve=admit)
    x_eq = eq.allocation  # (P, n)
    unsold = m - x_eq.sum(axis=1)  # Z(b(v))
    u_eq = np.take_along_axis(cum, x_eq[..., None], axis=-1)[..., 0] - eq.payments

    # pairs (v, v'): v = profile a, v' = profile c
    a, c = np.meshgrid(np.arange(P), np.arange(P), indexing="ij")
    a, c = a.ravel(), c.ravel()
    w2 = prob[a] * prob[c]
    terms = dict.fromkeys(("deviation", "capped", "uncapped"), 0.0)
    dev_i = np.zeros(n)
    wins_slack, price_gap, dev_min = np.inf, 0.0, np.inf
    pair_slack = {"deviation wins enough": np.inf, "drop the cap z(v_i)": np.inf}
    z_count = (instance.types >= tau) & (instance.types > 0)  # (n, K, m)
    prep = []
    for i in range(n):  # the deviations of every agent, run in one batch below
        ti, ti_p = idx[a, i], idx[c, i]
        mixed = idx[c].copy()
        mixed[:, i] = ti
        w = mixed @ powers  # (v_i, v'_{-i})
        swap = idx[a].copy()
        swap[:, i] = ti_p
        zc = unsold[swap @ powers]  # Z(b(v'_i, v_{-i}))
        zi = z_count[i, ti].sum(axis=-1)
        y = np.minimum(zi, opt_k[m, w, i])
        dev = b[agents, idx[a]].copy()  # others bid b_j(v_j)
        dev[:, i] = np.where(np.arange(m) < y[:, None], pr, 0.0)
        # rows in tie-breaking order (first = preferred), so one auction with the default order
        prep.append((w, zc, zi, y, dev[:, _priority(n, i, deviator)]))
    out = uniform_price_auction(np.concatenate([q[-1] for q in prep]), m, reserve=admit)
    slot = n - 1 if deviator == "adverse" else 0  # where the deviator sits in her batch
    x_all = out.allocation[:, slot].reshape(n, -1)
    pay_all = out.payments[:, slot].reshape(n, -1)
    rows = np.arange(len(a))
    for i, (w, zc, zi, y, _) in enumerate(prep):
        xi, pay = x_all[i], pay_all[i]
        vi = cum[a, i]  # v_i's cumulative values, (pairs, m + 1)
        util = vi[rows, xi] - pay
        won = xi > 0
        if won.any():
            price_gap = max(price_gap, float(np.max(np.abs(pay[won] / xi[won] - pr))))
        wins_slack = min(wins_slack, float(np.min(xi - np.minimum(y, zc))))
        dev_min = min(dev_min, float(util.min()))
        k = opt_k[zc, w, i]
        kc = np.minimum(zi, k)
        dev_i[i] = w2 @ util
        terms["deviation"] += dev_i[i]
        capped, uncapped = vi[rows, kc] - pr * kc, vi[rows, k] - pr * k
        terms["capped"] += w2 @ capped
        terms["uncapped"] += w2 @ uncapped
        for key, gap in (
            ("deviation wins enough", util - capped),
            ("drop the cap z(v_i)", capped - uncapped),
        ):
            pair_slack[key] = min(pair_slack[key], float(gap.min()))

    z_v = unsold[c]  # Z(b(v')) for the pair's v'
    used = opt_k[z_v, a].sum(axis=-1)
    e_opt = float(prob @ wel_k[m])
    e_z = float(prob @ unsold)
    terms["swapped"] = float(w2 @ (wel_k[z_v, a] - pr * used))
    terms["averaged"] = e_z * e_opt / m - pr * e_z
    terms["bound"] = (2 * p - pr) * e_z
    u_i = prob @ u_eq
    terms["surplus"] = float(u_i.sum())
    revenue = float(prob @ eq.payments.sum(axis=1))
    ks = np.arange(m + 1)[:, None]
    return ProofTerms(
        m=m,
        reserve=pr,
        balanced=p,
        expected_optimum=e_opt,
        unsold=e_z,
        terms={key: float(v) for key, v in terms.items()},
        agent_slack=u_i - dev_i,
        revenue=revenue,
        revenue_bound=pr * (m - e_z),
        welfare=terms["surplus"] + revenue,
        wins_slack=float(wins_slack),
        price_gap=price_gap,
        deviation_min=dev_min,
        average_slack=float(np.min(wel_k - ks / m * wel_k[m])),
        pair_slack=pair_slack,
    )


def random_cases(n_instances=50, kinds=KINDS, reserve_factor=1.0, m=5, n=3, K=2, **options) -> list:
    """:func:`proof_terms` on the random instances with seeds ``0 .. n_instances - 1``
    (:func:`random_instance` with ``n`` valued agents and a speculator) for each profile kind.

    Parameters
    ----------
    n_instances : int
        Instances (seeds ``0, 1, ...``).
    kinds : sequence of str
        Profiles (:func:`strategies`), built with the reserve actually used.
    reserve_factor : float
        The reserve is ``reserve_factor`` times each instance's balanced price.
    m, n, K : int
        Units, valued agents, types per agent.
    **options
        ``threshold``, ``tie_rule``, ``deviator`` of :func:`proof_terms`.

    Returns
    -------
    list of tuple
        ``(seed, kind, ProofTerms)``, instance by instance.
    """
    out = []
    for seed in range(whole_number(n_instances, "n_instances", 1)):
        inst = random_instance(n, m, K, seed=seed)
        r = float(reserve_factor) * inst.balanced_reserve()
        for kind in kinds:
            out.append(
                (seed, kind, proof_terms(inst, strategies(inst, kind, reserve=r), reserve=r, **options))
            )
    return out
