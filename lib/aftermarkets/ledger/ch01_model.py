r"""Claims of Section 2 (the model), reproduced in ``book/01_model.ipynb``.

Each entry calls the same library function, with the same defaults, as the chapter
(:mod:`aftermarkets.instances.section2`), and decides its status from the result:

* ``model-greedy-optimal`` — greedy allocation of the :math:`m` highest marginals attains
  :math:`\mathrm{Wel}(\mathbf{v})` (brute force over every feasible allocation);
* ``model-resale-trade-mechanism`` — take-it-or-leave-it resale satisfies Definitions 1 and 2;
* ``model-definitions-have-teeth`` — a forced sale violates Definition 1 and a subsidised resale
  violates Definition 2 (the checks find counterexamples);
* ``model-combined-accounting`` — welfare = buyer surplus + auction revenue + trade surplus in the
  combined market, with zero trade surplus for resale;
* ``fn5-bne`` — footnote 5's "bid infinitely high on every unit, others bid 0" profile is a BNE of
  the uniform-price auction (regret computed), in which the high bidder wins everything for free;
* ``fn5-weakly-dominated`` — that high bid is weakly dominated by truthful bidding;
* ``fn5-welfare-ratio`` — the welfare of that equilibrium (the footnote gives no number).
"""

from __future__ import annotations

from fractions import Fraction

from ..instances import section2
from ..trade import TakeItOrLeaveIt, check_trade_mechanism
from .registry import Evaluation, register, verdict

CHAPTER = "01_model"
TOL = 1e-9


@register(
    id="model-greedy-optimal",
    source="Section 2.1.1",
    statement=(
        "With non-increasing marginals, giving the m units to the m highest marginal values "
        "(greedy) attains the optimal welfare Wel(v) = max over feasible x of sum_i v_i(x_i)."
    ),
    paper="Wel(v) = sup_{x in X} Wel(v, x); the auctions allocate greedily to the m highest marginal bids",
    status="reproduced",
    chapter=CHAPTER,
)
def _greedy_optimal() -> Evaluation:
    gap, count, feasible = section2.greedy_check()
    return Evaluation(
        f"max |brute force - greedy| = {gap:g} over {count} random instances ({feasible} feasible allocations each)",
        verdict(gap <= TOL),
    )


@register(
    id="model-resale-trade-mechanism",
    source="Definitions 1 and 2",
    statement=(
        "Take-it-or-leave-it resale (a holder posts a per-unit price, the others accept or decline) "
        "satisfies voluntary participation and weak budget balance: it is a trade mechanism."
    ),
    paper="a holder may make no offer and buyers may decline, so each agent can keep v_i(x_i); payments only move between agents",
    status="reproduced",
    chapter=CHAPTER,
)
def _resale_is_trade_mechanism() -> Evaluation:
    instances, profiles = section2.resale_grid()
    vp, bb = check_trade_mechanism(TakeItOrLeaveIt(seller=2, order=[0, 1]), instances, profiles)
    return Evaluation(
        f"worst Definition 1 slack {vp.worst:g} over {vp.checked} (agent, profile) pairs, worst sum of "
        f"payments {bb.worst:g} over {bb.checked} profiles",
        verdict(vp.holds(TOL) and bb.holds(TOL)),
    )


@register(
    id="model-definitions-have-teeth",
    source="Definitions 1 and 2",
    statement=(
        "The definitions exclude forced trade and subsidies: a forced sale (buyers take the holder's "
        "units at a fixed price) violates Definition 1, and resale with a per-unit bonus paid to "
        "buyers violates Definition 2."
    ),
    paper="trade mechanisms 'are budget balanced and do not force participation' (Section 1)",
    status="reproduced",
    chapter=CHAPTER,
)
def _definitions_have_teeth() -> Evaluation:
    instances, profiles = section2.resale_grid()
    forced_vp, forced_bb = check_trade_mechanism(
        section2.ForcedSale(holder=2, price=0.1), instances, profiles
    )
    sub_vp, sub_bb = check_trade_mechanism(
        section2.SubsidisedResale(seller=2, amount=0.5), instances, profiles
    )
    ok = not forced_vp.holds(TOL) and forced_bb.holds(TOL) and not sub_bb.holds(TOL) and sub_vp.holds(TOL)
    return Evaluation(
        f"forced sale: Def. 1 worst {forced_vp.worst:g}, Def. 2 worst {forced_bb.worst:g}; "
        f"subsidised resale: Def. 2 worst {sub_bb.worst:g}, Def. 1 worst {sub_vp.worst:g}",
        verdict(ok),
    )


