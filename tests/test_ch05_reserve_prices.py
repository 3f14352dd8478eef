"""Chapter 5 (``book/05_reserve_prices.ipynb``): numbers and facts stated in its prose that are not
glued and its statement boxes.

Library behaviour is tested in ``test_reserve.py``, ``test_reserve_proof.py`` and
``test_reserve_estimate.py``; the ledger entries by the ledger page (``book/ledger.ipynb``, under
nbval). Test docstrings in those files cite the chapter's labels; ``test_notebooks.py`` checks that
every cited label exists and every glued name is defined.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from nbtext import notebook_text

import aftermarkets as am
from aftermarkets import Example1
from aftermarkets.instances.example1_prices import closed_forms_at_price
from aftermarkets.instances.reserve import ReserveProfile

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "05_reserve_prices.ipynb"


def test_figures_are_named():
    """Chapter 5: every {numref} target of the chapter's own figures is a named figure cell."""
    md, _, _ = notebook_text(NOTEBOOK)
    nb = json.loads(NOTEBOOK.read_text())
    names = {c["metadata"].get("mystnb", {}).get("figure", {}).get("name") for c in nb["cells"]}
    for ref in set(re.findall(r"\{numref\}`(fig-05-[a-z0-9-]+)`", md)):
        assert ref in names, ref


def test_every_prf_box_is_unnumbered_with_the_papers_number():
    """theorem-5, theorem-6, corollary-2: every prf box carries :nonumber: and the paper's number in its
    title (sphinx-proof numbers per type across the book)."""
    md, _, _ = notebook_text(NOTEBOOK)
    boxes = re.findall(r"```\{prf:(\w+)\} ([^\n]*)\n((?::[a-z]+:[^\n]*\n)*)", md)
    assert {b[0] for b in boxes} == {"theorem", "corollary"}
    for kind, title, opts in boxes:
        assert ":nonumber:" in opts, title
        assert re.match(rf"{kind.capitalize()} \d", title), title


def test_the_reserve_rule_demo():
    """sec-05-result: with bids A (2, 1), B (1, 0.9), C (1.5) and 3 units, reserve 0.95 ignores B's 0.9
    (price 1), reserve 1 still admits the bids of exactly 1 (price 1), reserve 1.2 leaves one unit unsold
    and both winners pay 1.2."""
    bids = [[2.0, 1.0], [1.0, 0.9], [1.5, 0.0]]
    for r, alloc, price in (
        (0.0, [2, 0, 1], 1.0),
        (0.95, [2, 0, 1], 1.0),
        (1.0, [2, 0, 1], 1.0),
        (1.2, [1, 0, 1], 1.2),
    ):
        out = am.uniform_price_auction(bids, 3, reserve=r)
        assert out.allocation.tolist() == alloc and out.price == price
    # a bid exactly at the reserve wins when there is room
    out = am.uniform_price_auction([[1.0, 0.0], [0.5, 0.0]], 2, reserve=1.0)
    assert out.allocation.tolist() == [1, 0] and out.price == 1.0


def test_speculator_bound_in_prose():
    """sec-05-speculator: E[OPT] >= 21/4 gives u_C(p) <= (30 - 9m)/(8m), negative for m >= 4 (sympy)."""
    m = sp.Symbol("m", positive=True)
    bound = (3 * m - 3) / (2 * m) - sp.Rational(21, 4) * (m - 2) / (2 * m)
    assert sp.simplify(bound - (30 - 9 * m) / (8 * m)) == 0
    assert sp.solve(sp.Eq(30 - 9 * m, 0), m) == [sp.Rational(10, 3)]


def test_every_reserve_between_h_and_one_keeps_the_speculator_out():
    """sec-05-off-reserve, sec-05-estimate: for reserves across (h, 1) at m = 5, the reserve profile has
    no profitable deviation, Proposition 1's speculator gains (m - 3)(r - h) > 0 by buying one unit, and
    the profile's welfare falls as the reserve rises."""
    m = 5
    h = 1 / (2 * m)
    ex = Example1(m)
    for r in (1.05 * h, 1.5 * h, 0.5, 0.9):
        prof = ReserveProfile(m, r)
        assert max(prof.deviation_check(i).largest_gain for i in range(3)) <= 1e-9, r
        gain = ex.deviation_check("C", reserve=r, alternatives=prof.deviation_bids()).largest_gain
        assert gain == pytest.approx((m - 3) * (r - h), abs=1e-12)
    grid = np.linspace(0.0, 1.0, 101)
    wel = [ex.welfare_at_price(r) for r in grid]
    assert np.all(np.diff(wel) < 0)


