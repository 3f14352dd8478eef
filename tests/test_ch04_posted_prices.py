"""Chapter 4 (``book/04_posted_prices.ipynb``): numbers stated in its prose and exercises that are not
glued, its labels and its glue.

Library behaviour is tested in ``test_balanced.py``, ``test_example2.py``, ``test_example3.py`` and
``test_theorem4.py``; the ledger entries in ``test_ledger.py``. Test docstrings in those files cite the
chapter's labels; :func:`test_cited_labels_exist` checks every cited label exists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
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


def _notebook_text():
    nb = json.loads(NOTEBOOK.read_text())
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    glued = set()
    for c in nb["cells"]:
        for out in c.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                glued.add(name)
    return md, glued


def test_cited_labels_exist():
    """Every chapter label cited in the Chapter 4 test files' docstrings (sec-04-*, ex-04-*, notes-04)
    exists in the notebook, as a MyST target or an exercise label; the prf boxes carry the paper's
    labels."""
    md, _ = _notebook_text()
    files = (
        "test_balanced.py",
        "test_example2.py",
        "test_example3.py",
        "test_theorem4.py",
        "test_ch04_posted_prices.py",
    )
    text = "".join((Path(__file__).parent / f).read_text() for f in files)
    cited = set(re.findall(r"\b((?:sec|ex)-04-[a-z0-9-]+[a-z0-9]|notes-04)\b", text))
    assert cited
    missing = [c for c in cited if f"({c})=" not in md and f":label: {c}" not in md]
    assert not missing, missing
    for label in ("example-2", "definition-5", "proposition-6", "theorem-4", "claim-1", "example-3"):
        assert f":label: {label}\n:nonumber:" in md, label


def test_every_glue_used_in_prose_is_defined():
    """Chapter 4: every {glue:...}`name` in a markdown cell has a stored glue value."""
    md, glued = _notebook_text()
    used = set(re.findall(r"\{glue:[a-z]*\}`([A-Za-z0-9_]+)", md))
    assert used and used <= glued, sorted(used - glued)
