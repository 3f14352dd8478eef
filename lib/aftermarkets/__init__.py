"""aftermarkets: the companion library to "Making Auctions Robust to Aftermarkets".

Babaioff, Immorlica, Li and Lucier. Import it as ``import aftermarkets as am``. Three layers, and
imports only point down:

1. the model of Section 2: :mod:`~aftermarkets.valuations`, :mod:`~aftermarkets.allocation`,
   :mod:`~aftermarkets.auctions`, :mod:`~aftermarkets.trade`, :mod:`~aftermarkets.combined`;
2. general machinery: :mod:`~aftermarkets.montecarlo` (estimates and confidence intervals),
   :mod:`~aftermarkets.equilibrium` (regret by deviation search, bid families),
   :mod:`~aftermarkets.balanced` (balanced prices: Definition 5, Claim 1, the static price),
   :mod:`~aftermarkets.display` (rounded text for notebooks); imported on demand:
   :mod:`~aftermarkets.smoothness` and :mod:`~aftermarkets.smoothness_search` (Definitions 3-4 as
   a computable slack), :mod:`~aftermarkets.simultaneous` (simultaneous item auctions),
   :mod:`~aftermarkets.information` (correlated priors and information acquisition in the lab);
3. the paper's instances: :mod:`aftermarkets.instances` (a catalogue maps Section / Example /
   Theorem to names).

The equilibrium lab, :mod:`aftermarkets.lab` (equilibria of small discretised combined markets),
is imported on demand: ``from aftermarkets import lab``.

The reproduction ledger, :mod:`aftermarkets.ledger`, sits on top and is not imported here.
"""

from . import balanced, display, instances
from .allocation import feasible_allocations, optimal_allocation, optimal_welfare, serve_in_order, welfare
from .auctions import AuctionOutcome, discriminatory_auction, posted_price_mechanism, uniform_price_auction
from .combined import CombinedOutcome, combined_market
from .equilibrium import (
    DeviationReport,
    GridRegret,
    best_deviation,
    bid_family,
    deviation_search,
    grid_regret,
)
from .instances import Example1, Example2, Example4
from .montecarlo import Estimate, estimate, ratio_estimate
from .trade import (
    DefinitionCheck,
    TakeItOrLeaveIt,
    TradeOutcome,
    budget_balance_gap,
    check_trade_mechanism,
    take_it_or_leave_it,
    voluntary_participation_gap,
)
from .valuations import (
    CappedEqualRevenue,
    ExampleOneZ,
    StepValues,
    Uniform,
    as_step_values,
    validate_marginals,
)

__version__ = "0.2.0"

__all__ = [
    "CappedEqualRevenue",
    "ExampleOneZ",
    "StepValues",
    "Uniform",
    "as_step_values",
    "validate_marginals",
    "feasible_allocations",
    "optimal_allocation",
    "optimal_welfare",
    "serve_in_order",
    "welfare",
    "AuctionOutcome",
    "discriminatory_auction",
    "posted_price_mechanism",
    "uniform_price_auction",
    "DefinitionCheck",
    "TakeItOrLeaveIt",
    "TradeOutcome",
    "budget_balance_gap",
    "check_trade_mechanism",
    "take_it_or_leave_it",
    "voluntary_participation_gap",
    "CombinedOutcome",
    "combined_market",
    "DeviationReport",
    "best_deviation",
    "bid_family",
    "deviation_search",
    "GridRegret",
    "grid_regret",
    "Estimate",
    "estimate",
    "ratio_estimate",
    "balanced",
    "display",
    "instances",
    "Example1",
    "Example2",
    "Example4",
]
