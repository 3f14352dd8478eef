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
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

__all__ = ["DeviationReport", "deviation_search"]


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
    best, best_alt, count = -np.inf, None, 0
    for alt in alternatives:
        u = float(utility(alt))
        if not np.isfinite(u):
            raise ValueError(f"utility of alternative {alt!r} is not finite: {u}")
        count += 1
        if u - base > best:
            best, best_alt = u - base, alt
    if count == 0:
        raise ValueError("alternatives must contain at least one action")
    return DeviationReport(agent, base, best, best_alt, count)
