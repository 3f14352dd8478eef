r"""Claims of Section 3 and Appendix B (speculation in the uniform-price auction), reproduced in
``book/02_uniform_price_speculation.ipynb``.

Each entry recomputes its claim with the library in well under a second and decides its status:

* ``ex1-fb-revenue`` — :math:`F_B` is a continuous CDF and :math:`p(1-F_B(p))` has the unique
  maximiser 1 with value :math:`1/(2m)` (sympy: continuity, end point, derivative signs);
* ``ex1-mean-z`` — :math:`\mathbb{E}[z] = \ln(2m)/(2m-1) + 1/(8m^2) = \Theta(\log m / m)`;
* ``ex1-equilibrium-welfare`` / ``ex1-optimal-welfare`` — exact expected welfare against the
  paper's bounds (at most 6; at least :math:`4 + (m-2)\mathbb{E}[z]`);
* ``ex1-speculator-utility`` — :math:`1 + (m-3)/(2m)`, from the library's mechanisms;
* ``ex1-clearing-price`` — the auction's price is 0;
* ``thm1-poa`` — the price of anarchy grows like :math:`\tfrac{2}{23}\ln m`; it first exceeds 1.5
  and 2 at the whole numbers the book states;
* ``prop1-price-one`` — "price 1 always maximises the speculator's revenue, whatever the auction
  outcome": the computation finds outcomes where it does not;
* ``prop1-equilibrium`` — no profitable deviation, with the paper's and with corrected prices;
* ``prop1-undominated`` — witnesses that no equilibrium bid is weakly dominated (one per class, and a
  scan of a whole bid family against the witness of each alternative's class);
* ``ex4-share``, ``ex4-group-welfare``, ``prop7-equilibrium`` — Appendix B.3;
* ``ex4-poa-lower`` — the paper's lower bound :math:`\Omega(\log \gamma m)` holds;
* ``ex4-poa-theta`` — its :math:`\Theta(\log \gamma m)` does not hold with constants independent of
  :math:`\gamma`: measured against the global optimum the PoA grows like :math:`\tfrac{2k}{23}\ln r`;
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import integrate

from ..equilibrium import bid_family
from ..instances import Example1, Example4
from .registry import Evaluation, register, verdict

CHAPTER = "02_uniform_price_speculation"
TOL = 1e-9
MS = (4, 5, 10, 100, 1000)


# --------------------------------------------------------------------------------------------
@register(
    id="ex1-fb-revenue",
    source="Example 1",
    statement=(
        "F_B is a distribution on [0, 1 + 1/(2m)] and, for a buyer with value z ~ F_B, the unique "
        "revenue-maximising price is p = 1 with expected revenue p Pr[z >= p] = 1/(2m) per unit."
    ),
    paper="unique revenue maximizing price p = 1 with expected revenue 1/(2m) per unit",
    status="reproduced",
    chapter=CHAPTER,
)
def _fb_revenue() -> Evaluation:
    s = Example1.symbolic()
    m, p = s["m"], s["p"]
    z = sp.Symbol("z", real=True)
    h = 1 / (2 * m)
    low, high = 1 - 1 / (1 + (2 * m - 1) * z), z - h
    continuous = sp.simplify(low.subs(z, 1) - high.subs(z, 1)) == 0
    reaches_one = sp.simplify(high.subs(z, 1 + h) - 1) == 0 and low.subs(z, 0) == 0
    d_low = sp.simplify(sp.diff(low, z) - (2 * m - 1) / (1 + (2 * m - 1) * z) ** 2) == 0  # > 0 for m > 1/2
    r_low, r_high = p / (1 + (2 * m - 1) * p), p * (1 + h - p)
    inc = sp.simplify(sp.diff(r_low, p) - 1 / (1 + (2 * m - 1) * p) ** 2) == 0  # > 0
    dec = sp.simplify(sp.diff(r_high, p).subs(p, 1) - (h - 1)) == 0  # concave, < 0 at 1
    value = sp.simplify(r_high.subs(p, 1) - h) == 0 and sp.simplify(sp.limit(r_low, p, 1) - h) == 0
    # numeric cross-check on a fine grid with the library's CDF
    worst = 0.0
    for mm in MS:
        ex = Example1(mm)
        grid = np.linspace(0.0, 2.0, 200001)
        rev = grid * (1 - ex.z.cdf(grid))
        worst = max(
            worst, float(abs(grid[rev.argmax()] - 1.0)), float(abs(rev.max() - ex.max_revenue_per_unit()))
        )
    ok = continuous and reaches_one and d_low and inc and dec and value and worst < 1e-4
    return Evaluation(
        "sympy: continuous at 1, F(1+1/(2m)) = 1, density > 0, revenue increasing on [0,1) and "
        f"decreasing on [1, 1+1/(2m)], max 1/(2m) at p = 1; grid argmax within {worst:.0e} of 1",
        verdict(ok),
    )


@register(
    id="ex1-mean-z",
    source="Example 1",
    statement="E[z] >= int_0^1 dz / (1 + (2m-1) z) = Theta(log m / m).",
    paper="E[z] = Theta((log m)/m)",
    status="refined",
    chapter=CHAPTER,
)
def _mean_z() -> Evaluation:
    s = Example1.symbolic()
    m = s["m"]
    ratio = sp.limit(s["E_z"] * m / sp.log(m), m, sp.oo)
    worst = 0.0
    for mm in MS:
        ex = Example1(mm)
        q = (
            integrate.quad(lambda t: 1 - ex.z.cdf(t), 0, 1, limit=200)[0]
            + integrate.quad(lambda t: 1 - ex.z.cdf(t), 1, ex.z.top)[0]
        )
        worst = max(worst, abs(q - ex.expected_z()))
    ok = ratio == sp.Rational(1, 2) and worst < 1e-10
    return Evaluation(
        f"exactly ln(2m)/(2m-1) + 1/(8m^2) (quad agrees to {worst:.0e}); lim m E[z]/ln m = {ratio}",
        verdict(ok, "refined"),
    )


@register(
    id="ex1-equilibrium-welfare",
    source="Example 1",
    statement="Expected welfare of the equilibrium is at most 6: 2 + 1.5 + 2 + (1/(2m))(m-3)(1 + 1/(2m)) <= 6.",
    paper="at most 6",
    status="refined",
    chapter=CHAPTER,
)
def _eq_welfare() -> Evaluation:
    s = Example1.symbolic()
    m = s["m"]
    eq = s["expected_equilibrium_welfare"]
    gap = sp.simplify(s["paper_equilibrium_bound"] - eq - (sp.Rational(1, 4) + (m - 3) / (8 * m**2)))
    lim = sp.limit(eq, m, sp.oo)
    # library: exact expected welfare of the equilibrium bids through the mechanisms
    worst = max(
        abs(
            float(Example1(mm).expected_welfare_of(Example1(mm).bids(), "paper"))
            - Example1(mm).expected_equilibrium_welfare()
        )
        for mm in MS[:4]
    )
    bound_ok = all(
        Example1(mm).expected_equilibrium_welfare() < Example1(mm).paper_equilibrium_bound() <= 6 for mm in MS
    )
    ok = gap == 0 and lim == sp.Rational(23, 4) and worst < 1e-12 and bound_ok
    return Evaluation(
        f"exactly 21/4 + (m-3)(1/(2m) + 1/(8m^2)) (increasing to {lim} = 5.75); the paper's bound exceeds it "
        f"by 1/4 + (m-3)/(8m^2); mechanisms agree to {worst:.0e}",
        verdict(ok, "refined"),
    )


@register(
    id="ex1-optimal-welfare",
    source="Example 1",
    statement="The optimal expected welfare is at least 4 + (m-2) E[z], hence Theta(log m).",
    paper=">= 4 + (m-2) E[z] = Theta(log m)",
    status="refined",
    chapter=CHAPTER,
)
def _opt_welfare() -> Evaluation:
    s = Example1.symbolic()
    m = s["m"]
    slack = sp.simplify(
        s["expected_optimal_welfare"]
        - s["paper_optimal_bound"]
        - (sp.Rational(5, 4) + 1 / (24 * m**3) - s["E_z"])
    )
    rate = sp.limit(s["expected_optimal_welfare"] / sp.log(m), m, sp.oo)
    worst = 0.0
    for mm in (4, 10, 100, 1000):
        ex = Example1(mm)
        # E[max(U, z)] = int_0^inf (1 - F_U(t) F_z(t)) dt, with the library's CDFs
        tail = integrate.quad(lambda t: 1 - ex.second_unit.cdf(t) * ex.z.cdf(t), 1.0, 1.5, points=[ex.z.top])[
            0
        ]
        exact = 4 + (mm - 3) * ex.expected_z() + 1.0 + tail
        worst = max(worst, abs(exact - ex.expected_optimal_welfare()))
    ok = slack == 0 and rate == sp.Rational(1, 2) and worst < 1e-8
    return Evaluation(
        f"exactly 21/4 + (m-3) E[z] + 1/(24m^3): the bound is short by 5/4 + 1/(24m^3) - E[z] > 0; "
        f"E[Wel]/ln m -> {rate}; numerical integration agrees to {worst:.0e}",
        verdict(ok, "refined"),
    )


@register(
    id="ex1-speculator-utility",
    source="Example 1",
    statement="The speculator's expected utility is 1 + (m-3)/(2m): 1 from A, (m-3)/(2m) from B.",
    paper="1 + (m-3)/(2m)",
    status="reproduced",
    chapter=CHAPTER,
)
def _spec_utility() -> Evaluation:
    worst = 0.0
    for mm in MS:
        ex = Example1(mm)
        u = float(ex.expected_payoffs(ex.bids(), "paper")[2])
        worst = max(worst, abs(u - (1 + (mm - 3) / (2 * mm))))
    return Evaluation(
        f"library auction + resale, exact over types: max deviation {worst:.0e} for m in {MS}",
        verdict(worst < 1e-12),
    )


@register(
    id="ex1-clearing-price",
    source="Example 1",
    statement="Under the equilibrium bids the price in the auction is 0.",
    paper="the price in the auction is 0",
    status="reproduced",
    chapter=CHAPTER,
)
def _clearing_price() -> Evaluation:
    from itertools import permutations

    prices = {float(Example1(mm).auction(priority=p).price) for mm in MS for p in permutations(range(3))}
    allocs = {tuple(Example1(mm).auction().allocation - np.array([1, 1, mm - 2])) for mm in MS}
    ok = prices == {0.0} and allocs == {(0, 0, 0)}
    return Evaluation(
        f"prices {sorted(prices)}, allocation (1, 1, m-2) for m in {MS}, all 6 tie orders", verdict(ok)
    )


@register(
    id="thm1-poa",
    source="Theorem 1",
    statement="Wel(M^C, sigma, F) <= Wel(F) / Omega(log m): the price of anarchy of the combined market is Theta(log m).",
    paper="PoA = Theta(log m)",
    status="refined",
    chapter=CHAPTER,
)
def _thm1() -> Evaluation:
    s = Example1.symbolic()
    m = s["m"]
    rate = sp.limit(s["price_of_anarchy"] / sp.log(m), m, sp.oo)
    poa = Example1.closed_forms(np.array([1e3, 1e6, 1e9]))["price_of_anarchy"]
    # smallest whole m with PoA above 1.5 and above 2: every m from 4 up, by the closed forms
    ms = np.arange(4, 200_000)
    curve = Example1.closed_forms(ms)["price_of_anarchy"]
    if curve.max() <= 2.0:
        return Evaluation(f"PoA stays below 2 up to m = {ms[-1]}", "disagrees")
    first = {t: int(ms[np.argmax(curve > t)]) for t in (1.5, 2.0)}
    below_ok = all(
        Example1(k - 1).price_of_anarchy() <= t < Example1(k).price_of_anarchy() for t, k in first.items()
    )
    ok = (
        rate == sp.Rational(2, 23)
        and bool(np.all(np.diff(poa) > 0))
        and bool(np.all(np.diff(curve) > 0))
        and below_ok
    )
    return Evaluation(
        f"PoA/ln m -> {rate}; PoA = {poa[0]:.4f}, {poa[1]:.4f}, {poa[2]:.4f} at m = 1e3, 1e6, 1e9; "
        f"the smallest m with PoA > 1.5 is {first[1.5]:,} and with PoA > 2 is {first[2.0]:,} "
        f"(PoA increasing in m; PoA({first[1.5] - 1}) <= 1.5, PoA({first[2.0] - 1:,}) <= 2)",
        verdict(ok, "refined"),
    )


@register(
    id="prop1-price-one",
    source="Proposition 1 (proof, Appendix B.2)",
    statement=(
        "The price 1 always maximises the speculator's revenue, given the prior, no matter what "
        "allocation is generated by the auction."
    ),
    paper="'the suggested price of 1 will always maximize revenue for agent C'",
    status="disagrees",
    chapter=CHAPTER,
)
def _price_one() -> Evaluation:
    ex = Example1(10)
    t = ex.resale_price_table()
    bad = ~t["one_is_optimal"]
    full = t["a"] + t["b"] + t["q"] == ex.m  # every unit allocated (the paper's arbitrary tie-breaking)
    onpath = ex.optimal_resale_price(1, 1, 8)
    c = ex.optimal_resale_price(0, 0, 8)
    ok = not bad.any()
    found = (
        f"m = 10: price 1 is suboptimal after {int(bad.sum())} of the {bad.size} outcomes (a, b, q) with q >= 1 and "
        f"a + b + q <= m (library convention: zero bids never win, so {int((~full).sum())} of them leave units unsold), "
        f"and after {int((bad & full).sum())} of the {int(full.sum())} with a + b + q = m (all units allocated, as in the "
        f"paper); e.g. a = b = 0, q = 8: price {float(c.price_low):g} earns {float(c.revenue):g} vs "
        f"{float(c.revenue_at_one):g} at 1; on the path (1, 1, 8) price {float(onpath.price_low):g} is optimal"
    )
    return Evaluation(found, "reproduced" if ok else "disagrees")


@register(
    id="prop1-equilibrium",
    source="Proposition 1",
    statement=(
        "The bids (A, B: 2 on one unit; C: 1 on m-2 units) with resale at the speculator's "
        "revenue-maximising price form a perfect Bayesian (indeed sequential) equilibrium."
    ),
    paper="PBE / sequential equilibrium",
    status="reproduced",
    chapter=CHAPTER,
)
def _prop1_eq() -> Evaluation:
    ex = Example1(5)
    alts = bid_family(5, levels=(0.5, 1.0, 1.5, 2.0, 2.5), two_level=True)
    gains = {}
    for rule in ("optimal", "paper"):
        for i in range(3):
            c = ex.deviation_check(i, rule, alternatives=alts, type_grid=np.linspace(0, 1.5, 4))
            gains[(rule, ex.AGENTS[i])] = c.largest_gain
    worst = max(gains.values())
    return Evaluation(
        f"m = 5, {len(alts)} alternative bids per agent, exact payoffs (in expectation and per type): largest gain "
        f"{worst:.1e} with C's corrected off-path prices and with price 1",
        verdict(worst <= TOL),
    )


@register(
    id="prop1-undominated",
    source="Proposition 1 (Appendix B.2)",
    statement="No agent uses a weakly dominated strategy in the auction, given the payoffs implied by resale.",
    paper="witness profiles for A, B (bid < 2 on the first unit; positive second bid) and C (fewer units; b < 1; bids on the last two units)",
    status="refined",
    chapter=CHAPTER,
)
def _undominated() -> Evaluation:
    w = Example1(10).dominance_witnesses()
    worst = min(min(x.margin, x.worst_type_margin) for x in w)
    extra = sum(not x.in_paper for x in w)
    scan = Example1(6).dominance_scan()
    n_scan = sum(c.count for c in scan)
    scan_worst = min(c.smallest_margin for c in scan)
    # the paper's witness for C's bid b < 1 (A at b + eps on two units, B at 1 on one) with too large an eps
    ex, b, eps = Example1(10), 0.99, 0.01
    prof = np.zeros((2, 3, 10))
    prof[:, 0, :2] = b + eps
    prof[:, 1, 0] = 1.0
    prof[0, 2] = ex.bids()[2]
    prof[1, 2, :8] = b
    u = ex.expected_payoffs(prof)[:, 2]
    return Evaluation(
        f"{len(w)} witness profiles at m = 10, equilibrium bid strictly better in each (smallest margin {worst:.4f}); "
        f"{extra} cover overbidding classes the paper's argument omits; at m = 6 all {n_scan} (agent, alternative) "
        f"pairs of the bid family lose against the witness built for their class (smallest margin {scan_worst:.4f}); "
        f"the witness for C's bids b < 1 needs eps < (1 - b)/(m - 2): at m = 10, b = {b}, eps = {eps} the "
        f"margin is {u[0] - u[1]:.4f}",
        verdict(worst > TOL and scan_worst > TOL, "refined"),
    )


# --------------------------------------------------------------------------------------------
@register(
    id="ex4-share",
    source="Example 4",
    statement="Each speculator wins r - 2 = m/k - 2 units, at most a gamma fraction of all items.",
    paper="each speculator wins at most gamma fraction of the items",
    status="reproduced",
    chapter=CHAPTER,
)
def _ex4_share() -> Evaluation:
    worst = -np.inf
    for g in (0.5, 0.3, 0.2, 0.1):
        for r in (4, 10, 50):
            ex = Example4(g, r)
            x = ex.auction().allocation
            share = float(x[2::3].max()) / ex.m
            worst = max(worst, share - g)
            if not math.isclose(share, ex.speculator_share()) or float(ex.auction().price) != 0.0:
                worst = np.inf
    return Evaluation(
        f"max (share - gamma) = {worst:.4f} < 0 over 12 instances; auction price 0", verdict(worst < 0)
    )


@register(
    id="ex4-group-welfare",
    source="Example 4 (Appendix B.3)",
    statement="Per group, equilibrium welfare is at most 6 and the optimal welfare is at least 4 + (m/k - 2) E[z].",
    paper="<= 6 and >= 4 + (m/k - 2) E[z] per group",
    status="refined",
    chapter=CHAPTER,
)
def _ex4_group() -> Evaluation:
    ok = True
    for g, r in ((0.5, 10), (0.2, 100), (0.1, 1000)):
        ex = Example4(g, r)
        ok &= ex.expected_equilibrium_welfare() / ex.k < 6
        ok &= ex.expected_group_optimal_welfare() > ex.paper_optimal_bound()
        ok &= ex.expected_optimal_welfare() > ex.expected_group_optimal_welfare()
    ex = Example4(0.2, 100)
    return Evaluation(
        f"gamma = 0.2, r = 100 (k = {ex.k}): equilibrium {ex.expected_equilibrium_welfare():.4f}, per-group optimum "
        f"{ex.expected_group_optimal_welfare():.4f} (paper's bound {ex.paper_optimal_bound():.4f}), global optimum "
        f"{ex.expected_optimal_welfare():.4f}",
        verdict(bool(ok), "refined"),
    )


@register(
    id="ex4-poa-lower",
    source="Example 4 (Appendix B.3)",
    statement=(
        "The price of anarchy of this combined market is Omega(log gamma m): at least a constant "
        "(independent of gamma) times log(gamma m) (gamma m = r for gamma = 1/k, in [r, 2r) in general)."
    ),
    paper="PoA = Omega(log gamma m) (lower half of Theta)",
    status="reproduced",
    chapter=CHAPTER,
)
def _ex4_poa_lower() -> Evaluation:
    # global optimum >= per-group optimum, so PoA >= per-group PoA = Example 1's PoA at m = r, whose
    # ratio to ln r tends to 2/23 for every k
    s = Example1.symbolic()
    rate = sp.limit(s["price_of_anarchy"] / sp.log(s["m"]), s["m"], sp.oo)
    worst = np.inf
    for k in (2, 5, 10, 20):
        for r in (10, 10**3, 10**6):
            ex = Example4(1 / k, r)
            worst = min(worst, ex.price_of_anarchy() - ex.group_price_of_anarchy())
    ratios = [Example1(r).price_of_anarchy() / math.log(r) for r in (10**3, 10**6, 10**9)]
    ok = rate == sp.Rational(2, 23) and worst >= -1e-12
    return Evaluation(
        f"PoA >= per-group PoA (= Example 1's at m = r) for k in (2, 5, 10, 20), r in (10, 1e3, 1e6) (smallest "
        f"difference {worst:.4f}); "
        f"per-group PoA / ln r = {ratios[0]:.4f}, {ratios[1]:.4f}, {ratios[2]:.4f} at r = 1e3, 1e6, 1e9, -> {rate}, "
        "whatever gamma",
        verdict(ok),
    )


@register(
    id="ex4-poa-theta",
    source="Example 4 (Appendix B.3)",
    statement=(
        "The price of anarchy of this combined market is Theta(log gamma m): also at most a constant "
        "(independent of gamma) times log(gamma m) (gamma m = r for gamma = 1/k, in [r, 2r) in general)."
    ),
    paper="PoA = Theta(log gamma m)",
    status="disagrees",
    chapter=CHAPTER,
)
def _ex4_poa_theta() -> Evaluation:
    # slope of the PoA in ln r for large r, per k; Theta with gamma-free constants needs it bounded in k
    slopes = {}
    for k in (2, 5, 10, 20):
        lo, hi = Example4(1 / k, 10**6), Example4(1 / k, 10**9)
        slopes[k] = (hi.price_of_anarchy() - lo.price_of_anarchy()) / math.log(10**3)
    per_k = {k: sl / k for k, sl in slopes.items()}
    bounded = slopes[20] < 2 * slopes[2]  # a gamma-free upper constant would keep the slopes comparable
    text = "; ".join(f"k = {k}: slope {sl:.4f}" for k, sl in slopes.items())
    return Evaluation(
        f"slope of the PoA in ln r (r = 1e6 to 1e9, global optimum): {text}; slope / k = "
        f"{min(per_k.values()):.4f} to {max(per_k.values()):.4f} (2/23 = {2 / 23:.4f}): the PoA grows like "
        "(2k/23) ln r, about k = ceil(1/gamma) times faster than log(gamma m), so the upper half of Theta fails "
        "with constants independent of gamma (it holds for each fixed gamma)",
        "reproduced" if bounded else "disagrees",
    )


@register(
    id="prop7-equilibrium",
    source="Proposition 7",
    statement="The Example 4 behaviour forms a sequential equilibrium (no profitable unilateral deviation).",
    paper="sequential equilibrium; proof 'essentially identical' to Proposition 1",
    status="reproduced",
    chapter=CHAPTER,
)
def _prop7() -> Evaluation:
    ex = Example4(0.5, 4)
    alts = bid_family(ex.m, levels=(0.5, 1.0, 1.5, 2.0, 2.5), quantities=(1, 2, 3, 4, 6, 8), two_level=True)
    worst = max(
        ex.deviation_check(role, g, "optimal", alternatives=alts).report.best_gain
        for role in "ABC"
        for g in range(ex.k)
    )
    return Evaluation(
        f"k = 2, r = 4 (m = 8): largest expected gain {worst:.1e} over {len(alts)} bids for each of the 6 agents",
        verdict(worst <= TOL),
    )
