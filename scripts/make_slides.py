"""One reveal.js deck per chapter, built from the chapter's own cells (``make slides``).

Usage: python scripts/make_slides.py [--out _build/slides] [book/NN_name.ipynb ...]

Writes ``_build/slides/NN_name.html`` for every chapter notebook in ``_toc.yml`` (or the ones
named), an ``index.html`` listing them, and ``_static/`` with reveal.js (the npm package pinned in
``slides/package.json``, installed by ``make slides``), MathJax 3 (the copy that
``sphinx-mathjax-offline`` ships, which the book uses too) and ``slides/slides.css``. A deck
loads nothing from outside its folder: open the file in a browser, offline.

What a deck shows is selected from the chapter automatically, by the book's conventions (README,
"Adding a chapter"), so a new chapter needs no tags:

1. a title slide: the chapter's title and its opening paragraph;
2. the paragraphs headed **Learning objectives.** and **Notation** (with its table);
3. in the chapter's order, with the section each comes from as a header:
   * every statement box (``{prf:theorem}``, ``{prf:definition}``, ... but not ``{prf:proof}``),
     numbered as in the book (one numbering per type through the whole book, in book order);
   * every figure (a code cell with a PNG output), with its caption;
   * the first table output of every *core* section (the sections the chapter's lecture path
     marks ``core``; with no lecture path, every section), if it has at most 12 rows;
4. the paragraph headed **Key takeaways.**;
5. the exercises' titles (statements only; never a solution).

MyST is turned into HTML for reveal.js: glued numbers are filled in from the notebook's stored
glue values, as the book prints them; cross-references become their text (``{prf:ref}`` the
statement's number); citations author-year; math goes to MathJax. A slide whose content is taller
than the slide is set in a smaller font until it fits (at most down to 50%).
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import re
import shutil
import sys
import time
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

sys.path.insert(0, str(Path(__file__).resolve().parent))
import booktools  # noqa: E402

ROOT = booktools.ROOT
OUT = ROOT / "_build" / "slides"
REVEAL = ROOT / "slides" / "node_modules" / "reveal.js"
TEMPLATE_CSS = ROOT / "slides" / "slides.css"
MAX_TABLE_ROWS = 12


# --------------------------------------------------------------------------- MyST -> HTML


def _math(content: str, display: bool) -> str:
    body = html.escape(content.strip())
    return f'<div class="math">\\[{body}\\]</div>\n' if display else f'<span class="math">\\({body}\\)</span>'


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    dollarmath_plugin(md, double_inline=True, renderer=lambda c, opts: _math(c, opts.get("display_mode")))
    amsmath_plugin(md, renderer=lambda c: _math(c, True))
    return md


MD = _markdown()


@dataclasses.dataclass
class Context:
    """What MyST roles need to become text: glue values, labels, statement numbers, citations."""

    glue: dict
    labels: dict[str, str]
    citations: dict[str, str]


def _role_text(content: str) -> str:
    """``text <target>`` -> ``text``; ``target`` -> ``target``."""
    m = re.match(r"^(.*?)\s*<([^<>]+)>$", content, re.S)
    return m[1] if m and m[1] else content


def myst_to_markdown(text: str, ctx: Context) -> str:
    """Plain Markdown (with ``$`` math) from MyST: roles resolved, targets and footnotes dropped."""
    text = re.sub(r"^\([\w-]+\)=\s*$", "", text, flags=re.M)
    text = re.sub(r"^\[\^[\w-]+\]:.*(?:\n(?: {4}|\t).*)*", "", text, flags=re.M)
    text = re.sub(r"\[\^[\w-]+\]", "", text)

    def glue(m):
        value = ctx.glue.get(m["name"].strip())
        if value is None:
            return f"[missing value {m['name']}]"
        if m["kind"] in ("md", "") and "text/markdown" in value:
            return (
                "".join(value["text/markdown"])
                if isinstance(value["text/markdown"], list)
                else value["text/markdown"]
            )
        return booktools.format_glue(value, m["fmt"])

    text = booktools.GLUE_ROLE.sub(glue, text)

    def role(m):
        name, content = m["name"], m["content"]
        if name == "math":
            return f"${content}$"
        if name in ("cite", "cite:p", "cite:t", "cite:ps", "cite:ts"):
            keys = [k.strip() for k in content.split(",")]
            names = [ctx.citations.get(k, k) for k in keys]
            return f"({'; '.join(names)})" if name != "cite:t" else "; ".join(names)
        target = _role_text(content)
        if target != content:
            return target
        return ctx.labels.get(content, content)

    text = re.sub(r"\{(?P<name>[\w:-]+)\}`(?P<content>[^`]*)`", role, text)
    return text


def render(text: str, ctx: Context) -> str:
    """HTML for a piece of MyST: nested directives become boxes, the rest goes through Markdown."""
    out, lines, last = [], text.split("\n"), 0
    for d in booktools.directives(text):
        out.append(MD.render(myst_to_markdown("\n".join(lines[last : d.start]), ctx)))
        if not d.name:  # a plain code fence
            out.append(MD.render(d.text))
        elif d.name in ("math",):
            out.append(_math(d.body, True))
        elif d.name not in ("solution", "solution-start", "solution-end") and not d.name.startswith("glue"):
            title = myst_to_markdown(d.argument, ctx)
            head = f'<p class="box-title">{MD.renderInline(title)}</p>' if title else ""
            out.append(f'<div class="box {d.name.replace(":", "-")}">{head}{render(d.body, ctx)}</div>')
        last = d.end
    out.append(MD.render(myst_to_markdown("\n".join(lines[last:]), ctx)))
    return "".join(out)


# ------------------------------------------------------------------------------ selection


@dataclasses.dataclass
class Slide:
    kind: str  # title, objectives, notation, statement, figure, table, takeaways, exercises
    section: str
    html: str


def _paragraph(markdown: str, lead: str) -> str | None:
    """The paragraph that starts with ``lead`` and any lists or tables right after it."""
    blocks = re.split(r"\n\s*\n", markdown)
    for i, block in enumerate(blocks):
        if block.lstrip().startswith(lead):
            found = [block]
            for nxt in blocks[i + 1 :]:
                if re.match(r"^\s*(?:[*+-] |\d+\. |\|)", nxt):
                    found.append(nxt)
                else:
                    break
            return "\n\n".join(found)
    return None


def _heading(markdown: str, level: int) -> list[tuple[str, str]]:
    """(label, text) of the headings of one level, label '' when there is no ``(label)=``."""
    found = []
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if re.match(rf"^#{{{level}}} ", line):
            prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            m = re.match(r"^\(([\w-]+)\)=\s*$", prev)
            found.append((m[1] if m else "", line[level + 1 :].strip()))
    return found


def _core_sections(markdown: str) -> set[str] | None:
    """Labels the lecture path marks ``core``, or None when the chapter has no lecture path."""
    path = _paragraph(markdown, "**Lecture path")
    if not path:
        return None
    core = set()
    for row in path.split("\n"):
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[1] == "core":
            core |= set(re.findall(r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`", cells[0]))
    return core


def _table_rows(markdown: str) -> int:
    return max(0, sum(1 for line in markdown.split("\n") if line.lstrip().startswith("|")) - 2)


def _plain(markdown: str, ctx: Context) -> str:
    """A heading's text without Markdown emphasis (math kept)."""
    return myst_to_markdown(markdown, ctx).replace("**", "").replace("*", "")


