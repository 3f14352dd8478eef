"""Every number Chapter 1 (``book/01_model.ipynb``, the model of Section 2) states in its prose.

Each test recomputes a number with the library and compares it with a value derived by hand in
its docstring; it then checks that the notebook's stored glue value (what the reader sees) is that
same number. Claims that the reproduction ledger already recomputes (greedy optimality, Definitions
1 and 2, the accounting identity, footnote 5's regret, dominance and welfare ratio) live in
``aftermarkets/ledger/model.py`` and are tested by ``tests/test_claims.py``.
"""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import aftermarkets as am

NOTEBOOK = Path(__file__).resolve().parents[1] / "book" / "01_model.ipynb"
GLUE_MIME = "application/papermill.record/text/plain"


def _glued() -> dict[str, str]:
    nb = json.loads(NOTEBOOK.read_text())
    out = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is not None:
                out[name] = o["data"][GLUE_MIME]
    return out


GLUED = _glued()


def glued_float(name: str) -> float:
    return float(GLUED[name])


# ---------------------------------------------------------------------------------------------
VALUES = np.array([[5.0, 4.0, 2.0, 1.0], [6.0, 3.0, 0.0, 0.0], [4.5, 1.0, 1.0, 0.0]])
M = 4


def test_allocation_worked_example():
    """Chapter 1, "The allocation problem": the four largest marginals are 6, 5, 4.5, 4, so the
    greedy allocation is (2, 1, 1) with Wel(v) = 19.5; there are C(4 + 3, 3) = 35 allocations of at
    most 4 units to 3 agents."""
    assert am.optimal_allocation(VALUES, M).tolist() == [2, 1, 1]
    assert float(am.optimal_welfare(VALUES, M)) == 19.5
    X = [x for x in itertools.product(range(M + 1), repeat=3) if sum(x) <= M]
    assert len(X) == math.comb(M + 3, 3) == 35
    assert max(float(am.welfare(VALUES, x)) for x in X) == 19.5
    assert GLUED["x_opt"] == "(2, 1, 1)"
    assert glued_float("w_opt") == glued_float("w_brute") == 19.5
    assert int(GLUED["n_feasible"]) == 35
    assert glued_float("greedy_gap") == 0.0


def test_validation_message_names_the_entry():
    """Chapter 1: increasing marginals are rejected with a message naming entry [0, 2]."""
    with pytest.raises(ValueError, match=r"non-increasing.*\[0, 2\]"):
        am.validate_marginals([[3.0, 1.0, 2.0], [1.0, 1.0, 0.0]])


def test_mechanisms_on_the_worked_profile():
    """Chapter 1, "Mechanisms": truthful bids. Uniform price = 5th highest bid = 3 (agent 1's
    second), payments 2*3, 3, 3, revenue 12; discriminatory payments 5+4, 6, 4.5, revenue 19.5;
    posted price 2.5 in order 0, 1, 2: agent 0 buys 2 (5, 4), agent 1 buys 2 (6, 3), nothing is
    left for agent 2, welfare 9 + 9 = 18."""
    uni = am.uniform_price_auction(VALUES, M)
    dis = am.discriminatory_auction(VALUES, M)
    pp = am.posted_price_mechanism(VALUES, M, 2.5, order=[0, 1, 2])
    assert uni.price == 3.0 and uni.payments.tolist() == [6, 3, 3] and float(uni.revenue) == 12
    assert dis.payments.tolist() == [9, 6, 4.5] and float(dis.revenue) == 19.5
    assert pp.allocation.tolist() == [2, 2, 0] and float(am.welfare(VALUES, pp.allocation)) == 18
    assert GLUED["uni_alloc"] == "(2, 1, 1)" and glued_float("uni_price") == 3.0
    assert GLUED["uni_pay"] == "(6, 3, 3)" and glued_float("uni_rev") == 12.0
    assert GLUED["dis_pay"] == "(9, 6, 4.5)" and glued_float("dis_rev") == 19.5
    assert GLUED["pp_alloc"] == "(2, 2, 0)" and glued_float("pp_welfare") == 18.0


