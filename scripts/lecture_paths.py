"""The chapters' lecture paths, gathered for the "Teaching with this book" page (``book/teaching.md``).

Each chapter notebook's opening holds a **Lecture path** table: one row per part of the chapter
(``{ref}`` links to its sections), the level (``core`` or ``optional``) and the minutes, under the
sentence "**Lecture path** (a N-minute class covers the core)." This script reads those tables from
the notebooks, so the teaching page cannot drift from them, and writes

``book/_generated/lecture_paths.md``
    a summary table (core and optional minutes per chapter), each chapter's parts, and the
    two-lecture plan for the whole paper (``PLAN``: parts chosen by their first section label,
    their minutes taken from the chapters' tables).

``make book``, ``make student`` and ``make pdf`` run it (through ``scripts/update_scope.py``);
``tests/test_teaching.py`` checks the tables (every chapter has one, its core fits the class it
names and at most 90 minutes), the plan (each lecture at most 90 minutes) and that the generated
file is current. Usage: ``python scripts/lecture_paths.py [--check]``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import booktools  # noqa: E402

ROOT = booktools.ROOT
OUT = ROOT / "book" / "_generated" / "lecture_paths.md"
HEADING = re.compile(r"\*\*Lecture path\*\* \(a (?P<minutes>\d+)-minute class covers the core\)\.")
ROW = re.compile(r"^\|(?P<part>[^|]+)\|(?P<level>[^|]+)\|\s*(?P<minutes>\d+)\s*\|\s*$")
LABEL = re.compile(r"\{ref\}`(?:[^`<]*<)?(?P<label>[\w-]+)>?`")
LECTURE_LIMIT = 90

#: The two-lecture plan for the whole paper: per lecture, a title and the chapter parts it takes,
#: each named by (notebook stem, the first section label of its row in the chapter's table).
PLAN = [
    (
        "Aftermarkets break the uniform-price auction; smooth auctions survive them",
        [
            ("01_model", "sec-01-combined"),
            ("02_uniform_price_speculation", "sec-02-result"),
            ("02_uniform_price_speculation", "sec-02-poa"),
            ("03_smooth_auctions", "sec-03-def3"),
            ("03_smooth_auctions", "sec-03-cor1"),
        ],
    ),
    (
        "Balanced prices, reserves, the symmetric first-price auction, and the lab",
        [
            ("04_posted_prices", "sec-04-balanced"),
            ("05_reserve_prices", "sec-05-result"),
            ("05_reserve_prices", "sec-05-example1"),
            ("06_symmetric_first_price", "sec-06-result"),
            ("07_equilibrium_lab", "sec-07-survey"),
        ],
    ),
]


@dataclass(frozen=True)
class Part:
    text: str  # the table's first cell, Markdown with {ref} links
    level: str  # "core" or "optional"
    minutes: int

    @property
    def labels(self) -> list[str]:
        return [m["label"] for m in LABEL.finditer(self.text)]


@dataclass(frozen=True)
class LecturePath:
    stem: str  # the notebook's file name without .ipynb
    title: str
    class_minutes: int  # "a N-minute class covers the core"
    parts: tuple[Part, ...]

    def minutes(self, level: str) -> int:
        return sum(p.minutes for p in self.parts if p.level == level)

    def part(self, label: str) -> Part:
        """The part whose first section label is ``label``."""
        for p in self.parts:
            if p.labels and p.labels[0] == label:
                return p
        raise KeyError(f"{self.stem}: no lecture-path row starts with {{ref}}`{label}`")


def read(path: Path) -> LecturePath:
    """The lecture path of one chapter notebook; ``ValueError`` if it has none or it is malformed."""
    nb = booktools.read_notebook(path)
    markdown = [c["source"] for c in nb["cells"] if c["cell_type"] == "markdown"]
    title = next(
        (line[2:].strip() for src in markdown for line in src.split("\n") if line.startswith("# ")),
        path.stem,
    )
    for src in markdown:
        found = HEADING.search(src)
        if not found:
            continue
        lines = src[found.end() :].strip().split("\n")
        if len(lines) < 3 or not lines[0].startswith("|") or not lines[1].startswith("|"):
            raise ValueError(f"{path.name}: the lecture path has no table after its heading")
        parts = []
        for line in lines[2:]:
            if not line.startswith("|"):
                break
            row = ROW.match(line.strip())
            if not row:
                raise ValueError(f"{path.name}: malformed lecture-path row {line!r}")
            level = row["level"].strip()
            if level not in ("core", "optional"):
                raise ValueError(f"{path.name}: level {level!r} is neither core nor optional")
            parts.append(Part(row["part"].strip(), level, int(row["minutes"])))
        if not parts:
            raise ValueError(f"{path.name}: the lecture path's table has no rows")
        return LecturePath(path.stem, title, int(found["minutes"]), tuple(parts))
    raise ValueError(f"{path.name}: no '**Lecture path** (a N-minute class covers the core).' table")


def chapters() -> list[LecturePath]:
    return [read(path) for path in booktools.chapters()]


def plan(paths: list[LecturePath] | None = None) -> list[tuple[str, list[tuple[LecturePath, Part]]]]:
    """``PLAN`` resolved against the chapters' tables: per lecture, its title and its parts."""
    by_stem = {p.stem: p for p in (paths or chapters())}
    return [
        (title, [(by_stem[stem], by_stem[stem].part(label)) for stem, label in items])
        for title, items in PLAN
    ]


def _chapter_link(path: LecturePath, text: str | None = None) -> str:
    return f"{{doc}}`{text or path.title} <{path.stem}>`"


def render(paths: list[LecturePath] | None = None) -> str:
    """The Markdown of ``book/_generated/lecture_paths.md``."""
    paths = paths or chapters()
    out = [
        "<!-- Generated by scripts/lecture_paths.py from the chapters' lecture-path tables: do not edit. -->",
        "",
        "(teaching-summary)=",
        "## Minutes per chapter",
        "",
        "| chapter | core | optional | class |",
        "| :--- | ---: | ---: | ---: |",
    ]
    for number, p in enumerate(paths, 1):
        out.append(
            f"| {_chapter_link(p, f'Chapter {number}')} | {p.minutes('core')} | {p.minutes('optional')} "
            f"| {p.class_minutes} |"
        )
    out += [
        "",
        f"Total: {sum(p.minutes('core') for p in paths)} minutes of core and "
        f"{sum(p.minutes('optional') for p in paths)} of optional material.",
        "",
        "(teaching-paths)=",
        "## Each chapter's lecture path",
        "",
    ]
    for number, p in enumerate(paths, 1):
        out += [f"**Chapter {number}**, {_chapter_link(p)}:", ""]
        out += [f"* {part.text} ({part.level}, {part.minutes} min)" for part in p.parts]
        out.append("")
    out += ["(teaching-plan)=", "## Two lectures for the whole paper", ""]
    number_of = {p.stem: k for k, p in enumerate(paths, 1)}
    for number, (title, parts) in enumerate(plan(paths), 1):
        total = sum(part.minutes for _, part in parts)
        out += [f"**Lecture {number}** ({total} minutes): {title}.", ""]
        out += [
            f"{k}. {part.text} ({part.minutes} min, {_chapter_link(path, f'Chapter {number_of[path.stem]}')})"
            for k, (path, part) in enumerate(parts, 1)
        ]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text() != text:
            print(f"{OUT} is out of date: run python scripts/lecture_paths.py")
            return 1
        return 0
    booktools.write_if_changed(OUT, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
