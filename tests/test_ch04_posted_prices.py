"""Chapter 4 (``book/04_posted_prices.ipynb``): numbers stated in its prose and exercises that are not
glued and its statement boxes.

Library behaviour is tested in ``test_balanced.py``, ``test_example2.py``, ``test_example3.py`` and
``test_theorem4.py``; the ledger entries by the ledger page (``book/ledger.ipynb``, under nbval).
What the prose says about the buyers' regrets in Example 3 (notes-04, note 7: who gains by
deviating, where, how much, how many of the checked profiles are equilibria) is asserted in the
chapter's hidden cell that glues those numbers, so that nbval's run of the chapter checks it
without computing them again.
Test docstrings in those files cite the chapter's labels; ``test_notebooks.py`` checks that every
cited label exists and every glued name is defined.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nbtext import notebook_text
from scipy import optimize

import aftermarkets as am
from aftermarkets import Example1, balanced
from aftermarkets.instances import example3, theorem4
from aftermarkets.instances.example2 import Example2

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "04_posted_prices.ipynb"


@pytest.fixture(scope="module")
def scan():
    return example3.scan(np.arange(4, 1001))


def test_example3_headline_numbers(scan):
    """sec-04-ex3-speculator, notes-04 (note 7): the smallest share is within 1.5e-4 of one half, at
    m = 135 in order CAB, where C buys every unit, the welfare is exactly 4 and the optimum just below 8;
    C corners the market in CAB for m = 4..135 and in CBA for m = 4..70, then buys one unit in CBA
    up to m = 1000; in ACB she buys more than two units at m = 5, 6 only."""
    r = scan.ratio
    assert 0.5 <= r.min() < 0.5 + 1.5e-4
    i, j = np.unravel_index(np.argmin(r), r.shape)
    assert scan.m[i] == 135 and scan.orders[j] == "CAB"
    assert scan.q_above[i, j] == 135 and scan.welfare[i, j] == pytest.approx(4.0, abs=1e-12)
    assert 7.99 < scan.optimal_welfare[i] < 8
    q = np.maximum(scan.q_above, scan.q_below)
    cab, cba, acb = (scan.orders.index(o) for o in ("CAB", "CBA", "ACB"))
    assert np.array_equal(scan.m[q[:, cab] == scan.m], np.arange(4, 136))
    assert np.array_equal(scan.m[q[:, cba] == scan.m], np.arange(4, 71))
    assert np.all(q[scan.m > 70, cba] == 1)
    assert np.array_equal(scan.m[q[:, acb] > 2], [5, 6])
    assert q[scan.m == 4, acb][0] == 2


def test_example3_cornering_pays_iff_the_optimum_is_below_eight(scan):
    """sec-04-ex3-speculator: buying every unit costs m p = E[OPT]/2 and resells for 4, so in order CAB
    C corners exactly while E[OPT] < 8, and then the welfare 4 is at least half of the optimum."""
    cab = scan.orders.index("CAB")
    corner = scan.q_above[:, cab] == scan.m
    assert np.array_equal(corner, scan.optimal_welfare < 8)
    assert np.allclose(scan.welfare[corner, cab], 4.0)


def test_b_buys_beyond_one_unit_rarely(scan):
    """sec-04-ex3-price, sec-04-ex3-b: S(p) falls from 0.171 at m = 4 to 0.074 at m = 1e6 (S(p) ln m tends
    to 2, glued from sympy); in order ABC B's expected purchase is a small share of the units A leaves."""
    assert scan.p_above[0] == pytest.approx(0.1706, abs=1e-4)
    p = Example1(10**6).balanced_price()
    assert float(Example1(10**6).z.survival(p)) == pytest.approx(0.0741, abs=1e-4)
    abc = scan.orders.index("ABC")
    share = scan.b_units[:, abc] / (scan.m - 2)
    assert share[-1] < 0.11


