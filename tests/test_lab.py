"""Tests of ``aftermarkets.lab``: the finite combined markets, their resale stage and the solver.

The solver is checked against what is known: first-price and all-pay equilibria without resale,
the payment identity, chapter 2's equilibrium of Example 1 (discretised), a planted profile that
is not an equilibrium, Theorem 7 on a grid (symmetric first price with resale: efficient, no
trade), and the resale stage's Definitions 1 and 2.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import aftermarkets as am
from aftermarkets import lab


def uniform_market(k, n=2):
    """n i.i.d. bidders for one unit, values uniform on {0, 1/(k-1), ..., 1}."""
    vals = np.round(np.linspace(0, 1, k), 9)[:, None]
    return lab.FiniteMarket([vals] * n, [np.full(k, 1 / k)] * n)


def example1_market():
    """Example 1 with m = 4, discretised: U in {1, 1.5}; z = 0.1 (prob. 7/8) or 1 (prob. 1/8 =
    1/(2m)), so that price 1 is B's monopoly price, as in the paper."""
    a = np.array([[2, 1.0, 0, 0], [2, 1.5, 0, 0]])
    b = np.array([[2, 0.1, 0.1, 0.1], [2, 1.0, 1.0, 1.0]])
    return lab.FiniteMarket([a, b, np.zeros((1, 4))], [[0.5, 0.5], [7 / 8, 1 / 8], [1.0]], names="ABC")


def index(grid, bid):
    return int(np.flatnonzero((grid == np.asarray(bid, dtype=float)).all(axis=1))[0])


# ----------------------------------------------------------------------------- market
def test_market_validation():
    """Bad markets raise ValueErrors naming the problem."""
    with pytest.raises(ValueError, match="1 to 3 bidders"):
        lab.FiniteMarket([[[1.0]]] * 4, [[1.0]] * 4)
    with pytest.raises(ValueError, match="probabilities"):
        lab.FiniteMarket([[[1.0], [0.5]]], [[0.5, 0.6]])
    with pytest.raises(ValueError, match="non-increasing"):
        lab.FiniteMarket([[[1.0, 2.0]]], [[1.0]])
    with pytest.raises(ValueError, match="same m of marginals"):
        lab.FiniteMarket([[[1.0, 0.0]], [[1.0]]], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="one column"):
        lab.first_price([[1.0, 0.0]])
    with pytest.raises(ValueError, match="signal"):
        lab.LabGame(uniform_market(3), lab.first_price([[0.0], [0.5]]), signal="everything")


def test_outcome_table_matches_the_library_auctions():
    """The format's table is the library's auctions, averaged over the tie orders."""
    grid = lab.bid_grid(2, [1, 2])
    fmt = lab.uniform_price(grid)
    alloc, pay = fmt.table(3, 2)
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.integers(0, len(grid), 3)
        for o, order in enumerate(itertools.permutations(range(3))):
            out = am.uniform_price_auction(grid[a], 2, priority=order)
            np.testing.assert_array_equal(alloc[tuple(a)][o], out.allocation)
            np.testing.assert_allclose(pay[tuple(a)][o], out.payments)


def test_expected_optimal_welfare_is_exact():
    """Wel(F) of two i.i.d. uniform values on {0, 1/2, 1} for one unit is E[max]: the max is 1
    with probability 1 - (2/3)^2 = 5/9 and 1/2 with probability (2/3)^2 - (1/3)^2 = 1/3, so
    E[max] = 5/9 + 1/6 = 13/18."""
    assert uniform_market(3).expected_optimal_welfare() == pytest.approx(13 / 18)


# ----------------------------------------------------------------------------- known equilibria
def test_first_price_without_resale_bids_half_the_value():
    """Two i.i.d. uniform bidders, first price, no resale: b(v) = v/2 is an equilibrium of the
    discretised game (regret 0), and iterated best response from truthful bidding finds bids
    within one grid step of v/2 as the value grid refines."""
    for k in (6, 11):
        mk = uniform_market(k)
        step = 1 / (2 * (k - 1))
        grid = np.round(np.arange(0, 1 + 1e-9, step), 9)[:, None]
        game = lab.LabGame(mk, lab.first_price(grid), resale=False)
        half = [np.arange(k)] * 2  # grid index 2t is (t/(k-1))/2
        assert game.evaluate(half).max_regret <= 1e-12
        found = lab.solve(game, random_starts=0)
        best = found[0]
        bids = (
            (best.strategies[0] * grid[:, 0]).sum(axis=1)
            if best.strategies[0].ndim == 2
            else grid[best.strategies[0], 0]
        )
        assert best.max_regret <= 1e-2
        assert np.abs(bids - mk.values[0][:, 0] / 2).max() <= 2 * step


