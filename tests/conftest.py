"""Shared pytest configuration: the hypothesis profile of the library tests, the work units of a
parallel run (pytest-xdist, see below), and the browser fixtures.

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


# ------------------------------------------------------------------ work units of a parallel run
# `make test` runs pytest on every core (pytest-xdist: `-n auto --no-loadscope-reorder`, with the
# scheduler below). A work unit is one file: a notebook's cells share its kernel, and a browser
# module shares one Chromium and the page it opened ahead. Each executed student notebook is a
# unit of its own. Units are handed out in collection order, and the collection is sorted so that
# the long units come first and no core is left with one at the end: the browser test of the book,
# the ledger page and JupyterLab take about a minute each, a chapter or its student copy under half
# (`make bench-book` measures the notebooks). (xdist's own `--dist loadgroup` cannot be used: with
# pytest 9 its group marks are ignored.)
LONG_FIRST = (
    "tests/test_browser.py",
    "book/ledger.ipynb",
    "tests/test_jupyterlab.py",
    "tests/test_student.py::test_student_notebook_runs",
    "book/",
    "tests/test_slides.py",
    "tests/test_ch07_equilibrium_lab.py",
)


def _rank(item) -> int:
    return next((k for k, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), len(LONG_FIRST))


def pytest_collection_modifyitems(session, config, items):
    """Put the long work units first (a stable sort: the order within a unit, and among units of
    one rank, stays the collection order)."""
    items.sort(key=_rank)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown when it is not loaded
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scheduler by scope, with the work units described above."""
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnits(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if "::test_student_notebook_runs[" in nodeid:
                return nodeid
            return nodeid.split("::", 1)[0]

    return WorkUnits(config, log)


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