def test_demand_reduction():
    """Chapter 1, "Demand reduction": agent 0 bidding (5, s, min(2, s), min(1, s)) gets utility
    5 - max(s, 1) for s < 3 (one unit at the highest remaining losing bid) and 9 - 2*3 = 3 for
    s >= 3; shading pays (utility > 3) exactly for s < 2; the best is 4 for s <= 1, at price 1,
    with welfare 5 + 6 + 3 + 4.5 = 18.5."""
    s = np.linspace(0, 5, 501)
    bids = np.broadcast_to(VALUES, (s.size, 3, M)).copy()
    bids[:, 0, 1], bids[:, 0, 2], bids[:, 0, 3] = s, np.minimum(2, s), np.minimum(1, s)
    out = am.uniform_price_auction(bids, M)
    u = am.welfare(VALUES[:1], out.allocation[:, :1]) - out.payments[:, 0]
    expected = np.where(s < 3, 5 - np.maximum(s, 1), 3.0)
    assert np.allclose(u, expected, atol=1e-12)
    assert np.allclose(out.price, np.where(s < 3, np.maximum(s, 1), 3.0))
    assert glued_float("dr_u_truth") == 3.0 and glued_float("dr_u_best") == 4.0
    assert glued_float("dr_price_best") == 1.0 and glued_float("dr_s_max") == 1.0
    assert glued_float("dr_welfare") == 18.5
    assert glued_float("dr_s_pays") == 2.0 and np.all((u > 3.0) == (s < 2))


def test_trade_grid_counts_and_violations():
    """Chapter 1, "Trade mechanisms": the grid has 1 + 8*3 = 25 seller actions and 5 actions per
    buyer, 25 * 25 = 625 profiles; over 3 valuations x 4 allocations that is 625*3*12 = 22500
    (agent, profile) pairs and 625*12 = 7500 profiles. The forced sale at 0.1 takes the holder's
    2 units, each worth 1 to her: loss 2 * 0.9 = 1.8. The bonus 0.5 on at most 2 units bought
    gives a deficit of 1."""
    assert int(GLUED["tioli_profiles"]) == 625
    assert int(GLUED["tioli_vp_checked"]) == 22500 and int(GLUED["tioli_bb_checked"]) == 7500
    assert glued_float("tioli_vp_worst") == 0.0 and glued_float("tioli_bb_worst") == 0.0
    assert glued_float("forced_vp_worst") == pytest.approx(-1.8) and GLUED["forced_vp_agent"] == "C"
    assert glued_float("sub_bb_worst") == pytest.approx(-1.0)
    # recompute the two violations directly
    v = am.StepValues([[3.0, 1.5, 0.0], [2.5, 0.6, 0.0], [1.0, 0.0, 0.0]], [[1, 1, 2], [1, 1, 2], [4, 0, 0]])
    forced = am.take_it_or_leave_it(v, [1, 1, 2], seller=2, price=0.1, requests=[0, 2, 0])
    assert float(v.value(forced.allocation)[2] - forced.payments[2] - v.value([1, 1, 2])[2]) == pytest.approx(
        -1.8
    )


# ---------------------------------------------------------------------------------------------
COUNTS3 = [[1, 1, 2], [1, 1, 2], [4, 0, 0]]
CM_BIDS = [[3.0, 0.4, 0, 0], [2.5, 0.3, 0, 0], [0.5, 0.5, 0.5, 0.5]]


def test_combined_worked_run():
    """Chapter 1, "The combined market": the bids' five highest are 3, 2.5, 0.5, 0.5, 0.5, so the
    price is 0.5 and the allocation (1, 1, 2); C pays 1. Reselling 2 units: at 0.6 both buy
    (revenue 1.2), at 1.5 only A (1.5), so q = 1.5; final (2, 1, 1), utilities
    (3 + 1.5 - 0.5 - 1.5, 2.5 - 0.5, 1.5 - 1) = (2.5, 2, 0.5); welfare 7 = 5 + 2 + 0; optimum
    3 + 2.5 + 1.5 + 0.6 = 7.6."""
    v = am.StepValues([[3.0, 1.5, 0.0], [2.5, 0.6, 0.0], [0.0, 0.0, 0.0]], COUNTS3)
    auction = am.uniform_price_auction(CM_BIDS, M)
    assert auction.price == 0.5 and auction.allocation.tolist() == [1, 1, 2]
    revenue = {
        q: -float(am.take_it_or_leave_it(v, auction.allocation, 2, q, order=[0, 1]).payments[2])
        for q in (0.6, 1.5)
    }
    assert revenue == pytest.approx({0.6: 1.2, 1.5: 1.5})
    run = am.combined_market(v, auction, lambda vv, h: am.take_it_or_leave_it(vv, h, 2, 1.5, order=[0, 1]))
    assert run.allocation.tolist() == [2, 1, 1]
    assert np.allclose(run.utilities, [2.5, 2.0, 0.5])
    assert float(run.welfare) == pytest.approx(7.0) and float(am.optimal_welfare(v, M)) == pytest.approx(7.6)
    assert (
        glued_float("cm_price") == 0.5
        and GLUED["cm_alloc"] == "(1, 1, 2)"
        and glued_float("cm_C_paid") == 1.0
    )
    assert (
        glued_float("cm_q") == 1.5
        and GLUED["cm_final"] == "(2, 1, 1)"
        and GLUED["cm_util"] == "(2.5, 2, 0.5)"
    )
    assert (
        glued_float("cm_welfare"),
        glued_float("cm_surplus"),
        glued_float("cm_revenue"),
        glued_float("cm_trade_surplus"),
        glued_float("cm_opt"),
    ) == (7.0, 5.0, 2.0, 0.0, 7.6)


