"""The student edition (``make student``, ``scripts/student_edition.py``): no solution survives,
the exercises do, and every student notebook runs top to bottom.

The solution text looked for is taken from the book's own notebooks
(``student_edition.solution_fragments``: runs of plain words and code lines of every
``{solution}``, kept only where the rest of the book does not contain them), so the check follows
the chapters as they change. Each fragment is first found in the full book's HTML (``make book``),
which shows that the search would see it, then looked for in the student HTML (every file of
the build: pages, search index, ``_sources``) and in the student notebooks.

Every student notebook runs top to bottom. A chapter's student copy loses one code cell, the
hidden cell that glues the numbers only its solutions quote, which is the chapter's last code cell:
the copy's code cells are the book's first ones, unchanged, which nbval runs (before the last) on
every test run, so the copy is not run a second time; a copy that differs otherwise is executed
by its test. Build the edition first: ``make student`` (``make test`` does).
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import booktools  # noqa: E402
import student_edition  # noqa: E402

STUDENT = ROOT / "_build" / "student"
BOOK_HTML = ROOT / "_build" / "html"
NOTEBOOKS = booktools.book_notebooks()
WITH_SOLUTIONS = [p for p in NOTEBOOKS if student_edition.solution_texts(booktools.read_notebook(p))]
NOT_BUILT = f"no student edition in {STUDENT}: run `make student` first"
TEXT_FILES = (".html", ".js", ".txt", ".ipynb", ".md", ".json")
#: MathJax, copied as it is from sphinx-mathjax-offline: megabytes of JavaScript no page text reaches.
VENDORED = "_static/mathjax/"


def _html_text(markup: str) -> str:
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    # Inline tags (Pygments' token spans in code) join their text: `[[7, 3` is one string.
    markup = re.sub(r"</?(span|a|code|em|strong)\b[^>]*>", "", markup)
    # Entities are decoded after the tags are gone, so that an escaped `<` is text, not a tag.
    return student_edition.normalise(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def _site_text(root: Path) -> dict[str, str]:
    """Every text file of an HTML build (but vendored MathJax), as the normalised text a reader (or a
    search) sees."""
    found = {}
    for path in sorted(root.rglob("*")):
        if (
            path.suffix in TEXT_FILES
            and path.is_file()
            and not path.relative_to(root).as_posix().startswith(VENDORED)
        ):
            raw = path.read_text(errors="replace")
            text = _html_text(raw) if path.suffix == ".html" else raw
            if path.suffix == ".ipynb":
                nb = json.loads(raw)
                text = "\n".join("".join(c["source"]) + json.dumps(c.get("outputs", [])) for c in nb["cells"])
            found[path.relative_to(root).as_posix()] = student_edition.normalise(text)
    return found


@pytest.fixture(scope="module")
def student_site():
    if not (STUDENT / "html" / "index.html").is_file():
        pytest.fail(NOT_BUILT, pytrace=False)
    return _site_text(STUDENT / "html")


@pytest.fixture(scope="module")
def book_site():
    if not (BOOK_HTML / "index.html").is_file():
        pytest.fail("no book at _build/html: run `make book` first", pytrace=False)
    return _site_text(BOOK_HTML)


def _student_notebook(path: Path) -> dict:
    copy = STUDENT / "notebooks" / path.name
    if not copy.is_file():
        pytest.fail(f"{copy} missing: {NOT_BUILT}", pytrace=False)
    return booktools.read_notebook(copy)


def test_there_are_solutions_to_hide():
    """The book has solutions, so the checks below have something to look for."""
    assert WITH_SOLUTIONS


def test_every_notebook_has_a_student_copy():
    """A student copy of every notebook in book/, and nothing else."""
    copies = sorted(p.name for p in (STUDENT / "notebooks").glob("*.ipynb"))
    assert copies == sorted(p.name for p in NOTEBOOKS), NOT_BUILT


@pytest.mark.parametrize("path", WITH_SOLUTIONS, ids=lambda p: p.name)
def test_no_solution_in_student_notebook(path):
    """No solution fragment, no {solution} directive and no stored output in the student copy."""
    nb = _student_notebook(path)
    text = student_edition.normalise("\n".join(c["source"] for c in nb["cells"]))
    fragments = student_edition.solution_fragments(path)
    assert fragments
    left = [f for f in fragments if f in text]
    assert not left, f"{path.name}: solution text in the student notebook: {left}"
    assert not any(
        d.name.startswith("solution") for c in nb["cells"] for d in booktools.directives(c["source"])
    )
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and not any(c["outputs"] or c["execution_count"] for c in code), "stored outputs remain"


@pytest.mark.parametrize("path", WITH_SOLUTIONS, ids=lambda p: p.name)
def test_no_solution_in_student_html(path, student_site, book_site):
    """Every solution fragment is in the full book's HTML and in no file of the student HTML."""
    fragments = student_edition.solution_fragments(path)
    page = f"book/{path.stem}.html"
    missing = [f for f in fragments if f not in book_site.get(page, "")]
    assert not missing, f"{page}: the full book does not show these (so the search is wrong): {missing}"
    left = [(name, f) for f in fragments for name, text in student_site.items() if f in text]
    assert not left, f"solution text in the student HTML: {left[:5]}"