def test_example2_balanced_price_thresholds():
    """sec-04-ex2-balanced: with eps = 0.1, buyer 1 buys to resell at the balanced price for small H
    (from v1 >= 0.541 at H = 5) and never once H is above about 12.8; the smallest share over the grid
    is above one half."""
    assert Example2(0.1, 5).buy_threshold("balanced") == pytest.approx(0.5405, abs=1e-4)
    cut = optimize.brentq(lambda h: Example2(0.1, h).balanced_price() - (2 - 0.1 / h), 2, 100)
    assert 12 < cut < 13.5
    assert not np.any(Example2(0.1, cut * 1.01).buys(np.linspace(0, 1, 101), "balanced"))


def test_example2_tie_instance():
    """sec-04-fn17: v1 = 1, v2 = 1e4 w.p. 0.01: buying at the tie keeps 1/100.99 of the optimum, refusing
    keeps 100/100.99."""
    prof = np.array([[[1.0], [0.0]], [[1.0], [1e4]]])
    pr = np.array([0.99, 0.01])
    weak = am.posted_price_mechanism(prof, 1, 1.0, order=(0, 1))
    assert pr @ am.welfare(prof, weak.allocation) == pytest.approx(1.0)
    assert pr @ prof.max(axis=(1, 2)) == pytest.approx(100.99)


def test_definition5_demo_numbers():
    """sec-04-def5: the demo profile's optimum is 8, so 3 units at the highest marginal cost 12 and at the
    lowest marginal of the optimum raise 6."""
    v = [[4.0, 1.0, 0.0], [2.0, 2.0, 1.0]]
    assert float(am.optimal_welfare(v, 3)) == 8.0
    assert balanced.check_balanced(v, 3, balanced.per_unit_pricing(4.0)).remaining_slack == pytest.approx(
        -4.0
    )
    assert balanced.check_balanced(v, 3, balanced.per_unit_pricing(2.0)).revenue_slack == pytest.approx(-2.0)


def test_lab_example1_first_arrival_buys_everything():
    """sec-04-ex3-lab: in the discretised Example 1 at m = 4, whoever arrives first buys all four units in
    every equilibrium found, and every equilibrium keeps half the optimum."""
    a = np.array([[2, 1.0, 0, 0], [2, 1.5, 0, 0]])
    b = np.array([[2, 0.1, 0.1, 0.1], [2, 1.0, 1.0, 1.0]])
    mk = am.lab.FiniteMarket([a, b, np.zeros((1, 4))], [[0.5, 0.5], [7 / 8, 1 / 8], [1.0]], names="ABC")
    for oe in theorem4.equilibria_by_order(mk, random_starts=0):
        eqs = oe.equilibria()
        assert eqs and all(r.holdings[0] == 4 for r in eqs), oe.order
        assert min(r.welfare_ratio for r in eqs) >= 0.5


def test_exercise_1_cap_where_buyer_1_stops_speculating():
    """ex-04-1: with eps = 0.3 the cut-off is H = 13.54; at H = 5 buyer 1 buys from v1 = 0.5103 and the
    equilibrium keeps 0.7329 of the optimum."""
    h = optimize.brentq(lambda x: Example2(0.3, x).balanced_price() - (2 - 0.3 / x), 1.01, 1e6)
    assert h == pytest.approx(13.54, abs=0.01)
    e = Example2(0.3, 5)
    assert e.buy_threshold("balanced") == pytest.approx(0.5103, abs=1e-4)
    assert e.welfare("balanced, resale") / e.expected_optimal_welfare() == pytest.approx(0.7329, abs=1e-4)


def test_exercise_2_beta():
    """ex-04-2: the highest-marginal per-unit price is (1, 1.5)-balanced and not (1, 1.49)-balanced."""
    v = [[4.0, 1.0, 0.0], [2.0, 2.0, 1.0]]
    f = balanced.per_unit_pricing(4.0)
    assert balanced.check_balanced(v, 3, f, beta=1.5).holds()
    assert not balanced.check_balanced(v, 3, f, beta=1.49).holds()


