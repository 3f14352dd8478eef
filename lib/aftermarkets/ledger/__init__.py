"""The reproduction ledger: every claim of the paper that the book reproduces.

Importing this package imports the chapters' claim modules, one per chapter, each of which
registers its claims in :mod:`aftermarkets.ledger.registry` (a module that imports nothing from
the package). Each claim recomputes its finding with the library and decides its status itself.
Run ``python -m aftermarkets.ledger`` for a table, ``--json`` for machines.
"""

from . import ch01_model, ch02_speculation  # noqa: F401  (importing registers the claims)
from .registry import STATUSES, Claim, Evaluation, evaluate, registered

__all__ = ["STATUSES", "Claim", "Evaluation", "all_claims", "evaluate", "ledger"]


def all_claims() -> list[Claim]:
    """Every claim of every chapter, in book order."""
    return registered()


def ledger() -> list[dict]:
    """Evaluate every claim; a list of ledger rows (:func:`~aftermarkets.ledger.registry.evaluate`)."""
    return [evaluate(c) for c in all_claims()]
