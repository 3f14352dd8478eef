"""Chapter 6 (``book/06_symmetric_first_price.ipynb``): numbers stated in its prose and exercises
that are not glued, its parameters and its statement boxes.

Library behaviour is tested in ``test_laws.py``, ``test_bid_functions.py``, ``test_single_item.py``,
``test_symmetric.py``, ``test_appendix_e.py`` and ``test_grid_probe.py``; the ledger entries by
the ledger page (``book/ledger.ipynb``, under nbval). Test docstrings in those files cite the
chapter's labels; ``test_notebooks.py`` checks that every cited label exists and every glued name
is defined.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from nbtext import notebook_text

from aftermarkets.instances import appendix_e, grid_probe, laws, symmetric

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "06_symmetric_first_price.ipynb"


def test_statement_boxes_are_unnumbered_with_the_papers_number():
    """sec-06-result: every prf box has :nonumber: and the paper's number in its title
    (definition-7, theorem-7, lemma-1, claim-2, claim-3)."""
    md, _, _ = notebook_text(NOTEBOOK)
    boxes = re.findall(r"```\{prf:([a-z]+)\} ([^\n]*)\n((?::[a-z]+:[^\n]*\n)*)", md)
    titles = {title.split(",")[0] for _, title, _ in boxes}
    assert titles == {"Definition 7", "Theorem 7", "Lemma 1", "Claim 2", "Claim 3"}
    assert all(":nonumber:" in opts for _, _, opts in boxes)


def test_chapter_parameters():
    """sec-06-solver, sec-06-footnote23, sec-06-claim3, sec-06-footnote22: the grids the prose
    states are the library's defaults: 2,001 points and a grid eight times finer for the solver,
    201 types and 401 bids for the regret, 101 and 201 after the aftermarkets and for the asymmetric
    families there, 801 bids for the
    envelope; the probe has 60 types, 61 levels up to 0.6 and 150 rounds."""
    import inspect

    sig = inspect.signature
    assert sig(symmetric.solve_symmetric).parameters["n"].default == 2001
    assert sig(symmetric.solve_symmetric).parameters["refine"].default == 8
    reg = sig(symmetric.SymmetricEquilibrium.regret).parameters
    assert (reg["n_types"].default, reg["n_bids"].default) == (201, 401)
    aft = sig(symmetric.SymmetricEquilibrium.with_aftermarkets).parameters
    assert (aft["n_types"].default, aft["n_bids"].default) == (101, 201)
    sweep = sig(appendix_e.regret_sweep).parameters  # "The regrets use 101 types and 201 bids"
    assert (sweep["n_types"].default, sweep["n_bids"].default) == (101, 201)
    env = sig(appendix_e.envelope).parameters
    assert (env["n_types"].default, env["n_bids"].default) == (201, 801)
    assert sig(grid_probe.search).parameters["rounds"].default == 150
    _, code, _ = notebook_text(NOTEBOOK)
    assert "GridGame(n_types=60, n_bids=61, top=0.6)" in code
    assert "random_profiles(game, 300" in code


def test_overbidding_with_bids_revealed_is_payoff_equivalent():
    """sec-06-footnote23: uniform values, first price, seller-offer resale. With bids revealed,
    bidding as any type v' > v earns exactly the equilibrium utility v^2/2; with only the winner
    revealed it earns (v' - v)^2/4 less (the table's -0.0025, -0.0225, -0.0625 at v = 0.5)."""
    eq = symmetric.solve_symmetric(laws.uniform(), "first-price")
    for v in (0.3, 0.5, 0.8):
        vp = np.linspace(v + 0.05, 1.0, 6)
        for signal in ("bids", "winner"):
            m = eq.market("seller-offer", signal)
            dev = m.outcome(0, np.full(vp.size, v), eq.bid_function(vp)).utility
            loss = 0.0 if signal == "bids" else (vp - v) ** 2 / 4
            assert np.allclose(dev, v**2 / 2 - loss, atol=1e-8)


def test_exercise_1_revenue():
    """ex-06-1: the expected revenue of either auction for F = v^a is 2a^2/((a+1)(2a+1)); one bidder
    pays half of it (4/15 at a = 2)."""
    cf = symmetric.closed_forms()
    v, a = cf["v"], cf["a"]
    for auction in ("first-price", "all-pay"):
        rev = 2 * sp.integrate(cf["payment"][auction] * sp.diff(cf["F"], v), (v, 0, 1))
        assert sp.simplify(rev - 2 * a**2 / ((a + 1) * (2 * a + 1))) == 0
    assert float((a**2 / ((a + 1) * (2 * a + 1))).subs(a, 2)) == pytest.approx(4 / 15)
    md, _, _ = notebook_text(NOTEBOOK)
    assert r"one bidder is $\frac{a^2}{(a + 1)(2a + 1)}$" in md  # the prose states that half


@pytest.mark.parametrize("kappa", [0.2, 0.1, 0.05])
def test_exercise_2_tilt_regret_is_just_under_kappa(kappa):
    """ex-06-2: agent 1's regret in the tilt family is just under kappa (the grid's best bid lies a
    fraction of a step below b2(1)), attained by the top type."""
    r = appendix_e.market("tilt", kappa=kappa).regret(0)
    assert 0.99 * kappa < r.max <= kappa + 1e-12
    assert r.types[r.argmax] == 1.0


def test_no_lazy_blockquote_continuation():
    """sec-06-result: every quoted block (lines starting with '>') ends with a blank line, so the
    chapter's own text after a quotation of the paper is not rendered inside it."""
    nb = json.loads(NOTEBOOK.read_text())
    for c in nb["cells"]:
        if c["cell_type"] != "markdown":
            continue
        lines = "".join(c["source"]).split("\n")
        for a, b in zip(lines, lines[1:]):
            assert not (a.startswith(">") and b.strip() and not b.startswith(">")), b


def test_bump_scaling_in_kappa():
    """sec-06-asymmetric: for kappa in {0.2, 0.1, 0.05} the bump's regret / kappa and its welfare
    loss / kappa^2 are each constant within 5%."""
    rate, loss = [], []
    for k in (0.2, 0.1, 0.05):
        m = appendix_e.market("bump", kappa=k)
        rate.append(max(m.regret(i).max for i in (0, 1)) / k)
        loss.append((m.optimal_welfare() - m.welfare()) / k**2)
    assert max(rate) < 1.05 * min(rate)
    assert max(loss) < 1.05 * min(loss)


def test_claim2_search_every_type_from_half_bids_bottom_of_gap():
    """sec-06-claim2: in the jump profile, every grid type of agent 2 from 0.5 up gains within 0.001
    of the largest gain (0.04 less grid error), each by bidding the same bid, the bottom 0.15 of the
    gap in b1's range (to the bid grid's step), and no type below 0.5 comes within 0.001."""
    r = appendix_e.market("jump").regret(1)
    near = r.gain > r.max - 1e-3
    assert r.types[near].min() == pytest.approx(0.5)
    assert np.all(near[r.types >= r.types[near].min()])
    best = r.action[r.argmax]
    assert np.all(r.action[r.types >= 0.5] == best)
    assert abs(best - 0.15) < 0.5 / 400 + 1e-12
    assert r.max == pytest.approx(0.04, abs=1e-3)
