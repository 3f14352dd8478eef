"""The student edition: the book and its notebooks without the exercise solutions (``make student``).

Usage: python scripts/student_edition.py [--out _build/student] [--no-html]

Writes, under ``_build/student/`` (not committed):

``notebooks/``
    a student copy of every notebook in ``book/``: the ``{solution}`` directives removed from the
    Markdown (and sphinx-exercise's gated ``{solution-start}`` ... ``{solution-end}``, cells in
    between included), the hidden glue cells that only fed the removed solutions removed, every
    stored output and execution count cleared. Exercises stay. The notebook still runs top to
    bottom (``tests/test_student.py`` checks it: a chapter loses only its last code cell, so
    nbval's run of the book's copy runs the student copy's cells first; any other copy is run);
``src/``
    the book's sources for the student HTML: the same notebooks with their stored outputs kept
    (the HTML renders stored outputs), and ``_config.yml`` with sphinx-exercise's
    ``hide_solutions`` on;
``html/``
    the student HTML, built from ``src/`` with warnings as errors. Its "download" button offers
    the student notebooks (``_sources`` holds them instead of the rendered copies).

A hidden glue cell is removed when it glues at least one name, none of its names is used by the
Markdown that remains or by any other page of the book (``{glue}`` with ``:doc:``, as the
introduction and the teaching page do), and no later code cell reads a name it defines; every
other cell stays.
"""

from __future__ import annotations

import argparse
import ast
import copy
import functools
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import booktools  # noqa: E402

ROOT = booktools.ROOT
OUT = ROOT / "_build" / "student"
SOLUTION = {"solution"}