def test_all_pay_without_resale_approaches_v_squared_over_two():
    """Two i.i.d. bidders, values uniform on K points, all-pay, no resale. With discrete types the
    equilibrium is mixed: type k bids uniformly on [B_{k-1}, B_k], B_k = sum_{j<=k} v_j / K (each
    type is indifferent over its interval). Fictitious play finds it: regret at most 0.01 and mean
    bids within 0.02 of the theory (grid step 0.02). As K grows the theory tends to the continuous
    equilibrium v^2/2."""
    k = 6
    mk = uniform_market(k)
    grid = np.round(np.arange(0, 0.5 + 1e-9, 0.02), 9)[:, None]
    game = lab.LabGame(mk, lab.all_pay(grid), resale=False)
    res = game.fictitious_play([np.zeros(k, dtype=int)] * 2, tol=1e-3, max_iter=800)
    mean = (res.strategies[0] * grid[:, 0]).sum(axis=1)

    def theory(K):
        v = np.linspace(0, 1, K)
        B = np.concatenate([[0.0], np.cumsum(v / K)])
        return v, (B[:-1] + B[1:]) / 2

    v, means = theory(k)
    assert res.max_regret <= 1e-2
    assert np.abs(mean - means).max() <= 0.02
    gaps = [np.abs(theory(K)[1] - theory(K)[0] ** 2 / 2).max() for K in (6, 51, 501)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 2e-3


def test_payment_identity_on_the_discrete_equilibrium():
    """Lemma 1 on a grid: at the first-price equilibrium b(v) = v/2, interim payments satisfy
    the discrete envelope sandwich v_{k-1} (x_k - x_{k-1}) <= p_k - p_{k-1} <= v_k (x_k - x_{k-1})
    that incentive compatibility implies, with p(0) = 0."""
    k = 11
    mk = uniform_market(k)
    grid = np.round(np.arange(0, 1 + 1e-9, 0.05), 9)[:, None]
    game = lab.LabGame(mk, lab.first_price(grid), resale=False)
    sigma = [np.arange(k)] * 2
    U = game.utilities(0, sigma)
    u = U[np.arange(k), sigma[0]]
    v = mk.values[0][:, 0]
    # interim allocation: probability of winning against the other's bid v'/2 with random ties
    x = (np.arange(k) + 0.5) / k
    p = v * x - u
    assert p[0] == pytest.approx(0.0)
    dp, dx = np.diff(p), np.diff(x)
    assert np.all(dp >= v[:-1] * dx - 1e-12) and np.all(dp <= v[1:] * dx + 1e-12)


def test_example1_profile_is_an_equilibrium_in_the_lab():
    """Chapter 2's Proposition 1 profile (A, B: 2 on one unit; C: 1 on m - 2 = 2 units) has regret
    0 in the lab, with resale at C's optimal price against her (prior) beliefs; C resells at 1."""
    mk = example1_market()
    grid = lab.bid_grid(4, [1, 2])
    game = lab.LabGame(mk, lab.uniform_price(grid))
    one = index(grid, [2, 0, 0, 0])
    profile = [np.array([one, one]), np.array([one, one]), np.array([index(grid, [1, 1, 0, 0])])]
    res = game.evaluate(profile)
    assert res.max_regret <= 1e-12
    np.testing.assert_allclose(res.holdings, [1, 1, 2])
    np.testing.assert_allclose(res.utilities, [2.25, 2.0, 1.125])  # C: 1 from A, 1 x 1/8 from B
    assert res.revenue == 0.0


def test_a_planted_non_equilibrium_reports_its_regret():
    """C bidding on one unit only wins it at price 0 and resells it to A at 1; bidding on two units
    adds a sale to B with probability 1/8: the lab reports regret 1/8 for C, with the deviation."""
    mk = example1_market()
    grid = lab.bid_grid(4, [1, 2])
    game = lab.LabGame(mk, lab.uniform_price(grid))
    one = index(grid, [2, 0, 0, 0])
    planted = [np.array([one, one]), np.array([one, one]), np.array([index(grid, [1, 0, 0, 0])])]
    res = game.evaluate(planted)
    assert res.regrets[2][0] == pytest.approx(1 / 8)
    U = game.utilities(2, planted)
    assert U[0].max() - U[0, planted[2][0]] == pytest.approx(1 / 8)


def test_theorem7_on_a_grid_symmetric_first_price_with_resale():
    """Two i.i.d. bidders, first price, resale after the allocation: every equilibrium found is
    efficient and resale never trades."""
    k = 6
    mk = uniform_market(k)
    grid = np.round(np.arange(0, 1 + 1e-9, 0.1), 9)[:, None]
    game = lab.LabGame(mk, lab.first_price(grid))
    found = [r for r in lab.solve(game, random_starts=1) if r.is_equilibrium()]
    assert found
    for r in found:
        assert r.traded == 0.0 and r.welfare_ratio == pytest.approx(1.0)


def test_posted_price_format():
    """Posted price 0.6 for one unit, two bidders, values {0.5, 1}: buying iff v >= 0.6 is an
    equilibrium; with random arrival each high-value bidder gets the unit half the time when both
    are high."""
    vals = np.array([[0.5], [1.0]])
    mk = lab.FiniteMarket([vals, vals], [[0.5, 0.5]] * 2)
    game = lab.LabGame(mk, lab.posted_price(1, 0.6), resale=False)
    demand = [np.array([0, 1]), np.array([0, 1])]
    res = game.evaluate(demand)
    assert res.max_regret <= 1e-12
    assert res.welfare == pytest.approx(0.75 * 1.0)  # someone has value 1 with probability 3/4


# ----------------------------------------------------------------------------- resale stage
def test_resale_stage_is_a_trade_mechanism():
    """The sequential resale stage (SequentialResale) satisfies Definitions 1 and 2 on a grid of
    offers and buyer actions, checked with the library's checks."""
    values = [
        am.StepValues([[2.0, 1.2, 0.0], [2.0, 0.5, 0.0], [0.0, 0.0, 0.0]], [[1, 1, 2], [1, 3, 0], [4, 0, 0]]),
        am.StepValues([[1.0, 0.0, 0.0], [2.0, 1.5, 0.0], [0.8, 0.0, 0.0]], [[1, 3, 0], [1, 1, 2], [1, 3, 0]]),
    ]
    instances = [(v, h) for v in values for h in ([1, 1, 2], [0, 2, 2], [2, 0, 1])]
    offers = [None] + [(p, q) for p in (0.5, 1.0, 1.5, 2.5) for q in (1, 2)]
    profiles = [
        [(o0, b0), (o1, b1), (o2, b2)]
        for o0, o1, o2 in itertools.product([None, (1.0, 1)], [None, (1.5, 1)], offers)
        for b0, b1, b2 in itertools.product(["demand", 0], repeat=3)
    ]
    vp, bb = am.check_trade_mechanism(lab.SequentialResale(), instances, profiles)
    assert vp.holds() and bb.holds() and bb.worst == pytest.approx(0.0)


def test_vectorised_resale_equals_the_mechanism():
    """The solver's vectorised resale stage (Resale.run) gives the same outcome as SequentialResale
    run with the offers it chose, on every row of an Example 1 game."""
    mk = example1_market()
    grid = lab.bid_grid(4, [1, 2])
    game = lab.LabGame(mk, lab.uniform_price(grid))
    rng = np.random.default_rng(1)
    sigma = [rng.integers(0, len(grid), t) for t in mk.type_counts]
    resale = lab.Resale(game, game.mixed(sigma))
    acts = rng.integers(0, len(grid), (40, 3))
    types = rng.integers(0, len(game.prof), 40)
    flat = np.ravel_multi_index(acts.T, (len(grid),) * 3)
    h = game.alloc.reshape(-1, game.O, 3)[flat, 0]
    s = game.sig[flat, 0]
    y, pay = resale.run(h, s, acts, types)
    mech = lab.SequentialResale()
    for r in range(40):
        hold = tuple(int(x) for x in h[r])
        actions = []
        for j in range(3):
            price, qty = resale.offers(j, int(s[r]), hold)
            t_j = game.prof[types[r], j]
            q = int(qty[t_j, acts[r, j]])
            actions.append(((float(price[t_j, acts[r, j]]), q) if q > 0 else None, "demand"))
        # SequentialResale recomputes nothing: later sellers use the offers computed at their
        # current holdings, which the vectorised stage also does
        out = mech(
            game.vals[types[r]],
            h[r],
            _offers_at_current_holdings(resale, game, s[r], types[r], acts[r], h[r]),
        )
        np.testing.assert_array_equal(out.allocation, y[r])
        np.testing.assert_allclose(out.payments, pay[r])


def _offers_at_current_holdings(resale, game, s, t, a, h0):
    """The actions the vectorised stage takes: holder j's offer at the holdings when her turn comes."""
    h = np.array(h0)
    actions = []
    v = am.as_step_values(game.vals[t])
    for j in range(game.mk.n):
        price, qty = resale.offers(j, int(s), tuple(int(x) for x in h))
        t_j = game.prof[t, j]
        q = int(qty[t_j, a[j]])
        offer = (float(price[t_j, a[j]]), q) if q > 0 and h[j] > 0 else None
        actions.append((offer, "demand"))
        if offer is not None:
            want = np.clip(v.units_at_least(offer[0]) - h, 0, None)
            left = min(offer[1], h[j])
            for k in range(game.mk.n):
                if k != j:
                    take = min(int(want[k]), left)
                    h[k] += take
                    h[j] -= take
                    left -= take
    return actions


# ----------------------------------------------------------------------------- the survey
def test_survey_formats_and_bounds():
    """The survey's four formats carry the paper's bounds, and both price-based formats use the
    balanced price E[v(OPT(v))]/(2m) of the market (on the reserve format's bid grid too)."""
    sm = lab.market("speculator")
    p = sm.market.expected_optimal_welfare() / (2 * sm.market.m)
    fmts = lab.formats(sm.market, sm.levels)
    assert [f.name for f in fmts] == [
        "uniform",
        "uniform + balanced reserve",
        "discriminatory",
        "posted balanced price",
    ]
    assert [f.bound for f in fmts] == [None, 0.5, pytest.approx(1 - np.exp(-1)), 0.5]
    assert fmts[1].reserve == fmts[3].reserve == pytest.approx(p)
    assert np.isclose(fmts[1].actions, p).any() and not np.isclose(fmts[0].actions, p).any()
    with pytest.raises(ValueError, match="market must be one of"):
        lab.market("Example 2")


def test_survey_planted_start_is_chapter2_profile():
    """The Example 1 market maps the Proposition 1 profile onto each bid format's grid; under the
    uniform-price auction it is an equilibrium in which the speculator holds 2 units."""
    sm = lab.market("Example 1")
    fmt = lab.formats(sm.market, sm.levels)[0]
    game = lab.LabGame(sm.market, fmt)
    start = sm.starts(game)["Proposition 1"]
    assert [fmt.actions[s].tolist() for s in start[2]] == [[1, 1, 0, 0]]
    res = game.evaluate(start)
    assert res.max_regret <= 1e-12 and res.holdings[2] == pytest.approx(2.0)
    posted = lab.LabGame(sm.market, lab.formats(sm.market, sm.levels)[3])
    assert "Proposition 1" not in sm.starts(posted)


def test_survey_rows_report_recomputed_regrets():
    """Every profile the survey returns carries the regret the game recomputes from scratch, and
    its 'equilibria' are exactly the profiles with regret at most 1e-9."""
    rows = lab.survey(["random 2"])
    assert len(rows) == 4
    for row in rows:
        sm = lab.market(row.market)
        fmt = next(f for f in lab.formats(sm.market, sm.levels) if f.name == row.format)
        game = lab.LabGame(sm.market, fmt)
        for r in row.results:
            again = max(x.max() for x in game.regrets(r.strategies))
            assert again == pytest.approx(r.max_regret, abs=1e-12)
        assert all(r.max_regret <= 1e-9 for r in row.equilibria)
        assert len(row.equilibria) == sum(r.max_regret <= 1e-9 for r in row.results)
