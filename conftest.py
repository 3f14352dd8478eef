"""The work units of a parallel test run (pytest-xdist), for every test path: the library tests,
the doctests and the notebooks (here rather than in ``tests/conftest.py`` so that ``pytest -n 2
book/`` also keeps each notebook's cells on one worker)."""

from __future__ import annotations

import os

import pytest

# ------------------------------------------------------------------ work units of a parallel run
# `make test` runs pytest on every core (pytest-xdist: `-n auto --no-loadscope-reorder`, with the
# scheduler below). A work unit is one file: a notebook's cells share its kernel, and a browser
# module shares one Chromium and the page it opened ahead. A student notebook's run (when it has
# one, see tests/test_student.py) is a unit of its own. Units are handed out in collection order,
# and the collection is sorted so that the long units come first and no core is left with one at
# the end: the browser test of the book, the ledger page and JupyterLab are the longest, then the
# chapters (README, "Performance budget", has the measured times). (xdist's own `--dist loadgroup`
# cannot be used: with pytest 9 its group marks are ignored.)
LONG_FIRST = (
    "tests/test_browser.py",
    "book/ledger.ipynb",
    "tests/test_jupyterlab.py",
    "tests/test_student.py::test_student_notebook_runs",
    "book/",
    "tests/test_slides.py",
    "tests/test_ch07_equilibrium_lab.py",
)


def pytest_configure(config):
    """In a worker of a parallel run every core is busy already: the library's ``workers=None``
    (the ledger page's processes) computes in the worker's own process (``AFTERMARKETS_WORKERS``,
    which the notebooks' kernels inherit): more processes than cores only contend for them (the
    README's "Performance budget" has the measurement)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault("AFTERMARKETS_WORKERS", "1")


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
