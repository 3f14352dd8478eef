"""Execute notebooks in place, top to bottom in a fresh kernel, and store clean outputs.

Usage: python scripts/execute_notebooks.py book/01_model.ipynb [more.ipynb ...]

Timing metadata is not recorded and kernel/language metadata is normalised, so re-running an
unchanged notebook leaves `git diff` empty apart from figure bytes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def run(nb, workdir: Path) -> float:
    """Execute ``nb`` (an nbformat notebook, changed in place) top to bottom in a fresh kernel with
    working directory ``workdir``; return the seconds it took. Raises nbclient's
    ``CellExecutionError`` when a cell fails. The one way the book's tools execute a notebook
    (this script, the student edition, ``benchmarks/bench_book.py``)."""
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
    ).execute()
    return time.perf_counter() - start


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    elapsed = run(nb, path.parent)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.outputs:
                out.get("metadata", {}).pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for p in paths:
        secs = execute(Path(p))
        print(f"executed {p} in {secs:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
