"""Ledger entries, one module per chapter; importing this package registers every claim.

Each entry is a function decorated with :func:`aftermarkets.claims.register` that recomputes its
claim with the library and decides its status itself.
"""
from . import model  # noqa: F401  (Chapter 1, Section 2)
from . import speculation  # noqa: F401  (Chapter 2)
