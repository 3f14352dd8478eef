"""Chapter 2 (``book/02_uniform_price_speculation.ipynb``): numbers stated in its prose and
exercises and its statement boxes.

Library behaviour is tested in ``test_example1.py``, ``test_resale.py``, ``test_dominance.py`` and
``test_example4.py``; the ledger entries by the ledger page (``book/ledger.ipynb``, under nbval).
Test docstrings in those files cite the chapter's labels; ``test_notebooks.py`` checks that every
cited label exists and every glued name is defined.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import aftermarkets as am
from aftermarkets import Example1

MS = (4, 5, 10, 100, 1000)


def _quad_mean_z(ex):
    z = ex.z
    return (
        integrate.quad(lambda t: 1 - z.cdf(t), 0, 1, limit=400)[0]
        + integrate.quad(lambda t: 1 - z.cdf(t), 1, z.top)[0]
    )


def test_smallest_m_with_poa_above_one_and_a_half_and_two():
    """sec-02-poa (and ledger thm1-poa): the smallest whole m with PoA > 1.5 is 440 and with PoA > 2 is
    134,195, checking every m from 4 up with the closed forms and the integer below with Example1."""
    ms = np.arange(4, 134_196)
    poa = Example1.closed_forms(ms)["price_of_anarchy"]
    assert int(ms[np.argmax(poa > 1.5)]) == 440
    assert int(ms[np.argmax(poa > 2.0)]) == 134_195
    assert Example1(439).price_of_anarchy() <= 1.5 < Example1(440).price_of_anarchy()
    assert Example1(134_194).price_of_anarchy() <= 2.0 < Example1(134_195).price_of_anarchy()


def test_exercise_3_smallest_m_with_poa_above_two_and_a_half():
    """ex-02-3: the root of PoA(m) = 2.5 is about 4.2e7 and the smallest whole m is 42,154,574."""
    from scipy import optimize

    root = optimize.brentq(
        lambda x: float(Example1.closed_forms(x)["price_of_anarchy"]) - 2.5, 4, 1e30, xtol=1e-12, rtol=1e-15
    )
    assert math.ceil(root) == 42_154_574
    assert Example1(42_154_573).price_of_anarchy() <= 2.5 < Example1(42_154_574).price_of_anarchy()
    assert 0.5 * math.exp(18.25) == pytest.approx(root, rel=1e-5)  # the asymptotic check in the solution


@pytest.mark.parametrize("m", (4, 10, 100))
def test_exercise_2_reversed_resale_order(m):
    """ex-02-2: with resale to B first, E[Wel] = 4 + (m-2)(1/(2m) + 1/(8m^2)) + (5/4)(1 - 1/(2m)), lower
    than the paper's order by (m-1)/(8m^2); C's revenue is still 1 + (m-3)/(2m); Pr[z > U] = 1/(4m^2).

    Exact through the library's mechanisms: the resale decisions depend only on whether z >= 1, and
    welfare and payments are linear in (U, z) within each cell, so the market run at the conditional
    means of the two cells, weighted, gives the expectation."""
    ex = Example1(m)
    h = 1 / (2 * m)
    p_top = 1 - float(ex.z.cdf(1.0))  # Pr[z >= 1] = h
    z_top = integrate.quad(lambda t: t, 1.0, ex.z.top)[0] / p_top  # E[z | z >= 1]
    z_low = (ex.expected_z() - p_top * z_top) / (1 - p_top)  # E[z | z < 1]
    values = ex.values(np.array([1.25, 1.25]), np.array([z_top, z_low]))
    out = am.combined_market(
        values, ex.auction(), lambda v, x: am.take_it_or_leave_it(v, x, seller=2, price=1.0, order=(1, 0))
    )
    w = np.array([p_top, 1 - p_top])
    welfare = float(w @ out.welfare)
    closed = 4 + (m - 2) * (h + h * h / 2) + 1.25 * (1 - h)
    assert welfare == pytest.approx(closed, abs=1e-12)
    assert float(w @ out.utilities[:, 2]) == pytest.approx(1 + (m - 3) / (2 * m), abs=1e-12)
    gap = ex.expected_equilibrium_welfare() - closed
    assert gap == pytest.approx((m - 1) / (8 * m * m), abs=1e-12) and gap > 0
    pr = integrate.quad(lambda u: 2 * (1 - float(ex.z.cdf(u))), 1.0, 1.5, points=[ex.z.top])[
        0
    ]  # U has density 2
    assert pr == pytest.approx(1 / (4 * m * m), abs=1e-12)
    # and Monte Carlo of the same market agrees
    v = ex.sample_values(200_000, seed=m)
    mc = am.combined_market(
        v, ex.auction(), lambda vv, x: am.take_it_or_leave_it(vv, x, seller=2, price=1.0, order=(1, 0))
    ).welfare
    assert abs(mc.mean() - closed) < 5 * mc.std() / math.sqrt(mc.size)