@register(
    id="model-combined-accounting",
    source="Section 2.1.3",
    statement=(
        "In the combined market (auction, then trade mechanism) the welfare of the final allocation "
        "equals the agents' total payoff plus the auction revenue plus the trade mechanism's net "
        "receipts, which are zero for resale."
    ),
    paper="payoff u_i(M2(a2; x^{M1}(a1))) - p_i^{M1}(a1); trade mechanisms are weakly budget balanced",
    status="reproduced",
    chapter=CHAPTER,
)
def _combined_accounting() -> Evaluation:
    gap, trade_net, count = section2.accounting_check()
    return Evaluation(
        f"max |gap| {gap:.1e}, max |trade surplus| {trade_net:.1e} over {count} random markets",
        verdict(gap <= TOL and trade_net <= TOL),
    )


@register(
    id="fn5-bne",
    source="Footnote 5",
    statement=(
        "If one agent bids 'infinitely high' on all units and all others bid 0, the first agent wins "
        "all items and pays nothing, and this is a Bayes-Nash equilibrium of the uniform-price "
        "auction (also with m = 1, the second-price auction)."
    ),
    paper="'This is technically a Bayes-Nash equilibrium'",
    status="reproduced",
    chapter=CHAPTER,
)
def _fn5_bne() -> Evaluation:
    runs = [section2.footnote5(), section2.footnote5(m=1), section2.footnote5(zero_value_bidder=True)]
    out = runs[0].outcome
    free = bool(out.allocation[0] == 3 and float(out.payments.sum()) == 0.0)
    regret = max(r.max_regret for r in runs)
    return Evaluation(
        f"high bidder wins {out.allocation[0]} units paying {float(out.payments.sum()):g}; max regret "
        f"{regret:g} (n = 3, m = 3 and m = 1, U[0,1] marginals, H = 10; {runs[0].alternatives} / "
        f"{runs[1].alternatives} alternatives per agent, in expectation and type by type)",
        verdict(free and regret <= TOL),
    )


@register(
    id="fn5-weakly-dominated",
    source="Footnote 5",
    statement=(
        "The high bid (H, ..., H) is weakly dominated by bidding one's true marginal values in the "
        "uniform-price auction: never better, and strictly worse for some bids of the others."
    ),
    paper="'the first agent's bid in this example is dominated by bidding her true marginal values'",
    status="reproduced",
    chapter=CHAPTER,
)
def _fn5_weakly_dominated() -> Evaluation:
    worst, strict, count = section2.footnote5_dominance()
    return Evaluation(
        f"min u(truthful) - u(high) = {worst:.1e} over {count} cases; truthful strictly better in {strict}",
        verdict(worst >= -TOL and strict > 0),
    )


@register(
    id="fn5-welfare-ratio",
    source="Footnote 5",
    statement=(
        "Welfare of footnote 5's equilibrium: with n = m = 3 and i.i.d. U[0,1] marginals it is "
        "E[v_0(3)] = 3/2 against Wel(F) = 12/5 (ratio 8/5); with a zero-value high bidder it is 0, "
        "so without refinement the uniform-price auction's PoA is unbounded."
    ),
    paper="no number: the high bidder 'wins all items and pays nothing, regardless of the valuations'",
    status="refined",
    chapter=CHAPTER,
)
def _fn5_welfare_ratio() -> Evaluation:
    from ..montecarlo import estimate

    N, m = 9, 3
    opt = sum(Fraction(N + 1 - k, N + 1) for k in range(1, m + 1))  # top-3 order statistics of 9
    eq_w = Fraction(m, 2)
    run = section2.footnote5()
    w_opt, w_eq = estimate(run.optimal_welfare), estimate(run.welfare)
    zero = section2.footnote5(zero_value_bidder=True)
    ok = abs(w_opt.z_score(float(opt))) < 4 and abs(w_eq.z_score(float(eq_w))) < 4 and zero.max_regret <= TOL
    ok = ok and float(zero.welfare.max()) == 0.0
    return Evaluation(
        f"Wel(F) = {opt} (MC {w_opt.mean:.4f}), equilibrium welfare {eq_w} (MC {w_eq.mean:.4f}), "
        f"ratio {opt / eq_w}; with a zero-value high bidder the profile is still an equilibrium "
        f"(max regret {zero.max_regret:g}) with welfare 0",
        verdict(ok, "refined"),
    )
