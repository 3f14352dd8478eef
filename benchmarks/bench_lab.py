"""Speed of the equilibrium lab (``aftermarkets.lab``).

For n = 3 bidders, m = 4 units, 6 types per bidder and 30 bid vectors (a seeded random market),
then 60 bid vectors (the grid doubled): the time to build the game (the auction outcomes of every
action profile under every tie order), of one sweep of best responses (every bidder's expected
utility of every action at every type, with the resale stage), and of a solve from the truthful
start. Times are also given as ratios against a reference measured in the same run (numpy
sorting a million floats), so that runs on different machines compare.

Usage: ``python benchmarks/bench_lab.py``.
"""

from __future__ import annotations

import time

import numpy as np

from aftermarkets import lab


def market(seed=0):
    rng = np.random.default_rng(seed)
    levels = np.array([0.5, 1.0, 1.5, 2.0])
    values = [-np.sort(-rng.choice(levels, size=(6, 4)), axis=1) for _ in range(3)]
    return lab.FiniteMarket(values, [np.full(6, 1 / 6)] * 3)


def grid(size, seed=1):
    full = lab.bid_grid(4, [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0])
    pick = np.random.default_rng(seed).choice(len(full), size=size, replace=False)
    return full[np.sort(pick)]


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def main() -> int:
    data = np.random.default_rng(0).random(10**6)
    _, reference = timed(lambda: np.sort(data))
    mk = market()
    print(f"reference (sort 1e6 floats): {reference:.3f} s")
    for size in (30, 60):
        game, build = timed(lambda s=size: lab.LabGame(mk, lab.uniform_price(grid(s))))
        start = game.starts(random_starts=0)["truthful"]
        _, sweep = timed(lambda g=game, s=start: [g.utilities(i, s) for i in range(3)])
        res, solve = timed(lambda g=game, s=start: g.best_response_iteration(s, max_iter=10))
        print(
            f"{size} bids: build {build:.2f} s ({build / reference:.0f}x), one sweep {sweep:.2f} s "
            f"({sweep / reference:.0f}x), 10 rounds of best response {solve:.1f} s "
            f"({solve / reference:.0f}x; regret {res.max_regret:.2g})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
