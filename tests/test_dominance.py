"""Tests of ``aftermarkets.instances.dominance``: no equilibrium bid of Example 1 is weakly
dominated (Appendix B.2; Chapter 2, ``sec-02-witnesses``)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from aftermarkets import Example1, bid_family
from aftermarkets.instances.speculation import DEVIATION_LEVELS

MS = (4, 5, 10, 100, 1000)


def _quad_mean_z(ex):
    z = ex.z
    return (
        integrate.quad(lambda t: 1 - z.cdf(t), 0, 1, limit=400)[0]
        + integrate.quad(lambda t: 1 - z.cdf(t), 1, z.top)[0]
    )


def test_dominance_witnesses_are_strict():
    """sec-02-witnesses: each equilibrium bid is strictly better than the alternative at its witness."""
    for m in (4, 10, 50):
        w = Example1(m).dominance_witnesses()
        assert len(w) == 14
        for x in w:
            assert x.margin > 1e-6 and x.worst_type_margin > 1e-6, x


@pytest.mark.parametrize("m", (4, 6, 10))
def test_dominance_scan_every_alternative_of_the_family(m):
    """sec-02-witnesses: every alternative of the bid family, against the witness built for its class,
    does strictly worse than the equilibrium bid (A and B also type by type)."""
    scan = Example1(m).dominance_scan()
    assert {c.agent for c in scan} == {"A", "B", "C"} and len(scan) == 10
    n_alt = len(bid_family(m, DEVIATION_LEVELS))
    for agent in "ABC":
        assert sum(c.count for c in scan if c.agent == agent) == n_alt - 1  # all but the equilibrium bid
    for c in scan:
        assert c.smallest_margin > 1e-6, c


def test_dominance_scan_needs_a_small_epsilon_for_low_bids():
    """sec-02-witnesses: against A at b + eps on two units and B at 1 on one, C's equilibrium bid beats
    'b on all m - 2 units' by 1 - b - (m-2) eps on the path's holdings: positive for eps < (1-b)/(m-2)
    and negative above, so the paper's 'small eps' must be small enough."""
    m, b = 10, 0.99
    ex = Example1(m)
    for eps, sign in (((1 - b) / (2 * m), 1), (0.1 / m, -1)):
        others = np.zeros((3, m))
        others[0, :2] = b + eps
        others[1, 0] = 1.0
        prof = np.stack([others, others])
        prof[0, 2] = ex.bids()[2]
        prof[1, 2, : m - 2] = b
        u = ex.expected_payoffs(prof)[:, 2]
        assert u[0] - u[1] == pytest.approx(1 - b - (m - 2) * eps, abs=1e-12)
        assert np.sign(u[0] - u[1]) == sign


def test_dominance_scan_rejects_bad_alternatives():
    """Bad alternative families are ValueErrors."""
    with pytest.raises(ValueError, match="alternatives"):
        Example1(5).dominance_scan(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="non-increasing"):
        Example1(5).dominance_scan(np.array([[0.0, 1.0, 0.0, 0.0, 0.0]]))