@pytest.mark.parametrize("path", WITH_SOLUTIONS, ids=lambda p: p.name)
def test_exercises_stay(path, student_site):
    """Every exercise (its label and title) is in the student notebook and on the student page."""
    nb = _student_notebook(path)
    prose = "\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown")
    source = booktools.read_notebook(path)
    wanted = [
        d
        for c in source["cells"]
        if c["cell_type"] == "markdown"
        for d in booktools.directives(c["source"])
        if d.name == "exercise"
    ]
    assert wanted
    page = student_site[f"book/{path.stem}.html"]
    for d in wanted:
        assert f":label: {d.options['label']}" in prose, d.options["label"]
        title = re.sub(r"\$[^$]*\$", "", d.argument).strip()
        assert student_edition.normalise(title.split("  ")[0]) in page, f"{path.stem}: exercise {title!r}"


def _code(nb: dict) -> list[str]:
    return [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]


def _covered_by_nbval(path: Path) -> int | None:
    """How many code cells the student copy of ``path`` has, if they are the book's first code
    cells, unchanged and in the same order (the student copy loses only trailing code cells: the
    hidden cell gluing the solutions' numbers is the last code cell of every chapter); else None.

    nbval runs the book's copy on every test run (``book/`` is one of pytest's test paths), in a
    fresh kernel in ``book/``, cell by cell, failing on the first error: it runs those cells, in
    that order, before any other, which is exactly the student copy's run.
    """
    student = _code(student_edition.student_notebook(booktools.read_notebook(path)))
    book = _code(booktools.read_notebook(path))
    return len(student) if student == book[: len(student)] else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_runs(path):
    """The student copy runs top to bottom in a fresh kernel (working directory book/, as for the
    book's notebooks) and glues every number its prose uses.

    A copy whose code cells are the book's first code cells (see :func:`_covered_by_nbval`) is not
    run a second time: nbval runs those cells first when it runs the book's copy, so this test
    checks that they are the same cells and that the numbers the student prose uses are glued by
    them (the book's stored outputs, which nbval compares). Any other copy is executed here, and the
    executed copy written to ``_build/student/executed/``."""
    nb = _student_notebook(path)
    used = booktools.glue_used("\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "markdown"))
    kept = _covered_by_nbval(path)
    if kept is not None:
        assert len(_code(nb)) == kept, f"{path.name}: the student copy is stale: run `make student`"
        book_code = [c for c in booktools.read_notebook(path)["cells"] if c["cell_type"] == "code"]
        glued = set().union(*(booktools.glued_names(c) for c in book_code[:kept]))
    else:
        report = student_edition.run([STUDENT / "notebooks" / path.name], STUDENT / "executed")[path.name]
        assert report["error"] is None, f"{path.name} fails:\n{report['error']}"
        glued = set(report["glued"])
        print(f"{path.name}: ran in {report['seconds']} s")
    missing = used - glued
    assert not missing, f"{path.name}: the prose uses glue values the notebook no longer computes: {missing}"


def test_the_chapters_student_copies_are_covered_by_nbval():
    """Every chapter with solutions loses only its last code cell (the hidden cell gluing the
    solutions' numbers), so no student copy needs a run of its own. This pins the layout that
    keeps `make test` from running every chapter twice; a chapter that breaks it is still tested
    (its copy is executed above), and this says why the run became longer."""
    book = {p: len(_code(booktools.read_notebook(p))) for p in NOTEBOOKS}
    kept = {p.name: _covered_by_nbval(p) for p in NOTEBOOKS}
    assert kept == {p.name: book[p] - (p in WITH_SOLUTIONS) for p in NOTEBOOKS}
