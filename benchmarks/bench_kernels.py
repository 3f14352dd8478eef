"""Speed of the library's vectorised kernels against per-profile pure-Python references.

Every kernel runs on the same batch as its reference, in the same run, and the two outputs must
agree: a disagreement prints what differs and the script exits with status 1. A ratio is the
reference's time per profile over the kernel's, each the best of several ``perf_counter`` runs
taken alternately (kernel, reference, kernel, ...) so that both see the same load, with the
garbage collector off during each timed call (as ``timeit`` does); ratios compare across
machines, absolute times do not (on a loaded machine, run it twice).

The batch: ``S = 10**5`` profiles of ``n = 5`` agents and ``m = 20`` units (seeded
``numpy.random.default_rng``). Each agent demands a random number of units (0 to ``m``) at
marginal values on the grid ``0, 1/8, ..., 2`` sorted from largest to smallest, so ties, zero
bids, bids equal to the reserve 1 and auctions with fewer than ``m`` positive bids are all
frequent. The grid is dyadic, so every sum of marginals is exact in floating point whatever the
order of the additions, and allocation, payments, price and welfare are compared exactly. The
auctions use the tie-breaking priority ``(3, 0, 4, 1, 2)``, the posted price the arrival order
``(2, 0, 4, 1, 3)``.

The references (in this file, ``ref_*``) are plain loops over profiles given as nested Python
lists (converted once, untimed): each sorts a Python list of marginal bids (``list.sort`` is
stable, so equal bids keep the priority-then-unit order) and counts units, as a reader would
write it. A reference is timed on the first ``REF_PROFILES`` profiles of the batch and scaled
per profile (the time of its one run on the whole batch, for the check, counts too).

The simulations (``Example1(20).simulate``, ``Example4(1/4, 5).simulate``, ``m = 20``, with
continuous types) are compared with a per-profile reference on the same draws (the sampling is
shared); their outputs are means and standard errors of sums of the same continuous numbers
added in a different order, so they must agree to a relative ``1e-9``.

The kernels work block by block (about ``2**16`` marginals at a time, see
``aftermarkets.allocation._blockwise``) so that their arrays stay in cache; a block changes no
result. The agreement of every kernel with its reference here is also a test
(``tests/test_bench_kernels.py``, on smaller batches, untimed).

Usage: ``python benchmarks/bench_kernels.py`` (``make bench``). Prints one line per kernel,
``<name>: <ratio>x (target 20x)``, then the timings. Exits with status 1 if a kernel disagrees
with its reference or is below the target.
"""

from __future__ import annotations

import gc
import math
import sys
import time

import numpy as np

import aftermarkets as am
from aftermarkets import Example1, Example4
from aftermarkets.montecarlo import estimate, ratio_estimate

S, N_AGENTS, M = 10**5, 5, 20
SEED = 20240
RESERVE = 1.0
PRIORITY = (3, 0, 4, 1, 2)
ORDER = (2, 0, 4, 1, 3)
TARGET = 20.0
REF_PROFILES = 10_000
REPEAT = 7
SIMULATION_FIELDS = (
    "equilibrium_welfare",
    "optimal_welfare",
    "price_of_anarchy",
    "speculator_utility",
    "utilities",
    "clearing_price",
    "auction_revenue",
    "group_optimal_welfare",
)


def batch(seed=SEED, size=S) -> np.ndarray:
    """``(size, n, m)`` non-increasing marginals on the grid ``k/8``, ``k = 0..16``; agent ``i``
    has a positive marginal on her first ``d_i`` units only, ``d_i`` uniform on ``0..m``."""
    rng = np.random.default_rng(seed)
    grid = -np.sort(-rng.integers(1, 17, size=(size, N_AGENTS, M)), axis=-1) / 8
    demand = rng.integers(0, M + 1, size=(size, N_AGENTS, 1))
    return np.where(np.arange(M) < demand, grid, 0.0)


def best_of(f, repeat):
    """Output and best time of ``repeat`` calls of ``f``, with the garbage collector off during
    each call (as ``timeit`` does: the per-profile references hold millions of Python objects, and
    a full collection in the middle of a timing would charge their traversal to whoever runs)."""
    out, best = None, math.inf
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            out = f()
            best = min(best, time.perf_counter() - t0)
        finally:
            gc.enable()
    return out, best


# --------------------------------------------------------------------------- references


def ref_optimal_welfare(profile, m):
    marginals = [v for row in profile for v in row]
    marginals.sort(reverse=True)
    return sum(marginals[:m])


def ref_optimal_allocation(profile, m):
    ranked = [(v, i) for i, row in enumerate(profile) for v in row]
    ranked.sort(key=lambda e: e[0], reverse=True)  # stable: ties stay in agent, then unit order
    x = [0] * len(profile)
    for v, i in ranked[:m]:
        if v > 0:
            x[i] += 1
    return x


