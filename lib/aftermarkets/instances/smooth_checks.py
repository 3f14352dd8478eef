r"""Chapter 3's computations, with the book's parameters as defaults (the chapter and the ledger
call the same functions).

* :func:`random_profiles`, :func:`discriminatory_random`, :func:`exhaustive_grid`,
  :func:`adversarial`, :func:`planted` — Definitions 3 and 4 for the discriminatory auction
  (Corollary 1, Proposition 4, footnote 16) on random, exhaustive and adversarial profiles, and a
  deliberately wrong :math:`(\lambda, \mu)` that the search must find violated;
* :func:`uniform_failure`, :func:`example1_certificates`, :func:`weak_smoothness` — footnote 15;
* :func:`table1_verification` — Table 1's rows on random profiles;
* :func:`corollary1_runs`, :func:`proposition3_runs`, :func:`proposition5_runs` — equilibria of
  the lab instances and the proofs' inequalities at them.
"""

from __future__ import annotations

import numpy as np

from .. import information as inf
from .. import simultaneous as si
from .. import smoothness as sm
from .. import smoothness_search as ss
from .._checks import generator
from ..lab import LabGame, bid_grid, discriminatory, first_price, solve
from . import smooth_auctions as sa
from .example1 import Example1

__all__ = [
    "random_profiles",
    "discriminatory_random",
    "exhaustive_grid",
    "adversarial",
    "planted",
    "uniform_failure",
    "example1_certificates",
    "weak_smoothness",
    "table1_verification",
    "corollary1_runs",
    "proposition3_runs",
    "proposition5_runs",
]

LAM = 1 - sm.E_INV
CONFIGS = ((2, 1), (3, 1), (2, 2), (3, 3), (4, 4), (3, 5))


def random_profiles(size, n, m, seed=None, bid_scale=1.2) -> tuple:
    """Random (values, bids) pairs, ``(size, n, m)`` each, rows non-increasing.

    Values are uniform on ``[0, 1]`` (a fifth of the bidders value nothing). Half of the bid
    profiles are sparse uniform bids on ``[0, bid_scale]``; the other half shade the bidders' own
    values by a random factor in ``[0, 1]`` (no overbidding).
    """
    rng = generator(seed)
    v = -np.sort(-rng.uniform(0, 1, (size, n, m)), axis=-1) * (rng.random((size, n, 1)) < 0.8)
    raw = -np.sort(-rng.uniform(0, bid_scale, (size, n, m)) * (rng.random((size, n, m)) < 0.6), axis=-1)
    shaded = v * rng.uniform(0, 1, (size, n, 1))
    return v, np.where(rng.random((size, 1, 1)) < 0.5, raw, shaded)


def discriminatory_random(configs=CONFIGS, size=2000, seed=2013) -> list:
    """Definition 3 (deviation on the optimal units) and Definition 4 (deviation on all units) for
    the discriminatory auction on random profiles, per ``(n, m)``.

    Returns
    -------
    list of dict
        ``n, m, profiles, smooth_min, semi_min, closed_form_gap`` (largest difference between the
        mechanism's exact expectation and the closed form, both deviations), ``zero_bids_max``
        (largest |slack| at the all-zero profile, where the bound is tight).
    """
    rows = []
    for k, (n, m) in enumerate(configs):
        v, a = random_profiles(size, n, m, seed=seed + k)
        smooth = sm.slack("discriminatory", v, a)
        semi = sm.slack("discriminatory", v, a, sm.all_units_directions)
        gap = max(
            np.abs(smooth.utilities - sm.discriminatory_closed_form(v, a)).max(),
            np.abs(semi.utilities - sm.discriminatory_closed_form(v, a, v)).max(),
        )
        zero = sm.slack("discriminatory", v, np.zeros_like(v))
        rows.append(
            {
                "n": n,
                "m": m,
                "profiles": size,
                "smooth_min": float(smooth.slack.min()),
                "semi_min": float(semi.slack.min()),
                "closed_form_gap": float(gap),
                "zero_bids_max": float(np.abs(zero.slack).max()),
            }
        )
    return rows


