r"""The equilibrium lab: computed equilibria of small auctions followed by resale.

The paper bounds welfare at *any* equilibrium of a combined market; this subpackage computes
equilibria of discretised ones, so that each format's equilibria can be looked at.

* :mod:`.market` — :class:`FiniteMarket` (bidders with finitely many types), the formats
  (:func:`uniform_price`, :func:`discriminatory`, :func:`first_price`, :func:`all_pay`,
  :func:`posted_price`), action grids (:func:`bid_grid`) and the random tie-breaking rule;
* :mod:`.resale` — the aftermarket: holders in turn make take-it-or-leave-it offers, optimal
  against their Bayesian posteriors after a public signal (the allocation or the bids);
* :mod:`.solver` — :class:`LabGame` (expected utilities, regret) and :func:`solve` (iterated best
  response from several starts, regret always reported);
* :mod:`.survey` — the book's survey (chapter 7): the same small markets (:data:`MARKETS`) under
  each format (:func:`formats`) with resale, solved by :func:`survey`, tabulated by :func:`pivot`.
"""

from .market import (
    FiniteMarket,
    Format,
    all_pay,
    bid_grid,
    discriminatory,
    first_price,
    posted_price,
    uniform_price,
)
from .resale import Resale, SequentialResale
from .solver import LabGame, Result, solve
from .survey import MARKETS, SHORT, SurveyMarket, SurveyRow, formats, market, pivot, survey

__all__ = [
    "FiniteMarket",
    "Format",
    "all_pay",
    "bid_grid",
    "discriminatory",
    "first_price",
    "posted_price",
    "uniform_price",
    "Resale",
    "SequentialResale",
    "LabGame",
    "Result",
    "solve",
    "MARKETS",
    "SHORT",
    "SurveyMarket",
    "SurveyRow",
    "formats",
    "market",
    "pivot",
    "survey",
]
