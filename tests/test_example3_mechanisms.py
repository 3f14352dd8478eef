"""Tests of ``aftermarkets.instances.example3_mechanisms`` (Example 3, Section 5.1; Chapter 4,
``sec-04-ex3-b``): the closed-form scan against the library's posted price, resale market and
combined market."""

from __future__ import annotations

import pytest

from aftermarkets.instances import example3, example3_mechanisms


@pytest.mark.parametrize("m", (4, 6, 10, 70, 71, 135, 136, 500))
def test_scan_agrees_with_the_library_mechanisms(m):
    """sec-04-ex3-speculator: welfare, B's holdings and C's revenue from B in closed form equal the
    library's posted price, resale and combined market at the cells' conditional means."""
    s = example3.scan([m])
    for out in example3_mechanisms.posted_price_outcomes(m):
        j = s.orders.index(out.order)
        assert out.welfare == pytest.approx(s.welfare[0, j], abs=1e-9)
        assert out.b_units == pytest.approx(s.b_units[0, j], abs=1e-9)
        assert out.b_final == pytest.approx(s.b_final[0, j], abs=1e-9)
        assert out.revenue_from_b == pytest.approx(s.revenue_from_b[0, j], abs=1e-12)
        assert out.units_for_b == pytest.approx(s.units_for_b[0, j], abs=1e-9)


def test_outcomes_fields_and_validation():
    """One outcome per order, C's quantities as the scan's, shares at least one half; m < 4 refused."""
    outs = example3_mechanisms.posted_price_outcomes(10)
    s = example3.scan([10])
    assert [o.order for o in outs] == list(s.orders)
    for j, o in enumerate(outs):
        assert o.q == (s.q_above[0, j], s.q_below[0, j])
        assert o.ratio >= 0.5
    with pytest.raises(ValueError, match="m"):
        example3_mechanisms.posted_price_outcomes(3)


@pytest.mark.parametrize("m", (4, 6, 71))
def test_buyer_regrets_reproduce_the_speculators_choice(m):
    """sec-04-ex3-speculator: when C moves after a buyer, her re-optimised quantity at the buyers'
    equilibrium requests is scan's; regrets are non-negative, and zero whenever C corners the market
    before A and B arrive (nothing is left for them)."""
    s = example3.scan([m])
    for j, order in enumerate(s.orders):
        r = example3_mechanisms.buyer_regrets(m, order)
        assert r["A"] >= 0 and r["B"] >= 0
        if "q" in r:
            assert (r["q"]["above"], r["q"]["below"]) == (s.q_above[0, j], s.q_below[0, j])
        if order.startswith("C") and s.q_above[0, j] == m:
            assert r["A"] == 0 and r["B"] == 0


def test_buyer_regrets_validation():
    with pytest.raises(ValueError):
        example3_mechanisms.buyer_regrets(3, "ABC")
    with pytest.raises(ValueError):
        example3_mechanisms.buyer_regrets(10, "ABD")