def exhaustive_grid(values=6, levels=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2), seed=7) -> dict:
    """Every bid profile on a grid (two bidders, two units) against random value profiles.

    Returns
    -------
    dict
        ``profiles`` (bid profiles per value profile), ``values``, ``smooth_min``, ``semi_min``.
    """
    bids = bid_grid(2, levels)  # every non-increasing pair
    idx = np.array(np.meshgrid(np.arange(len(bids)), np.arange(len(bids)), indexing="ij")).reshape(2, -1).T
    prof = np.stack([bids[idx[:, 0]], bids[idx[:, 1]]], axis=1)  # (P, 2, 2)
    v, _ = random_profiles(values, 2, 2, seed=seed)
    V = np.repeat(v, len(prof), axis=0)
    A = np.tile(prof, (values, 1, 1))
    smooth = sm.slack("discriminatory", V, A).slack
    semi = sm.slack("discriminatory", V, A, sm.all_units_directions).slack
    return {
        "profiles": len(prof),
        "values": values,
        "smooth_min": float(smooth.min()),
        "semi_min": float(semi.min()),
    }


def adversarial(
    cases=((2, 2), (3, 3)),
    per_case=3,
    lam=LAM,
    mu=1.0,
    directions=None,
    mech="discriminatory",
    seed=11,
    batch=1000,
    starts=4,
    maxfev=60,
    seeded=True,
) -> list:
    r"""The smallest slack the adversarial search finds, per value profile.

    For each ``(n, m)`` and each of ``per_case`` random value profiles,
    :func:`~aftermarkets.smoothness_search.worst_slack` minimises the slack over the bids (random
    batch, then a local search from the best ``starts`` profiles of the batch and, if ``seeded``,
    from the all-zero and the shaded-value profiles :math:`(1 - 1/e)\,v`).

    Returns
    -------
    list of dict
        ``n, m, slack, evaluations, bids, values``, and where the minimum came from (see
        :func:`~aftermarkets.smoothness_search.worst_slack`): ``batch_best, start, start_slack,
        distance``.
    """
    rows = []
    for k, (n, m) in enumerate(cases):
        for r in range(per_case):
            v, _ = random_profiles(1, n, m, seed=seed + 10 * k + r)
            v = v[0]
            d = (sm.optimal_units_directions if directions is None else directions)(v)

            def objective(b, v=v, d=d):
                return sm.slack(mech, v, b, d, lam, mu).slack

            val, bids, ev, info = ss.worst_slack(
                objective,
                (n, m),
                1.0,
                seed=seed + 10 * k + r,
                batch=batch,
                starts=starts,
                maxfev=maxfev,
                extra_starts=(np.zeros((n, m)), LAM * v) if seeded else (),
                details=True,
            )
            rows.append({"n": n, "m": m, "slack": val, "evaluations": ev, "bids": bids, "values": v, **info})
    return rows


def planted(pairs=((0.7, 1.0), (LAM, 0.9)), per_case=3, **kw) -> list:
    """The adversarial search with deliberately wrong constants (the planted test): each pair
    ``(lam, mu)`` runs :func:`adversarial` on ``(3, 3)``, for ``per_case`` value profiles,
    *without* the seeded starts (no all-zero or shaded-value profile): the violation must be
    found from random bids, and ``start``/``distance`` tell whether the local search moved to it.

    Returns
    -------
    list of dict
        ``lam, mu, slack, bids, values, batch_best, start, start_slack, distance``.
    """
    out = []
    for lam, mu in pairs:
        for row in adversarial(cases=((3, 3),), per_case=per_case, lam=lam, mu=mu, seeded=False, **kw):
            keep = ("slack", "bids", "values", "batch_best", "start", "start_slack", "distance")
            out.append({"lam": lam, "mu": mu, **{k: row[k] for k in keep}})
    return out


def uniform_failure(ms=(1, 2, 4, 8, 16), eps=(0.0, 0.25), lam=LAM, mu=1.0) -> list:
    """Footnote 15's family (:func:`~aftermarkets.instances.smooth_auctions.failure_profile`): the
    certificate slack (an upper bound for every deviation) against :math:`-m(\\lambda - \\mu\\varepsilon)`.

    Returns
    -------
    list of dict
        ``m, eps, certificate, formula, welfare``.
    """
    rows = []
    for e in eps:
        for m in ms:
            v, a = sa.failure_profile(m, 1.0, e)
            c = float(ss.certificate_slack("uniform-price", v, a, lam, mu)[0])
            rows.append(
                {"m": m, "eps": e, "certificate": c, "formula": -m * (lam - mu * e), "welfare": float(m)}
            )
    return rows


