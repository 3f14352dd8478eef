"""What the HTML shows with CSS, given to the PDF (``make pdf``); the HTML is unchanged.

* sphinx-design's badges (the ledger's statuses: reproduced, refined, disagrees, pending) are
  plain text in sphinx-design's LaTeX output; here they are coloured boxes, in the badge's colour;
* the ledger's ``ledger-claim`` containers (a left rule in ``custom.css``) get a left rule too,
  through Sphinx's ``sphinxuseclass`` hook (an environment ``sphinxclass<name>``);
* a figure glued from another notebook (``{glue}`` with ``:doc:``, as the introduction does) is
  written by myst-nb next to the LaTeX file but linked relative to the page's folder
  (``../<hash>.png``), right for the HTML's ``book/`` pages, wrong for the single ``book.tex``:
  such links are pointed at the same figure as the source notebook's own output, which the
  builder copies.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx_design.badges_buttons import sd_badge

#: sphinx-design's badge colours (its CSS variables' defaults), by the class ``sd-bg-<name>``.
COLOURS = {
    "primary": "0071BC",
    "secondary": "6C757D",
    "success": "28A745",
    "info": "17A2B8",
    "warning": "F0B37E",
    "danger": "DC3545",
    "light": "F8F9FA",
    "muted": "6C757D",
    "dark": "212529",
}
DARK_TEXT = {"warning", "light"}

PREAMBLE = "\n".join(
    [r"% book/_ext/latex_look.py: sphinx-design badges and the ledger's cards"]
    + [rf"\definecolor{{bookbadge{name}}}{{HTML}}{{{hex_}}}" for name, hex_ in COLOURS.items()]
    + [
        r"\newcommand{\bookbadge}[3]{{\setlength{\fboxsep}{1.5pt}\colorbox{bookbadge#1}"
        r"{\textcolor{#2}{\sffamily\footnotesize\strut #3}}}}",
        r"\usepackage{framed}",
        r"\newenvironment{sphinxclassledger-claim}"
        r"{\def\FrameCommand{{\color{bookbadgesecondary}\vrule width 2pt}\hspace{6pt}}"
        r"\MakeFramed{\advance\hsize-\width\FrameRestore}}{\endMakeFramed}",
    ]
)


def _colour(node) -> str:
    for cls in node.get("classes", []):
        for prefix in ("sd-bg-", "sd-outline-"):
            if cls.startswith(prefix) and cls[len(prefix) :] in COLOURS:
                return cls[len(prefix) :]
    return "secondary"


def visit_badge_latex(self, node) -> None:
    colour = _colour(node)
    self.body.append(rf"\bookbadge{{{colour}}}{{{'black' if colour in DARK_TEXT else 'white'}}}{{")


def depart_badge_latex(self, node) -> None:
    self.body.append("}")


def _preamble(app, config) -> None:
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + "\n" + PREAMBLE + "\n"
    config.latex_elements = elements


def _glued_images(app, doctree, docname) -> None:
    if app.builder.format != "latex":
        return
    # The same figure is the source notebook's own output: the builder knows it, and copies it.
    known = {Path(uri).name: uri for uri in app.env.images}
    for node in doctree.findall(nodes.image):
        uri = node.get("uri", "")
        if uri.startswith("../") and uri not in app.env.images and Path(uri).name in known:
            node["uri"] = known[Path(uri).name]
            node["candidates"] = {"*": node["uri"]}


def setup(app):
    app.setup_extension("sphinx_design")
    app.add_node(sd_badge, override=True, latex=(visit_badge_latex, depart_badge_latex))
    app.connect("config-inited", _preamble)
    app.connect("doctree-resolved", _glued_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
