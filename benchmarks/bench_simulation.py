"""Speed of the Monte Carlo of Example 1 and of its closed forms (Chapter 2).

Timings vary from machine to machine and run to run, so they are measured here rather than in
the notebooks (whose stored outputs must not change when re-executed). The claims are ratios
against a reference measured in the same run:

* ``Example1(1000).simulate(10**6)`` (auction, resale and optimal welfare on a million profiles)
  against the reference: ``numpy.sort`` of a million floats, three times over;
* the exact PoA at ``m = 1e9`` against one ``math.log`` call.

Usage: ``python benchmarks/bench_simulation.py``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from aftermarkets import Example1


def best_of(f, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    rng = np.random.default_rng(0)
    data = rng.random(10**6)
    reference = best_of(lambda: [np.sort(data) for _ in range(3)])
    ex = Example1(1000)
    ex.simulate(1000, seed=0)  # warm up
    simulate = best_of(lambda: ex.simulate(10**6, seed=1))
    big = Example1(10**9)
    n = 10_000
    exact = best_of(lambda: [big.price_of_anarchy() for _ in range(n)]) / n
    log_call = best_of(lambda: [math.log(2e9) for _ in range(n)]) / n
    print(f"simulate(10**6) at m = 1000: {simulate:.2f} s = {simulate / reference:.1f} x the reference")
    print(f"  (reference: 3 sorts of 10**6 floats, {reference:.3f} s)")
    print(f"exact PoA at m = 1e9: {exact * 1e6:.1f} microseconds = {exact / log_call:.0f} x one math.log")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