def example1_certificates(ms=(4, 5, 10, 100), U=1.25, z=0.99) -> list:
    """The certificate slack of the uniform-price auction at Example 1's equilibrium bids (chapter
    2), for the type profile ``(U, z)``: negative means no deviation distributions satisfy
    Definition 3 there with :math:`(1 - 1/e, 1)`."""
    rows = []
    for m in ms:
        ex = Example1(m)
        v = ex.values(U, z).dense(m)
        a = np.asarray(ex.bids(), dtype=float)
        rows.append(
            {
                "m": m,
                "certificate": float(ss.certificate_slack("uniform-price", v, a, LAM, 1.0)[0]),
                "best_responses": ss.best_response_value("uniform-price", v, a)[0],
                "welfare": float(sm.optimal_welfare(v, m)),
                "overbids": ss.overbids(v, a)[0],
            }
        )
    return rows


def weak_smoothness(size=3000, n=3, m=3, seed=15) -> dict:
    """Footnote 15's relaxation on random uniform-price profiles (the same deviation).

    Returns
    -------
    dict
        ``profiles``, ``plain_negative`` (share of profiles with a negative
        :math:`(1 - 1/e, 1)` slack), ``plain_min``, ``weak_min`` (smallest
        :math:`(1 - 1/e, 0, 1)` weak slack), ``no_overbidding`` (share of such profiles),
        ``plain_negative_no_overbidding`` (share negative among them), ``family_weak_min`` (the
        weak slack on footnote 15's family, ``m = 1..16``).
    """
    v, a = random_profiles(size, n, m, seed=seed)
    plain = sm.slack("uniform-price", v, a).slack
    weak = ss.weak_slack(v, a)
    honest = ~ss.overbids(v, a).any(axis=-1)
    fam = [ss.weak_slack(*sa.failure_profile(mm, 1.0, 0.0))[0] for mm in (1, 2, 4, 8, 16)]
    return {
        "profiles": size,
        "plain_negative": float(np.mean(plain < -1e-12)),
        "plain_min": float(plain.min()),
        "weak_min": float(weak.min()),
        "no_overbidding": float(honest.mean()),
        "plain_negative_no_overbidding": float(np.mean(plain[honest] < -1e-12)),
        "family_weak_min": float(min(fam)),
    }


def table1_verification(size=2000, seed=17) -> list:
    """Table 1's rows on random profiles, each with its deviation and :math:`(\\lambda, \\mu)`.

    Single item: the library's first-price auction and the all-pay auction, 2 and 3 bidders.
    Simultaneous auctions: random coverage (submodular) valuations, 2 and 3 bidders, 2 and 3 items.

    Returns
    -------
    list of dict
        ``mechanism, lam, cases, profiles, min_slack``.
    """
    rng = generator(seed)
    out = []
    for mech, lam, law in (("first-price", LAM, sm.FIRST_PRICE), ("all-pay", 0.5, sm.ALL_PAY)):
        worst, total = np.inf, 0
        for n in (2, 3):
            v = rng.uniform(0, 1, (size, n, 1))
            a = rng.uniform(0, 1.2, (size, n, 1)) * (rng.random((size, n, 1)) < 0.7)
            r = sm.slack(mech, v, a, lam=lam, law=law)
            worst, total = min(worst, float(r.slack.min())), total + size
        out.append(
            {"mechanism": mech, "lam": lam, "cases": "n = 2, 3", "profiles": total, "min_slack": worst}
        )
    for kind, lam, law in (("first-price", LAM, sm.FIRST_PRICE), ("all-pay", 0.5, sm.ALL_PAY)):
        worst, total = np.inf, 0
        for n, k in ((2, 2), (3, 2), (2, 3)):
            v = si.random_submodular(size, n, k, seed=rng)
            a = rng.uniform(0, 1.2, (size, n, k)) * (rng.random((size, n, k)) < 0.6)
            r = si.slack(v, a, kind, lam=lam, law=law)
            worst, total = min(worst, float(r.slack.min())), total + size
        name = "simultaneous " + kind
        out.append(
            {"mechanism": name, "lam": lam, "cases": "n, k = 2-3", "profiles": total, "min_slack": worst}
        )
    return out


