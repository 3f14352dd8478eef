r"""Monotone bid functions of one bidder in a single-item auction (Appendix E).

A bid function :math:`b:[\underline v, H] \to \mathbb{R}_{\ge 0}` is stored by knots
:math:`v_0 \le v_1 \le \dots \le v_K` and bids :math:`b_0 \le b_1 \le \dots \le b_K`, linear between
knots. A repeated knot :math:`v_k = v_{k+1}` with :math:`b_k < b_{k+1}` is a jump (the function
is right-continuous there); a segment with :math:`b_k = b_{k+1}` is a flat (a pool of types that
bid the same). Theorem 7 is about non-decreasing bids, so a :class:`BidFunction` is
non-decreasing by construction.

For an opponent who bids :math:`b(V)`, :math:`V \sim F` atomless, the two generalised inverses

.. math::

    \varphi^-(\beta) = \inf\{v : b(v) \ge \beta\}, \qquad \varphi^+(\beta) = \sup\{v : b(v) \le \beta\}

(clipped to the support) give :math:`\Pr[b(V) < \beta] = F(\varphi^-(\beta))` and
:math:`\Pr[b(V) \le \beta] = F(\varphi^+(\beta))`; they differ only on a flat. They are also
what a winner learns about the loser: a bid :math:`\beta` that wins means the loser's value is at
most :math:`\varphi^-(\beta)` (ties aside).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["BidFunction"]


@dataclass(frozen=True, eq=False)
class BidFunction:
    """A non-decreasing, piecewise-linear bid function, with jumps and flats allowed.

    Parameters
    ----------
    knots : array_like
        Non-decreasing values, at least two, from the lowest to the highest value of the support;
        a knot may repeat once (a jump).
    bids : array_like
        Non-decreasing, non-negative bids at the knots.
    name : str, optional
        A label for tables.

    Raises
    ------
    ValueError
        If the arrays differ in length, are not finite, decrease, or a knot repeats with equal bids
        or more than twice.

    Examples
    --------
    >>> b = BidFunction([0, 0.5, 0.5, 1], [0, 0.2, 0.3, 0.5])  # a jump at 1/2
    >>> b([0.25, 0.5, 0.75]).tolist(), float(b.left_limit(0.5))
    ([0.1, 0.3, 0.4], 0.2)
    >>> b.lower_inverse([0.25]).tolist(), b.upper_inverse([0.25]).tolist()
    ([0.5], [0.5])
    """

    knots: np.ndarray
    bids: np.ndarray
    name: str = field(default="", compare=False)

    def __post_init__(self):
        v = np.asarray(self.knots, dtype=float).ravel()
        b = np.asarray(self.bids, dtype=float).ravel()
        if v.size < 2 or v.shape != b.shape:
            raise ValueError(f"knots and bids must have the same length >= 2, got {v.size} and {b.size}")
        if not (np.all(np.isfinite(v)) and np.all(np.isfinite(b))):
            raise ValueError("knots and bids must be finite")
        if np.any(np.diff(v) < 0) or v[-1] <= v[0]:
            raise ValueError("knots must be non-decreasing and span an interval")
        if np.any(np.diff(b) < 0):
            k = int(np.argmax(np.diff(b) < 0))
            raise ValueError(
                f"bids must be non-decreasing (Theorem 7's assumption); b({v[k + 1]:g}) < b({v[k]:g})"
            )
        if np.any(b < 0):
            raise ValueError("bids must be non-negative")
        same = np.diff(v) == 0
        if np.any(same & (np.diff(b) == 0)) or np.any(same[1:] & same[:-1]):
            raise ValueError("a knot may repeat only once, and only with a higher bid (a jump)")
        object.__setattr__(self, "knots", v)
        object.__setattr__(self, "bids", b)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_callable(cls, fn: Callable, low: float, high: float, n: int = 2001, name: str = ""):
        """Knots ``linspace(low, high, n)`` and bids ``fn(knots)`` (``fn`` vectorised, non-decreasing)."""
        if int(n) < 2:
            raise ValueError(f"n must be at least 2, got {n!r}")
        v = np.linspace(low, high, int(n))
        return cls(v, np.asarray(fn(v), dtype=float) * np.ones_like(v), name)

    @classmethod
    def piecewise(cls, pieces: Sequence, n: int = 2001, name: str = ""):
        """Join pieces ``(fn, a, b)`` on consecutive intervals; a jump where two pieces differ.

        Parameters
        ----------
        pieces : sequence of (callable, float, float)
            ``fn`` on ``[a, b]``; each ``a`` equals the previous ``b``.
        n : int
            Knots per piece.
        """
        vs, bs = [], []
        for k, (fn, a, b) in enumerate(pieces):
            if k and not np.isclose(a, pieces[k - 1][2]):
                raise ValueError(f"piece {k} starts at {a}, not where piece {k - 1} ends")
            v = np.linspace(a, b, int(n))
            y = np.asarray(fn(v), dtype=float) * np.ones_like(v)
            if bs and np.isclose(y[0], bs[-1][-1]):
                v, y = v[1:], y[1:]  # continuous join: no repeated knot
            vs.append(v)
            bs.append(y)
        return cls(np.concatenate(vs), np.concatenate(bs), name)

    # -- evaluation ---------------------------------------------------------------------------
    @property
    def low(self) -> float:
        """Lowest value of the domain."""
        return float(self.knots[0])

    @property
    def high(self) -> float:
        """Highest value of the domain."""
        return float(self.knots[-1])

    @property
    def strictly_increasing(self) -> bool:
        """No flat: distinct types bid differently."""
        return bool(np.all(np.diff(self.bids) > 0))

    def _segment(self, v, side: str):
        v = np.clip(np.asarray(v, dtype=float), self.low, self.high)
        k = np.clip(np.searchsorted(self.knots, v, side=side) - 1, 0, self.knots.size - 2)
        v0, v1, b0, b1 = self.knots[k], self.knots[k + 1], self.bids[k], self.bids[k + 1]
        t = np.where(v1 > v0, (v - v0) / np.where(v1 > v0, v1 - v0, 1.0), 1.0)
        return b0 + t * (b1 - b0)

    def __call__(self, v) -> np.ndarray:
        """:math:`b(v)` (right-continuous at a jump; ``v`` is clipped to the domain)."""
        return self._segment(v, "right")

    def left_limit(self, v) -> np.ndarray:
        r""":math:`\lim_{u \uparrow v} b(u)` (equal to :math:`b(v)` except at a jump)."""
        return self._segment(v, "left")

    def _inverse(self, beta, side: str) -> np.ndarray:
        beta = np.asarray(beta, dtype=float)
        k = np.searchsorted(self.bids, beta, side=side)
        inner = np.clip(k, 1, self.bids.size - 1)
        b0, b1 = self.bids[inner - 1], self.bids[inner]
        v0, v1 = self.knots[inner - 1], self.knots[inner]
        t = np.clip((beta - b0) / np.where(b1 > b0, b1 - b0, 1.0), 0.0, 1.0)
        out = v0 + t * (v1 - v0)
        return np.where(k == 0, self.low, np.where(k == self.bids.size, self.high, out))

    def lower_inverse(self, beta) -> np.ndarray:
        r""":math:`\varphi^-(\beta) = \inf\{v : b(v) \ge \beta\}` (the high end of the domain if none)."""
        return self._inverse(beta, "left")

    def upper_inverse(self, beta) -> np.ndarray:
        r""":math:`\varphi^+(\beta) = \sup\{v : b(v) \le \beta\}` (the low end of the domain if none)."""
        return self._inverse(beta, "right")

    def scaled(self, low: float, high: float, name: str | None = None) -> BidFunction:
        """The same bids on knots mapped affinely onto ``[low, high]``."""
        v = low + (self.knots - self.low) * (high - low) / (self.high - self.low)
        return BidFunction(v, self.bids, self.name if name is None else name)