def test_exercise_3_half_the_balanced_price():
    """ex-04-3: at half the balanced price the speculator corners the market in order CAB up to m = 1000
    and the share falls below one half, to 0.4424 at m = 1000."""
    ms = np.arange(10, 1001)
    half = example3.scan(ms, price=0.5 * Example1.closed_forms(ms)["balanced_price"])
    assert half.ratio.min() == pytest.approx(0.4424, abs=1e-4)
    assert ms[half.ratio.min(axis=1).argmin()] == 1000
    cab = half.orders.index("CAB")
    assert np.all(half.q_above[:, cab] == ms)
    assert np.all(np.diff(half.ratio[:, cab]) < 0)  # keeps falling


def test_exercise_4_resale_restores_the_optimum():
    """ex-04-4: in the tight instance with resale at the balanced price the welfare is the optimum 2 - d."""
    d = 0.01
    prof = np.array([[[1.0], [0.0]], [[1.0], [1 / d]]])
    out = am.combined_market(
        prof,
        am.posted_price_mechanism(prof, 1, 1 - d / 2, order=(0, 1)),
        lambda v, h: am.take_it_or_leave_it(v, h, seller=0, price=1 / d, order=[1]),
    )
    assert np.array([1 - d, d]) @ out.welfare == pytest.approx(2 - d)


def test_example3_revenue_from_b(scan):
    """sec-04-ex3-b: in order CAB, while C corners the market, she resells at 2 and her expected revenue
    from B is exactly 2 (B's first unit; z <= 1 + 1/(2m) < 2, so no further unit sells), against
    1/m = 0.25 at m = 4; each further unit earns at most 1/(2m)."""
    cab = scan.orders.index("CAB")
    corner = scan.q_above[:, cab] == scan.m
    assert np.all(scan.resale_above[corner, cab] == 2.0)
    assert np.allclose(scan.revenue_from_b[corner, cab], 2.0, rtol=0, atol=1e-12)
    for m in (4, 10, 1000):
        assert Example1(m).max_revenue_per_unit() == pytest.approx(1 / (2 * m))
        assert Example1(m).z.top < 2


def test_example1_recap_and_the_always_slip():
    """sec-04-example3: the footnote on "always": the optimum gives A her second unit only when U >= z,
    which fails with probability 1/(4 m^2) (chapter 2's test_exercise_2_reversed_resale_order states the
    same); sec-04-ex3-price: E[OPT] = 21/4 + (m-3) E[z] + 1/(24 m^3) = 21/4 + ln(2m)/2 + o(1)."""
    from scipy import integrate

    from aftermarkets.valuations import fb_survival

    for m in (4, 10, 100):
        p = integrate.quad(lambda u, m=m: 2 * float(fb_survival(m, u)), 1.0, 1.5, points=[1 + 1 / (2 * m)])[0]
        assert p == pytest.approx(1 / (4 * m**2), rel=1e-8)
        ex = Example1(m)
        assert ex.expected_optimal_welfare() == pytest.approx(
            21 / 4 + (m - 3) * ex.expected_z() + 1 / (24 * m**3), rel=1e-12
        )
    gaps = [Example1(m).expected_optimal_welfare() - 21 / 4 - 0.5 * np.log(2 * m) for m in (10**3, 10**6)]
    assert abs(gaps[1]) < abs(gaps[0]) and abs(gaps[1]) < 1e-3


def test_example2_median_formula_at_three_quarters():
    """sec-04-ex2-exact: for eps >= 1/2 the paper's 1/(2(1-eps)) is not the median, except at eps = 3/4,
    where both equal 2; at eps = 1/2 the formula gives 1 and the median is 2."""
    assert Example2(0.75, 100).median_price() == pytest.approx(2.0)
    assert 1 / (2 * (1 - 0.75)) == 2.0
    assert Example2(0.5, 100).median_price() == pytest.approx(2.0)
    for e in (0.6, 0.9):
        assert Example2(e, 100).median_price() != pytest.approx(1 / (2 * (1 - e)))


