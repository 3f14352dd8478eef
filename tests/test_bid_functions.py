"""Tests of ``aftermarkets.instances.bid_functions.BidFunction``: monotone piecewise-linear bid
functions with jumps and flats, and the generalised inverses that give the probability of beating
a bid and a winner's posterior (Chapter 6, sec-06-market)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftermarkets.instances.bid_functions import BidFunction


@st.composite
def monotone_bids(draw):
    """A non-decreasing bid function on [0, 1] with random flats and jumps."""
    k = draw(st.integers(2, 8))
    cuts = sorted(draw(st.lists(st.floats(0.01, 0.99), min_size=k - 2, max_size=k - 2, unique=True)))
    knots = [0.0, *cuts, 1.0]
    steps = draw(st.lists(st.sampled_from([0.0, 0.05, 0.1, 0.3]), min_size=k - 1, max_size=k - 1))
    bids = np.concatenate([[0.0], np.cumsum(steps)])
    vs, bs = [knots[0]], [bids[0]]
    for j in range(1, k):
        if j < k - 1 and draw(st.booleans()):  # a jump at this knot
            vs += [knots[j], knots[j]]
            bs += [bids[j], bids[j] + 0.07]
            bids[j + 1 :] += 0.07
        else:
            vs.append(knots[j])
            bs.append(bids[j])
    return BidFunction(vs, bs)


def test_docstring_example_and_jump_evaluation():
    """A jump at 1/2: right-continuous value 0.3 there, left limit 0.2; the inverses at a bid in the
    gap both return the jump point."""
    b = BidFunction([0, 0.5, 0.5, 1], [0, 0.2, 0.3, 0.5])
    assert b([0.25, 0.5, 0.75, 2.0]).tolist() == pytest.approx([0.1, 0.3, 0.4, 0.5])
    assert float(b.left_limit(0.5)) == pytest.approx(0.2)
    assert float(b.left_limit(0.75)) == pytest.approx(0.4)
    assert float(b.lower_inverse(0.25)) == float(b.upper_inverse(0.25)) == 0.5
    assert b.strictly_increasing


def test_flats_make_the_inverses_differ():
    """On a flat the lower inverse is its left end and the upper inverse its right end; off the
    range they clip to the domain."""
    b = BidFunction([0, 0.4, 0.6, 1], [0, 0.2, 0.2, 0.5])
    assert not b.strictly_increasing
    assert float(b.lower_inverse(0.2)) == pytest.approx(0.4)
    assert float(b.upper_inverse(0.2)) == pytest.approx(0.6)
    assert float(b.lower_inverse(-1.0)) == 0.0 and float(b.upper_inverse(-1.0)) == 0.0
    assert float(b.lower_inverse(9.0)) == 1.0 and float(b.upper_inverse(9.0)) == 1.0


@given(monotone_bids(), st.lists(st.floats(-0.1, 2.5), min_size=1, max_size=10))
def test_inverses_give_the_probability_of_beating_a_bid(b, betas):
    """For uniform values on [0, 1], F(lower_inverse(beta)) = Pr[b(V) < beta] and
    F(upper_inverse(beta)) = Pr[b(V) <= beta], compared with a fine grid of values."""
    v = (np.arange(200_000) + 0.5) / 200_000
    bv = b(v)
    for beta in betas:
        lo, hi = float(b.lower_inverse(beta)), float(b.upper_inverse(beta))
        assert 0 <= lo <= hi <= 1
        assert lo == pytest.approx(np.mean(bv < beta), abs=2e-5)
        assert hi == pytest.approx(np.mean(bv <= beta), abs=2e-5)


def test_piecewise_joins_and_jumps():
    """Pieces that meet continuously share a knot; pieces that differ make a jump."""
    cont = BidFunction.piecewise([(lambda v: v / 2, 0, 0.5), (lambda v: v / 2, 0.5, 1)], n=5)
    assert np.all(np.diff(cont.knots) > 0)
    jump = BidFunction.piecewise([(lambda v: v / 2 - 0.1, 0.2, 0.5), (lambda v: v / 2 + 0.1, 0.5, 1)], n=5)
    assert float(jump(0.5)) == pytest.approx(0.35) and float(jump.left_limit(0.5)) == pytest.approx(0.15)
    with pytest.raises(ValueError, match="starts at"):
        BidFunction.piecewise([(lambda v: v, 0, 0.5), (lambda v: v, 0.6, 1)])


def test_scaled_and_from_callable():
    """from_callable tabulates a function; scaled maps the knots onto another support."""
    b = BidFunction.from_callable(lambda v: v / 2, 0, 1, 11)
    s = b.scaled(1, 3)
    assert s.low == 1 and s.high == 3 and float(s(3.0)) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        BidFunction.from_callable(lambda v: v, 0, 1, 1)


@pytest.mark.parametrize(
    "knots, bids, match",
    [
        ([0, 1], [0.5, 0.2], "non-decreasing"),
        ([0, 1], [-0.1, 0.2], "non-negative"),
        ([0, 1, 0.5], [0, 1, 2], "knots"),
        ([0, 0.5, 0.5, 1], [0, 0.2, 0.2, 0.3], "repeat"),
        ([0, 0.5, 0.5, 0.5, 1], [0, 0.1, 0.2, 0.3, 0.4], "repeat"),
        ([0, 1], [0, np.nan], "finite"),
        ([0], [0], "length"),
    ],
)
def test_bad_bid_functions_raise(knots, bids, match):
    """Decreasing or negative bids, unsorted knots, degenerate jumps and NaNs are refused."""
    with pytest.raises(ValueError, match=match):
        BidFunction(knots, bids)
