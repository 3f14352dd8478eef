"""Shared pytest configuration for the library tests.

Registers and loads the hypothesis profile ``aftermarkets``: derandomised (every run tests the
same examples, so a failure is reproducible and a pass is a fact about a fixed set of cases), no
per-example deadline (the first call of a numpy routine can be slow), and no example database
(nothing is written into the repository). Select another profile with
``HYPOTHESIS_PROFILE=<name>``; ``aftermarkets-thorough`` runs ten times more examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "aftermarkets",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "aftermarkets-thorough",
    parent=settings.get_profile("aftermarkets"),
    max_examples=1000,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "aftermarkets"))
