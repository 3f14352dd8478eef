"""Reading the book's sources for the teaching kit (student edition, slides, PDF check).

Nothing here knows a chapter by name: the chapters are the notebooks ``book/NN_name.ipynb`` listed
in ``_toc.yml``, in table-of-contents order, and everything is found in their cells by the book's
conventions (README, "Adding a chapter"):

* MyST directives fenced with backticks or colons, ```` ```{name} argument ```` ... ```` ``` ````,
  with ``:key: value`` options; a directive may contain shorter fences (code in a solution);
* statements in ``{prf:...}`` boxes, numbered per type through the whole book in book order
  unless ``:nonumber:`` (as sphinx-proof numbers them);
* solutions in ``{solution}`` directives (or sphinx-exercise's gated ``{solution-start}`` ...
  ``{solution-end}``, which may span cells);
* numbers in prose glued with myst-nb (``{glue:text}`name:fmt```), stored in the outputs of
  hidden code cells.

Used by ``scripts/student_edition.py``, ``scripts/make_slides.py``, ``scripts/check_pdf.py`` and
their tests.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: sphinx-proof's directive types; each is numbered separately (``prf:proof`` is not numbered).
PRF_TYPES = (
    "axiom",
    "theorem",
    "lemma",
    "algorithm",
    "definition",
    "remark",
    "conjecture",
    "corollary",
    "criterion",
    "example",
    "property",
    "observation",
    "proposition",
    "assumption",
    "notation",
)

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})(?:\{(?P<name>[^}\s]+)\})?(?P<arg>.*)$")


# ------------------------------------------------------------------------ table of contents


def toc_entries(root: Path = ROOT) -> list[str]:
    """Every document of ``_toc.yml`` in book order (``root`` first), without extension."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in toc.items() if k != "root"})
    return found


def book_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook in ``book/``: those in ``_toc.yml`` in book order, then any others by name."""
    order = {entry: i for i, entry in enumerate(toc_entries(root))}
    paths = sorted((root / "book").glob("*.ipynb"))
    return sorted(paths, key=lambda p: (order.get(f"book/{p.stem}", len(order)), p.name))


def chapters(root: Path = ROOT) -> list[Path]:
    """The chapter notebooks (``book/NN_name.ipynb``) in book order."""
    return [p for p in book_notebooks(root) if re.match(r"\d\d_", p.name)]


def write_if_changed(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text or bytes) to ``path`` unless the file already holds exactly it: an
    unchanged file keeps its time stamp, so Sphinx does not re-read the pages that use it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_bytes() if path.is_file() else None
    new = data.encode() if isinstance(data, str) else data
    if old != new:
        path.write_bytes(new)


def read_notebook(path: Path) -> dict:
    """A notebook as plain JSON (``source`` joined into one string per cell)."""
    nb = json.loads(Path(path).read_text())
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


# ------------------------------------------------------------------------------ directives


@dataclasses.dataclass
class Directive:
    """One fenced MyST directive found at the top level of a Markdown string."""

    name: str  # e.g. "prf:theorem", "solution", "exercise"; "" for a plain code fence
    argument: str
    options: dict
    body: str
    start: int  # first line (the opening fence), 0-based
    end: int  # line after the closing fence
    text: str  # the directive's full source, fences included


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (
        len(line) - len(line.lstrip(" ")) <= 3 and len(stripped) >= len(fence) and set(stripped) == {fence[0]}
    )


def directives(markdown: str) -> list[Directive]:
    """The top-level fenced blocks of a MyST Markdown string, in order (code fences too).

    A block ends at the first line made of the same fence character, at least as long as the
    opening fence; an unclosed block runs to the end of the string, as in CommonMark.
    """
    lines = markdown.split("\n")
    found, i = [], 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["arg"]):
            i += 1
            continue
        fence, name = m["fence"], m["name"] or ""
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            j += 1
        inner = lines[i + 1 : j]
        options, k = {}, 0
        if name:
            if inner[:1] == ["---"]:
                end = inner.index("---", 1) if "---" in inner[1:] else 0
                options = yaml.safe_load("\n".join(inner[1:end])) or {} if end else {}
                k = end + 1 if end else 0
            else:
                while k < len(inner) and re.match(r"^:[\w-]+:", inner[k]):
                    key, _, value = inner[k][1:].partition(":")
                    options[key] = value.strip()
                    k += 1
        body = "\n".join(inner[k:]).strip("\n")
        end = min(j + 1, len(lines))
        found.append(Directive(name, m["arg"].strip(), options, body, i, end, "\n".join(lines[i:end])))
        i = end
    return found


def remove_directives(markdown: str, names: set[str]) -> tuple[str, list[str]]:
    """Remove the top-level directives called ``names``; return the rest and what was removed.

    Blank lines left where a directive stood are collapsed to one.
    """
    lines = markdown.split("\n")
    removed, keep = [], [True] * len(lines)
    for d in directives(markdown):
        if d.name in names:
            removed.append(d.text)
            for k in range(d.start, d.end):
                keep[k] = False
    text = "\n".join(line for line, k in zip(lines, keep) if k)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text, removed


# --------------------------------------------------------------------------- statements


@dataclasses.dataclass
class Statement:
    """A ``{prf:...}`` box: its type, number (None for ``:nonumber:``), title, label and body."""

    kind: str  # "theorem", "definition", ...
    number: int | None
    title: str
    label: str
    body: str
    notebook: Path
    cell: int

    @property
    def heading(self) -> str:
        """The box's heading as sphinx-proof prints it: ``Theorem 1 (Section 3)``."""
        head = self.kind.capitalize() + (f" {self.number}" if self.number is not None else "")
        return f"{head} ({self.title})" if self.title else head


