"""Tests of ``aftermarkets.instances.theorem4`` (Theorem 4, Appendix C.1; Chapter 4, ``sec-04-proof``,
``sec-04-action``, ``sec-04-prop6``): the unsold-units distribution against a direct count, the revenue
bound over every allocation rule, the proof's terms at the lab's equilibria, and the welfare bound."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aftermarkets as am
from aftermarkets import lab
from aftermarkets.instances import theorem4


def test_random_market_and_balanced_price():
    """The balanced price of a finite market is E[OPT]/(2m), and in_order permutes the bidders."""
    mk = theorem4.random_market(3, 3, seed=4, speculator=True)
    assert mk.type_counts == (2, 2, 1) and np.all(mk.values[2] == 0)
    assert theorem4.balanced_price(mk) == pytest.approx(mk.expected_optimal_welfare() / 6)
    mk2 = theorem4.in_order(mk, (2, 0, 1))
    assert mk2.names == ("3", "1", "2") and np.array_equal(mk2.values[1], mk.values[0])
    with pytest.raises(ValueError, match="permutation"):
        theorem4.in_order(mk, (0, 0, 1))


def test_optimum_by_supply_is_concave_and_ends_at_the_optimum():
    """g(0) = 0, g(m) = E[OPT], and g is concave (so g(k) >= k g(m)/m)."""
    for seed in range(10):
        mk = theorem4.random_market(3, 3, seed=seed)
        g = theorem4.optimum_by_supply(mk)
        assert g[0] == 0 and g[-1] == pytest.approx(mk.expected_optimal_welfare())
        assert np.all(np.diff(g, 2) <= 1e-12)


def test_unsold_distribution_against_a_direct_count():
    """The distribution of unsold units at a pure profile equals a count over type profiles and orders."""
    mk = theorem4.random_market(3, 2, seed=1, speculator=True)
    p = theorem4.balanced_price(mk)
    game = lab.LabGame(mk, lab.posted_price(2, p, random_order=True), resale=False)
    sigma = [np.array([1, 2]), np.array([0, 1]), np.array([2])]
    dist = theorem4.unsold_distribution(game, sigma)
    direct = np.zeros(3)
    for t, w in zip(mk.profiles(), mk.profile_probs()):
        req = np.array([sigma[i][t[i]] for i in range(3)])
        for order in itertools.permutations(range(3)):
            got = am.serve_in_order(req, 2, order)
            direct[2 - got.sum()] += w / 6
    assert np.allclose(dist, direct) and dist.sum() == pytest.approx(1.0)


def test_revenue_bound_holds_for_every_allocation_rule():
    """sec-04-proof: bound (5) has non-negative slack for all (m+1)^T unsold-unit maps, zero when all or
    no units sell, and positive otherwise when g is strictly concave somewhere."""
    mk = theorem4.random_market(3, 3, seed=12, speculator=True)
    worst, rule, count = theorem4.worst_allocation_rule(mk)
    assert count == 4 ** len(mk.profile_probs()) and worst == pytest.approx(0.0, abs=1e-12)
    assert set(np.unique(rule)) <= {0, 3}
    T = len(mk.profile_probs())
    assert theorem4.revenue_bound_slack(mk, np.zeros(T, int)) == pytest.approx(0.0, abs=1e-12)
    assert theorem4.revenue_bound_slack(mk, np.full(T, 3)) == pytest.approx(0.0, abs=1e-12)
    assert theorem4.revenue_bound_slack(mk, np.full(T, 1)) > 0
    with pytest.raises(ValueError, match="unsold"):
        theorem4.revenue_bound_slack(mk, np.full(T, 4))


@pytest.mark.parametrize("seed,speculator", ((0, False), (5, True), (12, True)))
def test_theorem4_on_lab_equilibria(seed, speculator):
    """sec-04-action, sec-04-proof: in every arrival order the lab finds equilibria (regret 0); each keeps
    half the optimum; (4) and (5) hold; welfare = utilities + revenue (resale is budget balanced)."""
    mk = theorem4.random_market(3, 3, seed=seed, speculator=speculator)
    found = theorem4.equilibria_by_order(mk, random_starts=0)
    assert len(found) == 6
    for oe in found:
        eqs = oe.equilibria()
        assert eqs, oe.order
        for r in eqs:
            t = theorem4.proof_terms(oe.game, r)
            assert r.welfare_ratio >= 0.5
            assert t["slack4"] >= -1e-9 and t["slack5"] >= -1e-9
            assert abs(t["trade_surplus"]) < 1e-9
            assert t["bound4"] + t["bound5"] == pytest.approx(t["half_optimum"])


def test_utility_bound_needs_the_equilibrium_and_holds_up_to_the_regret():
    """sec-04-proof: away from equilibrium (4) can fail, but never by more than the bidders' expected
    regret (the deviation "request my demand" is one of their actions); (5) holds at every profile."""
    mk = theorem4.random_market(3, 3, seed=12, speculator=True)
    game = theorem4.equilibria_by_order(mk, random_starts=0)[0].game
    rng = np.random.default_rng(0)
    slack4 = []
    for _ in range(40):
        sigma = [rng.integers(0, mk.m + 1, size=c) for c in game.mk.type_counts]
        t = theorem4.proof_terms(game, game.evaluate(sigma))
        assert t["slack4"] >= -t["regret_allowance"] - 1e-9
        assert t["slack5"] >= -1e-9
        assert abs(t["trade_surplus"]) < 1e-9
        slack4.append(t["slack4"])
    assert min(slack4) < -0.1  # a profile violating (4): the bound is not automatic


@pytest.mark.parametrize("seed", (0, 3, 12))
def test_without_resale_the_equilibrium_is_demand_and_matches_the_library(seed):
    """sec-04-prop6: with no aftermarket, in every order the lab's equilibria give the welfare of the
    library's posted_price_mechanism with demand purchases, which keeps at least half the optimum."""
    mk = theorem4.random_market(3, 3, seed=seed, speculator=seed % 2 == 0)
    p = theorem4.balanced_price(mk)
    vals, probs = mk.profile_values(), mk.profile_probs()
    for perm, oe in zip(itertools.permutations(range(3)), theorem4.equilibria_by_order(mk, resale=False)):
        eqs = oe.equilibria()
        assert eqs and oe.best.max_regret <= 1e-9
        direct = probs @ am.welfare(vals, am.posted_price_mechanism(vals, mk.m, p, order=perm).allocation)
        for r in eqs:
            assert r.welfare == pytest.approx(direct)
        assert direct >= 0.5 * mk.expected_optimal_welfare()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3), st.booleans(), st.data())
def test_revenue_bound_is_non_negative_for_random_rules(seed, m, speculator, data):
    """sec-04-proof: for random markets and random unsold-unit maps the slack of (5) is >= 0."""
    mk = theorem4.random_market(3 if speculator else 2, m, seed=seed, speculator=speculator)
    T = len(mk.profile_probs())
    unsold = np.array(data.draw(st.lists(st.integers(0, m), min_size=T, max_size=T)))
    assert theorem4.revenue_bound_slack(mk, unsold) >= -1e-12


def test_validation():
    """Bad sizes, a too-large enumeration and a wrong order are refused with a clear message."""
    with pytest.raises(ValueError, match="n"):
        theorem4.random_market(0, 2)
    with pytest.raises(ValueError, match="m"):
        theorem4.random_market(2, 0)
    mk = theorem4.random_market(3, 3, seed=1)
    with pytest.raises(ValueError, match="rules to enumerate"):
        theorem4.worst_allocation_rule(mk, limit=10)
    with pytest.raises(ValueError, match="permutation"):
        theorem4.in_order(mk, (0, 1))
