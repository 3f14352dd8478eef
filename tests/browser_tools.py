"""What the browser tests (test_browser, test_slides, test_jupyterlab) share: whether a missing tool
skips them or, in CI (``AFTERMARKETS_REQUIRE_BROWSER=1``), fails them, and whether they save
screenshots (``AFTERMARKETS_SCREENSHOTS=1``). The fixtures
``playwright_api`` and ``chromium_path`` are in ``conftest.py``."""

from __future__ import annotations

import os

import pytest

REQUIRE_BROWSER = os.environ.get("AFTERMARKETS_REQUIRE_BROWSER") == "1"
#: Save screenshots (every page of the book at both widths, every slide): ``make screenshots``.
#: Off in ``make test``: a chapter's full-page screenshot takes longer than all its checks.
SCREENSHOTS = os.environ.get("AFTERMARKETS_SCREENSHOTS") == "1"


def unavailable(message: str) -> None:
    """Skip, or fail when ``AFTERMARKETS_REQUIRE_BROWSER=1``, because a tool is missing."""
    if REQUIRE_BROWSER:
        pytest.fail(message + " (AFTERMARKETS_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(message)
