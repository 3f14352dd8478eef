"""Tests of ``aftermarkets.instances.symmetric``: symmetric equilibria of the first-price and
all-pay auctions with two i.i.d. bidders (Chapter 6, sec-06-symmetric, sec-06-solver,
sec-06-lemma1-symbolic, sec-06-footnote23)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from aftermarkets.instances import laws, symmetric


def test_closed_forms_from_dsolve():
    """sec-06-symmetric: F(v) = v^a gives b = a v/(a+1) (first price) and a v^(a+1)/(a+1) (all
    pay); both interim payments are a v^(a+1)/(a+1) (revenue equivalence), and both bids solve
    their ODE."""
    cf = symmetric.closed_forms()
    v, a = cf["v"], cf["a"]
    assert sp.simplify(cf["bid"]["first-price"] - a * v / (a + 1)) == 0
    assert sp.simplify(cf["bid"]["all-pay"] - a * v ** (a + 1) / (a + 1)) == 0
    for auction in ("first-price", "all-pay"):
        assert sp.simplify(cf["payment"][auction] - a * v ** (a + 1) / (a + 1)) == 0
        ode = cf["ode"][auction].subs(sp.Function("b")(v), cf["bid"][auction]).doit()
        assert sp.simplify(ode) == 0


def test_first_order_condition_and_integral_formula():
    """The uniform FOC is v - b - v b' = 0; the integral formulas give 2v/3 and 2v^3/3 for F = v^2
    and (v + 1)/2 and (v^2 - 1)/2 on U[1, 2]; the value symbol must be identifiable."""
    v = sp.Symbol("v", positive=True)
    b = sp.Function("b")
    assert (
        sp.simplify(symmetric.first_order_condition("first-price", v) - (v - b(v) - v * sp.diff(b(v), v)))
        == 0
    )
    assert sp.simplify(symmetric.first_order_condition("all-pay", v) - (v - sp.diff(b(v), v))) == 0
    assert symmetric.symbolic_bid("first-price", v**2) == 2 * v / 3
    assert symmetric.symbolic_bid("all-pay", v**2) == 2 * v**3 / 3
    F = v - 1
    assert sp.simplify(symmetric.symbolic_bid("first-price", F, v, low=1) - (v + 1) / 2) == 0
    assert sp.simplify(symmetric.symbolic_bid("all-pay", F, v, low=1) - (v**2 - 1) / 2) == 0
    x, y = sp.symbols("x y")
    with pytest.raises(ValueError, match="which symbol"):
        symmetric.first_order_condition("first-price", x * y)
    with pytest.raises(ValueError, match="auction"):
        symmetric.symbolic_bid("second-price", v)


@pytest.mark.parametrize(
    "law, fp, ap",
    [
        (laws.uniform(), lambda v: v / 2, lambda v: v**2 / 2),
        (laws.power(3), lambda v: 3 * v / 4, lambda v: 3 * v**4 / 4),
        (laws.uniform(1, 2), lambda v: (v + 1) / 2, lambda v: (v**2 - 1) / 2),
    ],
    ids=lambda x: getattr(x, "name", ""),
)
def test_solver_against_closed_forms(law, fp, ap):
    """sec-06-solver: the quadrature solver reproduces the closed forms to 1e-10 (the lower end of
    the support is bid as itself in the first-price auction and as 0 in the all-pay auction)."""
    for auction, exact in (("first-price", fp), ("all-pay", ap)):
        eq = symmetric.solve_symmetric(law, auction)
        assert eq.values.size == 2001
        assert np.max(np.abs(eq.bids - exact(eq.values))) < 1e-10
        assert eq.ode_residual() < 1e-6


@pytest.mark.parametrize("law", symmetric.example_laws(), ids=lambda x: x.name)
@pytest.mark.parametrize("auction", ["first-price", "all-pay"])
def test_solver_regret_is_numerical_noise(law, auction):
    """sec-06-solver: for the chapter's five laws no bid on the 401-bid grid gains more than 1e-6
    against the computed bid function, and the bids strictly increase (so the higher value wins)."""
    eq = symmetric.solve_symmetric(law, auction)
    r = eq.regret()
    assert r.max < 1e-6 and r.checked == 401 and r.types.size == 201
    assert np.all(np.diff(eq.bids) > 0)


def test_regret_can_fail():
    """A wrong symmetric bid (0.6 v on U[0, 1] in the first-price auction) has a large regret."""
    law = laws.uniform()
    eq = symmetric.solve_symmetric(law, "first-price")
    wrong = symmetric.SymmetricEquilibrium(law, "first-price", eq.values, 1.2 * eq.bids)
    assert wrong.regret().max > 0.01


def test_revenue_equivalence_for_a_law_without_closed_form():
    """sec-06-lemma1-symbolic: for a truncated normal the expected payments of the two auctions
    agree (Lemma 1 with the same interim allocation F)."""
    law = laws.truncated_normal(0.5, 0.2, 0.0, 1.0)
    fp = symmetric.solve_symmetric(law, "first-price")
    ap = symmetric.solve_symmetric(law, "all-pay")
    F = law.cdf(fp.values)
    assert np.max(np.abs(fp.bids * F - ap.bids)) < 1e-9


def test_with_aftermarkets_on_the_uniform_law():
    """sec-06-footnote23: after each of the four ex post IR aftermarkets the symmetric bids never
    trade, keep E[max] and have regret below 1e-6."""
    res = symmetric.solve_symmetric(laws.uniform(), "first-price").with_aftermarkets()
    assert res["trade"] < 1e-15 and res["gap"] < 1e-6 and res["regret"] < 1e-6
    assert len(symmetric.AFTERMARKETS) == 4


def test_solver_validation():
    """Unknown auctions, non-laws and tiny grids are refused."""
    with pytest.raises(ValueError, match="auction"):
        symmetric.solve_symmetric(laws.uniform(), "dutch")
    with pytest.raises(ValueError, match="ValueLaw"):
        symmetric.solve_symmetric("uniform")
    with pytest.raises(ValueError, match="n >= 3"):
        symmetric.solve_symmetric(laws.uniform(), n=2)