def ref_auction(profile, m, reserve, priority, pay_as_bid):
    """Standard bidding: the first m admissible bids (> 0, >= reserve) in the order (bid,
    priority, unit) win; uniform price max(reserve, highest losing bid), or pay as bid."""
    ranked = [(b, i) for i in priority for b in profile[i]]
    ranked.sort(key=lambda e: e[0], reverse=True)
    x, paid = [0] * len(profile), [0.0] * len(profile)
    for b, i in ranked[:m]:
        if b > 0 and b >= reserve:
            x[i] += 1
            paid[i] += b
    if pay_as_bid:
        return x, paid, None
    price = max(reserve, ranked[m][0] if len(ranked) > m else 0.0)
    return x, [q * price for q in x], price


def ref_serve_in_order(requests, supply, order):
    x, left = [0] * len(requests), supply
    for i in order:
        x[i] = min(requests[i], left)
        left -= x[i]
    return x


def ref_posted_price(profile, m, price, order):
    demand = [sum(1 for v in row if v >= price and v > 0) for row in profile]
    x = ref_serve_in_order(demand, m, order)
    return x, [q * price for q in x]


def ref_group(u, z, m_units, hold):
    """One group (A, B, C) of Examples 1 and 4 after the auction gave it ``hold``: C offers her
    units at 1, A then B buy their demand at 1. Returns (values, resale payments, marginals)."""
    marg = [[2.0, u] + [0.0] * (m_units - 2), [2.0] + [z] * (m_units - 1), [0.0] * m_units]
    hold, paid, left = list(hold), [0.0, 0.0, 0.0], hold[2]
    for i in (0, 1):
        want = max(0, sum(1 for v in marg[i] if v >= 1.0 and v > 0) - hold[i])
        q = min(want, left)
        left, hold[i], hold[2] = left - q, hold[i] + q, hold[2] - q
        paid[i], paid[2] = paid[i] + q * 1.0, paid[2] - q * 1.0
    values = [sum(marg[i][: hold[i]]) for i in range(3)]
    return values, paid, marg


def ref_simulate(ex, n, seed, groups):
    """Per-profile Example 1 (``groups = 1``) or Example 4: auction once (the bids do not depend
    on the types), then resale group by group, welfare, utilities and the optimal welfare."""
    rng = np.random.default_rng(seed)
    shape = n if groups == 1 else (n, groups)
    U = ex.second_unit.sample(shape, rng).reshape(n, groups).tolist()
    Z = ex.z.sample(shape, rng).reshape(n, groups).tolist()
    bids = ex.bids().tolist()
    x, pay, price = ref_auction(bids, ex.m, 0.0, range(len(bids)), pay_as_bid=False)
    r = ex.m // groups
    wel, opt, group_opt, util = [], [], [], []
    for us, zs in zip(U, Z):
        total, utils, everyone, g_opt = 0.0, [], [], 0.0
        for g, (u, z) in enumerate(zip(us, zs)):
            values, paid, marg = ref_group(u, z, ex.m, x[3 * g : 3 * g + 3])
            total += sum(values)
            utils += [values[i] - pay[3 * g + i] - paid[i] for i in range(3)]
            everyone += marg[0] + marg[1] + marg[2]
            if groups > 1:
                g_opt += ref_optimal_welfare(ref_group(u, z, r, [0, 0, 0])[2], r)
        wel.append(total)
        util.append(utils)
        opt.append(ref_optimal_welfare([everyone], ex.m))
        group_opt.append(g_opt)
    util = np.array(util)
    return {
        "equilibrium_welfare": estimate(wel),
        "optimal_welfare": estimate(opt),
        "price_of_anarchy": ratio_estimate(opt, wel),
        "speculator_utility": estimate(util[:, 2::3].mean(axis=1)),
        "utilities": tuple(estimate(util[:, j]) for j in range(3 * groups)),
        "clearing_price": price,
        "auction_revenue": sum(pay),
        "group_optimal_welfare": estimate(group_opt) if groups > 1 else None,
    }


# --------------------------------------------------------------------------- checks


def same(a, b) -> bool:
    """Exact equality of numbers or arrays (shapes included); ``None`` equals only ``None``."""
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.all(a == b))


def close(a, b, rel=1e-9) -> bool:
    """Floats, estimates or tuples of them equal to a relative ``rel``."""
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, am.Estimate):
        return close((a.mean, a.se), (b.mean, b.se), rel)
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def differences(kernel, reference, exact=True) -> list:
    """Names of the fields on which ``kernel`` and ``reference`` (dicts) disagree."""
    test = same if exact else close
    return [k for k in reference if not test(kernel[k], reference[k])]


# --------------------------------------------------------------------------- kernels


