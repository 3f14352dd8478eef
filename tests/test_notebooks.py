"""Guards around nbval: every chapter notebook is in the table of contents, was executed top to
bottom in one fresh run, and stores real outputs.

nbval compares each code cell's stored outputs with a fresh run, but it silently skips cells that
were never executed; a notebook committed without outputs would therefore pass. These tests make
that an error, together with stored errors, timing metadata and untagged figures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from nbtext import notebook_text

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def _toc_files() -> set[str]:
    files = set()
    for line in (ROOT / "_toc.yml").read_text().splitlines():
        line = line.strip()
        for key in ("root:", "- file:", "file:"):
            if line.startswith(key):
                files.add(line.split(":", 1)[1].strip())
    return files


def _code_cells(path: Path):
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_there_are_notebooks():
    """The book has chapter notebooks for nbval to test."""
    assert NOTEBOOKS, "no notebooks found under book/"


def test_toc_and_notebooks_agree():
    """Every notebook is in _toc.yml and every _toc.yml entry exists (only_build_toc_files is on)."""
    toc = _toc_files()
    listed = {f"book/{p.stem}" for p in NOTEBOOKS}
    assert listed <= toc, f"notebooks missing from _toc.yml: {sorted(listed - toc)}"
    for entry in toc:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".ipynb", ".md")), (
            f"_toc.yml lists missing {entry}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executed_in_one_fresh_run(path):
    """All code cells carry execution counts 1, 2, ..., k: executed top to bottom, none skipped."""
    cells = _code_cells(path)
    assert cells, f"{path.name} has no code cells"
    counts = [c.get("execution_count") for c in cells]
    missing = [i for i, n in enumerate(counts) if not n]
    assert not missing, f"{path.name}: code cells {missing} were never executed (nbval would skip them)"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(counts)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_outputs_are_clean(path):
    """No stored errors, no timing metadata, figures tagged nbval-ignore-output, and some output."""
    cells = _code_cells(path)
    assert any(c["outputs"] for c in cells), f"{path.name} stores no outputs at all"
    for i, c in enumerate(cells):
        tags = c.get("metadata", {}).get("tags", [])
        assert "execution" not in c.get("metadata", {}), f"{path.name} cell {i}: timing metadata stored"
        for out in c["outputs"]:
            if out["output_type"] == "error":
                assert "raises-exception" in tags, f"{path.name} cell {i}: stored error {out.get('ename')}"
            if "image/png" in out.get("data", {}) or "image/svg+xml" in out.get("data", {}):
                assert "nbval-ignore-output" in tags, (
                    f"{path.name} cell {i}: figure not tagged nbval-ignore-output"
                )


HIDDEN = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
CHAPTERS = [p for p in NOTEBOOKS if p.name[:2].isdigit()]


def _shown_code(path: Path):
    for i, c in enumerate(_code_cells(path)):
        if not HIDDEN & set(c.get("metadata", {}).get("tags", [])):
            yield i, c


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_a_reader_sees_computes(path):
    """Reader conventions: a shown code cell glues nothing (glue cells are tagged remove-cell) and
    its lines are at most 88 characters, so that code does not scroll sideways."""
    for i, c in _shown_code(path):
        for line in "".join(c["source"]).splitlines():
            assert "glue(" not in line, f"{path.name} cell {i}: glue in a shown cell: {line.strip()}"
            assert len(line) <= 88, f"{path.name} cell {i}: a {len(line)}-character line: {line.strip()}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_text_outputs_do_not_scroll_sideways(path):
    """An output shown as plain text (no Markdown, HTML or image form) has lines of at most 88
    characters; wider results must be tables (aftermarkets.display.table)."""
    for i, c in _shown_code(path):
        for out in c["outputs"]:
            data = out.get("data", {})
            if {"text/markdown", "text/html", "image/png", "image/svg+xml"} & set(data):
                continue
            text = "".join(out.get("text", "")) + "".join(data.get("text/plain", ""))
            for line in text.splitlines():
                assert len(line) <= 88, f"{path.name} cell {i}: a {len(line)}-character output line"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_captions_and_alt_text(path):
    """Every figure cell carries a caption and alt text in its metadata (mystnb.figure.caption,
    mystnb.image.alt), so that the book says what the figure shows."""
    for i, c in enumerate(_code_cells(path)):
        if any("image/png" in out.get("data", {}) for out in c["outputs"]):
            meta = c.get("metadata", {}).get("mystnb", {})
            assert meta.get("figure", {}).get("caption", "").strip(), f"{path.name} cell {i}: no caption"
            assert len(meta.get("image", {}).get("alt", "")) > 20, f"{path.name} cell {i}: no alt text"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_explains_a_missing_library(path):
    """A downloaded chapter run without the library stops with a one-line message saying how to
    install it, rather than a traceback."""
    first = "".join(_code_cells(path)[0]["source"])
    assert "except ImportError" in first and "SystemExit" in first and "Run it yourself" in first


def _prose_and_glue(path: Path) -> tuple[str, set]:
    """A notebook's markdown (joined) and the names of its stored glue values."""
    md, _, glued = notebook_text(path)
    return md, glued


CHAPTERS = [p for p in NOTEBOOKS if re.match(r"\d\d_", p.name)]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_glue_used_in_prose_is_defined(path):
    """Every {glue:...}`name` in a chapter's prose has a stored glue value (else the book shows an
    error where the number should be)."""
    md, glued = _prose_and_glue(path)
    used = set(re.findall(r"\{glue:[a-z]*\}`([A-Za-z0-9_]+)", md))
    assert used, f"{path.name} glues no numbers into its prose"
    assert used <= glued, f"{path.name}: glued names missing: {sorted(used - glued)}"


def test_labels_cited_in_tests_exist():
    """Every label a test cites in its docstrings exists, so the tests point readers of the code at
    real places: a chapter label (sec-NN-*, ex-NN-*, notes-NN) is a MyST target or an exercise label
    in chapter NN, and a statement label (theorem-7, claim-2, ...) labels a prf box of some chapter."""
    text = "".join(p.read_text() for p in sorted((ROOT / "tests").glob("test_*.py")))
    cited = set(re.findall(r"\b((?:sec|ex)-(\d\d)-[a-z0-9-]*[a-z0-9]|notes-(\d\d))\b", text))
    assert cited
    prose = {p.name[:2]: _prose_and_glue(p)[0] for p in CHAPTERS}
    missing = []
    for label, nn, notes in cited:
        md = prose.get(nn or notes, "")
        if f"({label})=" not in md and f":label: {label}" not in md:
            missing.append(label)
    assert not missing, sorted(missing)
    kinds = "definition|proposition|theorem|corollary|lemma|claim|example"
    statements = set(re.findall(rf"\b((?:{kinds})-\d+)\b", text))
    assert {"theorem-7", "claim-2", "example-3", "proposition-1"} <= statements
    boxed = "\n".join(prose.values())
    unboxed = sorted(s for s in statements if f":label: {s}\n" not in boxed)
    assert not unboxed, unboxed
