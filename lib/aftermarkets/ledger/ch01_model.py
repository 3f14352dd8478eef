r"""Claims of Section 2 (the model), reproduced in ``book/01_model.ipynb``.

Each entry calls the same library function, with the same defaults, as the chapter
(:mod:`aftermarkets.instances.section2`), so the ledger and the chapter state the same numbers.
"""

from __future__ import annotations

import functools
from fractions import Fraction

from ..instances import section2
from ..montecarlo import estimate
from ..trade import TakeItOrLeaveIt, check_trade_mechanism
from .registry import CH1, Evaluation, register, verdict

TOL = 1e-9


@register(
    id="model-greedy-optimal",
    result="Section 2.1",
    source="Section 2.1.1",
    statement=(
        "With non-increasing marginals, giving the $m$ units to the $m$ highest marginal values "
        "(greedy) attains the optimal welfare $\\mathrm{Wel}(\\mathbf{v})$."
    ),
    paper="$\\mathrm{Wel}(\\mathbf{v}, \\mathcal{X}) = \\sup_{\\mathbf{x} \\in \\mathcal{X}} "
    "\\mathrm{Wel}(\\mathbf{v}, \\mathbf{x})$; the auctions allocate to the $m$ highest marginal bids",
    status="reproduced",
    chapter=CH1,
    section="sec-01-allocation",
)
def _greedy_optimal() -> Evaluation:
    gap, count, feasible = section2.greedy_check()
    return Evaluation(
        f"largest |brute force - greedy| = {gap:g} over {count:,} random profiles "
        f"({feasible} feasible allocations each)",
        verdict(gap <= TOL),
    )


@functools.cache
def _resale_checks():
    instances, profiles = section2.resale_grid()
    return check_trade_mechanism(TakeItOrLeaveIt(seller=2, order=[0, 1]), instances, profiles)


@register(
    id="def1-resale",
    result="Definition 1",
    source="Section 2.1.2",
    statement="Take-it-or-leave-it resale satisfies voluntary participation: declining (or making no "
    "offer) guarantees $v_i(x_i)$.",
    paper="$v_i(x_i) \\le u_i(\\mathcal{M}^2((a_i^*, \\mathbf{a}_{-i}); \\mathbf{x}))$ for some $a_i^*$ "
    "and all $\\mathbf{a}_{-i}$",
    status="reproduced",
    chapter=CH1,
    section="sec-01-trade",
)
def _def1_resale() -> Evaluation:
    vp, _ = _resale_checks()
    return Evaluation(
        f"worst slack {vp.worst:g} over {vp.checked:,} (agent, profile) pairs", verdict(vp.holds(TOL))
    )


@register(
    id="def2-resale",
    result="Definition 2",
    source="Section 2.1.2",
    statement="Take-it-or-leave-it resale satisfies weak (indeed strong) budget balance.",
    paper="$\\sum_i p_i^{\\mathcal{M}^2}(\\mathbf{a}; \\mathbf{x}) \\ge 0$",
    status="reproduced",
    chapter=CH1,
    section="sec-01-trade",
)
def _def2_resale() -> Evaluation:
    _, bb = _resale_checks()
    return Evaluation(
        f"smallest sum of payments {bb.worst:g} over {bb.checked:,} profiles", verdict(bb.holds(TOL))
    )


@register(
    id="def1-forced-sale",
    result="Definition 1",
    source="Section 2.1.2",
    statement="Definition 1 has teeth: a forced sale (buyers take the holder's units at 0.1) violates "
    "it, and stays budget balanced.",
    paper="trade mechanisms 'are budget balanced and do not force participation' (Section 1)",
    status="reproduced",
    chapter=CH1,
    section="sec-01-trade",
)
def _forced_sale() -> Evaluation:
    _, profiles = section2.resale_grid()
    vp, bb = check_trade_mechanism(
        section2.ForcedSale(holder=2, price=0.1), section2.holder_instance(), profiles
    )
    return Evaluation(
        f"worst Definition 1 slack {vp.worst:g} (the holder), smallest sum of payments {bb.worst:g}",
        verdict(not vp.holds(TOL) and bb.holds(TOL)),
    )


@register(
    id="def2-subsidy",
    result="Definition 2",
    source="Section 2.1.2",
    statement="Definition 2 has teeth: resale with a bonus of 0.5 per unit paid to buyers violates "
    "it, and keeps voluntary participation.",
    paper="trade mechanisms 'are budget balanced and do not force participation' (Section 1)",
    status="reproduced",
    chapter=CH1,
    section="sec-01-trade",
)
def _subsidy() -> Evaluation:
    _, profiles = section2.resale_grid()
    mech = section2.SubsidisedResale(seller=2, amount=0.5)
    vp, bb = check_trade_mechanism(mech, section2.holder_instance(), profiles)
    return Evaluation(
        f"smallest sum of payments {bb.worst:g}, worst Definition 1 slack {vp.worst:g}",
        verdict(not bb.holds(TOL) and vp.holds(TOL)),
    )