def cases(values):
    """(name, kernel on the batch, reference on one profile, the batch): each returns a dict."""
    prio, order = list(PRIORITY), list(ORDER)
    requests = np.sum(values >= RESERVE, axis=-1)  # the posted-price demands at price 1

    def auction(mech, reserve, pay_as_bid):
        def run(v):
            out = mech(v, M, reserve=reserve, priority=prio)
            return {"allocation": out.allocation, "payments": out.payments, "price": out.price}

        def ref(p):
            x, paid, price = ref_auction(p, M, reserve, prio, pay_as_bid)
            return {"allocation": x, "payments": paid, "price": price}

        return run, ref

    def posted(v):
        out = am.posted_price_mechanism(v, M, RESERVE, order=order)
        return {"allocation": out.allocation, "payments": out.payments}

    def ref_posted(p):
        x, paid = ref_posted_price(p, M, RESERVE, order)
        return {"allocation": x, "payments": paid}

    return [
        ("optimal_welfare", lambda v: {"welfare": am.optimal_welfare(v, M)},
         lambda p: {"welfare": ref_optimal_welfare(p, M)}, values),
        ("optimal_allocation", lambda v: {"allocation": am.optimal_allocation(v, M)},
         lambda p: {"allocation": ref_optimal_allocation(p, M)}, values),
        ("uniform_price_auction", *auction(am.uniform_price_auction, 0.0, False), values),
        ("uniform_price_auction(reserve=1)", *auction(am.uniform_price_auction, RESERVE, False), values),
        ("discriminatory_auction", *auction(am.discriminatory_auction, 0.0, True), values),
        ("discriminatory_auction(reserve=1)", *auction(am.discriminatory_auction, RESERVE, True), values),
        ("posted_price_mechanism", posted, ref_posted, values),
        ("serve_in_order", lambda q: {"allocation": am.serve_in_order(q, M, order)},
         lambda q: {"allocation": ref_serve_in_order(q, M, order)}, requests),
    ]  # fmt: skip


def run_per_profile(ref, profiles):
    """The reference over a list of profiles, stacked field by field."""
    rows = [ref(p) for p in profiles]
    return {k: None if rows[0][k] is None else np.array([r[k] for r in rows]) for k in rows[0]}


def timed(kernel, reference, repeat) -> tuple:
    """Best times of ``kernel()`` and ``reference()``, run alternately so that both see the same
    load; returns ``(kernel output, kernel seconds, reference seconds)``."""
    out, t_kernel, t_ref = None, math.inf, math.inf
    for _ in range(repeat):
        out, t = best_of(kernel, 1)
        t_kernel = min(t_kernel, t)
        t_ref = min(t_ref, best_of(reference, 1)[1])
    return out, t_kernel, t_ref


def bench_case(kernel, ref, data) -> tuple:
    """(ratio, kernel seconds, reference seconds per profile, problems) for one kernel."""
    profiles = data.tolist()
    t0 = time.perf_counter()
    expected = run_per_profile(ref, profiles)
    t_full = (time.perf_counter() - t0) / len(profiles)
    sub = profiles[:REF_PROFILES]
    out, t_kernel, t_sub = timed(lambda: kernel(data), lambda: run_per_profile(ref, sub), REPEAT)
    per_profile = min(t_full, t_sub / REF_PROFILES)
    return per_profile * len(profiles) / t_kernel, t_kernel, per_profile, differences(out, expected)


def bench_simulation(ex, groups, n=S, seed=7) -> tuple:
    """The same for ``ex.simulate(n, seed)`` against :func:`ref_simulate` (relative 1e-9)."""
    t0 = time.perf_counter()
    expected = ref_simulate(ex, n, seed, groups)
    t_full = (time.perf_counter() - t0) / n
    res, t_kernel, t_sub = timed(
        lambda: ex.simulate(n, seed=seed), lambda: ref_simulate(ex, REF_PROFILES, seed, groups), REPEAT
    )
    per_profile = min(t_full, t_sub / REF_PROFILES)
    kernel = {k: getattr(res, k) for k in SIMULATION_FIELDS}
    return per_profile * n / t_kernel, t_kernel, per_profile, differences(kernel, expected, exact=False)


def main() -> int:
    values = batch()
    print(
        f"kernels vs per-profile pure-Python references, same batch, same run: S = {S} profiles, "
        f"n = {N_AGENTS}, m = {M}; best of {REPEAT} alternate runs of the kernel on the batch and of the "
        f"reference on {REF_PROFILES} profiles (scaled per profile), the reference also run once on the "
        "whole batch for the check"
    )
    results = [(name, *bench_case(k, r, d)) for name, k, r, d in cases(values)]
    results.append(("Example1(20).simulate", *bench_simulation(Example1(M), 1)))
    results.append(("Example4(1/4, 5).simulate", *bench_simulation(Example4(0.25, 5), 4)))
    failed = slow = False
    for name, ratio, _, _, bad in results:
        print(f"{name}: {ratio:.1f}x (target {TARGET:g}x)")
        failed |= bool(bad)
        slow |= ratio < TARGET
    print("timings (kernel on the batch; reference per profile):")
    for name, ratio, t_kernel, per_profile, bad in results:
        note = "" if ratio >= TARGET else "  [below target]"
        check = "agree" if not bad else "DISAGREE on " + ", ".join(bad)
        print(f"  {name}: {t_kernel * 1e3:.1f} ms; reference {per_profile * 1e6:.1f} us; {check}{note}")
    if failed:
        print("FAILED: a kernel disagrees with its reference", file=sys.stderr)
    if slow:
        print("FAILED: a kernel is below its target ratio", file=sys.stderr)
    return 1 if failed or slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
