"""Tests of ``aftermarkets.instances.smooth_auctions`` and ``smooth_checks``: the combined market
of Theorem 2's walk-through, the chain of its proof, footnote 15's family, the lab instances and
Table 1 (chapter 3, sec-03-thm2, sec-03-fn15, sec-03-lab, sec-03-semi, sec-03-table1).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import sympy as sp

import aftermarkets as am
from aftermarkets import smoothness as sm
from aftermarkets.instances import smooth_auctions as sa
from aftermarkets.instances import smooth_checks as sc
from aftermarkets.instances.section2 import BuyerCommission

LAM = 1 - math.exp(-1)


def test_combined_run_accounts_for_every_payment():
    """sec-03-thm2: the final allocation is feasible, welfare = utilities + combined revenue, and
    the combined revenue exceeds the auction's by exactly the commissions."""
    rc = sa.random_combined(300, seed=1)
    out = sa.combined_run("discriminatory", rc["values"], rc["bids"], rc["stages"])
    cum = np.concatenate([np.zeros((300, 3, 1)), np.cumsum(rc["values"], axis=-1)], axis=-1)
    welfare = np.take_along_axis(cum, out["allocation"][..., None], -1)[..., 0].sum(-1)
    np.testing.assert_allclose(welfare, out["utilities"].sum(-1) + out["combined_revenue"], atol=1e-12)
    assert np.all(out["allocation"].sum(-1) <= 3)
    assert np.all(out["combined_revenue"] >= out["auction_revenue"] - 1e-12)


def test_the_walkthrough_market():
    """sec-03-thm2: the auction gives one unit to each bidder; C resells hers to A at 0.6 (plus the
    commission 0.05); in the second market A resells one unit to B at 0.7 (plus 0.02)."""
    mkt = sa.theorem2_market()
    auction = am.discriminatory_auction(mkt["bids"], 3)
    assert auction.allocation.tolist() == [1, 1, 1]
    one = sa.combined_run("discriminatory", mkt["values"], mkt["bids"], mkt["stages"])
    assert one["allocation"][0].tolist() == [2, 1, 0]
    np.testing.assert_allclose(one["resale_payments"][0], [0.65, 0.0, -0.6])
    two = sa.combined_run("discriminatory", mkt["values"], mkt["bids"], mkt["two_stages"])
    assert two["allocation"][0].tolist() == [1, 2, 0]
    np.testing.assert_allclose(two["resale_payments"][0], [0.65 - 0.7, 0.72, -0.6])


def test_resale_stages_are_trade_mechanisms():
    """The resale market used by the stages (take-it-or-leave-it with a buyer commission) passes the
    library's Definitions 1 and 2 checks; with a negative commission (a subsidy, ex-03-3) it fails
    Definition 2."""
    values = am.StepValues([[1.0, 0.7, 0.0], [0.9, 0.8, 0.3], [0.0, 0.0, 0.0]], [[1, 1, 1]] * 3)
    instances = [(values, h) for h in ([1, 1, 1], [2, 0, 1], [0, 1, 2])]
    profiles = [
        [b0, b1, (p, None)] for p in (0.2, 0.5, 0.9) for b0 in ("demand", 0, 1) for b1 in ("demand", 0, 1)
    ]
    vp, bb = am.check_trade_mechanism(BuyerCommission(2, 0.05), instances, profiles)
    assert vp.holds() and bb.holds()
    _, bb = am.check_trade_mechanism(BuyerCommission(2, -0.3), instances, profiles)
    assert not bb.holds()


def test_theorem2_chain_and_subsidy():
    """sec-03-thm2, ex-03-3: T1 = T2 >= T3 >= T4 on the walk-through market; with subsidies of 0.3
    the third inequality fails and the combined slack T1 - T4 is negative."""
    mkt = sa.theorem2_market()
    t = sa.theorem2_terms("discriminatory", mkt["values"], mkt["bids"], mkt["two_stages"])
    assert t["T1"][0] == pytest.approx(t["T2"][0], abs=1e-12)
    assert t["T2"][0] >= t["T3"][0] >= t["T4"][0]
    assert t["T3"][0] - t["T4"][0] == pytest.approx(0.05 + 0.02)  # the two commissions
    sub = [dataclasses.replace(s, commission=-0.3) for s in mkt["two_stages"]]
    t = sa.theorem2_terms("discriminatory", mkt["values"], mkt["bids"], sub)
    assert t["T4"][0] > t["T3"][0] and t["T1"][0] - t["T4"][0] < 0


def test_failure_profile():
    """sec-03-fn15: the family's shape and input checks; the blocker wins every unit at price eps."""
    v, a = sa.failure_profile(3, 1.0, 0.2)
    out = am.uniform_price_auction(a, 3)
    assert out.allocation.tolist() == [0, 3] and out.price == pytest.approx(0.2)
    assert v.tolist() == [[1, 1, 1], [0, 0, 0]]
    with pytest.raises(ValueError, match="eps"):
        sa.failure_profile(2, 0.1, 0.5)


def test_table1_rows():
    """sec-03-table1: four rows, PoA column mu / lambda = e/(e - 1), 2, e/(e - 1), 2."""
    rows = sa.table1()
    assert [r["source"] for r in rows] == ["*", "*", "†", "†"]
    poa = [sp.simplify(r["poa"] - w) for r, w in zip(rows, [sp.E / (sp.E - 1), 2, sp.E / (sp.E - 1), 2])]
    assert poa == [0, 0, 0, 0]


def test_lab_instances_are_valid_markets():
    """The lab instances: Corollary 1's market has Wel(F) = 1.85; the correlated one's joint prior is
    symmetric with the right diagonal; Proposition 5's researcher has one type."""
    mk, levels = sa.corollary1_market()
    assert mk.expected_optimal_welfare() == pytest.approx(1.85) and levels == (0.25, 0.5, 0.75)
    cm, grid = sa.correlated_market_instance(0.9)
    np.testing.assert_allclose(cm.joint, [[0.45, 0.05], [0.05, 0.45]])
    assert grid.shape == (11, 1)
    with pytest.raises(ValueError, match="rho"):
        sa.correlated_market_instance(1.0)
    m5, _ = sa.proposition5_market()
    assert m5.type_counts == (2, 1)


def test_random_profiles_mix_overbidding_and_shading():
    """sc.random_profiles: rows non-increasing; half of the bid profiles shade the values (no
    overbidding), and some bidders value nothing."""
    v, a = sc.random_profiles(2000, 3, 3, seed=1)
    assert np.all(np.diff(v, axis=-1) <= 0) and np.all(np.diff(a, axis=-1) <= 1e-15)
    from aftermarkets import smoothness_search as ss

    honest = ~ss.overbids(v, a).any(-1)
    assert 0.4 < honest.mean() < 0.95
    assert np.mean(v.sum(-1) == 0) > 0.1
    assert sm.slack("discriminatory", v, a).slack.min() >= -1e-12
