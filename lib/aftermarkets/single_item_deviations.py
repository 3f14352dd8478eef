r"""The single-item deviations behind Table 1's first rows, derived (Section 4, Appendix A.3).

* :func:`first_price_symbolic` — the first-price deviation (Roughgarden, 2012; Syrgkanis and Tardos,
  2013): a bid :math:`b` with density :math:`1/(v - b)` on :math:`[0, (1 - 1/e)v]`. Against a
  highest competing bid :math:`B`, sympy gives :math:`\mathbf{E}[u] = (1 - 1/e)v - B` for :math:`B
  \le (1 - 1/e)v` and 0 above, so :math:`\mathbf{E}[u] \ge (1 - 1/e)v - B` with equality on a whole
  interval;
* :func:`all_pay_symbolic` — the all-pay deviation, a bid uniform on :math:`[0, v]`:
  :math:`\mathbf{E}[u] = v/2 - B` for :math:`B \le v` and :math:`-v/2` above;
* :func:`best_constant_lp` — the largest :math:`\lambda` that *any* deviation achieves with
  :math:`\mu = 1` on a grid of bids, by linear programming; it tends to :math:`1 - 1/e` and
  :math:`1/2`, and its optimal distribution to the first-price density.

The numeric versions of these utilities are :func:`aftermarkets.smoothness.single_item_utility`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["first_price_symbolic", "all_pay_symbolic", "best_constant_lp"]


def first_price_symbolic() -> dict:
    r"""The first-price deviation in sympy: density :math:`1/(v-b)` on :math:`[0, (1-1/e)v]`.

    Returns a dict of sympy expressions in positive symbols ``v`` and ``B`` (the highest competing
    bid): ``density``, ``mass`` (1), ``utility_below`` (:math:`\mathbf{E}[u]` for
    :math:`B \le (1-1/e)v`), ``utility_above`` (0), ``slack_below`` and ``slack_above`` (the
    expected utility minus :math:`(1-1/e)v - B`), and ``lam`` (:math:`1 - 1/e`).
    """
    v, B, b = sp.symbols("v B b", positive=True)
    lam = 1 - sp.exp(-1)
    density = 1 / (v - b)
    top = lam * v
    mass = sp.simplify(sp.integrate(density, (b, 0, top)))
    below = sp.simplify(sp.integrate((v - b) * density, (b, B, top)))
    return {
        "v": v,
        "B": B,
        "b": b,
        "lam": lam,
        "density": density,
        "top": top,
        "mass": mass,
        "utility_below": below,
        "utility_above": sp.Integer(0),
        "slack_below": sp.simplify(below - (lam * v - B)),
        "slack_above": sp.simplify(0 - (lam * v - B)),
    }


def all_pay_symbolic() -> dict:
    r"""The all-pay deviation in sympy: the bid uniform on :math:`[0, v]`.

    Same keys as :func:`first_price_symbolic`, with ``lam`` :math:`= 1/2`; ``utility_above`` is the
    expected utility when :math:`B > v` (:math:`-v/2`).
    """
    v, B, b = sp.symbols("v B b", positive=True)
    lam = sp.Rational(1, 2)
    density = 1 / v
    pay = sp.integrate(b * density, (b, 0, v))
    below = sp.simplify(sp.integrate(v * density, (b, B, v)) - pay)
    above = sp.simplify(-pay)
    return {
        "v": v,
        "B": B,
        "b": b,
        "lam": lam,
        "density": density,
        "top": v,
        "mass": sp.integrate(density, (b, 0, v)),
        "utility_below": below,
        "utility_above": above,
        "slack_below": sp.simplify(below - (lam * v - B)),
        "slack_above": sp.simplify(above - (lam * v - B)),
    }


def best_constant_lp(kind: str = "first-price", grid: int = 200) -> tuple:
    r"""The largest :math:`\lambda` any single-item deviation achieves with :math:`\mu = 1`, by LP.

    With value 1, a deviation is a distribution :math:`g` on the bids :math:`\{0, h, 2h, \dots\}`
    (:math:`h = 1/\text{grid}`); the LP maximises :math:`\lambda` subject to
    :math:`\mathbf{E}_g[u(b; B)] + B \ge \lambda` for every competing bid :math:`B` of the grid
    (a bid wins iff it exceeds :math:`B`). As the grid refines the optimum tends to
    :math:`1 - 1/e` (first price) and :math:`1/2` (all pay).

    Returns
    -------
    tuple
        ``(lambda, g)``: the optimum and the optimal distribution over the bid grid.
    """
    if kind not in ("first-price", "all-pay"):
        raise ValueError(f"kind must be 'first-price' or 'all-pay', got {kind!r}")
    grid = int(grid)
    if grid < 2:
        raise ValueError("grid must be at least 2")
    from scipy.optimize import linprog

    bids = np.arange(grid + 1) / grid
    B = bids  # competing bids
    win = bids[None, :] > B[:, None]  # (B, b)
    util = win * 1.0 - (bids[None, :] if kind == "all-pay" else win * bids[None, :])
    # variables: g (grid + 1), lambda; maximise lambda <=> minimise -lambda
    c = np.zeros(grid + 2)
    c[-1] = -1.0
    A_ub = np.hstack([-util, np.ones((len(B), 1))])  # lambda - E[u] <= B
    b_ub = B
    A_eq = np.zeros((1, grid + 2))
    A_eq[0, :-1] = 1.0
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=[(0, None)] * (grid + 2))
    if not res.success:  # pragma: no cover - the LP is feasible and bounded
        raise RuntimeError(res.message)
    return float(res.x[-1]), res.x[:-1]
