r"""The lab's survey: the same small markets under each format, with resale.

Markets (:data:`MARKETS`):

* ``"Example 1"`` — Example 1 with :math:`m = 4`, discretised: A's second unit is worth 1 or 1.5,
  B's further units 0.1 (probability 7/8) or 1 (probability :math:`1/8 = 1/(2m)`, so that price 1
  is B's monopoly price, as in the paper), and the speculator C values nothing; chapter 2's
  Proposition 1 profile is added to the solver's starts;
* ``"speculator"`` — two buyers for two units (unit demand 2 or 1; two units at 1.5 or 0.5) and a
  speculator who values nothing;
* ``"random 1"``, ``"random 2"``, ``"random 3"`` — three bidders, two units, two equally likely
  types each, marginals drawn (seeded) from :math:`\{0.5, 1, 1.5, 2\}`.

Formats (:func:`formats`): the uniform-price auction (no bound with an aftermarket, Theorem 1);
the uniform-price auction with the balanced reserve :math:`p = \mathbb{E}[v(\mathrm{OPT}(v))]/(2m)`
(bound 1/2, Theorem 5; :math:`p` is added to the bid levels, since Theorem 5's deviation bids
exactly :math:`p`); the discriminatory auction (bound :math:`1 - 1/e`, Corollary 1); the posted
price :math:`p` with a random arrival order (bound 1/2, Theorem 4 with Claim 1's balanced price).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .._checks import generator
from ..display import Table, table
from .market import FiniteMarket, bid_grid, discriminatory, posted_price, uniform_price
from .solver import LabGame, Result, solve

__all__ = ["MARKETS", "LEVELS", "SHORT", "SurveyMarket", "market", "formats", "SurveyRow", "survey", "pivot"]

#: Bid levels of the survey's grids (0 is always included).
LEVELS = (0.5, 1.0, 1.5, 2.0)

#: Short column titles of the formats, for tables that fit a phone.
SHORT = {
    "uniform": "uniform",
    "uniform + balanced reserve": "reserve",
    "discriminatory": "pay-as-bid",
    "posted balanced price": "posted",
}


@dataclass(frozen=True)
class SurveyMarket:
    """A market of the survey.

    Attributes
    ----------
    name : str
    market : FiniteMarket
    levels : tuple of float
        Bid levels of the grids (0 is always included).
    speculator : int or None
        Index of the bidder who values nothing, if any.
    planted : dict
        Extra named starting profiles for the bid formats, as bid vectors per bidder and type
        (mapped to each format's grid).
    """

    name: str
    market: FiniteMarket
    levels: tuple
    speculator: int | None = None
    planted: dict = field(default_factory=dict)

    def starts(self, game: LabGame, seed=0, random_starts=1) -> dict:
        """The game's named and random starts, and the planted profiles when the format has bids."""
        out = game.starts(seed, random_starts)
        if game.fmt.kind == "posted":
            return out
        grid = game.fmt.actions
        for name, profile in self.planted.items():
            out[name] = [
                np.array([int(np.flatnonzero((grid == np.asarray(b, float)).all(axis=1))[0]) for b in bids])
                for bids in profile
            ]
        return out


def _example1() -> SurveyMarket:
    a = np.array([[2, 1.0, 0, 0], [2, 1.5, 0, 0]])
    b = np.array([[2, 0.1, 0.1, 0.1], [2, 1.0, 1.0, 1.0]])
    mk = FiniteMarket([a, b, np.zeros((1, 4))], [[0.5, 0.5], [7 / 8, 1 / 8], [1.0]], names=("A", "B", "C"))
    one = [2, 0, 0, 0]
    prop1 = [[one, one], [one, one], [[1, 1, 0, 0]]]  # chapter 2's Proposition 1 profile
    return SurveyMarket("Example 1", mk, (1.0, 2.0), 2, {"Proposition 1": prop1})


def _speculator() -> SurveyMarket:
    values = [[[2.0, 0.0], [1.0, 0.0]], [[1.5, 1.5], [0.5, 0.5]], [[0.0, 0.0]]]
    mk = FiniteMarket(values, [[0.5, 0.5], [0.5, 0.5], [1.0]], names=("1", "2", "S"))
    return SurveyMarket("speculator", mk, LEVELS, 2)


def _random(seed) -> SurveyMarket:
    rng = generator(seed)
    values = [-np.sort(-rng.choice(LEVELS, size=(2, 2)), axis=1) for _ in range(3)]
    return SurveyMarket(f"random {seed}", FiniteMarket(values, [[0.5, 0.5]] * 3), LEVELS)


#: name -> constructor of the :class:`SurveyMarket`.
MARKETS = {
    "Example 1": _example1,
    "speculator": _speculator,
    "random 1": lambda: _random(1),
    "random 2": lambda: _random(2),
    "random 3": lambda: _random(3),
}


def market(name: str) -> SurveyMarket:
    """The survey's market ``name`` (one of :data:`MARKETS`)."""
    if name not in MARKETS:
        raise ValueError(f"market must be one of {list(MARKETS)}, got {name!r}")
    return MARKETS[name]()


def formats(mk: FiniteMarket, levels) -> list:
    """The survey's four formats for ``mk`` on the bid ``levels``, with the balanced price of ``mk``:
    uniform price, uniform price with the balanced reserve (``p`` added to the levels),
    discriminatory, and the posted balanced price in a random order."""
    m = mk.m
    p = mk.expected_optimal_welfare() / (2 * m)
    return [
        replace(uniform_price(bid_grid(m, levels)), name="uniform"),
        replace(
            uniform_price(bid_grid(m, [*levels, p]), reserve=p),
            name="uniform + balanced reserve",
            bound=0.5,
        ),
        discriminatory(bid_grid(m, levels)),
        replace(posted_price(m, p, random_order=True, bound=0.5), name="posted balanced price"),
    ]


@dataclass(frozen=True)
class SurveyRow:
    """One market under one format: every profile the solver returned, and the equilibria.

    Attributes
    ----------
    market, format : str
    bound : float or None
        The paper's welfare guarantee for the format (fraction of the optimum).
    price : float
        The balanced price (the reserve, or the posted price).
    results : tuple of Result
        Every distinct profile returned from the starts, with its regret.
    speculator : int or None
        Index of the market's speculator.
    """

    market: str
    format: str
    bound: float | None
    price: float
    results: tuple
    speculator: int | None

    @property
    def equilibria(self) -> list:
        """The results whose regret is at most 1e-9 (pure equilibria of the discretised game)."""
        return [r for r in self.results if r.is_equilibrium(1e-9)]

    def worst(self) -> Result | None:
        """The equilibrium with the lowest welfare (``None`` if none was found)."""
        eq = self.equilibria
        return min(eq, key=lambda r: r.welfare) if eq else None

    def best(self) -> Result | None:
        """The equilibrium with the highest welfare."""
        eq = self.equilibria
        return max(eq, key=lambda r: r.welfare) if eq else None


def survey(names=None, seed=0, random_starts=1, fp_iter=60) -> list:
    """Solve every market of ``names`` (default all of :data:`MARKETS`) under every format.

    Each game is solved by :func:`~aftermarkets.lab.solver.solve` from its named starts and
    ``random_starts`` random ones (seeded by ``seed``); fictitious play, when best response cycles,
    runs at most ``fp_iter`` rounds.

    Returns
    -------
    list of SurveyRow
    """
    rows = []
    for name in names or list(MARKETS):
        sm = market(name)
        for fmt in formats(sm.market, sm.levels):
            game = LabGame(sm.market, fmt)
            starts = sm.starts(game, seed, random_starts)
            found = solve(game, starts=starts, fp_iter=fp_iter)
            rows.append(SurveyRow(name, fmt.name, fmt.bound, fmt.reserve, tuple(found), sm.speculator))
    return rows


def pivot(rows, stat, spec: str = ".3f", missing: str = "none") -> Table:
    """A markets x formats table of ``stat(row)`` (a number, a string, or ``None`` for ``missing``).

    Parameters
    ----------
    rows : list of SurveyRow
    stat : callable
        ``SurveyRow -> float | str | None``.
    spec : str
        Format spec of the numbers.
    missing : str
        Shown where ``stat`` returns ``None``.
    """
    names = list(dict.fromkeys(r.market for r in rows))
    fmts = list(dict.fromkeys(r.format for r in rows))
    cell = {(r.market, r.format): stat(r) for r in rows}

    def show(x):
        if x is None:
            return missing
        return x if isinstance(x, str) else format(x, spec)

    columns = {"market": names}
    for f in fmts:
        columns[SHORT.get(f, f)] = [show(cell.get((n, f))) for n in names]
    out = table(columns)
    out.align = ["l"] + ["r"] * len(fmts)
    return out
