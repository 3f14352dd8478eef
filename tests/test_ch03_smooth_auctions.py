"""Chapter 3 (``book/03_smooth_auctions.ipynb``): numbers stated in its prose and exercises that are
not glued and its statement boxes.

Library behaviour is tested in ``test_smoothness.py``, ``test_smoothness_search.py``,
``test_simultaneous.py``, ``test_information.py`` and ``test_smooth_auctions.py``; the ledger entries
by the ledger page (``book/ledger.ipynb``, under nbval). Test docstrings in those files cite the
chapter's labels; ``test_notebooks.py`` checks that every cited label exists and every glued name
is defined.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from nbtext import notebook_text

from aftermarkets import smoothness as sm
from aftermarkets import smoothness_search as ss
from aftermarkets.instances import smooth_auctions as sa
from aftermarkets.instances import smooth_checks as sc

LAM = 1 - math.exp(-1)
NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "03_smooth_auctions.ipynb"


def test_definition3_example():
    """sec-03-def3: in the example the optimum gives one unit each to bidders 1 and 2 (whose first
    marginals, 1 and 0.8, are the two highest), so they deviate on one unit each and bidder 3 not at
    all; the slack is 0.2 (Wel 1.8, Rev 0.9)."""
    v = np.array([[1.0, 0.6], [0.8, 0.5], [0.3, 0.0]])
    a = np.array([[0.4, 0.3], [0.5, 0.1], [0.35, 0.2]])
    d = sm.optimal_units_directions(v)
    assert (d > 0).sum(axis=1).tolist() == [1, 1, 0]
    r = sm.slack("discriminatory", v, a)
    assert (r.welfare[0], r.revenue[0]) == pytest.approx((1.8, 0.9))
    assert r.slack[0] == pytest.approx(0.2, abs=1e-12)


def test_lab_equilibria_as_described():
    """sec-03-lab: one equilibrium per market from every start (regret 0); without resale the
    speculator bids nothing; with resale she and the others bid 0.75 on every unit they bid on
    (type (1, 0) of A bids on one unit), above (1 - 1/e) times every value, so the phantom
    deviations win nothing; no bidder gains from them."""
    runs = sc.corollary1_runs()
    assert [r["resale"] for r in runs] == [False, True]
    assert all(r["regret"] <= 1e-12 for r in runs)
    none, resale = runs
    assert none["strategies"][2].tolist() == [[0.0, 0.0]] and none["holdings"][2] == 0
    bids = np.concatenate([s.ravel() for s in resale["strategies"]])
    assert set(bids.tolist()) == {0.0, 0.75}
    assert resale["strategies"][0][0].tolist() == [0.75, 0.0]
    assert 0.75 > LAM * 1.0 and np.all(resale["deviation"] == 0)
    for r in runs:
        assert np.all(r["deviation"] <= r["utilities"] + 1e-12)


def test_footnote15_example1_and_exercise1():
    """sec-03-fn15, ex-03-1: at Example 1's bids the revenue is 0 and the best replies are worth 4 in
    total (A and B 2 each); the certificate turns negative at m = 5. Exercise 1: -2(0.5 - 0.4) = -0.2
    for the uniform-price auction; in the discriminatory auction the revenue is 2, so the certificate
    is 0 - 0.5 x 2 + 2 x 2 = 3."""
    rows = {r["m"]: r for r in sc.example1_certificates()}
    assert all(r["best_responses"].tolist() == [2.0, 2.0, 0.0] for r in rows.values())
    assert rows[4]["certificate"] > 0 > rows[5]["certificate"]
    v, a = sa.failure_profile(2, 1.0, 0.2)
    assert ss.certificate_slack("uniform-price", v, a, 0.5, 2.0)[0] == pytest.approx(-0.2)
    assert sm.MECHANISMS["discriminatory"].revenue(a, 2) == pytest.approx(2.0)
    assert ss.certificate_slack("discriminatory", v, a, 0.5, 2.0)[0] == pytest.approx(3.0)


def test_exercise2_wrong_scale():
    """ex-03-2: with t uniform in the first-price auction, E[u] = (v - B)^2 / (2v), whose sum with B
    is minimised at B = 0 (value v/2): slack 1/2 - (1 - 1/e) at v = 1, B = 0."""
    v, B = 1.0, np.linspace(0, 1, 11)
    d = np.array([[[v], [0.0]]] * len(B))
    u = sm.deviation_utilities("first-price", [[v], [0.0]], [[[0.0], [b]] for b in B], d, sm.ALL_PAY)[:, 0]
    np.testing.assert_allclose(u, (v - B) ** 2 / (2 * v), atol=1e-12)
    assert np.argmin(u + B) == 0
    r = sm.slack("first-price", [[1.0], [0.0]], [[0.0], [0.0]], law=sm.ALL_PAY)
    assert r.slack[0] == pytest.approx(0.5 - LAM)


def test_proposition5_as_described():
    """sec-03-info: information changes bids and revenue but not the allocation: every equilibrium
    found keeps the whole optimal welfare net of the cost (the researcher's bids never win against
    the high incumbent); at c = 0.02 no pure policy is an equilibrium."""
    rows = sc.proposition5_runs()
    eq = [r for r in rows if r["regret"] <= 1e-9]
    assert {r["cost"] for r in eq} == {0.0, 0.1}
    assert all(r["net_welfare"] == pytest.approx(r["optimal"]) for r in eq)
    assert not [r for r in eq if r["cost"] == 0.02]


def test_proposition3_tie_and_independent_regret():
    """sec-03-semi: with rho = 0.9 the equilibrium is pure (regret 0) and its welfare loss is the
    tie of the high types: 0.45 x 1/2 x (1 - 0.9)."""
    rows = {r["rho"]: r for r in sc.proposition3_runs()}
    r = rows[0.9]
    assert r["regret"] == 0.0
    assert r["optimal"] - r["welfare"] == pytest.approx(0.45 * 0.5 * 0.1)
    assert rows[0.5]["regret"] > 0  # the independent case ends in fictitious play


def test_boxes_follow_the_papers_order():
    """The chapter's numbered statement boxes appear in the paper's order, so that sphinx-proof's
    book-wide numbering gives them the paper's numbers (checked on the built page below)."""
    md, _, _ = notebook_text(NOTEBOOK)
    labels = re.findall(r":label: ((?:definition|proposition|theorem|corollary)-\d)", md)
    assert labels == [
        "definition-3",
        "proposition-2",
        "theorem-2",
        "corollary-1",
        "definition-4",
        "proposition-3",
        "theorem-3",
        "proposition-4",
        "proposition-5",
    ]


def test_built_boxes_show_the_papers_numbers():
    """The built page shows each statement box with the paper's number (sphinx-proof numbers boxes
    per type through the book; `make test` builds the book before running the tests)."""
    page = Path(__file__).resolve().parents[1] / "_build" / "html" / "book" / "03_smooth_auctions.html"
    if not page.exists():
        pytest.skip("the book is not built; `make test` builds it first")
    titles = re.findall(r'<p class="admonition-title">(.*?)</p>', page.read_text(), re.S)
    names = [re.sub(r"<[^>]+>", "", t).split("(")[0].split() for t in titles]
    numbered = [
        " ".join(n[:2]) for n in names if n and n[0] in ("Definition", "Proposition", "Theorem", "Corollary")
    ]
    assert numbered == [
        "Definition 3",
        "Proposition 2",
        "Theorem 2",
        "Corollary 1",
        "Definition 4",
        "Proposition 3",
        "Theorem 3",
        "Proposition 4",
        "Proposition 5",
    ]
