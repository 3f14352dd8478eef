"""aftermarkets: the companion library to "Making Auctions Robust to Aftermarkets".

Babaioff, Immorlica, Li and Lucier. The library implements the paper's model (multi-unit
auctions with non-increasing marginal values, trade mechanisms in the aftermarket, the combined
market), its instances, and checks of its claims. Import it as ``import aftermarkets as am``.
"""
from .valuations import (
    CappedEqualRevenue,
    ExampleOneZ,
    StepValues,
    Uniform,
    as_step_values,
    validate_marginals,
)
from .allocation import optimal_allocation, optimal_welfare, welfare
from .auctions import AuctionOutcome, discriminatory_auction, posted_price_mechanism, uniform_price_auction
from .trade import (
    DefinitionCheck,
    TakeItOrLeaveIt,
    TradeOutcome,
    budget_balance_gap,
    take_it_or_leave_it,
    voluntary_participation_gap,
)
from .combined import CombinedOutcome, combined_market
from .equilibrium import DeviationReport, deviation_search
from . import paper
from .paper import Example1, Example4

__version__ = "0.1.0"

__all__ = [
    "CappedEqualRevenue", "ExampleOneZ", "StepValues", "Uniform", "as_step_values", "validate_marginals",
    "optimal_allocation", "optimal_welfare", "welfare",
    "AuctionOutcome", "discriminatory_auction", "posted_price_mechanism", "uniform_price_auction",
    "DefinitionCheck", "TakeItOrLeaveIt", "TradeOutcome", "budget_balance_gap", "take_it_or_leave_it",
    "voluntary_participation_gap",
    "CombinedOutcome", "combined_market",
    "DeviationReport", "deviation_search",
    "paper", "Example1", "Example4",
]
