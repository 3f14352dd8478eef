r"""Equilibria of a finite combined market: best responses, regret, and iterated best response.

A pure strategy profile :math:`\sigma` maps each bidder's type to an action of the grid. For
bidder :math:`i` of type :math:`t_i` and action :math:`b`, the expected utility

.. math::

    U_i(b \mid t_i) = \sum_{t_{-i}} \pi(t_{-i}) \frac{1}{|O|} \sum_{o \in O}
    \Bigl[v_i(y_i) - p^1_i - p^2_i\Bigr]

averages over the others' types and the tie-breaking orders, where the auction outcome comes from
the format's table at the action profile :math:`(b, \sigma_{-i}(t_{-i}))` and order :math:`o`, and
the final holdings :math:`y` and resale payments :math:`p^2` from the resale stage
(:class:`~aftermarkets.lab.resale.Resale`), with beliefs computed from :math:`\sigma`. The
**regret** of :math:`(i, t_i)` is :math:`\max_b U_i(b \mid t_i) - U_i(\sigma_i(t_i) \mid t_i)`; a
profile is an equilibrium (a perfect Bayesian equilibrium of the discretised game, given the
resale stage) when every regret is at most the tolerance.

**The method.** Iterated best response, damped: each round, every bidder in turn moves the one
type with the largest gain from deviating to a best response, if that gain exceeds the tolerance
(inertia keeps actions that are already best responses); iterate until nothing changes (an
equilibrium: every regret at most the tolerance), a profile repeats (a cycle), or an iteration
cap. Whatever is returned carries its
regret, computed, never assumed. :func:`solve` runs several starts and keeps the distinct
equilibria found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import generator
from .market import FiniteMarket, Format
from .resale import Resale

__all__ = ["LabGame", "Result", "solve"]


@dataclass(frozen=True)
class Result:
    """A strategy profile with its regret and outcomes.

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        Action index per type, for each bidder.
    regrets : tuple of numpy.ndarray
        Regret per type, for each bidder.
    welfare, revenue : float
        Expected welfare of the final allocation and expected auction revenue.
    optimal_welfare : float
        :math:`\\mathrm{Wel}(F)`.
    holdings : numpy.ndarray
        Expected units each bidder holds after the auction (before resale).
    utilities : numpy.ndarray
        Each bidder's expected utility.
    traded : float
        Expected number of units resold.
    iterations : int
    start : str
    """

    strategies: tuple
    regrets: tuple
    welfare: float
    revenue: float
    optimal_welfare: float
    holdings: np.ndarray
    utilities: np.ndarray
    traded: float
    iterations: int
    start: str

    @property
    def max_regret(self) -> float:
        """The largest regret over bidders and types."""
        return float(max(r.max() for r in self.regrets))

    @property
    def welfare_ratio(self) -> float:
        """Welfare over the optimal welfare."""
        return self.welfare / self.optimal_welfare

    def is_equilibrium(self, tol: float = 1e-9) -> bool:
        """Whether every regret is at most ``tol``."""
        return self.max_regret <= tol


class LabGame:
    """A finite market, a format, a signal and a resale stage: the discretised combined market.

    Parameters
    ----------
    market : FiniteMarket
    fmt : Format
        The primary mechanism and its action grid.
    signal : {"allocation", "bids"}
        What is revealed after the auction.
    resale : bool
        Whether the aftermarket runs (``False``: the auction alone).

    Notes
    -----
    A strategy profile is a list of arrays, one per bidder: pure, ``sigma[i][t]`` = action index
    of type ``t``; or mixed, ``sigma[i][t, a]`` = probability of action ``a`` (rows sum to 1).
    """

    def __init__(self, market: FiniteMarket, fmt: Format, signal="allocation", resale=True):
        if signal not in ("allocation", "bids"):
            raise ValueError(f"signal must be 'allocation' or 'bids', got {signal!r}")
        if fmt.kind != "posted" and fmt.actions.shape[1] != market.m:
            raise ValueError(f"bids must have m = {market.m} columns, got {fmt.actions.shape[1]}")
        self.mk, self.fmt, self.signal, self.resale = market, fmt, signal, bool(resale)
        n, m = market.n, market.m
        self.A = len(fmt.actions)
        self.alloc, self.pay = fmt.table(n, m)  # (A,)*n + (O, n)
        self.O = self.alloc.shape[n]
        # each bidder's auction payments, (n, A^n, O): one bidder's utilities read one of them
        self.pay_of = np.ascontiguousarray(np.moveaxis(self.pay.reshape(-1, self.O, n), 2, 0))
        flat_alloc = self.alloc.reshape(-1, self.O, n)
        if signal == "allocation":
            codes = flat_alloc @ ((m + 1) ** np.arange(n))
            self.S = (m + 1) ** n
        else:
            codes = np.broadcast_to(np.arange(self.A**n)[:, None], flat_alloc.shape[:2])
            self.S = self.A**n
        self.sig = codes  # (A^n, O)
        # the resale stage sees the holdings and the signal, both fixed by the auction's allocation
        # (the bids signal does not depend on the order): orders that give the same allocation give
        # the same resale, so it runs once, at the first of them (``first_order[a, o] <= o``)
        alloc_codes = flat_alloc @ ((m + 1) ** np.arange(n))
        self.first_order = np.argmax(alloc_codes[:, None, :] == alloc_codes[:, :, None], axis=2)
        self.sigprob = np.zeros((self.A**n, self.S))
        np.add.at(self.sigprob, (np.repeat(np.arange(self.A**n), self.O), codes.ravel()), 1.0 / self.O)
        self.prof = market.profiles()
        self.prob = market.profile_probs()
        self.vals = market.profile_values()
        self.cum = np.concatenate(
            [np.zeros(self.vals.shape[:2] + (1,)), np.cumsum(self.vals, axis=-1)], axis=-1
        )
        self.vals_of = np.ascontiguousarray(self.vals.transpose(1, 0, 2))  # (n, T, m): per bidder
        self.optimal = market.expected_optimal_welfare()
        self.others, self.others_rows, self.others_prob, self.candidate_prices = [], [], [], []
        for j in range(n):
            rows = np.flatnonzero(self.prof[:, j] == 0)
            self.others_rows.append(rows)
            self.others.append(self.prof[rows])
            self.others_prob.append(self.prob[rows] / market.probs[j][0])
            vals = np.concatenate([market.values[k].ravel() for k in range(n) if k != j] or [np.zeros(0)])
            self.candidate_prices.append(np.unique(vals[vals > 0]))
        # demand[j][k][t, p]: how many units buyer k of type profile t values at least seller j's
        # candidate price p (and positively), her first ones since marginals are non-increasing
        self.demand = [
            [
                np.sum((v[:, :, None] >= self.candidate_prices[j]) & (v[:, :, None] > 0), axis=1)
                for v in self.vals_of
            ]
            for j in range(n)
        ]
        self._gains = {}
        self._sellers = [{} for _ in range(n)]
        self._utilities = {}

    #: How many profiles of the others' strategies :meth:`seller` remembers, per seller.
    SELLER_CACHE = 8
    #: How many (bidder, profile) results :meth:`utilities` remembers (each a small table).
    UTILITIES_CACHE = 1024

    def seller(self, j: int, mixed):
        """Seller ``j``'s beliefs and offers (a :class:`~aftermarkets.lab.resale._Seller`) when the
        others play ``mixed``; kept for the last :attr:`SELLER_CACHE` profiles of the others, which
        is what the solvers revisit (every bidder's utilities at one profile, the bidders who did
        not move in a round of best response)."""
        from .resale import _Seller

        key = b"".join(
            np.ascontiguousarray(mixed[k], dtype=float).tobytes() for k in range(self.mk.n) if k != j
        )
        cache = self._sellers[j]
        if key in cache:
            cache[key] = cache.pop(key)  # most recently used last
        else:
            if len(cache) >= self.SELLER_CACHE:
                del cache[next(iter(cache))]
            cache[key] = _Seller(self, j, [np.array(x, dtype=float) for x in mixed])
        return cache[key]

    def offer_gains(self, j: int, holdings: tuple):
        """Seller ``j``'s gain from every candidate offer at ``holdings``, for every own type and
        every type profile of the others: ``(P, Q, gains)`` with ``gains`` of shape
        ``(own types, prices, quantities, R)``. It does not depend on the strategies, so it is cached."""
        key = (j, holdings)
        if key not in self._gains:
            from .resale import _sales

            h = np.array(holdings, dtype=np.int64)
            P, Q = np.meshgrid(self.candidate_prices[j], np.arange(1, h[j] + 1), indexing="ij")
            sold = _sales(self.vals[self.others_rows[j]], h, j, P, Q)  # (P, Q, R)
            cum = np.concatenate([np.zeros((len(self.mk.values[j]), 1)), np.cumsum(self.mk.values[j], 1)], 1)
            gains = P[None, ..., None] * sold[None] + cum[:, h[j] - sold] - cum[:, h[j], None, None, None]
            self._gains[key] = (P, Q, gains)
        return self._gains[key]

    # ------------------------------------------------------------------ profiles
    def mixed(self, strategies) -> list:
        """The profile as probability matrices (a pure profile becomes one-hot rows)."""
        out = []
        for i, s in enumerate(strategies):
            s = np.asarray(s)
            if s.ndim == 1:
                x = np.zeros((len(s), self.A))
                x[np.arange(len(s)), s.astype(np.int64)] = 1.0
                s = x
            if (
                s.shape != (self.mk.type_counts[i], self.A)
                or np.any(s < 0)
                or np.any(abs(s.sum(1) - 1) > 1e-9)
            ):
                raise ValueError(
                    f"strategies[{i}] must be {self.mk.type_counts[i]} action indices or probability rows"
                )
            out.append(s.astype(float))
        return out

    def _support(self, mixed, skip=None):
        """Rows (type profile, weight, actions) over every type profile and the support of every
        bidder's mixed action but ``skip``'s; weights include the prior of the types."""
        n = self.mk.n
        t = np.arange(len(self.prof))
        w = self.prob.copy()
        if skip is not None:
            w = w / self.mk.probs[skip][self.prof[:, skip]]
        acts = np.zeros((len(t), n), dtype=np.int64)
        for k in range(n):
            if k == skip:
                continue
            P = mixed[k][self.prof[t, k]]
            r, a = np.nonzero(P > 0)
            t, w, acts = t[r], w[r] * P[r, a], acts[r]
            acts[:, k] = a
        return t, w, acts

    def _outcome(self, resale, acts, types, bidder=None):
        """Auction holdings, final holdings, auction payments and utilities for rows x every order
        (row ``r`` and order ``o`` at ``r * O + o``); with ``bidder``, only that bidder's utilities.

        The resale stage runs once per row and distinct allocation (:attr:`first_order`); the
        orders with an allocation seen before copy its result."""
        n, orders = self.mk.n, self.O
        flat = np.ravel_multi_index(acts.T, (self.A,) * n)
        R = len(types)
        if self.resale:
            first = self.first_order[flat]  # (R, orders)
            fresh = first == np.arange(orders)
            r, o = np.nonzero(fresh)
            y, p2 = resale.run(
                self.alloc.reshape(-1, orders, n)[flat[r], o], self.sig[flat[r], o], acts[r], types[r]
            )
            copy = (np.cumsum(fresh) - 1)[np.arange(R)[:, None] * orders + first].ravel()
            row_types = types[r]
        else:
            y = self.alloc.reshape(-1, orders, n)[flat].reshape(R * orders, n)
            p2, copy, row_types = np.zeros(y.shape), slice(None), np.repeat(types, orders)
        value = self.cum[row_types[:, None], np.arange(n), y]  # v_k(y_k), per row and bidder
        if bidder is not None:
            p1 = self.pay_of[bidder][flat].ravel()
            return value[:, bidder][copy] - p1 - p2[:, bidder][copy]
        h = self.alloc.reshape(-1, orders, n)[flat].reshape(R * orders, n)
        p1 = self.pay.reshape(-1, orders, n)[flat].reshape(R * orders, n)
        return h, y[copy], p1, value[copy] - p1 - p2[copy]

    # ------------------------------------------------------------------ evaluation
    def utilities(self, i: int, strategies) -> np.ndarray:
        """``U[t_i, b]``: bidder ``i``'s expected utility of every action at every own type,
        against the others' (possibly mixed) strategies, beliefs from the whole profile.

        The last :attr:`UTILITIES_CACHE` results are kept: the solvers ask again at a profile where
        nobody moved (the last round of best response, then the regrets of the profile it
        returns), and runs from the same start retrace the same profiles."""
        mixed = self.mixed(strategies)
        key = (i, b"".join(x.tobytes() for x in mixed))
        if key not in self._utilities:
            if len(self._utilities) >= self.UTILITIES_CACHE:
                del self._utilities[next(iter(self._utilities))]
            self._utilities[key] = self._expected_utilities(i, mixed)
        return self._utilities[key].copy()

    def _expected_utilities(self, i: int, mixed) -> np.ndarray:
        resale = Resale(self, mixed)
        t, w, acts = self._support(mixed, skip=i)
        A = self.A
        acts = np.repeat(acts[None], A, axis=0)
        acts[:, :, i] = np.arange(A)[:, None]
        u = self._outcome(resale, acts.reshape(-1, self.mk.n), np.tile(t, A), bidder=i)
        u = u.reshape(A, len(t), self.O).mean(axis=2)  # (A, rows)
        # sum over the rows of each own type, in row order: out[b, t_i] += u[b, row] * w[row]
        T_i = self.mk.type_counts[i]
        cell = (np.arange(A)[:, None] * T_i + self.prof[t, i]).ravel()
        out = np.bincount(cell, weights=(u * w[None, :]).ravel(), minlength=A * T_i).reshape(A, T_i)
        return out.T

    def regrets(self, strategies) -> tuple:
        """Per bidder, per type: the best gain from deviating to any action of the grid."""
        mixed = self.mixed(strategies)
        out = []
        for i in range(self.mk.n):
            U = self.utilities(i, mixed)
            out.append(U.max(axis=1) - np.sum(mixed[i] * U, axis=1))
        return tuple(out)

    def evaluate(self, strategies, start="", iterations=0) -> Result:
        """The profile's regrets, welfare, revenue, holdings, utilities and resale volume."""
        mixed = self.mixed(strategies)
        resale = Resale(self, mixed)
        t, w, acts = self._support(mixed)
        h, y, p1, u = self._outcome(resale, acts, t)
        wo = np.repeat(w, self.O) / self.O
        types = np.repeat(t, self.O)
        value = np.take_along_axis(self.cum[types], y[..., None], axis=-1)[..., 0].sum(axis=1)
        pure = all(np.allclose(m.max(axis=1), 1) for m in mixed)
        sigma = tuple(m.argmax(axis=1) if pure else m for m in mixed)
        return Result(
            strategies=sigma,
            regrets=self.regrets(mixed),
            welfare=float(wo @ value),
            revenue=float(wo @ p1.sum(axis=1)),
            optimal_welfare=self.optimal,
            holdings=wo @ h,
            utilities=wo @ u,
            traded=float(wo @ np.abs(y - h).sum(axis=1) / 2),
            iterations=iterations,
            start=start,
        )

    # ------------------------------------------------------------------ solving
    def best_response_iteration(self, strategies, tol=1e-9, max_iter=300, start=""):
        """Damped iterated best response in pure strategies from a pure profile.

        Each round, every bidder in turn moves the one type whose gain from deviating is largest
        (if it exceeds ``tol``) to its best response (the lowest-index best action). Stops when
        nothing moves (an equilibrium), when a profile repeats (a cycle) or after ``max_iter``
        rounds, and returns the last profile with its computed regret.
        """
        sigma = [np.asarray(s, dtype=np.int64).copy() for s in strategies]
        seen = set()
        for it in range(1, max_iter + 1):
            changed = False
            for i in range(self.mk.n):
                U = self.utilities(i, sigma)
                gain = U.max(axis=1) - U[np.arange(len(sigma[i])), sigma[i]]
                t = int(np.argmax(gain))
                if gain[t] > tol:
                    sigma[i][t] = int(np.argmax(U[t]))
                    changed = True
            state = tuple(tuple(s) for s in sigma)
            if not changed or state in seen:
                return self.evaluate(sigma, start, it)
            seen.add(state)
        return self.evaluate(sigma, start, max_iter)

    def fictitious_play(self, strategies, tol=1e-3, max_iter=300, start="", prune=1e-3):
        """Fictitious play: every bidder best-responds to the others' average play so far.

        The average profile is the candidate; its regret is computed each round (against the
        average of the others, exactly), and the run stops once it is at most ``tol``. Actions
        played less than ``prune`` of the time are dropped at the end (and the regret of the pruned
        profile recomputed) when that does not raise the regret.
        """
        avg = self.mixed(strategies)
        for it in range(1, max_iter + 1):
            brs, worst = [], 0.0
            for i in range(self.mk.n):
                U = self.utilities(i, avg)
                worst = max(worst, float((U.max(axis=1) - np.sum(avg[i] * U, axis=1)).max()))
                brs.append(U.argmax(axis=1))
            if worst <= tol:
                break
            for i, br in enumerate(brs):
                avg[i] = avg[i] * it / (it + 1)
                avg[i][np.arange(len(br)), br] += 1 / (it + 1)
        result = self.evaluate(avg, start, it)
        pruned = [np.where(a >= prune, a, 0.0) for a in avg]
        pruned = [p / p.sum(axis=1, keepdims=True) for p in pruned]
        candidate = self.evaluate(pruned, start, it)
        return candidate if candidate.max_regret <= result.max_regret else result

    def starts(self, seed=0, random_starts=2) -> dict:
        """Pure starting profiles: truthful, half-shaded, speculative (the highest bid of the grid
        at every type) or, for posted prices, demand / nothing / everything; and ``random_starts``
        random ones (seeded)."""
        acts = self.fmt.actions
        out = {}
        if self.fmt.kind == "posted":
            p = self.fmt.reserve
            out["truthful"] = [np.sum((v >= p) & (v > 0), axis=1) for v in self.mk.values]
            out["nothing"] = [np.zeros(len(v), dtype=np.int64) for v in self.mk.values]
            out["everything"] = [np.full(len(v), self.mk.m) for v in self.mk.values]
        else:
            for name, scale in (("truthful", 1.0), ("shaded", 0.5)):
                out[name] = [
                    np.argmin(np.abs(acts[None] - scale * v[:, None]).sum(-1), axis=1) for v in self.mk.values
                ]
            top = int(np.argmax(acts.sum(axis=1)))
            out["speculative"] = [np.full(len(v), top) for v in self.mk.values]
        rng = generator(seed)
        for k in range(random_starts):
            out[f"random {k + 1}"] = [rng.integers(0, self.A, len(v)) for v in self.mk.values]
        return out