def _defined_and_read(source: str) -> tuple[set[str], set[str]]:
    """Module-level names a code cell defines, and every name it reads (IPython magics skipped)."""
    lines = [line for line in source.split("\n") if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set(), {"<unparsed>"}
    defined, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
    return defined, read


@functools.cache
def used_by_other_pages() -> frozenset[str]:
    """Glue names the book's Markdown pages (``book/*.md``) refer to: they glue from notebooks."""
    return frozenset(
        name for page in (ROOT / "book").glob("*.md") for name in booktools.glue_used(page.read_text())
    )


def strip_solutions(nb: dict) -> tuple[dict, list[str]]:
    """A copy of a notebook (sources joined) without its solutions; also the removed texts.

    Removes ``{solution}`` directives from Markdown cells, everything from a ``{solution-start}``
    directive to the matching ``{solution-end}`` (across cells), Markdown cells left empty, and
    hidden glue cells that only fed the removed text (see the module docstring). Outputs are kept.
    """
    nb = copy.deepcopy(nb)
    removed, cells, gated = [], [], False
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = cell["source"]
            if gated or "{solution-start}" in src:
                src, gated = _strip_gated(src, gated, removed)
            src, gone = booktools.remove_directives(src, SOLUTION)
            removed += gone
            if src.strip():
                cell["source"] = src
                cells.append(cell)
        elif gated:
            removed.append(cell["source"])
        else:
            cells.append(cell)
    prose = "\n".join(c["source"] for c in cells if c["cell_type"] == "markdown")
    used = booktools.glue_used(prose) | used_by_other_pages()
    kept = []
    for i, cell in enumerate(cells):
        names = booktools.glued_names(cell) if cell["cell_type"] == "code" else set()
        if names and not names & used and booktools.tags(cell) & {"remove-cell", "remove-input"}:
            defined, _ = _defined_and_read(cell["source"])
            later = set().union(
                *(_defined_and_read(c["source"])[1] for c in cells[i + 1 :] if c["cell_type"] == "code")
            )
            if not defined & later:
                removed.append(cell["source"])
                continue
        kept.append(cell)
    nb["cells"] = kept
    return nb, removed


def _strip_gated(src: str, gated: bool, removed: list[str]) -> tuple[str, bool]:
    """Remove gated-solution text from one Markdown cell; return it and whether a gate is open."""
    out, lines = [], src.split("\n")
    for d in booktools.directives(src):
        if d.name == "solution-start":
            out.append((d.start, d.end, "start"))
        elif d.name == "solution-end":
            out.append((d.start, d.end, "end"))
    keep = [not gated] * len(lines)
    state = gated
    marks = {start: (end, what) for start, end, what in out}
    k = 0
    while k < len(lines):
        if k in marks:
            end, what = marks[k]
            state = what == "start"
            for j in range(k, end):
                keep[j] = False
            removed.append("\n".join(lines[k:end]))
            k = end
            continue
        keep[k] = not state
        if state:
            removed.append(lines[k])
        k += 1
    return "\n".join(line for line, kk in zip(lines, keep) if kk), state


def student_notebook(nb: dict) -> dict:
    """The student copy: solutions removed, and no stored outputs or execution counts."""
    nb, _ = strip_solutions(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def normalise(text: str) -> str:
    """Text as compared by the tests: typographic quotes made plain, whitespace collapsed."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def solution_texts(nb: dict) -> list[str]:
    """The source of every solution of a notebook (``{solution}`` directives, gated ones too)."""
    _, removed = strip_solutions(nb)
    return [t for t in removed if "{solution" in t]


def solution_fragments(path: Path, min_words: int = 6) -> list[str]:
    """Distinctive pieces of a notebook's solutions, to look for in the student edition.

    From each solution: every run of at least ``min_words`` plain words (no math, markup, code or
    glued number in between), and every code line of at least 30 characters; kept only if the
    book's other prose and code do not contain it. Raises ``ValueError`` when a solution yields
    no fragment, so that a check built on these can never pass by finding nothing to look for.
    """
    nb = booktools.read_notebook(path)
    stripped, _ = strip_solutions(nb)
    elsewhere = normalise(
        "\n".join(
            c["source"]
            for p in booktools.book_notebooks()
            for c in (stripped if p == path else strip_solutions(booktools.read_notebook(p))[0])["cells"]
        )
        + "\n".join(p.read_text() for p in (booktools.ROOT / "book").glob("*.md"))
    )
    found = []
    for text in solution_texts(nb):
        pieces = []
        prose, code = [], []
        for d in booktools.directives(text):
            inner = booktools.directives(d.body)
            code += [line.strip() for c in inner if not c.name for line in c.body.split("\n")]
            prose.append(booktools.remove_directives(d.body, {c.name for c in inner})[0])
            for c in inner:
                lines = d.body.split("\n")
                if not c.name:
                    lines[c.start : c.end] = [""] * (c.end - c.start)
                prose[-1] = "\n".join(lines)
        words = re.sub(
            r"\$\$.*?\$\$|\$[^$]*\$|\{[\w:-]+\}`[^`]*`|`[^`]*`", " | ", "\n".join(prose), flags=re.S
        )
        tokens = [t if re.fullmatch(r"[A-Za-z][A-Za-z'-]*[,;:.]?", t) else "|" for t in words.split()]
        for run in " ".join(tokens).split("|"):
            run = run.strip()
            for sentence in re.split(r"(?<=[.;:])\s+", run):
                sentence = sentence.strip(" ,;:.")
                if len(sentence.split()) >= min_words and normalise(sentence) not in elsewhere:
                    pieces.append(normalise(sentence))
        pieces += [normalise(line) for line in code if len(line) >= 30 and normalise(line) not in elsewhere]
        if not pieces:
            raise ValueError(f"{path.name}: no distinctive text found in the solution {text[:80]!r}")
        found += pieces
    return found


def write_notebook(nb: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


def write_notebooks(out: Path) -> list[Path]:
    """Write the student notebooks to ``out/notebooks``; return their paths."""
    target = out / "notebooks"
    shutil.rmtree(target, ignore_errors=True)
    written = []
    for path in booktools.book_notebooks():
        dest = target / path.name
        write_notebook(student_notebook(booktools.read_notebook(path)), dest)
        written.append(dest)
    return written


def _copy_sources(src: Path) -> None:
    """Lay out the student book's sources in ``src``: the book with its solutions removed.

    Only files whose content changed are written (and files no longer wanted removed), so that
    Sphinx's cache in ``src/_build`` makes a rebuild incremental.
    """
    wanted: dict[str, bytes] = {}
    for path in sorted((ROOT / "book").rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        if path.is_file() and path.suffix != ".ipynb" and ".ipynb_checkpoints" not in rel:
            wanted[rel] = path.read_bytes()
    for path in booktools.book_notebooks():
        nb, _ = strip_solutions(booktools.read_notebook(path))
        wanted[f"book/{path.name}"] = (
            json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        ).encode()
    wanted["_toc.yml"] = (ROOT / "_toc.yml").read_bytes()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["title"] = f"{config['title']} (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    wanted["_config.yml"] = (
        "# Generated by scripts/student_edition.py from the repository's _config.yml: do not edit.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    ).encode()
    for rel, data in wanted.items():
        dest = src / rel
        if not dest.is_file() or dest.read_bytes() != data:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
    for path in sorted(src.rglob("*"), reverse=True):
        rel = path.relative_to(src).as_posix()
        if rel == "_build" or rel.startswith("_build/"):
            continue
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def build_html(out: Path) -> Path:
    """Build the student HTML from ``out/src`` into ``out/html`` (warnings are errors)."""
    src = out / "src"
    _copy_sources(src)
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jb), "build", str(src), "-W", "-n", "--keep-going", "--quiet"], check=True)
    built = src / "_build" / "html"
    html = out / "html"
    shutil.rmtree(html, ignore_errors=True)
    shutil.copytree(built, html)
    # The download button offers _sources/book/NN.ipynb: give the student notebooks.
    for nb in (out / "notebooks").glob("*.ipynb"):
        dest = html / "_sources" / "book" / nb.name
        if dest.exists():
            shutil.copy2(nb, dest)
    return html


def run(notebooks: list[Path], into: Path) -> dict:
    """Execute student notebooks top to bottom, each in a fresh kernel; write the executed copies to
    ``into`` and return a report (per notebook: seconds, the error if any, the glued names).
    ``tests/test_student.py`` runs one notebook per call, for a copy whose code cells are not the
    book's first code cells.

    The working directory is ``book/``, as for the book's own notebooks.
    """
    import nbformat
    from execute_notebooks import run as execute
    from nbclient.exceptions import CellExecutionError

    into.mkdir(parents=True, exist_ok=True)
    report = {}
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        start, error = time.perf_counter(), None
        try:
            execute(nb, ROOT / "book")
        except CellExecutionError as exc:
            error = str(exc)[-2000:]
        nbformat.write(nb, into / path.name)
        glued = sorted(set().union(*(booktools.glued_names(c) for c in nb.cells if c.cell_type == "code")))
        report[path.name] = {"seconds": round(time.perf_counter() - start, 1), "error": error, "glued": glued}
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-html", action="store_true", help="write the notebooks only")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    notebooks = write_notebooks(args.out)
    print(f"student notebooks: {len(notebooks)} in {args.out / 'notebooks'}")
    if not args.no_html:
        html = build_html(args.out)
        print(f"student HTML: {html / 'index.html'}")
    print(f"student edition built in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
