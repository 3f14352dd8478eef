"""Tests of ``aftermarkets.equilibrium.deviation_search``: regret-style equilibrium checks.

Section 2.1.2 of the paper: sigma is a BNE when every sigma_i is a best response, i.e. no
alternative strategy gives agent i a higher expected utility. ``deviation_search`` reports the
largest gain found over a family of alternatives (the regret found) and the action attaining it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import aftermarkets as am

FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(FINITE, min_size=1, max_size=20, unique=True), FINITE, st.data())
def test_finds_planted_profitable_deviation(utils, base, data):
    """A utility table with one planted action strictly better than the prescribed one: the
    search returns that action and gain = its utility minus the prescribed utility (> 0), and
    is_best_response is False; ``checked`` counts every alternative."""
    planted_gain = data.draw(st.floats(min_value=1e-3, max_value=1e3))
    table = {f"a{k}": min(u, base) for k, u in enumerate(utils)}  # none better than prescribed
    spot = data.draw(st.integers(0, len(table)))
    table = dict(list(table.items())[:spot] + [("planted", base + planted_gain)] + list(table.items())[spot:])
    table["prescribed"] = base
    r = am.deviation_search(
        table.__getitem__, "prescribed", [k for k in table if k != "prescribed"], agent="B"
    )
    assert r.best_action == "planted"
    assert r.best_gain == pytest.approx(planted_gain, rel=1e-9, abs=1e-9)
    assert r.equilibrium_utility == base
    assert r.checked == len(table) - 1 and r.agent == "B"
    assert not r.is_best_response()


@given(st.lists(FINITE, min_size=1, max_size=20), FINITE)
def test_reports_negative_gain_when_all_alternatives_worse(utils, base):
    """When every alternative is strictly worse, best_gain = max(alternative utility) - prescribed
    utility < 0 (the margin by which the prescribed action wins) and is_best_response is True."""
    alts = [base - 1.0 - abs(u) for u in utils]
    r = am.deviation_search(lambda a: alts[a] if a >= 0 else base, -1, range(len(alts)))
    assert r.best_gain < 0
    assert r.best_gain == pytest.approx(max(alts) - base, rel=1e-12, abs=1e-9)
    assert alts[r.best_action] == max(alts)
    assert r.is_best_response()


def test_docstring_example_and_generator_alternatives():
    """Quadratic utility -(b - 1)^2 with prescribed b = 1: best alternative 0.5, gain -0.25;
    alternatives may be a generator (consumed once)."""
    r = am.deviation_search(lambda b: -((b - 1.0) ** 2), 1.0, (x for x in [0.0, 0.5, 2.0]))
    assert (r.best_gain, r.best_action, r.checked) == (-0.25, 0.5, 3)


def test_tolerance_of_is_best_response():
    """A gain of 1e-12 is within the default tolerance (1e-9), 1e-6 is not; tol is honoured."""
    tiny = am.deviation_search(lambda a: 1e-12 if a else 0.0, 0, [1])
    assert tiny.best_gain == 1e-12 and tiny.is_best_response() and not tiny.is_best_response(tol=0.0)
    big = am.deviation_search(lambda a: 1e-6 if a else 0.0, 0, [1])
    assert not big.is_best_response() and big.is_best_response(tol=1e-5)


def test_ties_report_zero_gain():
    """An alternative as good as the prescribed action gives gain exactly 0: still a best response."""
    r = am.deviation_search(lambda a: 2.0, "x", ["y", "z"])
    assert r.best_gain == 0.0 and r.best_action == "y" and r.is_best_response(tol=0.0)


def test_speculation_deviation_in_a_small_market():
    """End-to-end use on Section 2.1.3's combined market: agent 1 values nothing; if agent 0
    (value 3 for one unit) bids 0 and agent 1 bids b > 0 on both units, agent 1 wins them at
    price 0 and resells one at 2.5. The search finds that speculation beats bidding 0 by 2.5
    (the first such bid in the list is reported)."""
    values = np.array([[3.0, 0.0], [0.0, 0.0]])

    def utility(bid):
        bids = np.array([[0.0, 0.0], [bid, bid]])
        a = am.uniform_price_auction(bids, 2)
        out = am.combined_market(values, a, lambda v, h: am.take_it_or_leave_it(v, h, seller=1, price=2.5))
        return float(out.utilities[1])

    r = am.deviation_search(utility, 0.0, [0.5, 1.0, 2.0], agent=1)
    assert r.equilibrium_utility == 0.0
    assert r.best_gain == pytest.approx(2.5) and r.best_action == 0.5
    assert not r.is_best_response()


def test_empty_alternatives_raise():
    """No alternatives: a ValueError (an empty search certifies nothing)."""
    with pytest.raises(ValueError, match="at least one action"):
        am.deviation_search(lambda a: 0.0, 0, [])
    with pytest.raises(ValueError, match="at least one action"):
        am.deviation_search(lambda a: 0.0, 0, iter(()))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_utilities_raise(bad):
    """A NaN or infinite utility, of the prescribed action or of an alternative, is a ValueError
    naming which one."""
    with pytest.raises(ValueError, match="prescribed action is not finite"):
        am.deviation_search(lambda a: bad if a == "p" else 0.0, "p", ["q"])
    with pytest.raises(ValueError, match=r"alternative 'q' is not finite"):
        am.deviation_search(lambda a: bad if a == "q" else 0.0, "p", ["r", "q"])


@given(st.integers(1, 8), st.integers(1, 8), st.data())
def test_grid_regret_is_the_rowwise_best_gain(n, m, data):
    """grid_regret: for every type, gain = max over alternatives minus the prescribed utility and
    action = the maximiser; max, argmax and the ex ante gain (positive parts, weighted) follow."""
    vals = st.floats(min_value=-10, max_value=10, allow_nan=False)
    table = np.array(data.draw(st.lists(vals, min_size=n * m, max_size=n * m))).reshape(n, m)
    base = np.array(data.draw(st.lists(vals, min_size=n, max_size=n)))
    alts = np.arange(m) * 0.5
    r = am.grid_regret(np.arange(n), base, table, alts)
    assert np.allclose(r.gain, table.max(axis=1) - base)
    assert np.allclose(table[np.arange(n), (r.action / 0.5).astype(int)], table.max(axis=1))
    assert r.max == pytest.approx(float(np.max(table.max(axis=1) - base)))
    assert r.expected() == pytest.approx(float(np.mean(np.maximum(table.max(axis=1) - base, 0))))
    rep = r.worst(agent="A")
    assert rep.agent == ("A", float(r.argmax)) and rep.best_gain == r.max and rep.checked == m


def test_grid_regret_first_price_example_and_errors():
    """The docstring's first-price check: bidding v/2 against bids uniform on [0, 1/2] is a best
    response; a mismatched table, no alternatives, NaN utilities and bad weights raise ValueError."""
    v, b = np.array([0.5, 1.0]), np.linspace(0, 0.5, 51)
    table = (v[:, None] - b) * np.minimum(2 * b, 1.0)
    r = am.grid_regret(v, (v - v / 2) * v, table, b)
    assert abs(r.max) < 1e-12 and r.action.tolist() == [0.25, 0.5]
    assert r.expected([0.25, 0.75]) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="table"):
        am.grid_regret(v, [0.0, 0.0], table[:, :3], b)
    with pytest.raises(ValueError, match="at least one"):
        am.grid_regret(v, [0.0, 0.0], np.zeros((2, 0)), [])
    with pytest.raises(ValueError, match="finite"):
        am.grid_regret(v, [0.0, np.nan], table, b)
    with pytest.raises(ValueError, match="weights"):
        r.expected([0.5, 0.6])
