r"""Appendix B.2: no equilibrium bid of Example 1 is weakly dominated (Definition 6).

A bid is weakly dominated when another bid is never worse against any bids of the others and
strictly better against some. To show the equilibrium bid :math:`b_i` is *not* weakly dominated,
it suffices to exhibit, for every alternative :math:`b_i'`, one profile of the others' bids (a
*witness*) against which :math:`b_i` does strictly better. Payoffs are those implied by the
resale market, with the speculator's exact optimal price (the alternative gets the tie-break most
favourable to it). :func:`witnesses` computes one representative per class of alternatives, as
the paper's proof does; :func:`scan` sorts a whole family of alternatives into the classes and
builds each one's witness from the alternative itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import whole_number

__all__ = ["Witness", "DominanceClass", "witnesses", "scan", "low_bid_margin"]


@dataclass(frozen=True)
class Witness:
    """A profile of the other agents against which the equilibrium bid strictly beats a class of
    alternatives (Appendix B.2, Definition 6).

    Attributes
    ----------
    agent : str
    alternative : str
        The class of alternative bids and the representative used.
    profile : str
        The others' bids.
    equilibrium_utility, alternative_utility : float
        Exact expected utilities (speculator's resale price: her exact optimum).
    worst_type_margin : float
        Smallest (equilibrium - alternative) over a grid of the agent's own type (A and B), or
        the expected margin (C, who has no private type).
    in_paper : bool
        Whether the paper names this witness.
    """

    agent: str
    alternative: str
    profile: str
    equilibrium_utility: float
    alternative_utility: float
    worst_type_margin: float
    in_paper: bool

    @property
    def margin(self) -> float:
        """Expected advantage of the equilibrium bid."""
        return self.equilibrium_utility - self.alternative_utility


@dataclass(frozen=True)
class DominanceClass:
    """Every alternative of one class checked against the witness profile built for it
    (:func:`scan`).

    Attributes
    ----------
    agent : str
    alternative_class : str
        The class of alternative bids.
    witness : str
        How the others' bids are built from each alternative.
    count : int
        Alternatives of the family that fall in this class.
    smallest_margin : float
        Smallest advantage of the equilibrium bid over the class: for A and B the minimum of the
        expected margin and the margins at each own type of a grid; for C the expected margin.
        The equilibrium bid gets the speculator's least favourable optimal price, the
        alternative the most favourable one.
    worst_alternative : numpy.ndarray
        The alternative with the smallest margin.
    in_paper : bool
        Whether the paper's argument covers this class.
    """

    agent: str
    alternative_class: str
    witness: str
    count: int
    smallest_margin: float
    worst_alternative: np.ndarray
    in_paper: bool


def witnesses(ex, eps=None) -> list:
    """Witness profiles of Appendix B.2 (and the cases the paper leaves out).

    For each class of alternative bids, a profile of the other two agents against which the
    equilibrium bid does strictly better. A and B: a first-unit bid below 2 (the others bid
    ``y`` strictly between it and 2 on every unit), above 2 (the others bid ``y`` between 2
    and it), a positive second bid (the other buyer bids 2 on ``m - 1`` units). C: fewer
    than ``m - 2`` positive bids (A bids ``eps`` on two units, B bids 1 on one), a bid
    ``b < 1`` (A bids ``b + eps`` on two units, B 1 on one), a positive bid on unit
    ``m - 1`` (the equilibrium profile), a bid above 1 (B bids ``y`` in ``(1, c)`` on every
    unit).

    Parameters
    ----------
    ex : Example1
        The instance.
    eps : float, optional
        Small bid increment (default ``0.1 / m``).

    Returns
    -------
    list of Witness
    """
    m = ex.m
    eps = 0.1 / m if eps is None else float(eps)
    eq = ex.bids()

    def vec(*parts):
        v = np.zeros(m)
        j = 0
        for x, k in parts:
            v[j : j + k] = x
            j += k
        return v

    cases = []
    # (agent, alternative description, alternative bid, others {idx: bid}, profile text, in paper)
    for i, other in ((0, 1), (1, 0)):
        on = ex.AGENTS[other]
        cases += [
            (
                i,
                "first-unit bid x = 1.5 < 2",
                vec((1.5, 1)),
                {other: vec((1.75, m)), 2: vec()},
                f"{on} bids y = 1.75 on all {m} units, C bids 0",
                True,
            ),
            (
                i,
                "first-unit bid x = 3 > 2 (overbidding)",
                vec((3.0, 1)),
                {other: vec((2.5, m)), 2: vec()},
                f"{on} bids y = 2.5 on all {m} units, C bids 0",
                False,
            ),
            (
                i,
                "positive second bid (2, 0.5)",
                vec((2.0, 1), (0.5, 1)),
                {other: vec((2.0, m - 1)), 2: vec()},
                f"{on} bids 2 on {m - 1} units, C bids 0",
                True,
            ),
            (
                i,
                "positive second bid (2, 2)",
                vec((2.0, 2)),
                {other: vec((2.0, m - 1)), 2: vec()},
                f"{on} bids 2 on {m - 1} units, C bids 0",
                True,
            ),
        ]
    b = 0.5
    cases += [
        (
            2,
            f"fewer units: 1 on {m - 3}",
            vec((1.0, m - 3)),
            {0: vec((eps, 2)), 1: vec((1.0, 1))},
            f"A bids eps = {eps:g} on two units, B bids 1 on one unit",
            True,
        ),
        (
            2,
            f"a bid b = {b} < 1 on unit {m - 2}",
            vec((1.0, m - 3), (b, 1)),
            {0: vec((b + eps, 2)), 1: vec((1.0, 1))},
            f"A bids b + eps = {b + eps:g} on two units, B bids 1 on one unit",
            True,
        ),
        (
            2,
            f"a bid b = {b} < 1 on all {m - 2} units",
            vec((b, m - 2)),
            {0: vec((b + eps, 2)), 1: vec((1.0, 1))},
            f"A bids b + eps = {b + eps:g} on two units, B bids 1 on one unit",
            True,
        ),
        (
            2,
            f"positive bid 0.5 on unit {m - 1}",
            vec((1.0, m - 2), (0.5, 1)),
            {0: eq[0], 1: eq[1]},
            "A and B play their equilibrium bids",
            True,
        ),
        (
            2,
            f"1 on {m - 1} units",
            vec((1.0, m - 1)),
            {0: eq[0], 1: eq[1]},
            "A and B play their equilibrium bids",
            True,
        ),
        (
            2,
            f"overbidding: 1.5 on {m - 2} units",
            vec((1.5, m - 2)),
            {0: eq[0], 1: vec((1.25, m))},
            f"A bids 2 on one unit, B bids y = 1.25 on all {m} units",
            False,
        ),
    ]
    out = []
    for i, desc, alt, others, text, paper in cases:
        prof_eq = np.zeros((3, m))
        for j, v in others.items():
            prof_eq[j] = v
        prof_eq[i] = eq[i]
        prof_alt = prof_eq.copy()
        prof_alt[i] = alt
        both = np.stack([prof_eq, prof_alt])
        u = ex.expected_payoffs(both, "optimal-low")[:, i]
        u2 = ex.expected_payoffs(both, "optimal-high")[:, i]
        if i == 2:
            worst = float(u[0] - u[1])
        else:
            grid = (
                np.linspace(ex.second_unit.low, ex.second_unit.high, 6)
                if i == 0
                else np.linspace(0.0, ex.z.top, 6)
            )
            key = "U" if i == 0 else "z"
            worst = min(
                float(
                    np.min(
                        [
                            (lambda v: v[0] - v[1])(ex.expected_payoffs(both, r, **{key: t})[:, i])
                            for t in grid
                        ]
                    )
                )
                for r in ("optimal-low", "optimal-high")
            )
        # the alternative gets the tie-break most favourable to it
        out.append(
            Witness(ex.AGENTS[i], desc, text, float(min(u[0], u2[0])), float(max(u[1], u2[1])), worst, paper)
        )
    return out


def scan(ex, alternatives=None, grid_points=6) -> list:
    r"""Check every alternative bid against the witness profile of its class (Appendix B.2).

    :func:`witnesses` computes one representative per class; this method takes a
    whole family of alternatives, sorts each into its class and builds the witness from the
    alternative itself, as the paper's argument does:

    * A (B symmetric; the other buyer is B): first-unit bid :math:`x < 2` — the other buyer
      bids :math:`y = (x + 2)/2` on every unit; :math:`x > 2` — the same :math:`y`, now in
      :math:`(2, x)`; :math:`x = 2` and a positive second bid — the other buyer bids 2 on
      :math:`m - 1` units. C bids 0.
    * C: a positive bid on unit :math:`m - 1` (or :math:`m`) — A and B play their equilibrium
      bids; fewer than :math:`m - 2` positive bids — A bids :math:`\varepsilon = 0.1/m` on two
      units, B bids 1 on one; :math:`m - 2` positive bids, the smallest :math:`b < 1` — A
      bids :math:`b + \varepsilon` on two units with :math:`\varepsilon = (1 - b)/(2m)`,
      B 1 on one (the margin is :math:`1 - b - (m - 2)\varepsilon` on the path's holdings,
      so :math:`\varepsilon` must be below :math:`(1 - b)/(m - 2)`); all :math:`m - 2`
      bids at least 1 and some above 1 — A bids 2 on one unit and B bids
      :math:`y = (1 + \max c')/2` on every unit.

    Parameters
    ----------
    ex : Example1
        The instance.
    alternatives : array_like, optional
        Shape ``(S, m)`` standard bids (default ``ex.deviation_bids()``); the equilibrium bid of
        each agent is skipped for that agent.
    grid_points : int, optional
        Own types checked one by one for A (``U``) and B (``z``).

    Returns
    -------
    list of DominanceClass
        Three classes for A, three for B, four for C (a class with no member is omitted).
    """
    m = ex.m
    alts = ex.deviation_bids() if alternatives is None else np.asarray(alternatives, dtype=float)
    if alts.ndim != 2 or alts.shape[1] != m:
        raise ValueError(f"alternatives must have shape (S, m={m}), got {alts.shape}")
    if np.any(alts < 0) or np.any(np.diff(alts, axis=1) > 0):
        raise ValueError("alternatives must be non-negative and non-increasing along each row")
    n_grid = whole_number(grid_points, "grid_points", 1)
    eq = ex.bids()
    rules = ("optimal-low", "optimal-high")

    def margins(i, others, chosen, key=None, grid=()):
        S = len(chosen)
        prof_eq = others.copy()
        prof_eq[:, i] = eq[i]
        prof_alt = others.copy()
        prof_alt[:, i] = chosen
        both = np.concatenate([prof_eq, prof_alt])
        out = np.full(S, np.inf)
        for kw in [{}] + [{key: t} for t in grid]:
            u = np.array([ex.expected_payoffs(both, r, **kw)[:, i] for r in rules])
            out = np.minimum(out, u[:, :S].min(axis=0) - u[:, S:].max(axis=0))
        return out

    result = []
    for i, o in ((0, 1), (1, 0)):
        keep = ~np.all(alts == eq[i], axis=1)
        chosen = alts[keep]
        x = chosen[:, 0]
        others = np.zeros((len(chosen), 3, m))
        y = (x + 2.0) / 2.0
        cls = np.where(x < 2, 0, np.where(x > 2, 1, 2))
        others[:, o] = np.where((cls < 2)[:, None], y[:, None], 0.0)
        others[cls == 2, o, : m - 1] = 2.0
        grid = (
            np.linspace(ex.second_unit.low, ex.second_unit.high, n_grid)
            if i == 0
            else np.linspace(0.0, ex.z.top, n_grid)
        )
        mg = margins(i, others, chosen, "U" if i == 0 else "z", grid)
        on = ex.AGENTS[o]
        names = (
            ("first-unit bid x < 2", f"{on} bids (x + 2)/2 on every unit", True),
            ("first-unit bid x > 2 (overbidding)", f"{on} bids (x + 2)/2 on every unit", False),
            ("first-unit bid 2, positive second bid", f"{on} bids 2 on m - 1 units", True),
        )
        for c, (desc, wit, paper) in enumerate(names):
            sel = cls == c
            if sel.any():
                j = int(np.argmin(np.where(sel, mg, np.inf)))
                result.append(
                    DominanceClass(ex.AGENTS[i], desc, wit, int(sel.sum()), float(mg[j]), chosen[j], paper)
                )
    # C
    keep = ~np.all(alts == eq[2], axis=1)
    chosen = alts[keep]
    npos = np.sum(chosen > 0, axis=1)
    low = chosen[:, : m - 2].min(axis=1)
    cls = np.where(chosen[:, m - 2] > 0, 0, np.where(npos < m - 2, 1, np.where(low < 1, 2, 3)))
    others = np.zeros((len(chosen), 3, m))
    others[cls == 0, 0] = eq[0]
    others[cls == 0, 1] = eq[1]
    others[cls == 1, 0, :2] = 0.1 / m
    others[cls == 1, 1, 0] = 1.0
    b = low[cls == 2]
    others[cls == 2, 0, :2] = (b + (1.0 - b) / (2 * m))[:, None]
    others[cls == 2, 1, 0] = 1.0
    others[cls == 3, 0, 0] = 2.0
    others[cls == 3, 1] = ((1.0 + chosen[cls == 3].max(axis=1)) / 2.0)[:, None]
    mg = margins(2, others, chosen)
    names = (
        ("positive bid on unit m - 1 or m", "A and B play their equilibrium bids", True),
        ("fewer than m - 2 positive bids", "A bids 0.1/m on two units, B bids 1 on one", True),
        ("m - 2 bids, smallest b < 1", "A bids b + (1 - b)/(2m) on two units, B bids 1 on one", True),
        (
            "m - 2 bids >= 1, some above 1 (overbidding)",
            "A bids 2 on one unit, B bids (1 + max bid)/2 on every unit",
            False,
        ),
    )
    for c, (desc, wit, paper) in enumerate(names):
        sel = cls == c
        if sel.any():
            j = int(np.argmin(np.where(sel, mg, np.inf)))
            result.append(DominanceClass("C", desc, wit, int(sel.sum()), float(mg[j]), chosen[j], paper))
    return result


def low_bid_margin(ex, b, eps) -> float:
    r"""The paper's witness for C's bid :math:`b < 1` on her :math:`m - 2` units, tried exactly.

    Against A bidding :math:`b + \varepsilon` on two units and B bidding 1 on one unit, returns
    C's expected utility from her equilibrium bid minus that from bidding :math:`b` on
    :math:`m - 2` units (resale at her optimal price). Positive means the witness works. When
    :math:`b + \varepsilon < 1` the margin is :math:`1 - b - (m - 2)\varepsilon`, so the paper's
    "small" :math:`\varepsilon` must be below :math:`(1 - b)/(m - 2)`.
    """
    prof = np.zeros((2, 3, ex.m))
    prof[:, 0, :2] = b + eps
    prof[:, 1, 0] = 1.0
    prof[0, 2] = ex.bids()[2]
    prof[1, 2, : ex.m - 2] = b
    u = ex.expected_payoffs(prof)[:, 2]
    return float(u[0] - u[1])