def select(path: Path, ctx: Context, statements: dict) -> list[Slide]:
    """The slides of one chapter notebook, in order (see the module docstring)."""
    nb = booktools.read_notebook(path)
    cells = nb["cells"]
    prose = "\n\n".join(c["source"] for c in cells if c["cell_type"] == "markdown")
    core = _core_sections(prose)
    slides: list[Slide] = []
    title = _heading(prose, 1)[0][1] if _heading(prose, 1) else path.stem
    intro = next(
        (b for b in re.split(r"\n\s*\n", cells[0]["source"]) if b.strip() and not b.startswith("#")), ""
    )
    slides.append(Slide("title", "", f"<h1>{MD.renderInline(_plain(title, ctx))}</h1>{render(intro, ctx)}"))
    for lead, kind in (("**Learning objectives", "objectives"), ("**Notation", "notation")):
        block = _paragraph(prose, lead)
        if block:
            slides.append(Slide(kind, "", render(block, ctx)))

    section, label, h3_label, tabled, h2_text = "", "", "", set(), ""
    for index, cell in enumerate(cells):
        src = cell["source"]
        if cell["cell_type"] == "markdown":
            for lbl, text in _heading(src, 2):
                section = h2_text = _plain(text, ctx)
                label, h3_label = lbl, ""
            for lbl, text in _heading(src, 3):
                h3_label = lbl or f"{label}/{text}"
                section = f"{h2_text} › {_plain(text, ctx)}"
            if h2_text.lower() in ("exercises", "notes"):
                continue
            for d in booktools.directives(src):
                kind = d.name.removeprefix("prf:")
                if d.name.startswith("prf:") and kind in booktools.PRF_TYPES:
                    st = statements[(path, index, d.options.get("label", ""), d.argument)]
                    head = MD.renderInline(myst_to_markdown(st.heading, ctx))
                    slides.append(
                        Slide(
                            "statement",
                            section,
                            f'<div class="box prf prf-{kind}"><p class="box-title">{head}</p>'
                            f"{render(d.body, ctx)}</div>",
                        )
                    )
            continue
        if cell["cell_type"] != "code" or booktools.tags(cell) & {"remove-cell", "remove-output"}:
            continue
        meta = cell.get("metadata", {}).get("mystnb", {})
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                png = "".join(data["image/png"]).replace("\n", "")
                caption = meta.get("figure", {}).get("caption", "")
                alt = html.escape(meta.get("image", {}).get("alt", ""), quote=True)
                slides.append(
                    Slide(
                        "figure",
                        section,
                        f'<figure><img src="data:image/png;base64,{png}" alt="{alt}">'
                        f"<figcaption>{render(caption, ctx)}</figcaption></figure>",
                    )
                )
            elif "text/markdown" in data:
                table = "".join(data["text/markdown"])
                where = h3_label or label
                is_core = core is None or label in core or h3_label in core
                if (
                    is_core
                    and where not in tabled
                    and table.lstrip().startswith("|")
                    and _table_rows(table) <= MAX_TABLE_ROWS
                ):
                    tabled.add(where)
                    slides.append(Slide("table", section, f'<div class="table">{render(table, ctx)}</div>'))

    block = _paragraph(prose, "**Key takeaways")
    if block:
        slides.append(Slide("takeaways", "", render(block, ctx)))
    exercises = [d for c in cells if c["cell_type"] == "markdown" for d in booktools.directives(c["source"])]
    items = [
        f"<li>{MD.renderInline(myst_to_markdown(d.argument, ctx))}</li>"
        for d in exercises
        if d.name == "exercise" and d.argument
    ]
    if items:
        slides.append(Slide("exercises", "", f"<h2>Exercises</h2><ol>{''.join(items)}</ol>"))
    return slides


