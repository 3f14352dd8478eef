r"""A grid probe of footnote 22: are there non-monotone equilibria of the combined market?

Footnote 22 of the paper conjectures that Theorem 7 holds without assuming monotone bids. This
module searches for a counterexample on a grid: the two i.i.d. values are :math:`N` types
:math:`v_n = (n + \tfrac12)/N` of equal mass :math:`1/N` (a quadrature of :math:`U[0, 1]`), bids
lie on a grid of :math:`M` levels, the auction is first-price (ties split evenly), only the winner
is revealed, and the winner resells with an optimal take-it-or-leave-it price (footnote 21's
market). A strategy is any map from types to bid levels, monotone or not; the posterior after
winning with bid :math:`\beta` is the set of opponent types bidding below :math:`\beta` (half
weight for ties), whatever its shape, and the optimal price against it is one of its types' values.

:meth:`GridGame.utilities` tabulates :math:`u_i(v_n, \beta_m)` against a profile;
:meth:`GridGame.best_response` and :meth:`GridGame.regret` follow; :func:`search` runs
step-limited best-response dynamics (every type that can gain moves her bid one level towards her
best bid) from given starting profiles, and reports the smallest regret among the monotone and
among the non-monotone profiles it visited, and whether the best responses met on the way were
monotone. Deterministic: no randomness once the starting profiles are given.

This is a probe, not the general finite-game solver of the companion's equilibrium lab: one
market, one grid, best-response dynamics only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import whole_number

__all__ = [
    "GridGame",
    "ProbeRun",
    "search",
    "run_rows",
    "response_census",
    "chapter_starts",
    "random_profiles",
]


@dataclass(frozen=True)
class GridGame:
    """First-price auction with seller-offer resale on a grid.

    Parameters
    ----------
    n_types : int
        Types per bidder (equal masses on the midpoints of ``[0, 1]``).
    n_bids : int
        Bid levels, equally spaced on ``[0, top]``.
    top : float
        Highest bid level.
    """

    n_types: int = 60
    n_bids: int = 61
    top: float = 0.6

    def __post_init__(self):
        whole_number(self.n_types, "n_types", 2)
        whole_number(self.n_bids, "n_bids", 2)
        if not self.top > 0:
            raise ValueError(f"top must be positive, got {self.top!r}")

    @property
    def values(self) -> np.ndarray:
        """The types :math:`v_n`."""
        return (np.arange(self.n_types) + 0.5) / self.n_types

    @property
    def bids(self) -> np.ndarray:
        """The bid levels."""
        return np.linspace(0.0, self.top, self.n_bids)

    def _check(self, s):
        s = np.asarray(s)
        if s.shape != (self.n_types,) or s.dtype.kind not in "iu" or s.min() < 0 or s.max() >= self.n_bids:
            raise ValueError(f"a strategy is {self.n_types} bid indices in 0..{self.n_bids - 1}")
        return s

    def _weights(self, s, level):
        """``w[m, k]``: weight of opponent type ``k`` in the event 'my bid level m beats hers'."""
        return ((s[None, :] < level[:, None]) + 0.5 * (s[None, :] == level[:, None])) / self.n_types

    def _best_sale(self, v_seller, weights):
        """Best take-it-or-leave-it price against posterior ``weights`` (rows) over opponent types.

        Returns ``(gain, prob, revenue)`` of shape ``(len(v_seller), rows)``: prices are the
        opponent types' values, or no sale.
        """
        v = self.values
        surv = np.cumsum(weights[:, ::-1], axis=1)[:, ::-1]  # weight of types >= v_k
        gain = (v[None, None, :] - v_seller[:, None, None]).clip(min=0.0) * surv[None, :, :]
        k = np.argmax(gain, axis=2)
        best = np.take_along_axis(gain, k[..., None], axis=2)[..., 0]
        prob = np.where(best > 0, surv[np.arange(surv.shape[0])[None, :], k], 0.0)
        return best, prob, prob * v[k]

    def utilities(self, own, other) -> np.ndarray:
        """``u[n, m]``: utility of my type ``n`` bidding level ``m`` when I am believed to play
        ``own`` and the opponent plays ``other``."""
        own, other = self._check(own), self._check(other)
        v, b = self.values, self.bids
        levels = np.arange(self.n_bids)
        w = self._weights(other, levels)  # (M, N)
        win = w.sum(axis=1)
        seller, _, _ = self._best_sale(v, w)  # (N, M)
        # the opponent, winning with type k, prices against her belief about me (my prescribed
        # strategy): p_k; I buy when my value is at least p_k
        theirs = self._weights(own, other)  # (k, l): weight of my type l below her bid
        surv = np.cumsum(theirs[:, ::-1], axis=1)[:, ::-1]
        g = (v[None, :] - v[:, None]).clip(min=0.0) * surv  # (k, l): her gain pricing at v_l
        price = np.where(g.max(axis=1) > 0, v[np.argmax(g, axis=1)], np.inf)
        lose = ((other[:, None] > levels[None, :]) + 0.5 * (other[:, None] == levels[None, :])) / self.n_types
        buyer = (v[:, None] - price[None, :]).clip(min=0.0) @ lose  # (N, M)
        return (v[:, None] - b[None, :]) * win[None, :] + seller + buyer

    def best_response(self, own, other) -> np.ndarray:
        """Each type's best bid level against ``other`` (lowest level among ties)."""
        return np.argmax(self.utilities(own, other), axis=1)

    def regret(self, own, other) -> float:
        """Largest gain of any type from deviating to another bid level."""
        u = self.utilities(own, other)
        return float((u.max(axis=1) - u[np.arange(self.n_types), self._check(own)]).max())


