"""Check the PDF of the book (``make pdf``): every chapter and every statement box is in it.

Usage: python scripts/check_pdf.py [_build/pdf/book.pdf]

Reads the PDF's text with ``pdftotext`` (poppler-utils) and looks, whitespace and hyphenation
aside, for

* the title of every document in ``_toc.yml`` (its first heading), chapters and reference pages;
* every ``{prf:...}`` statement box of the chapters, by its heading as sphinx-proof prints it
  (``Theorem 1 (Section 3)``; ``Definition (Welfare, ...)`` for an unnumbered box), with the
  numbers the book gives them (one numbering per type, in book order);
* every exercise by its title.

Exits 1 and lists what is missing; prints the page count and what was checked otherwise.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import booktools  # noqa: E402

ROOT = booktools.ROOT
PDF = ROOT / "_build" / "pdf" / "book.pdf"


def normalise(text: str) -> str:
    """Comparable text: no math, no markup, plain quotes and dashes, one space, lower case."""
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"\{[\w:-]+\}`([^`<]*)(?:<[^`]*>)?`", r"\1", text)
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-")):
        text = text.replace(a, b)
    text = re.sub(r"[*`_]", "", text)
    text = re.sub(r"-\s*\n\s*", "-", text)  # a word broken at a hyphen
    return re.sub(r"\s+", " ", text).strip().lower()


def _title(entry: str) -> str | None:
    for ext in (".ipynb", ".md"):
        path = ROOT / f"{entry}{ext}"
        if path.exists():
            if ext == ".ipynb":
                text = "\n".join(c["source"] for c in booktools.read_notebook(path)["cells"])
            else:
                text = path.read_text()
            m = re.search(r"^# (.+)$", text, flags=re.M)
            return m[1].strip() if m else None
    return None


def expected() -> list[tuple[str, str]]:
    """(what, text) pairs that the PDF must contain."""
    wanted = []
    for entry in booktools.toc_entries():
        title = _title(entry)
        if title:
            wanted.append((f"title of {entry}", title))
    for st in booktools.statements():
        wanted.append((f"{st.kind} box {st.label or st.title} ({st.notebook.name})", st.heading))
    for path in booktools.chapters():
        for cell in booktools.read_notebook(path)["cells"]:
            if cell["cell_type"] == "markdown":
                for d in booktools.directives(cell["source"]):
                    if d.name == "exercise" and d.argument:
                        wanted.append((f"exercise {d.options.get('label', '')}", d.argument))
    return wanted


def main(argv: list[str]) -> int:
    pdf = Path(argv[0]) if argv else PDF
    if not pdf.is_file():
        print(f"no PDF at {pdf}: run `make pdf`", file=sys.stderr)
        return 1
    raw = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = normalise(raw)
    pages = raw.count("\f")
    wanted = expected()
    missing = [(what, t) for what, t in wanted if normalise(t) not in text]
    if missing:
        print(f"{pdf}: missing from the PDF ({len(missing)} of {len(wanted)}):", file=sys.stderr)
        for what, t in missing:
            print(f"  - {what}: {t!r}", file=sys.stderr)
        return 1
    kinds = sorted({w.split(" ")[0] for w, _ in wanted})
    print(f"{pdf}: {pages} pages; all {len(wanted)} expected texts found ({', '.join(kinds)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