def test_proof_table_first_bidder():
    """sec-04-proof: in the lowest-welfare equilibrium of each order, when bidder 1 arrives first units
    stay unsold (the utility bound (4) is positive); in the other orders nothing is unsold ((4) is 0) and
    the revenue is exactly m p = g(m)/2."""
    mk = theorem4.random_market(3, 3, seed=12, speculator=True)
    g = theorem4.optimum_by_supply(mk)
    for oe in theorem4.equilibria_by_order(mk, random_starts=0):
        t = theorem4.proof_terms(oe.game, min(oe.equilibria(), key=lambda r: r.welfare))
        if oe.order[0] == "1":
            assert t["bound4"] > 1e-6
        else:
            assert t["bound4"] == pytest.approx(0.0, abs=1e-12)
            assert t["revenue"] == pytest.approx(g[-1] / 2)


def test_exercise_2_optimum_by_units():
    """ex-04-2: on v_A = (4, 1, 0), v_B = (2, 2, 1) the optimum with 1, 2, 3 units is 4, 6, 8."""
    v = [[4.0, 1.0, 0.0], [2.0, 2.0, 1.0]]
    assert [float(am.optimal_welfare(v, k)) for k in (1, 2, 3)] == [4.0, 6.0, 8.0]


def test_note8_half_price_corners_in_cab():
    """notes-04 (note 8): at half the balanced price C corners the market in order CAB at every m from
    10 to 1000."""
    ms = np.arange(10, 1001)
    half = example3.scan(ms, orders=("CAB",), price=0.5 * Example1.closed_forms(ms)["balanced_price"])
    assert np.all(np.maximum(half.q_above, half.q_below)[:, 0] == ms)


def test_figure_alt_texts(scan):
    """sec-04-ex2-balanced (figure fig-04-example2's alt text): at H = 1e12 the optimum is about 29.1, the
    balanced price with resale about 28.3, the median price without aftermarket about 16.3, with resale 1.5;
    sec-04-ex3-speculator (fig-04-example3): the four orders where C does not arrive first stay between
    0.87 and 0.98; CAB falls from 0.72 at m = 4 to about 0.5 at m = 135, then about 0.92; CBA to about
    0.52 at m = 70, then about 0.91."""
    e = Example2(0.1, 1e12)
    assert e.expected_optimal_welfare() == pytest.approx(29.1, abs=0.05)
    assert e.welfare("balanced, resale") == pytest.approx(28.3, abs=0.05)
    assert e.welfare("median, no aftermarket") == pytest.approx(16.3, abs=0.05)
    assert e.welfare("median, resale") == pytest.approx(1.5, abs=1e-9)
    r = scan.ratio
    others = [scan.orders.index(o) for o in ("ABC", "ACB", "BAC", "BCA")]
    assert 0.87 <= r[:, others].min() and r[:, others].max() <= 0.98
    cab, cba = scan.orders.index("CAB"), scan.orders.index("CBA")
    assert r[0, cab] == pytest.approx(0.72, abs=5e-3)
    assert r[scan.m == 135, cab][0] == pytest.approx(0.5, abs=1e-3)
    assert r[scan.m == 136, cab][0] == pytest.approx(0.92, abs=5e-3)
    assert r[scan.m == 70, cba][0] == pytest.approx(0.52, abs=5e-3)
    assert r[scan.m == 71, cba][0] == pytest.approx(0.91, abs=5e-3)


def test_statement_boxes_carry_the_papers_labels():
    """The prf boxes carry the paper's labels, unnumbered (sphinx-proof numbers per type across the
    book)."""
    md, _, _ = notebook_text(NOTEBOOK)
    for label in ("example-2", "definition-5", "proposition-6", "theorem-4", "claim-1", "example-3"):
        assert f":label: {label}\n:nonumber:" in md, label