def _monotone(s) -> bool:
    return bool(np.all(np.diff(s) >= 0))


def _strictly_reversed(u, br, tol) -> bool:
    """Adjacent types ``n < n + 1`` with ``br[n] > br[n + 1]``, each strictly preferring her own."""
    n = np.flatnonzero(np.diff(br) < 0)
    if n.size == 0:
        return False
    own_lo = u[n, br[n]] - u[n, br[n + 1]]
    own_hi = u[n + 1, br[n + 1]] - u[n + 1, br[n]]
    return bool(np.any((own_lo > tol) & (own_hi > tol)))


@dataclass(frozen=True)
class ProbeRun:
    """What one run of step-limited best-response dynamics visited.

    Attributes
    ----------
    start : str
        Label of the starting profile.
    rounds : int
        Rounds run.
    first_monotone : int or None
        First round at which both strategies were non-decreasing (``None``: never).
    stays_monotone : bool
        Whether both strategies were non-decreasing at every round from ``first_monotone`` on
        (``False`` if never monotone).
    best_monotone, best_nonmonotone : float
        Smallest regret among the monotone profiles visited, and among the non-monotone ones
        (``inf`` if none was visited).
    final_regret : float
    final_monotone : bool
    nonmonotone_responses : int
        How many of the best responses computed were strictly non-monotone: two adjacent types,
        the lower bidding more, each strictly preferring her own best bid to the other's (so no
        tie-breaking makes the response monotone).
    final : tuple of numpy.ndarray
        The final strategies (bid levels).
    """

    start: str
    rounds: int
    first_monotone: int | None
    stays_monotone: bool
    best_monotone: float
    best_nonmonotone: float
    final_regret: float
    final_monotone: bool
    nonmonotone_responses: int
    final: tuple


