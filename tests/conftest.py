"""Shared configuration of the library tests: the hypothesis profile and the browser fixtures (the
work units of a parallel run are in the repository's top-level ``conftest.py``).

Registers and loads the hypothesis profile ``aftermarkets``: derandomised (every run tests the
same examples, so a failure is reproducible and a pass is a fact about a fixed set of cases), no
per-example deadline (the first call of a numpy routine can be slow), and no example database
(nothing is written into the repository). Select another profile with
``HYPOTHESIS_PROFILE=<name>``; ``aftermarkets-thorough`` runs ten times more examples.
"""

from __future__ import annotations

import os
import shutil

import pytest
from browser_tools import unavailable
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


@pytest.fixture(scope="module")
def playwright_api():
    """The ``playwright.sync_api`` module, or skip/fail when it is not installed."""
    try:
        import playwright.sync_api as api
    except ImportError:
        unavailable(
            "the playwright package is not importable: pip install playwright (pinned in requirements.txt)"
        )
    return api


@pytest.fixture(scope="module")
def chromium_path() -> str:
    """Path of the Chromium executable, or skip/fail when there is none."""
    path = os.environ.get("AFTERMARKETS_CHROMIUM") or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        unavailable(
            "Chromium is not installed: install Debian's package `chromium`: apt-get install -y chromium"
        )
    return path