def test_combined_monte_carlo_exact_values():
    """Chapter 1, Monte Carlo: a ~ U[1/2, 2], b ~ U[0, 3/2]. R(q) = (2q/3)(7/2 - 2q) on
    [1/2, 3/2] is maximised at q* = 7/8; W(q) = 11/2 + (4 - q^2)/3 + (9/4 - q^2)/3, so
    W(7/8) = 11/2 + (25/4 - 49/32)/3 = 679/96; Wel(F) = 11/2 + 5/4 + 3/4 = 15/2."""
    q = Fraction(7, 8)
    W = Fraction(11, 2) + (Fraction(25, 4) - 2 * q * q) / 3
    assert W == Fraction(679, 96)
    assert GLUED["mc_q_exact"] == "7/8" and GLUED["mc_W_exact_frac"] == "679/96"
    assert glued_float("mc_W_exact") == pytest.approx(float(W), abs=1e-6)
    assert glued_float("mc_opt_exact") == 7.5
    # the stored simulation agrees with the exact value within 4 standard errors
    assert abs(glued_float("mc_mean") - float(W)) < 4 * glued_float("mc_se")
    assert abs(glued_float("mc_z")) < 4
    assert glued_float("mc_acc_gap") <= 1e-9


def test_combined_monte_carlo_independent_seed():
    """Chapter 1, Monte Carlo re-run with another seed and 50,000 profiles: mean welfare within 4
    standard errors of 679/96."""
    S, rng = 50_000, np.random.default_rng(99)
    levels = np.zeros((S, 3, 3))
    levels[:, 0, 0], levels[:, 0, 1] = 3.0, rng.uniform(0.5, 2.0, S)
    levels[:, 1, 0], levels[:, 1, 1] = 2.5, rng.uniform(0.0, 1.5, S)
    v = am.StepValues(levels, COUNTS3)
    out = am.combined_market(
        v,
        am.uniform_price_auction(CM_BIDS, M),
        lambda vv, h: am.take_it_or_leave_it(vv, h, 2, 0.875, order=[0, 1]),
    )
    se = out.welfare.std(ddof=1) / np.sqrt(S)
    assert abs(out.welfare.mean() - 679 / 96) < 4 * se


# ---------------------------------------------------------------------------------------------
def test_footnote5_numbers():
    """Chapter 1, footnote 5: 14 bid levels give C(16, 3) = 560 non-increasing triples, 559
    alternatives; the high bidder pays 0; E[top 3 of 9 uniforms] = (9 + 8 + 7)/10 = 12/5 against
    E[v_0(3)] = 3/2, ratio 8/5; with m = 1 (second-price auction) E[v_0(1)] = 1/2 and
    E[max of 3] = 3/4. Simulated values within 4 standard errors (n = 4000)."""
    assert int(GLUED["fn5_alts"]) == math.comb(16, 3) - 1 == 559
    assert glued_float("fn5_price") == 0.0 and glued_float("fn5_max_regret") == 0.0
    assert glued_float("fn5_zero_regret") == 0.0 and glued_float("fn5_zero_welfare") == 0.0
    assert glued_float("fn5_spa_regret") == 0.0
    assert GLUED["fn5_opt"] == "12/5" and GLUED["fn5_ratio"] == "8/5" and glued_float("fn5_ratio_f") == 1.6
    S = int(GLUED["fn5_S"])
    assert abs(glued_float("fn5_opt_mc") - 2.4) < 4 * 0.5 / math.sqrt(S)  # sd of the top-3 sum < 0.5
    assert abs(glued_float("fn5_eq_mc") - 1.5) < 4 * 0.5 / math.sqrt(S)  # sd of a sum of 3 uniforms = 0.5
    assert abs(glued_float("fn5_spa_eq") - 0.5) < 4 * math.sqrt(1 / 12) / math.sqrt(S)
    assert abs(glued_float("fn5_spa_opt") - 0.75) < 4 * math.sqrt(3 / 80) / math.sqrt(S)


