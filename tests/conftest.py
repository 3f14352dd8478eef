"""Shared pytest configuration: the hypothesis profile of the library tests, and the background
run of the student notebooks for ``tests/test_student.py`` (see below).

Registers and loads the hypothesis profile ``aftermarkets``: derandomised (every run tests the
same examples, so a failure is reproducible and a pass is a fact about a fixed set of cases), no
per-example deadline (the first call of a numpy routine can be slow), and no example database
(nothing is written into the repository). Select another profile with
``HYPOTHESIS_PROFILE=<name>``; ``aftermarkets-thorough`` runs ten times more examples.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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


# --------------------------------------------------------------- student notebooks, run once
# tests/test_student.py checks that every student notebook runs top to bottom. Running them takes
# about as long as nbval's run of the book's notebooks, so it is started in a separate process as
# soon as collection ends, and the tests that need it are moved to the end of the session: on two
# cores it overlaps with the rest of the suite instead of adding to it.

STUDENT_RUN_DIR = Path(__file__).resolve().parents[1] / "_build" / "student" / "executed"
_student_process = None


def pytest_collection_modifyitems(session, config, items):
    wanted = [item for item in items if "student_run" in getattr(item, "fixturenames", ())]
    if not wanted:
        return
    items[:] = [item for item in items if item not in wanted] + wanted
    notebooks = STUDENT_RUN_DIR.parent / "notebooks"
    if not notebooks.is_dir():
        return  # the tests fail with a hint to run `make student`
    global _student_process
    shutil.rmtree(STUDENT_RUN_DIR, ignore_errors=True)
    _student_process = subprocess.Popen(
        [
            sys.executable,
            str(STUDENT_RUN_DIR.parents[2] / "scripts" / "student_edition.py"),
            "--run",
            str(STUDENT_RUN_DIR),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def pytest_unconfigure(config):
    if _student_process is not None and _student_process.poll() is None:
        _student_process.kill()
        _student_process.wait()


@pytest.fixture(scope="session")
def student_run() -> dict:
    """Per student notebook: seconds, error (None if it ran), glued names; waits for the run."""
    if _student_process is None:
        pytest.fail("no student notebooks to run: run `make student` first", pytrace=False)
    output, _ = _student_process.communicate(timeout=3600)
    report = STUDENT_RUN_DIR / "report.json"
    if not report.is_file():
        pytest.fail(f"the student notebooks did not run:\n{output[-3000:]}", pytrace=False)
    return json.loads(report.read_text())


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
