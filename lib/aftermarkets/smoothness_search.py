r"""Searching for violations of smoothness (Section 4, footnote 15).

* **Certificates of failure.** :math:`\mathbf{E}[u_i] \le \sup_{a'_i} u_i(a'_i, a_{-i})`
  (:func:`best_response_value`, in closed form for the two multi-unit auctions), so

  .. math::

      \sum_i \sup_{a'_i} u_i(a'_i, a_{-i}) - \lambda\,\mathrm{Wel}(\mathbf{v})
      + \mu\,\mathrm{Rev}(a) < 0

  proves that *no* deviation distributions satisfy Definition 3 at :math:`(\mathbf{v}, a)`
  (:func:`certificate_slack`).
* **Weak smoothness** (footnote 15; Syrgkanis and Tardos, 2013): the inequality may also spend the
  bidders' *willingness to pay* :math:`B_i(a) = \sum_{j \le x_i(a)} a_{ij}`,

  .. math::

      \sum_i \mathbf{E}[u_i(a'_i, a_{-i})] \ge \lambda\,\mathrm{Wel}(\mathbf{v})
      - \mu_1 \mathrm{Rev}(a) - \mu_2 \sum_i B_i(a),

  which without overbidding (:func:`overbids`: :math:`\sum_{j \le k} a_{ij} \le v_i(k)` for all
  :math:`k`) is at most the welfare of the auction's allocation (:func:`weak_slack`). For the
  uniform-price auction with the deviation of :func:`~aftermarkets.smoothness.optimal_units_directions`
  this holds with :math:`(1 - 1/e, 0, 1)`: the deviation wins the same units as in the
  discriminatory auction and pays at most as much, and the thresholds it beats sum to at most
  the sum of the :math:`m` highest bids, :math:`\sum_i B_i(a)` (derived in chapter 3).
* **Adversarial search** (:func:`worst_slack`): a random batch of action profiles, a vectorised
  random local search from the best of them, and a ``scipy.optimize`` polish.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize

from ._checks import generator
from .allocation import optimal_welfare
from .smoothness import E_INV, _mechanism, _profile, deviation_utilities, optimal_units_directions, thresholds
from .valuations import validate_marginals

__all__ = [
    "best_response_value",
    "certificate_slack",
    "willingness_to_pay",
    "overbids",
    "weak_slack",
    "worst_slack",
]


def best_response_value(mech, values, bids) -> np.ndarray:
    r""":math:`\sup_{a'_i} u_i(\mathcal{M}(a'_i, a_{-i}))` for every bidder, in closed form.

    To win :math:`k` units bidder :math:`i` must bid at least :math:`\beta^{-i}_{m-j+1}` with her
    :math:`j`-th bid, :math:`j \le k`. So the supremum is
    :math:`\max_k v_i(k) - \sum_{j \le k} \beta^{-i}_{m-j+1}` in the discriminatory auction and
    :math:`\max_k v_i(k) - k\,\beta^{-i}_{m-k+1}` in the uniform-price auction (the price is at
    least the highest losing bid, which is at least :math:`\beta^{-i}_{m-k+1}`). It is a supremum
    (approached by bids just above the thresholds, attained when ties favour :math:`i`).

    Returns
    -------
    numpy.ndarray
        Shape ``(S, n)``.
    """
    name = _mechanism(mech).name
    if name not in ("discriminatory", "uniform-price", "first-price"):
        raise ValueError(f"best_response_value knows the two multi-unit auctions, got {name}")
    v, a = _profile(values, bids)
    S, n, m = v.shape
    cum = np.concatenate([np.zeros((S, n, 1)), np.cumsum(v, axis=-1)], axis=-1)
    out = np.zeros((S, n))
    k = np.arange(m + 1)
    for i in range(n):
        beta = thresholds(a, i)  # (S, m): beta_{m-j+1}, j = 1..m
        if name == "uniform-price":
            cost = np.concatenate([np.zeros((S, 1)), k[1:] * beta], axis=-1)
        else:
            cost = np.concatenate([np.zeros((S, 1)), np.cumsum(beta, axis=-1)], axis=-1)
        out[:, i] = np.max(cum[:, i] - cost, axis=-1)
    return out


def certificate_slack(mech, values, bids, lam, mu) -> np.ndarray:
    r""":math:`\sum_i \sup_{a'_i} u_i - \lambda\,\mathrm{Wel}(\mathbf{v}) + \mu\,\mathrm{Rev}(a)`: an
    upper bound on the slack of *every* choice of deviation distributions. A negative value proves
    that Definition 3 fails at :math:`(\mathbf{v}, a)` for these :math:`(\lambda, \mu)`."""
    mech = _mechanism(mech)
    v, a = _profile(values, bids)
    br = best_response_value(mech, v, a).sum(axis=-1)
    return br - lam * optimal_welfare(v, v.shape[-1]) + mu * mech.revenue(a, v.shape[-1])


def willingness_to_pay(mech, bids) -> np.ndarray:
    r""":math:`B_i(a) = \sum_{j \le x_i(a)} a_{ij}`: the sum of bidder :math:`i`'s winning bids, the
    most she pays for her units in either multi-unit auction. Shape ``(S, n)``."""
    a = validate_marginals(bids, name="bids")
    a = a[None] if a.ndim == 2 else a
    x, _ = _mechanism(mech).run(a, a.shape[-1])
    return np.sum(np.where(np.arange(a.shape[-1]) < x[..., None], a, 0.0), axis=-1)


def overbids(values, bids) -> np.ndarray:
    r"""Whether a bidder overbids: :math:`\sum_{j \le k} a_{ij} > v_i(k)` for some :math:`k`
    (the no-overbidding refinement of footnote 15). Shape ``(S, n)``, boolean."""
    v, a = _profile(values, bids)
    return np.any(np.cumsum(a, axis=-1) > np.cumsum(v, axis=-1) + 1e-12, axis=-1)


def weak_slack(values, bids, lam=1 - E_INV, mu1=0.0, mu2=1.0) -> np.ndarray:
    r"""The weak-smoothness slack of the uniform-price auction with the optimal-units deviation:
    :math:`\sum_i \mathbf{E}[u_i] - \lambda\,\mathrm{Wel}(\mathbf v) + \mu_1 \mathrm{Rev}(a)
    + \mu_2 \sum_i B_i(a)`, shape ``(S,)``."""
    v, a = _profile(values, bids)
    mech = _mechanism("uniform-price")
    u = deviation_utilities(mech, v, a, optimal_units_directions(v)).sum(-1)
    m = v.shape[-1]
    return (
        u - lam * optimal_welfare(v, m) + mu1 * mech.revenue(a, m) + mu2 * willingness_to_pay(mech, a).sum(-1)
    )


def worst_slack(
    objective: Callable,
    shape: tuple,
    scale: float,
    seed=None,
    batch: int = 2000,
    starts: int = 4,
    maxfev: int = 400,
    extra_starts=(),
    details: bool = False,
    rounds: int = 25,
    proposals: int = 32,
) -> tuple:
    r"""Search for the action profile with the smallest slack.

    The bids are parametrised by non-negative increments :math:`\delta` (a bidder's marginal bid
    on unit :math:`j` is :math:`\sum_{l \ge j} \delta_l`, so rows are non-increasing), bounded by
    ``2 scale``. Three stages:

    1. a random batch of ``batch`` profiles (increments uniform on ``[0, scale]``, 40% of them 0)
       is evaluated at once;
    2. from the best ``starts`` of them and from ``extra_starts``, a vectorised random local
       search: in each of ``rounds`` rounds every start proposes ``proposals`` Gaussian
       perturbations of about half its increments (clipped to the bounds, so corners such as the
       all-zero profile are reachable), all evaluated at once, and moves to the best one if it
       lowers the slack; the step shrinks geometrically from ``0.3 scale`` to ``0.003 scale``;
    3. ``scipy.optimize.minimize`` (Powell, at most ``maxfev`` evaluations) polishes the best
       profile found.

    Parameters
    ----------
    objective : callable
        ``objective(bids) -> slack`` for bids of shape ``(S,) + shape``, returning ``(S,)``.
    shape : tuple
        ``(n, m)``.
    scale : float
        Size of the random increments (e.g. the largest marginal value).
    seed : int or Generator, optional
    batch, starts, maxfev, rounds, proposals : int
    extra_starts : sequence of array_like
        Bid profiles of shape ``shape`` to start local searches from as well.
    details : bool, optional
        Also return where the minimum came from (to show that the local search, not a starting
        point, found it).

    Returns
    -------
    tuple
        ``(slack, bids, evaluations)``: the smallest slack found, the profile attaining it, and the
        number of profiles evaluated; with ``details``, a fourth element, a dict with
        ``batch_best`` (the smallest slack in the random batch), ``start`` (the start the minimum
        was reached from: ``"batch k"`` for the k-th best batch profile, ``"extra k"`` for
        ``extra_starts[k]``, ``"batch best"`` when the local search did not improve on the
        batch), ``start_slack`` (the slack at that start) and ``distance`` (largest change of a
        marginal bid between that start and the profile returned).
    """
    n, m = shape
    if scale <= 0:
        raise ValueError("scale must be positive")
    if min(batch, starts, rounds, proposals) < 0 or batch < 1:
        raise ValueError("batch must be positive and starts, rounds, proposals non-negative")
    rng = generator(seed)

    def to_bids(delta):
        return np.cumsum(delta[..., ::-1], axis=-1)[..., ::-1]

    def to_delta(bids):
        b = np.asarray(bids, dtype=float)
        return np.concatenate([b[..., :-1] - b[..., 1:], b[..., -1:]], axis=-1)

    def evaluate(delta):
        return np.asarray(objective(to_bids(delta)), dtype=float)

    hi = 2 * scale
    delta = rng.uniform(0, scale, (batch, n, m)) * (rng.random((batch, n, m)) < 0.6)
    values = evaluate(delta)
    evaluations = batch
    order = np.argsort(values, kind="stable")[:starts]
    names = [f"batch {k}" for k in range(len(order))] + [f"extra {k}" for k in range(len(extra_starts))]
    extra = np.clip(to_delta(np.reshape(np.asarray(extra_starts, dtype=float), (-1, n, m))), 0, hi)
    start = np.concatenate([delta[order], extra])
    start_val = np.concatenate([values[order], evaluate(extra) if len(extra) else []])
    evaluations += len(extra)
    cur, cur_val = start.copy(), start_val.copy()
    K = len(cur)
    for r in range(rounds if K else 0):
        step = 0.3 * scale * 0.01 ** (r / max(rounds - 1, 1))
        noise = rng.normal(0, step, (K, proposals, n, m)) * (rng.random((K, proposals, n, m)) < 0.5)
        cand = np.clip(cur[:, None] + noise, 0, hi)
        cv = evaluate(cand.reshape(-1, n, m)).reshape(K, proposals)
        evaluations += K * proposals
        j = np.argmin(cv, axis=1)
        better = cv[np.arange(K), j] < cur_val
        cur[better] = cand[np.arange(K), j][better]
        cur_val[better] = cv[np.arange(K), j][better]
    best = int(np.argmin(values))
    best_val, best_delta = float(values[best]), delta[best]
    origin = ("batch best", delta[best], float(values[best]))  # (label, start, its slack)
    if K:
        k = int(np.argmin(cur_val))
        if cur_val[k] < best_val:
            best_val, best_delta, origin = (
                float(cur_val[k]),
                cur[k],
                (names[k], start[k], float(start_val[k])),
            )
        res = optimize.minimize(
            lambda z: float(evaluate(z.reshape(1, n, m))[0]),
            np.clip(best_delta.ravel(), 0, hi),
            method="Powell",
            bounds=[(0, hi)] * (n * m),
            options={"maxfev": maxfev, "xtol": 1e-9, "ftol": 1e-12},
        )
        evaluations += int(res.nfev)
        if res.fun < best_val:
            best_val, best_delta = float(res.fun), res.x.reshape(n, m)
    best_bids = to_bids(best_delta)
    if not details:
        return best_val, best_bids, evaluations
    info = {
        "batch_best": float(values[best]),
        "start": origin[0],
        "start_slack": origin[2],
        "distance": float(np.abs(best_bids - to_bids(origin[1])).max()),
    }
    return best_val, best_bids, evaluations, info