# ---------------------------------------------------------------------------------- output


def _citations() -> dict[str, str]:
    """Citation key -> ``Surname et al. Year`` from ``book/references.bib``."""
    from pybtex.database import parse_file

    found = {}
    for key, entry in parse_file(str(ROOT / "book" / "references.bib")).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(p.prelast_names + p.last_names).replace("{", "").replace("}", "") for p in people]
        who = f"{names[0]} et al." if len(names) >= 3 else " and ".join(names) or key
        found[key] = f"{who} {entry.fields.get('year', '')}".strip()
    return found


def _labels(statements: list[booktools.Statement]) -> dict[str, str]:
    """Label -> text for cross-references: statements by number, sections by title."""
    labels = {}
    for st in statements:
        if st.label:
            labels[st.label] = (
                st.heading.split(" (")[0] if st.number else f"{st.kind.capitalize()} ({st.title})"
            )
    for path in booktools.book_notebooks():
        for cell in booktools.read_notebook(path)["cells"]:
            if cell["cell_type"] == "markdown":
                for level in (1, 2, 3, 4):
                    for lbl, text in _heading(cell["source"], level):
                        if lbl:
                            labels[lbl] = text.replace("**", "")
    return labels


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="_static/reveal/reset.css">
<link rel="stylesheet" href="_static/reveal/reveal.css">
<link rel="stylesheet" href="_static/reveal/theme/white.css">
<link rel="stylesheet" href="_static/slides.css">
<script>
window.MathJax = {{
  tex: {{ inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]],
         processEscapes: false, tags: "none" }},
  options: {{ ignoreHtmlClass: "tex2jax_ignore", processHtmlClass: "math" }},
  startup: {{ typeset: true }},
}};
</script>
<script defer src="_static/mathjax/tex-chtml.js"></script>
</head>
<body>
<div class="reveal"><div class="slides">
{slides}
</div></div>
<script src="_static/reveal/reveal.js"></script>
<script src="_static/fit.js"></script>
</body>
</html>
"""

FIT_JS = """// Fit every slide: shrink the font of a slide whose content is taller than the slide.
(function () {
  const deck = Reveal.initialize({ hash: true, slideNumber: "c/t", width: 1280, height: 720,
    margin: 0.04, center: false, transition: "none", controls: true, progress: true });
  const fit = () => {
    const height = Reveal.getConfig().height;
    for (const slide of document.querySelectorAll(".reveal .slides > section")) {
      const display = slide.style.display;
      slide.style.display = "block";
      let scale = 1;
      slide.style.fontSize = "";
      while (slide.scrollHeight > height && scale > 0.5) {
        scale = Math.round((scale - 0.05) * 100) / 100;
        slide.style.fontSize = scale + "em";
      }
      slide.dataset.fit = String(scale);
      slide.style.display = display;
    }
    Reveal.layout();
    document.body.dataset.fitted = "true";
  };
  window.fitSlides = fit;
  const typeset = () => (window.MathJax && MathJax.startup && MathJax.startup.promise)
    ? MathJax.startup.promise : new Promise((done) => setTimeout(() => done(typeset()), 50));
  Promise.all([deck, typeset(), document.fonts.ready]).then(() => document.fonts.ready).then(fit);
})();
"""


def deck(path: Path, slides: list[Slide], title: str, book_title: str) -> str:
    sections = []
    for i, s in enumerate(slides):
        head = f'<p class="kicker">{MD.renderInline(s.section)}</p>' if s.section else ""
        sections.append(f'<section class="slide-{s.kind}" data-slide="{i}">{head}{s.html}</section>')
    return PAGE.format(title=html.escape(f"{title} | {book_title}"), slides="\n".join(sections))


def static(out: Path) -> None:
    """Copy reveal.js, MathJax and the style sheet into ``out/_static``."""
    if not (REVEAL / "dist" / "reveal.js").is_file():
        raise SystemExit(f"reveal.js is not installed at {REVEAL}: run `make slides` (npm ci in slides/)")
    target = out / "_static"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(REVEAL / "dist", target / "reveal", ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    import sphinx  # sphinx-mathjax-offline (a module name with hyphens) sits beside it

    mathjax = Path(sphinx.__file__).parent.parent / "sphinx-mathjax-offline" / "static" / "mathjax"
    shutil.copytree(mathjax, target / "mathjax")
    shutil.copy2(TEMPLATE_CSS, target / "slides.css")
    (target / "fit.js").write_text(FIT_JS)


def build(out: Path, notebooks: list[Path]) -> list[Path]:
    """Write one deck per chapter notebook, the index and the static files; return the decks."""
    import yaml

    out.mkdir(parents=True, exist_ok=True)
    static(out)
    all_statements = booktools.statements()
    by_key = {(s.notebook, s.cell, s.label, s.title): s for s in all_statements}
    labels = _labels(all_statements)
    citations = _citations()
    book_title = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
    written, rows = [], []
    for path in notebooks:
        nb = booktools.read_notebook(path)
        ctx = Context(booktools.glued_values(nb), labels, citations)
        slides = select(path, ctx, by_key)
        title = slides[0].html.split("</h1>")[0].removeprefix("<h1>")
        target = out / f"{path.stem}.html"
        target.write_text(deck(path, slides, re.sub("<[^>]+>", "", title), book_title))
        written.append(target)
        rows.append(f'<li><a href="{target.name}">{title}</a> ({len(slides)} slides)</li>')
    (out / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Slides</title>'
        '<link rel="stylesheet" href="_static/slides.css"></head><body class="deck-index">'
        f"<h1>{html.escape(book_title)}: slides</h1><ul>{''.join(rows)}</ul></body></html>\n"
    )
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    notebooks = [p.resolve() for p in args.notebooks] or booktools.chapters()
    for d in build(args.out, notebooks):
        print(f"deck: {d}")
    print(f"slides built in {time.perf_counter() - start:.1f} s; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