def search(game: GridGame, starts: dict, rounds: int = 150, tol: float = 1e-9) -> list:
    """Step-limited best-response dynamics from each starting profile.

    In each round both bidders look at the current profile; every type whose best bid gains more
    than ``tol`` moves her bid one level towards it. The regret of every profile visited is
    recorded, separately for monotone and non-monotone profiles.

    Parameters
    ----------
    game : GridGame
    starts : dict of str to (array, array)
        Labelled starting profiles (bid levels per type for each bidder).
    rounds : int
    tol : float

    Returns
    -------
    list of ProbeRun
    """
    out = []
    idx = np.arange(game.n_types)
    for label, (s1, s2) in starts.items():
        s = [game._check(np.array(s1)), game._check(np.array(s2))]
        best = {True: np.inf, False: np.inf}
        first, bad, stays = None, 0, False
        for it in range(rounds + 1):
            tables = [game.utilities(s[i], s[1 - i]) for i in (0, 1)]
            brs = [np.argmax(u, axis=1) for u in tables]
            gains = [u[idx, b] - u[idx, si] for u, b, si in zip(tables, brs, s)]
            regret = float(max(g.max() for g in gains))
            mono = _monotone(s[0]) and _monotone(s[1])
            best[mono] = min(best[mono], regret)
            if mono and first is None:
                first, stays = it, True
            stays = stays and mono
            if it == rounds:
                break
            bad += sum(_strictly_reversed(u, b, tol) for u, b in zip(tables, brs))
            s = [np.where(g > tol, si + np.clip(b - si, -1, 1), si) for g, b, si in zip(gains, brs, s)]
        out.append(
            ProbeRun(label, rounds, first, stays, best[True], best[False], regret, mono, bad, (s[0], s[1]))
        )
    return out


def run_rows(runs) -> list:
    """Rows ``(start, best non-monotone regret, best monotone regret, strictly reversed responses,
    first monotone round)`` of :func:`search` results for :func:`aftermarkets.display.table_rows`
    (``–`` where a run visited no profile of that kind)."""
    cell = lambda x: "–" if np.isinf(x) else f"{x:.4f}"
    return [
        (
            r.start,
            cell(r.best_nonmonotone),
            cell(r.best_monotone),
            r.nonmonotone_responses,
            "never" if r.first_monotone is None else r.first_monotone,
        )
        for r in runs
    ]


def response_census(game: GridGame, profiles) -> dict:
    """How often the best response to a profile is monotone, or strictly reversed.

    Parameters
    ----------
    game : GridGame
    profiles : iterable of (array, array)
        ``(own, other)``: the strategy the responder is believed to play, and the opponent's.

    Returns
    -------
    dict
        ``profiles`` (how many), ``monotone`` (best responses that are non-decreasing, lowest
        bid among ties), ``reversed`` (strictly reversed: see :class:`ProbeRun`).
    """
    n = mono = rev = 0
    for own, other in profiles:
        u = game.utilities(own, other)
        br = np.argmax(u, axis=1)
        n += 1
        mono += _monotone(br)
        rev += _strictly_reversed(u, br, 1e-9)
    return {"profiles": n, "monotone": mono, "reversed": rev}


def chapter_starts(game: GridGame, seed=22) -> dict:
    """The chapter's starting profiles: :math:`v/2` rounded to the grid, the same reversed
    (decreasing), :math:`v/2` with the types in :math:`(0.3, 0.6)` reversed (for bidder 1), and
    three random profiles (bid levels drawn uniformly, seeded)."""
    step = game.top / (game.n_bids - 1)
    half = np.clip(np.rint(game.values / 2 / step).astype(int), 0, game.n_bids - 1)
    starts = {"v/2": (half, half), "decreasing": (half[::-1], half[::-1])}
    middle = (game.values > 0.3) & (game.values < 0.6)
    starts["reversed middle"] = (np.where(middle, half[::-1], half), half)
    rng = np.random.default_rng(seed)
    for r in range(3):
        starts[f"random {r + 1}"] = tuple(rng.integers(0, game.n_bids, (2, game.n_types)))
    return starts


def random_profiles(game: GridGame, n: int, monotone: bool, seed=23):
    """``n`` random profiles ``(own, other)`` of bid levels (sorted when ``monotone``), seeded."""
    rng = np.random.default_rng(seed)
    for _ in range(int(n)):
        own, other = rng.integers(0, game.n_bids, (2, game.n_types))
        yield (np.sort(own), np.sort(other)) if monotone else (own, other)