def statements(root: Path = ROOT) -> list[Statement]:
    """Every ``{prf:...}`` statement box of the book (proofs excluded), numbered as the book does.

    sphinx-proof numbers each type separately through the whole book, in the order of the table
    of contents, skipping boxes marked ``:nonumber:``.
    """
    counters: dict[str, int] = {}
    found = []
    for path in book_notebooks(root):
        for index, cell in enumerate(read_notebook(path)["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            for d in directives(cell["source"]):
                kind = d.name.removeprefix("prf:")
                if not d.name.startswith("prf:") or kind not in PRF_TYPES:
                    continue
                number = None
                if "nonumber" not in d.options:
                    counters[kind] = number = counters.get(kind, 0) + 1
                found.append(
                    Statement(kind, number, d.argument, d.options.get("label", ""), d.body, path, index)
                )
    return found


# ----------------------------------------------------------------------------------- glue


def glued_values(nb: dict) -> dict[str, dict]:
    """The glue values stored in a notebook's outputs: name -> MIME bundle."""
    values = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = {
                    k.removeprefix("application/papermill.record/"): v for k, v in out["data"].items()
                }
    return values


def glued_names(cell: dict) -> set[str]:
    """The names a code cell glues, from its stored outputs."""
    return {
        out["metadata"]["scrapbook"]["name"]
        for out in cell.get("outputs", [])
        if "scrapbook" in out.get("metadata", {})
    }


GLUE_ROLE = re.compile(
    r"\{glue(?::(?P<kind>[a-z]*))?\}`(?:(?P<doc>[^`:]+)::)?(?P<name>[^`:]+)(?::(?P<fmt>[^`]*))?`"
)


def glue_used(markdown: str) -> set[str]:
    """The glue names a Markdown string refers to (any ``{glue...}`` role or directive)."""
    names = {m["name"].strip() for m in GLUE_ROLE.finditer(markdown)}
    names |= {d.argument for d in directives(markdown) if d.name.startswith("glue")}
    return names


def format_glue(value: dict, fmt: str | None) -> str:
    """A glued value as ``{glue:text}`` prints it: ``text/plain``, through ``format`` if given."""
    text = value.get("text/plain", "")
    if isinstance(text, list):
        text = "".join(text)
    text = text.strip()
    if fmt:
        try:
            number = float(text.replace("'", "").replace('"', ""))
            if fmt.endswith(("d", "n")) or (fmt.endswith(",") and number.is_integer()):
                number = int(number)
            return format(number, fmt)
        except ValueError:
            return text
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text