def solve(
    game: LabGame, tol=1e-9, max_iter=150, seed=0, random_starts=2, starts=None, fp_tol=1e-3, fp_iter=None
) -> list:
    """Equilibria from several starts: damped best response, then fictitious play if it cycles.

    From each start, iterated best response (pure); if it does not reach an equilibrium, fictitious
    play from the profile it reached looks for an approximate mixed one. Every result carries its
    computed regret; distinct profiles are kept, equilibria (regret at most ``tol``) first, then by
    regret.

    Parameters
    ----------
    game : LabGame
    tol : float
        Regret tolerance of a pure equilibrium.
    max_iter : int
        Round cap of each method.
    seed, random_starts : int
        Random starting profiles.
    starts : dict, optional
        Named pure starting profiles (default :meth:`LabGame.starts`).
    fp_tol : float
        Regret at which fictitious play stops.
    fp_iter : int, optional
        Round cap of fictitious play (default ``max_iter``). Fictitious play need not converge
        (Shapley's 3 x 3 example cycles), so its result is an approximate equilibrium at best, with
        its regret reported.

    Returns
    -------
    list of Result
    """
    starts = game.starts(seed, random_starts) if starts is None else starts
    found = {}
    for name, sigma in starts.items():
        res = game.best_response_iteration(sigma, tol, max_iter, name)
        if not res.is_equilibrium(tol):
            fp = max_iter if fp_iter is None else fp_iter
            res = game.fictitious_play(res.strategies, fp_tol, fp, name + " (fictitious play)")
        key = tuple(np.round(np.asarray(s, dtype=float), 6).tobytes() for s in res.strategies)
        if key not in found:
            found[key] = res
    return sorted(found.values(), key=lambda r: (not r.is_equilibrium(tol), r.max_regret, r.welfare))