def test_every_optimal_welfare_is_at_least_five():
    """sec-05-estimate: A's two units and B's first give every profile an optimal welfare of at least
    5, so every estimated reserve is at least 5h."""
    for m in (4, 10, 100):
        ex = Example1(m)
        v = ex.values(np.array([1.0, 1.0]), np.array([0.0, 1e-9]))
        assert am.optimal_welfare(v, m).min() == pytest.approx(5.0, abs=1e-6)


def test_default_type_grids_and_families_as_stated():
    """sec-05-best-responses: A is checked on 6 values of U, B on 8 values of z around the reserve and 1;
    the family adds 0.99p, p, 1.01p and (1 + p)/2 to Chapter 2's eleven levels."""
    prof = ReserveProfile(5)
    assert len(prof.deviation_check("A", alternatives=prof.deviation_bids()[:3]).type_grid) == 6
    assert len(prof.deviation_check("B", alternatives=prof.deviation_bids()[:3]).type_grid) == 8
    from aftermarkets.instances.reserve import reserve_levels

    assert len(reserve_levels(prof.reserve)) == 11 + 4


def test_shaded_profile_bids_sixty_percent():
    """sec-05-proof: the shaded profile bids 60% of the values; the speculative one bids above every value
    on m - 1 units."""
    from aftermarkets.instances import reserve_proof as rp

    inst = rp.random_instance(3, 5, 2, seed=1)
    assert np.allclose(rp.strategies(inst, "shaded"), 0.6 * inst.types)
    spec = rp.strategies(inst, "speculative")[-1]
    assert np.all(spec[:, :4] > inst.types.max()) and np.all(spec[:, 4] == 0)


def test_printed_tail_formula_matches_library():
    """sec-05-welfare: the displayed closed form of E[z 1{z >= r}] gives the library's welfare
    21/4 + (m - 3) E[z 1{z >= r}] (Example1.welfare_at_price)."""
    m, r = sp.symbols("m r", positive=True)
    printed = r / (1 + (2 * m - 1) * r) + (sp.log(2 * m) - sp.log(1 + (2 * m - 1) * r)) / (2 * m - 1)
    printed += 1 / (8 * m**2)
    f = sp.lambdify((m, r), sp.Rational(21, 4) + (m - 3) * printed)
    for mm in (4, 10, 100, 10**4):
        e = Example1(mm)
        for rr in (1e-3, 1 / (2 * mm), e.balanced_price(), 0.5, 0.99):
            assert f(mm, rr) == pytest.approx(e.welfare_at_price(rr), rel=1e-12)
    # at r = 0 it is E[z]
    assert sp.simplify(printed.subs(r, 0) - (sp.log(2 * m) / (2 * m - 1) + 1 / (8 * m**2))) == 0


@pytest.mark.parametrize("m", [10, 100])
def test_reserve_profile_at_extreme_sampled_reserves(m):
    """sec-05-estimate: the reserve profile is an equilibrium (no deviation in the family gains, type by
    type for A and B) at the smallest and the largest reserve psi/(2m) of one sampled profile, the
    extremes of the reserves behind the "delivered" column, at m = 10 and 100."""
    from aftermarkets.instances import reserve_estimate

    pool = reserve_estimate.sample_pools(ms=(m,), n=5 * 10**5, seed=60)[m]
    for r in (pool.min() / (2 * m), pool.max() / (2 * m)):
        assert 1 / (2 * m) < r < 1
        prof = ReserveProfile(m, r)
        assert max(prof.deviation_check(i).largest_gain for i in range(3)) <= 1e-9


def test_posted_price_and_reserve_curves_coincide():
    """The summary figure's claim (and the introduction's): at every marked m the balanced posted
    price keeps the same share of the optimal welfare as the uniform-price auction with the
    balanced reserve (closed forms at the price p), so the two curves coincide."""
    marks = np.array([4, 10, 100, 10**3, 10**4, 10**5, 10**6, 10**7, 10**8, 10**9])
    cf = Example1.closed_forms(marks)
    reserve = closed_forms_at_price(marks, cf["balanced_price"])["welfare_at_price"]
    posted = np.array([Example1(int(m)).posted_price_welfare() for m in marks])
    np.testing.assert_allclose(posted, reserve, rtol=1e-12)
    assert np.all(reserve / cf["expected_optimal_welfare"] > 0.9)
