"""Tests of ``aftermarkets.instances.example3`` (Example 3, Section 5.1; Chapter 4, ``sec-04-ex3-price``,
``sec-04-ex3-speculator``, ``sec-04-ex3-b``): the candidate quantities against every quantity, the
closed-form welfare by Monte Carlo through the library's mechanisms, and the entry point for other
chapters."""

from __future__ import annotations

import math

import numpy as np
import pytest

import aftermarkets as am
from aftermarkets import Example1
from aftermarkets.instances import example3


@pytest.mark.parametrize("m", list(range(4, 61)) + [100, 121, 122, 135, 136, 200])
def test_candidate_quantities_find_the_best_of_every_quantity(m):
    """sec-04-ex3-speculator: C's best quantity over the candidates (and over the scan's template) is
    her best over every quantity, with the same profit, in every order."""
    s = example3.scan([m])
    for j, order in enumerate(example3.ORDERS):
        full = example3.speculator_profits(m, order)
        if full.saw_b:
            qa = full.q[np.argmax(full.profit["above"])]
            qb = full.q[np.argmax(full.profit["below"])]
            best = full.p_above * full.profit["above"].max() + (1 - full.p_above) * full.profit["below"].max()
        else:
            qa = qb = full.q[np.argmax(full.profit["expected"])]
            best = full.profit["expected"].max()
        assert (s.q_above[0, j], s.q_below[0, j]) == (qa, qb), order
        assert s.profit[0, j] == pytest.approx(best, abs=1e-12)
        cand = example3.candidate_quantities(m, order)
        assert set(cand) <= set(example3._template(np.array([[m]]), order)[0])


def test_template_covers_the_run_ends_for_every_m():
    """The scan's quantities (0 to 4 and the seven largest) contain every run end, m = 4..1000."""
    for order in example3.ORDERS:
        tmpl = example3._template(np.arange(4, 1001)[:, None], order)
        for i, m in enumerate(range(4, 1001)):
            assert set(example3.candidate_quantities(m, order)) <= set(tmpl[i])


@pytest.mark.parametrize("m,order", ((4, "CAB"), (10, "CBA"), (100, "CBA"), (8, "ABC")))
def test_scan_welfare_by_monte_carlo(m, order):
    """The market with C's chosen quantity and resale price, simulated on sampled (U, z) through the
    library's mechanisms, agrees with the closed-form welfare."""
    s = example3.scan([m], orders=(order,))
    ex = Example1(m)
    v = ex.sample_values(200_000, seed=m)
    z = v.levels[:, 1, 1]
    above = z >= s.price[0]
    q = np.where(above, s.q_above[0, 0], s.q_below[0, 0])
    demand = np.where(above, m, 1)
    req = np.column_stack([np.full(len(z), 2), demand, q])
    auction = am.posted_price_mechanism(
        v, m, s.price[0], order=["ABC".index(c) for c in order], quantities=req
    )
    price = np.where(above, s.resale_above[0, 0], s.resale_below[0, 0])
    out = am.combined_market(v, auction, lambda vv, h: am.take_it_or_leave_it(vv, h, 2, price, order=(0, 1)))
    w = np.asarray(out.welfare)
    assert abs(w.mean() - s.welfare[0, 0]) < 5 * w.std() / math.sqrt(w.size) + 1e-9


def test_balanced_posted_price_welfare_for_other_chapters():
    """The reusable entry point: per-order welfare arrays, the optimum and the worst order, with the
    worst order's share at least one half for every m (Theorem 4)."""
    w = example3.balanced_posted_price_welfare(np.arange(4, 301))
    assert set(example3.ORDERS) <= set(w)
    assert np.allclose(w["worst"], np.min([w[o] for o in example3.ORDERS], axis=0))
    assert np.all(w["worst"] / w["optimum"] >= 0.5)
    assert w["optimum"][0] == pytest.approx(Example1(4).expected_optimal_welfare())


def test_validation():
    """Bad input raises ValueErrors."""
    with pytest.raises(ValueError, match="order"):
        example3.speculator_profits(10, "ABD")
    with pytest.raises(ValueError, match="m must be"):
        example3.scan([3])
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        example3.scan([10], price=1.5)
