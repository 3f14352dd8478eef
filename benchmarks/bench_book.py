"""The book's performance budget (issue 13, item 5), measured.

Budget (2 cores): each notebook executes within 60 s (the equilibrium lab, chapter 7, within
90 s); a warm ``make book`` (nothing changed since the last build) within 20 s; a cold ``make
book`` (empty build directory) and ``make test`` each within 4 minutes.

What is measured, and how:

* **notebooks**: each ``book/*.ipynb`` is read and executed top to bottom in a fresh kernel with
  nbclient, as ``scripts/execute_notebooks.py`` does, in a temporary copy of ``book/`` (so
  anything a notebook writes lands there), and the result is never written back: the stored
  notebooks are not touched. The time is the kernel's execution (start-up included).
* **warm book**: ``make book`` run twice; the second run is timed (the first brings the build
  up to date, so the second is what an author sees after editing nothing or one page).
* ``--full`` adds the two long ones: a **cold book**, ``make book`` in a temporary copy of the
  repository (no ``_build``; its environment linked, not reinstalled), and ``make test``
  (lint, all tests, nbval over every notebook, the browser test) in the repository itself;
  together about 10 minutes on this machine.

Every line reads ``<what>: <seconds> s (budget <b> s)``, followed by ``over budget`` when it is.
The exit status is 1 if anything is over budget or failed. Timings depend on the machine and its
load (the machine may be shared): run it when the machine is otherwise idle, and more than once.
No timing is ever stored in a notebook.

Usage::

    python benchmarks/bench_book.py            # notebooks and the warm book (about 4 minutes)
    python benchmarks/bench_book.py --full     # also the cold book and make test
    python benchmarks/bench_book.py --notebooks book/02_uniform_price_speculation.ipynb
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import execute_notebooks  # noqa: E402

NOTEBOOK_BUDGET = 60.0
LAB_BUDGET = 90.0  # the equilibrium lab chapter
LAB = "07_equilibrium_lab.ipynb"
WARM_BOOK_BUDGET = 20.0
COLD_BOOK_BUDGET = 240.0
TEST_BUDGET = 240.0
#: Not copied into the temporary repository of the cold build.
IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", ".hypothesis", ".pytest_cache", ".ruff_cache")


def line(what: str, seconds: float, budget: float, ok: bool = True) -> bool:
    """Print one budget line; returns whether it is within budget (and ``ok``)."""
    within = ok and seconds <= budget
    note = "" if within else ("  over budget" if ok else "  FAILED")
    print(f"{what}: {seconds:.1f} s (budget {budget:g} s){note}", flush=True)
    return within


def execute_notebook(path: Path, workdir: Path) -> float:
    """Execute the notebook at ``path`` in ``workdir`` (a copy of ``book/``), in memory."""
    return execute_notebooks.run(nbformat.read(path, as_version=4), workdir)


def notebooks(paths: list[Path]) -> bool:
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench_book_") as tmp:
        work = Path(tmp) / "book"
        shutil.copytree(ROOT / "book", work)
        for path in paths:
            budget = LAB_BUDGET if path.name == LAB else NOTEBOOK_BUDGET
            ok &= line(f"notebook {path.name}", execute_notebook(path, work), budget)
    return ok


def run(cmd: list[str], cwd: Path) -> tuple[float, bool]:
    """Run ``cmd`` (output discarded unless it fails); returns (seconds, success)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        print(f"  {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return elapsed, proc.returncode == 0


def warm_book() -> bool:
    _, ok = run(["make", "book"], ROOT)
    seconds, ok2 = run(["make", "book"], ROOT)
    return line("warm make book", seconds, WARM_BOOK_BUDGET, ok and ok2)


def cold_book() -> bool:
    """``make book`` in a temporary copy of the repository without ``_build`` (the copy's
    ``.venv`` is a link to this one's, so the environment is not reinstalled)."""
    with tempfile.TemporaryDirectory(prefix="bench_cold_") as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(ROOT, repo, ignore=IGNORE)
        (repo / ".venv").symlink_to(ROOT / ".venv")
        seconds, ok = run(["make", "book"], repo)
        return line("cold make book", seconds, COLD_BOOK_BUDGET, ok)


def make_test() -> bool:
    seconds, ok = run(["make", "test"], ROOT)
    return line("make test", seconds, TEST_BUDGET, ok)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="also a cold book build and make test (long)")
    parser.add_argument("--notebooks", nargs="*", type=Path, help="only these notebooks (default: all)")
    parser.add_argument("--no-book", action="store_true", help="skip the warm book build")
    args = parser.parse_args(argv)
    paths = (
        [p.resolve() for p in args.notebooks] if args.notebooks else sorted((ROOT / "book").glob("*.ipynb"))
    )
    ok = notebooks(paths)
    if not args.no_book:
        ok &= warm_book()
    if args.full:
        ok &= cold_book()
        ok &= make_test()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