def corollary1_runs() -> list:
    """Equilibria of :func:`~aftermarkets.instances.smooth_auctions.corollary1_market` without and
    with the lab's resale stage, each with Proposition 2's chain (phantom deviation, equilibrium
    utilities, revenue).

    Returns
    -------
    list of dict
        ``resale, start, regret, welfare, optimal, revenue, traded, holdings, utilities,
        deviation`` (per bidder), ``strategies`` (bids by type).
    """
    market, levels = sa.corollary1_market()
    grid = bid_grid(2, levels)
    rows = []
    for resale in (False, True):
        game = LabGame(market, discriminatory(grid), resale=resale)
        for res in solve(game, random_starts=0):
            chain = inf.phantom_deviation(market, game, res.strategies, "discriminatory")
            rows.append(
                {
                    "resale": resale,
                    "start": res.start,
                    "regret": res.max_regret,
                    "welfare": res.welfare,
                    "optimal": res.optimal_welfare,
                    "revenue": res.revenue,
                    "traded": res.traded,
                    "holdings": res.holdings,
                    "utilities": np.asarray(res.utilities),
                    "deviation": chain["actual"],
                    "strategies": [grid[np.asarray(s)] for s in res.strategies],
                }
            )
    return rows


def proposition3_runs(rhos=(0.5, 0.9)) -> list:
    """Equilibria of the correlated instance (first price, auction alone) and Proposition 3's
    chain (:func:`~aftermarkets.information.semi_smooth_chain`).

    Returns
    -------
    list of dict
        ``rho, start, regret, welfare, optimal, revenue, deviation, equilibrium``.
    """
    rows = []
    for rho in rhos:
        market, grid = sa.correlated_market_instance(rho)
        game = LabGame(market, first_price(grid), resale=False)
        for res in solve(game, random_starts=0, max_iter=200)[:1]:
            ch = inf.semi_smooth_chain(game, res.strategies, "first-price")
            rows.append(
                {
                    "rho": rho,
                    "start": res.start,
                    "regret": res.max_regret,
                    "welfare": res.welfare,
                    "optimal": res.optimal_welfare,
                    "revenue": res.revenue,
                    "deviation": ch["deviation"],
                    "equilibrium": ch["equilibrium"],
                    "strategies": [grid[np.asarray(s), 0] if np.ndim(s) == 1 else s for s in res.strategies],
                }
            )
    return rows


def proposition5_runs(costs=(0.0, 0.02, 0.1)) -> list:
    """The researcher's information option at each cost: every pure acquisition policy, its
    equilibria (:func:`~aftermarkets.information.solve_with_option`), and A.2's quantities.

    Returns
    -------
    list of dict
        ``cost, policy, regret, bid_regret, buy_regret, signal_value, welfare, net_welfare,
        optimal, revenue, a2`` (the dict of :func:`~aftermarkets.information.phantom_deviation`),
        ``semi`` (the dict of :func:`~aftermarkets.information.semi_smooth_chain`), ``strategies``.
    """
    market, grid = sa.proposition5_market()
    fmt = first_price(grid)
    rows = []
    for c in costs:
        for e in inf.solve_with_option(market, fmt, 1, c, random_starts=0, max_iter=150):
            mk, _ = inf.informed_market(market, 1, e.policy)
            game = LabGame(mk, fmt, resale=False)
            rows.append(
                {
                    "cost": c,
                    "policy": e.policy,
                    "labels": e.labels,
                    "regret": e.max_regret,
                    "bid_regret": e.result.max_regret,
                    "buy_regret": e.buy_regret,
                    "signal_value": e.signal_value,
                    "welfare": e.result.welfare,
                    "net_welfare": e.net_welfare,
                    "optimal": e.result.optimal_welfare,
                    "revenue": e.result.revenue,
                    "a2": inf.phantom_deviation(market, game, e.result.strategies, "first-price"),
                    "semi": inf.semi_smooth_chain(game, e.result.strategies, "first-price"),
                    "strategies": [grid[np.asarray(s), 0] for s in e.result.strategies],
                }
            )
    return rows