@register(
    id="model-combined-accounting",
    result="Section 2.1",
    source="Section 2.1.3",
    statement=(
        "In the combined market the welfare of the final allocation equals the agents' total payoff "
        "plus the auction revenue plus the trade mechanism's net receipts (zero for resale)."
    ),
    paper="payoff $u_i(\\mathcal{M}^2(a^2; x^{\\mathcal{M}^1}(a^1))) - p_i^{\\mathcal{M}^1}(a^1)$; "
    "trade mechanisms are weakly budget balanced",
    status="reproduced",
    chapter=CH1,
    section="sec-01-combined",
)
def _combined_accounting() -> Evaluation:
    gap, trade_net, count = section2.accounting_check()
    return Evaluation(
        f"largest |gap| {gap:.0e}, largest |trade surplus| {trade_net:g} over {count:,} random markets",
        verdict(gap <= TOL and trade_net <= TOL),
    )


@register(
    id="fn5-bne",
    result="Footnote 5",
    source="Footnote 5",
    statement=(
        "If one agent bids 'infinitely high' on all units and the others bid 0, she wins all items "
        "and pays nothing, and this is a Bayes-Nash equilibrium of the uniform-price auction (also "
        "with $m = 1$, the second-price auction)."
    ),
    paper="'This is technically a Bayes-Nash equilibrium (and such a BNE exists even in the "
    "dominant-strategy Second Price Auction)'",
    status="reproduced",
    chapter=CH1,
    section="sec-01-footnote5",
)
def _fn5_bne() -> Evaluation:
    runs = [section2.footnote5(), section2.footnote5(m=1), section2.footnote5(zero_value_bidder=True)]
    out = runs[0].outcome
    free = bool(out.allocation[0] == 3 and float(out.payments.sum()) == 0.0)
    regret = max(r.max_regret for r in runs)
    return Evaluation(
        f"the high bidder wins {out.allocation[0]} units paying {float(out.payments.sum()):g}; largest "
        f"regret {regret:g} (three agents, $m = 3$ and $m = 1$, $U[0,1]$ marginals, $H = 10$, "
        f"{len(runs[0].welfare):,} sampled profiles; {runs[0].alternatives} and {runs[1].alternatives} "
        "alternatives per agent, in expectation and type by type)",
        verdict(free and regret <= TOL),
    )


@register(
    id="fn5-welfare-ratio",
    result="Footnote 5",
    source="Footnote 5",
    statement=(
        "Welfare of footnote 5's equilibrium: with three agents, $m = 3$ and i.i.d. $U[0,1]$ marginals "
        "it is $3/2$ against $\\mathrm{Wel}(F) = 12/5$; with a zero-value high bidder it is 0, so "
        "without the refinement the uniform-price auction's PoA is unbounded."
    ),
    paper="no number: the high bidder 'wins all items and pays nothing, regardless of the valuations'",
    status="refined",
    chapter=CH1,
    section="sec-01-footnote5",
)
def _fn5_welfare_ratio() -> Evaluation:
    opt = sum(Fraction(10 - k, 10) for k in (1, 2, 3))  # top 3 order statistics of 9 uniforms
    eq_w = Fraction(3, 2)
    run = section2.footnote5()
    w_opt, w_eq = estimate(run.optimal_welfare), estimate(run.welfare)
    zero = section2.footnote5(zero_value_bidder=True)
    ok = abs(w_opt.z_score(float(opt))) < 4 and abs(w_eq.z_score(float(eq_w))) < 4
    ok = ok and zero.max_regret <= TOL and float(zero.welfare.max()) == 0.0
    return Evaluation(
        f"$\\mathrm{{Wel}}(F) = {opt}$ (simulated {w_opt.mean:.4f}), equilibrium welfare {eq_w} "
        f"(simulated {w_eq.mean:.4f}), ratio {opt / eq_w}; with a zero-value high bidder still an "
        f"equilibrium (regret {zero.max_regret:g}) with welfare 0",
        verdict(ok, "refined"),
    )


@register(
    id="fn5-weakly-dominated",
    result="Footnote 5",
    source="Footnote 5; Definition 6",
    statement=(
        "The high bid $(H, \\dots, H)$ is weakly dominated by bidding one's true marginal values: never "
        "better, and strictly worse for some bids of the others."
    ),
    paper="'the first agent's bid in this example is dominated by bidding her true marginal values'",
    status="reproduced",
    chapter=CH1,
    section="sec-01-footnote5",
)
def _fn5_weakly_dominated() -> Evaluation:
    worst, strict, count = section2.footnote5_dominance()
    return Evaluation(
        f"smallest u(truthful) - u(high) {worst:.1e} over {count:,} cases; truthful strictly better "
        f"in {strict:,}",
        verdict(worst >= -TOL and strict > 0),
    )
