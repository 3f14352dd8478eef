"""Tests of ``aftermarkets.smoothness_search``: best-response values (checked against every bid of
a grid), certificates of failure, weak smoothness, and the adversarial search, which must find a
planted violation (chapter 3, sec-03-fn15 and sec-03-cor1).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftermarkets import lab
from aftermarkets import smoothness as sm
from aftermarkets import smoothness_search as ss
from aftermarkets.instances import smooth_checks as sc

LAM = 1 - math.exp(-1)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(["discriminatory", "uniform-price"]))
def test_best_response_value_is_the_supremum_over_a_grid(seed, mech):
    """sec-03-fn15: the closed-form supremum is at least the utility of every bid on a grid that
    contains the thresholds (and values just above them), and equals the best of them up to the
    tie margin 1e-6: the grid attains it."""
    rng = np.random.default_rng(seed)
    n, m = 3, 2
    v = -np.sort(-rng.integers(0, 5, (n, m)) / 4, axis=-1)
    a = -np.sort(-rng.integers(0, 5, (n, m)) / 4, axis=-1)
    br = ss.best_response_value(mech, v, a)[0]
    for i in range(n):
        levels = np.unique(np.concatenate([a.ravel(), a.ravel() + 1e-6, [0.0, 2.0]]))
        grid = lab.bid_grid(m, levels)
        prof = np.repeat(a[None], len(grid), axis=0)
        prof[:, i] = grid
        x, pay = sm.MECHANISMS[mech].run(prof, m)
        u = np.concatenate([[0.0], np.cumsum(v[i])])[x[:, i]] - pay[:, i]
        assert u.max() <= br[i] + 1e-12
        assert u.max() >= br[i] - m * 1e-6 - 1e-12


def test_failure_family_certificate():
    """sec-03-fn15: on the family (values 1 and 0; bids eps and 1) the certificate is
    -m(lam - mu eps) for several constants, so it is negative whenever eps < lam / mu."""
    for m, eps, lam, mu in itertools.product((1, 3, 7), (0.0, 0.1), (0.2, LAM, 1.0), (1.0, 3.0)):
        v = np.zeros((2, m))
        v[0] = 1.0
        a = np.zeros((2, m))
        a[0], a[1] = eps, 1.0
        c = ss.certificate_slack("uniform-price", v, a, lam, mu)[0]
        assert c == pytest.approx(-m * (lam - mu * eps), abs=1e-12)
        assert (c < 0) == (eps < lam / mu)
        assert ss.overbids(v, a)[0].tolist() == [False, True]


def test_certificate_bounds_every_deviation():
    """The certificate is an upper bound on the slack of the chapter's deviation."""
    rng = np.random.default_rng(2)
    v = -np.sort(-rng.uniform(0, 1, (300, 3, 3)), axis=-1)
    a = -np.sort(-rng.uniform(0, 1.2, (300, 3, 3)), axis=-1)
    for mech in ("discriminatory", "uniform-price"):
        assert np.all(ss.certificate_slack(mech, v, a, LAM, 1.0) >= sm.slack(mech, v, a).slack - 1e-12)
    with pytest.raises(ValueError, match="multi-unit"):
        ss.best_response_value("all-pay", v[:, :, :1], a[:, :, :1])


def test_weak_smoothness_of_the_uniform_price_auction():
    """sec-03-fn15: the weak slack with (1 - 1/e, 0, 1) and willingness to pay B_i = sum of winning
    bids is never negative on random profiles, while the ordinary slack sometimes is; without
    overbidding sum_i B_i is at most the welfare of the auction's allocation."""
    rng = np.random.default_rng(4)
    v = -np.sort(-rng.uniform(0, 1, (2000, 3, 3)), axis=-1)
    a = -np.sort(-rng.uniform(0, 1.2, (2000, 3, 3)) * (rng.random((2000, 3, 3)) < 0.6), axis=-1)
    assert ss.weak_slack(v, a).min() >= -1e-12
    assert sm.slack("uniform-price", v, a).slack.min() < -0.1
    honest = ~ss.overbids(v, a).any(axis=-1)
    B = ss.willingness_to_pay("uniform-price", a).sum(-1)
    x, _ = sm.MECHANISMS["uniform-price"].run(a, 3)
    cum = np.concatenate([np.zeros((2000, 3, 1)), np.cumsum(v, axis=-1)], axis=-1)
    wel_x = np.take_along_axis(cum, x[..., None], -1)[..., 0].sum(-1)
    assert np.all(B[honest] <= wel_x[honest] + 1e-12)


def test_worst_slack_finds_a_planted_violation_and_nothing_below_zero():
    """The adversarial search: with lambda = 0.7 it finds a negative slack; with (1 - 1/e, 1) the
    smallest slack it finds is 0 up to rounding (reached at the zero bids)."""
    v = np.array([[1.0, 0.5], [0.7, 0.6]])
    for lam, negative in ((0.7, True), (LAM, False)):
        val, bids, ev = ss.worst_slack(
            lambda b, lam=lam: sm.slack("discriminatory", v, b, lam=lam).slack,
            (2, 2),
            1.0,
            seed=1,
            batch=300,
            starts=1,
            maxfev=60,
            extra_starts=(np.zeros((2, 2)),),
        )
        assert ev >= 300 and bids.shape == (2, 2) and np.all(np.diff(bids, axis=-1) <= 1e-12)
        assert (val < -0.01) if negative else (val > -1e-12)
    with pytest.raises(ValueError, match="scale"):
        ss.worst_slack(lambda b: b.sum((1, 2)), (2, 2), 0.0)


def test_worst_slack_finds_a_hidden_interior_minimum_away_from_its_starts():
    """sec-03-cor1: the local search, not the starting points, finds a minimum: an objective whose
    only minimum (-1) is at a hidden interior bid profile, which no random start hits; the search
    returns a profile within 0.02 of it, reached from a batch start it moved away from."""
    target = np.array([[0.83, 0.41, 0.2], [0.6, 0.55, 0.12]])

    def objective(b):
        return np.abs(b - target).sum(axis=(1, 2)) - 1.0

    val, bids, ev, info = ss.worst_slack(objective, (2, 3), 1.0, seed=5, batch=500, maxfev=200, details=True)
    assert np.abs(bids - target).max() < 0.02 and val < -0.95
    assert info["batch_best"] > -0.7 and info["start"].startswith("batch") and info["distance"] > 0.1


def test_planted_violations_found_from_random_bids():
    """sec-03-cor1: sc.planted starts from random bids only; every run finds a negative slack, and
    in most runs the local search moved from its start to a slack below the batch's best."""
    rows = sc.planted()
    assert len(rows) == 6 and all(r["slack"] < -0.01 for r in rows)
    moved = [r for r in rows if r["distance"] > 0 and r["slack"] < r["batch_best"] - 0.01]
    assert len(moved) >= 4
