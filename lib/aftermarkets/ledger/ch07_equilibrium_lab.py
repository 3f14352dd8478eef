r"""Claims checked in the equilibrium lab, ``book/07_equilibrium_lab.ipynb``.

The lab computes equilibria of discretised combined markets (:mod:`aftermarkets.lab`). Its claims
belong to the results they test: Proposition 1 (chapter 2's equilibrium, with the resale offers
computed), Theorem 7 (a discrete analogue), and Theorems 4 and 5 and Corollary 1 (no equilibrium
found below the bound). Each entry calls the same library functions, with the same parameters, as
the chapter; the survey is computed once per process.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import lab
from .registry import CH7, Evaluation, numbers, register, verdict

TOL = 1e-9


@functools.cache
def _survey() -> tuple:
    """The chapter's survey (``lab.survey()`` with its defaults)."""
    return tuple(lab.survey())


def _bound_check(fmt_name: str) -> tuple:
    """(ok, finding) for 'every equilibrium found of ``fmt_name`` is at least its bound'."""
    rows = [r for r in _survey() if r.format == fmt_name]
    bound = rows[0].bound
    ratios = [x.welfare_ratio for r in rows for x in r.equilibria]
    regret = max(x.max_regret for r in rows for x in r.equilibria)
    ok = bool(ratios) and min(ratios) >= bound - TOL and regret <= TOL
    finding = (
        f"{len(ratios)} equilibria found in {len(rows)} markets (largest regret {regret:.0e}); "
        f"the lowest welfare ratio is {min(ratios):.3f}, against the bound {bound:.3f}"
    )
    return ok, finding


@register(
    id="lab-prop1-equilibrium",
    result="Proposition 1",
    source="Section 3; Appendix B.2",
    statement=(
        "In the lab's Example 1 ($m = 4$, discretised, resale offers computed against Bayesian "
        "beliefs after the allocation), chapter 2's profile (A, B bid 2 on one unit; C bids 1 on two "
        "units) has regret 0, and C earns $1 + \\frac18$: her computed offer is price 1."
    ),
    paper="'The above behaviour in the combined market forms a perfect Bayesian equilibrium.'",
    status="reproduced",
    chapter=CH7,
    section="sec-07-checks",
)
def _prop1() -> Evaluation:
    ex1 = lab.market("Example 1")
    uniform = lab.formats(ex1.market, ex1.levels)[0]
    game = lab.LabGame(ex1.market, uniform)
    res = game.evaluate(ex1.starts(game)["Proposition 1"])
    ok = res.max_regret <= TOL and abs(res.utilities[2] - 1.125) < 1e-12 and res.revenue == 0.0
    return Evaluation(
        f"regret {res.max_regret:.0e} over {len(uniform.actions)} bid vectors per type; C holds "
        f"{res.holdings[2]:g} units and earns {res.utilities[2]:.4f}; auction revenue {res.revenue:g}",
        verdict(ok),
    )


@register(
    id="lab-thm7-grid",
    result="Theorem 7",
    source="Appendix E",
    statement=(
        "A discrete analogue: two i.i.d. bidders with six equally likely values in $[0, 1]$, the "
        "first-price auction on bids in steps of 0.1, resale after the allocation. Every equilibrium "
        "the lab finds is efficient, and resale never trades."
    ),
    paper="with two i.i.d. buyers, every BNE with non-decreasing bids of the first-price auction "
    "followed by any trade mechanism is efficient",
    status="reproduced",
    chapter=CH7,
    section="sec-07-checks",
)
def _thm7() -> Evaluation:
    six = lab.FiniteMarket([np.linspace(0, 1, 6)[:, None]] * 2, [np.full(6, 1 / 6)] * 2)
    grid = np.round(np.arange(0, 1 + 1e-9, 0.1), 9)[:, None]
    game = lab.LabGame(six, lab.first_price(grid))
    eq = [r for r in lab.solve(game, random_starts=1) if r.is_equilibrium()]
    ok = bool(eq) and all(abs(r.welfare_ratio - 1) < 1e-12 and r.traded == 0.0 for r in eq)
    return Evaluation(
        f"{len(eq)} {'equilibrium' if len(eq) == 1 else 'equilibria'} found; welfare ratio "
        f"{numbers(round(r.welfare_ratio, 12) for r in eq)}, units resold {numbers(r.traded for r in eq)}",
        verdict(ok),
    )


@register(
    id="lab-thm5-survey",
    result="Theorem 5",
    source="Section 6; Appendix C.2",
    statement=(
        "In the lab's survey (five markets, resale after the allocation), every equilibrium found of "
        "the uniform-price auction with the balanced reserve keeps at least half the optimal welfare. "
        "The proof's deviation (bid $p$ on some units) is on the grid, so the bound binds the "
        "discretised games."
    ),
    paper="'at any Bayesian Nash equilibrium of the combined market ... the expected welfare is at "
    "least half of the expected optimal welfare'",
    status="reproduced",
    chapter=CH7,
    section="sec-07-bounds",
)
def _thm5() -> Evaluation:
    ok, finding = _bound_check("uniform + balanced reserve")
    return Evaluation(finding, verdict(ok))


@register(
    id="lab-thm4-survey",
    result="Theorem 4",
    source="Section 5; Claim 1",
    statement=(
        "In the lab's survey, every equilibrium found of the posted balanced price "
        "$\\mathbb{E}[\\mathbf v(\\text{OPT}(\\mathbf v))]/(2m)$ with a random arrival order keeps at "
        "least half the optimal welfare. The proof's deviation (request some units) is an action of "
        "the discretised game, so the bound binds it."
    ),
    paper="with (1, 1)-balanced prices, 'the expected welfare ... at any Bayesian-Nash equilibrium is "
    "at least $\\frac{1}{1+\\alpha\\beta}$ times the expected optimal welfare'",
    status="reproduced",
    chapter=CH7,
    section="sec-07-bounds",
)
def _thm4() -> Evaluation:
    ok, finding = _bound_check("posted balanced price")
    return Evaluation(finding, verdict(ok))


@register(
    id="lab-cor1-survey",
    result="Corollary 1",
    source="Section 4",
    statement=(
        "In the lab's survey, every equilibrium found of the discriminatory auction with resale keeps "
        "at least $1 - 1/e$ of the optimal welfare. The smoothness deviation is not on the grid, so "
        "this is evidence about the discretised games, not a consequence of the corollary."
    ),
    paper="'at any BNE of $\\mathcal{M}^C$ the expected welfare is at least $(1 - 1/e)$ times the "
    "expected optimal welfare'",
    status="reproduced",
    chapter=CH7,
    section="sec-07-bounds",
)
def _cor1() -> Evaluation:
    ok, finding = _bound_check("discriminatory")
    return Evaluation(finding, verdict(ok))
