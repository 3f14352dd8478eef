r"""Certifying equilibria by deviation search (regret), never by a bare boolean on floats.

A profile :math:`\sigma` is a Bayes-Nash equilibrium when no agent gains by deviating:

.. math::

    \operatorname{regret}_i(\sigma) = \sup_{\sigma_i'} \mathbf{E}[u_i(\sigma_i', \sigma_{-i})]
    - \mathbf{E}[u_i(\sigma)] \le 0 .

The supremum is over all strategies; a computation searches a finite family of alternatives
and reports the **largest gain found** with the action attaining it. A positive gain refutes the
equilibrium (the action is a witness); a non-positive gain over a rich family is evidence, and
becomes a proof only together with an argument that the family contains a best response. This
is how Gambit's tests and QuantEcon's ``is_best_response(..., tol)`` treat equilibria.

For a continuum of types the strategy is a function :math:`b_i(v)`, and the regret is computed
**type by type** on a grid: for each type :math:`v_n`,

.. math::

    g(v_n) = \max_{\beta \in B} u_i(v_n, \beta) - u_i(v_n, b_i(v_n)),

over a finite set :math:`B` of alternative actions (a bid grid). :func:`grid_regret` takes the
table :math:`u_i(v_n, \beta_m)` and returns every :math:`g(v_n)` with its maximiser
(:class:`GridRegret`); the largest :math:`g` is the regret found, and its expectation over types
is the ex ante gain of the best type-by-type deviation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ._checks import whole_number

__all__ = ["DeviationReport", "deviation_search", "best_deviation", "bid_family", "GridRegret", "grid_regret"]


@dataclass(frozen=True)
class DeviationReport:
    """Outcome of a deviation search for one agent.

    Attributes
    ----------
    agent : object
        Who deviates (a label).
    equilibrium_utility : float
        Expected utility of the prescribed action.
    best_gain : float
        ``max(utility(alt)) - equilibrium_utility`` over the alternatives (the regret found);
        negative when every alternative is strictly worse.
    best_action : object
        The alternative attaining ``best_gain``.
    checked : int
        Number of alternatives evaluated.
    """

    agent: object
    equilibrium_utility: float
    best_gain: float
    best_action: object
    checked: int

    def is_best_response(self, tol: float = 1e-9) -> bool:
        """No alternative gains more than ``tol``."""
        return self.best_gain <= tol


def deviation_search(utility: Callable, prescribed, alternatives: Iterable, agent=None) -> DeviationReport:
    """Largest gain from replacing ``prescribed`` by any of ``alternatives``.

    Parameters
    ----------
    utility : callable
        ``utility(action) -> float``: the agent's expected utility from playing ``action`` while
        every other agent follows the profile.
    prescribed : object
        The equilibrium action.
    alternatives : iterable
        Candidate deviations.
    agent : object, optional
        Label stored in the report.

    Returns
    -------
    DeviationReport

    Raises
    ------
    ValueError
        If ``alternatives`` is empty or a utility is not finite.

    Examples
    --------
    >>> r = deviation_search(lambda b: -(b - 1.0) ** 2, 1.0, [0.0, 0.5, 2.0])
    >>> r.best_gain, r.best_action
    (-0.25, 0.5)
    """
    base = float(utility(prescribed))
    if not np.isfinite(base):
        raise ValueError(f"utility of the prescribed action is not finite: {base}")
    best_u, best_alt, count = -np.inf, None, 0
    for alt in alternatives:
        u = float(utility(alt))
        if not np.isfinite(u):
            raise ValueError(f"utility of alternative {alt!r} is not finite: {u}")
        count += 1
        if u > best_u:  # compare utilities, not rounded gains u - base, so the argmax is exact
            best_u, best_alt = u, alt
    if count == 0:
        raise ValueError("alternatives must contain at least one action")
    return DeviationReport(agent, base, best_u - base, best_alt, count)


def best_deviation(prescribed_utility, alternative_utilities, alternatives, agent=None) -> DeviationReport:
    """:func:`deviation_search` for utilities computed in one batch.

    Parameters
    ----------
    prescribed_utility : float
        Expected utility of the equilibrium action.
    alternative_utilities : array_like
        Expected utility of each alternative, shape ``(K,)``.
    alternatives : sequence
        The ``K`` alternatives (``best_action`` is taken from here).
    agent : object, optional
        Label stored in the report.

    Returns
    -------
    DeviationReport

    Examples
    --------
    >>> r = best_deviation(1.0, [0.5, 1.25], ["low", "high"], agent="A")
    >>> r.best_gain, r.best_action
    (0.25, 'high')
    """
    u = np.asarray(alternative_utilities, dtype=float)
    if u.shape != (len(alternatives),):
        raise ValueError(f"need one utility per alternative ({len(alternatives)}), got shape {u.shape}")
    rep = deviation_search(lambda k: u[k] if k >= 0 else prescribed_utility, -1, range(len(u)), agent)
    return DeviationReport(
        agent, rep.equilibrium_utility, rep.best_gain, alternatives[rep.best_action], rep.checked
    )


def bid_family(m, levels, quantities=None, two_level=True) -> np.ndarray:
    """A family of standard bids: one level on ``k`` units, or two levels ``x1 > x2``.

    Parameters
    ----------
    m : int
        Units (length of each bid vector).
    levels : sequence of float
        Positive bid levels.
    quantities : sequence of int, optional
        Unit counts to use (default: all of ``1..m`` when ``m <= 12``, else a spread including
        ``1..4`` and ``m-4..m``).
    two_level : bool
        Also include bids ``x1`` on ``k1`` units then ``x2 < x1`` on ``k2`` units.

    Returns
    -------
    numpy.ndarray
        Shape ``(S, m)``, distinct non-increasing rows, including the all-zero bid.

    Examples
    --------
    >>> bid_family(2, levels=(1.0, 2.0), two_level=False)
    array([[0., 0.],
           [1., 0.],
           [1., 1.],
           [2., 0.],
           [2., 2.]])
    """
    m = whole_number(m, "m", 1)
    lv = sorted({float(x) for x in levels})
    if not lv or lv[0] <= 0 or not all(math.isfinite(x) for x in lv):
        raise ValueError(f"levels must be finite and positive, got {levels!r}")
    if quantities is None:
        quantities = (
            range(1, m + 1) if m <= 12 else sorted({1, 2, 3, 4, m // 2, m - 4, m - 3, m - 2, m - 1, m})
        )
    ks = sorted({int(k) for k in quantities if 1 <= int(k) <= m})
    steps = [(x, k, 0.0, 0) for x in lv for k in ks]
    if two_level:
        steps += [
            (x1, k1, x2, k2)
            for i, x1 in enumerate(lv)
            for x2 in lv[:i]
            for k1 in ks
            for k2 in ks
            if k1 + k2 <= m
        ]
    x1, k1, x2, k2 = (np.array([step[j] for step in steps]).reshape(-1, 1) for j in range(4))
    units = np.arange(m)
    bids = np.where(units < k1, x1, np.where(units < k1 + k2, x2, 0.0))  # one row per step
    return np.unique(np.concatenate([np.zeros((1, m)), bids.reshape(-1, m)]), axis=0)


@dataclass(frozen=True)
class GridRegret:
    """Type-by-type regret of a strategy on a grid of types and alternative actions.

    Attributes
    ----------
    types : numpy.ndarray
        The types :math:`v_n`, shape ``(N,)``.
    utility : numpy.ndarray
        Utility of the prescribed action of each type, shape ``(N,)``.
    gain : numpy.ndarray
        Largest gain of each type over the alternatives (negative when all are worse), ``(N,)``.
    action : numpy.ndarray
        The alternative attaining ``gain`` for each type, ``(N,)``.
    checked : int
        Alternatives evaluated per type.
    """

    types: np.ndarray
    utility: np.ndarray
    gain: np.ndarray
    action: np.ndarray
    checked: int

    @property
    def max(self) -> float:
        """The regret found: the largest gain over all types."""
        return float(self.gain.max())

    @property
    def argmax(self) -> int:
        """Index of the type with the largest gain."""
        return int(np.argmax(self.gain))

    def expected(self, weights=None) -> float:
        r"""Ex ante gain of the best type-by-type deviation, :math:`\sum_n w_n \max(g(v_n), 0)`.

        Parameters
        ----------
        weights : array_like, optional
            Probability weights of the types (default: equal weights).
        """
        w = np.full(self.gain.shape, 1.0 / self.gain.size) if weights is None else np.asarray(weights, float)
        if w.shape != self.gain.shape or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
            raise ValueError(f"weights must be {self.gain.size} non-negative numbers summing to 1")
        return float(w @ np.maximum(self.gain, 0.0))

    def worst(self, agent=None) -> DeviationReport:
        """The type with the largest gain, as a :class:`DeviationReport` (``agent`` is
        ``(agent, type)``)."""
        n = self.argmax
        return DeviationReport(
            (agent, float(self.types[n])),
            float(self.utility[n]),
            float(self.gain[n]),
            self.action[n],
            self.checked,
        )


def grid_regret(types, prescribed_utility, alternative_utilities, alternatives) -> GridRegret:
    """Type-by-type regret from a table of utilities.

    Parameters
    ----------
    types : array_like
        The types, shape ``(N,)``.
    prescribed_utility : array_like
        Utility of each type's prescribed action, shape ``(N,)``.
    alternative_utilities : array_like
        ``u[n, m]``: utility of type ``n`` playing alternative ``m``, shape ``(N, M)``.
    alternatives : array_like
        The ``M`` alternatives.

    Returns
    -------
    GridRegret

    Raises
    ------
    ValueError
        On mismatched shapes, no alternatives, or a utility that is not finite.

    Examples
    --------
    First-price auction against one opponent whose bid is uniform on [0, 1/2] (the equilibrium
    bid v/2 of uniform values): bidding v/2 is a best response, bidding 0.4 at value 1 is not.

    >>> v = np.array([0.5, 1.0]); b = np.linspace(0, 0.5, 51)
    >>> table = (v[:, None] - b) * np.minimum(2 * b, 1.0)
    >>> r = grid_regret(v, (v - v / 2) * v, table, b)
    >>> bool(abs(r.max) < 1e-12), r.action.tolist()
    (True, [0.25, 0.5])
    """
    v = np.asarray(types, dtype=float).ravel()
    base = np.asarray(prescribed_utility, dtype=float).ravel()
    u = np.asarray(alternative_utilities, dtype=float)
    alts = np.asarray(alternatives)
    if u.ndim != 2 or u.shape != (v.size, alts.shape[0]) or base.shape != v.shape:
        raise ValueError(
            f"need {v.size} prescribed utilities and a ({v.size}, {alts.shape[0]}) table, "
            f"got {base.shape} and {u.shape}"
        )
    if u.shape[1] == 0:
        raise ValueError("alternatives must contain at least one action")
    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(base))):
        raise ValueError("utilities must be finite")
    best = np.argmax(u, axis=1)
    gain = u[np.arange(v.size), best] - base
    return GridRegret(v, base, gain, alts[best], int(u.shape[1]))