def test_footnote5_explicit_dominance_profile():
    """Chapter 1, weak dominance: values (0.9, 0.6, 0.3), agent 1 bids (0.8, 0, 0). Truthful:
    wins 0.9 and 0.6, price = own third bid 0.3, utility 1.5 - 0.6 = 0.9. High bid: wins 3 units at
    agent 1's 0.8, utility 1.8 - 2.4 = -0.6. The grid has 8 types x 2 tie rules x 220^2 = 774400
    cases (10 distinct levels give C(12, 3) = 220 triples)."""
    others = [[0.8, 0, 0], [0, 0, 0]]
    t = am.uniform_price_auction([[0.9, 0.6, 0.3]] + others, 3)
    h = am.uniform_price_auction([[10.0] * 3] + others, 3)
    assert (t.allocation[0], t.price) == (2, 0.3) and float(1.5 - t.payments[0]) == pytest.approx(0.9)
    assert (h.allocation[0], h.price) == (3, 0.8) and float(1.8 - h.payments[0]) == pytest.approx(-0.6)
    assert glued_float("wd_u_truth") == 0.9 and glued_float("wd_u_high") == -0.6
    assert glued_float("wd_p_truth") == 0.3 and glued_float("wd_p_high") == 0.8
    assert int(GLUED["wd_count"]) == 8 * 2 * math.comb(12, 3) ** 2 == 774400
    assert abs(glued_float("wd_worst")) <= 1e-12
    assert 0 < glued_float("wd_strict_share") <= 100


# ---------------------------------------------------------------------------------------------
EX_BIDS = np.array([[7.0, 3.0, 1.0], [5.0, 4.0, 0.0], [6.0, 2.0, 2.0]])


def test_exercise_1_uniform_price_by_hand():
    """Chapter 1, Exercise ex-01-1: sorted bids 7, 6, 5, 4, ...: one unit each, price 4, revenue
    12; discriminatory payments (7, 5, 6), revenue 18."""
    u, d = am.uniform_price_auction(EX_BIDS, 3), am.discriminatory_auction(EX_BIDS, 3)
    assert u.allocation.tolist() == [1, 1, 1] and u.price == 4.0 and float(u.revenue) == 12
    assert d.payments.tolist() == [7, 5, 6] and float(d.revenue) == 18
    assert GLUED["ex1_alloc"] == "(1, 1, 1)" and glued_float("ex1_price") == 4.0
    assert glued_float("ex1_uni_rev") == 12.0 and GLUED["ex1_dis_pay"] == "(7, 5, 6)"
    assert glued_float("ex1_dis_rev") == 18.0


def test_exercise_2_fee_and_commission():
    """Chapter 1, Exercise ex-01-2: a holding fee of 0.2 on holdings (1, 1, 2) costs the agent with
    2 units 0.4 even if she opts out and collects 0.2 * 4 = 0.8 at least; the buyer commission
    keeps 0 when nothing trades and never lowers an opted-out agent's utility."""
    assert glued_float("ex2_fee_vp") == pytest.approx(-0.4) and GLUED["ex2_fee_agent"] == "C"
    assert glued_float("ex2_fee_bb") == pytest.approx(0.8)
    assert glued_float("ex2_com_vp") == 0.0 and glued_float("ex2_com_bb") == 0.0


def test_exercise_3_demand_reduction():
    """Chapter 1, Exercise ex-01-3: bidder 1 (values 5, 4, 0) truthfully wins one unit at her own
    second bid 4: utility 1. Bidding (5, 3, 0) the highest losing bid is 3: utility 2, and no bid
    beats it. 17 levels give C(19, 3) = 969 bid vectors."""
    levels = np.arange(0.0, 8.5, 0.5)
    alts = np.array(list(itertools.combinations_with_replacement(levels[::-1], 3)))
    assert len(alts) == 969 == int(GLUED["ex3_n_alts"])
    prof = np.broadcast_to(EX_BIDS, (len(alts), 3, 3)).copy()
    prof[:, 1] = alts
    out = am.uniform_price_auction(prof, 3)
    own = am.StepValues(EX_BIDS[1:2], np.ones((1, 3), dtype=int))
    U = own.value(out.allocation[:, 1:2])[:, 0] - out.payments[:, 1]
    assert U.max() == 2.0
    shaded = am.uniform_price_auction([EX_BIDS[0], [5, 3, 0], EX_BIDS[2]], 3)
    assert shaded.price == 3.0 and shaded.allocation[1] == 1
    assert glued_float("ex3_truth") == 1.0 and glued_float("ex3_best_u") == 2.0
    assert glued_float("ex3_gain") == 1.0 and GLUED["ex3_best_bid"] == "(5, 3, 0)"
    assert glued_float("ex3_best_price") == 3.0
    # the solution's parenthesis: every bid whose first marginal wins (beats 3, bidder 0's second
    # bid, which wins ties by priority) and whose second is at most 3 earns the same utility 2
    family = (alts[:, 0] > 3) & (alts[:, 1] <= 3)
    assert family.sum() > 100 and np.all(U[family] == 2.0)
