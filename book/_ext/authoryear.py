"""A pybtex style whose bibliography labels are author-year, like the book's citations.

The book cites with ``bibtex_reference_style: author_year`` ("Babaioff et al. (2023)"), but
sphinxcontrib-bibtex's default styles label the bibliography list alphabetically
("[BILL23]"). This local Sphinx extension registers a label style that prints the same
author-year text, and a formatting style ``authoryear`` that uses it (``bibtex_default_style``).
"""

import functools

from pybtex.plugin import find_plugin, register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


@functools.cache
def _text_backend():
    """pybtex's plain-text backend, looked up once (``Text.render_as("text")`` looks it up on every
    call, scanning the installed entry points: seconds of every build for the book's names)."""
    return find_plugin("pybtex.backends", "text")()


def _surnames(entry):
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return [Text.from_latex(" ".join(p.prelast_names + p.last_names)).render(_text_backend()) for p in people]


class AuthorYearLabels(BaseLabelStyle):
    """``Surname Year``, ``Surname and Surname Year`` or ``Surname et al. Year``."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            names = _surnames(entry)
            if len(names) >= 3:
                who = f"{names[0]} et al."
            else:
                who = " and ".join(names) or entry.key
            yield f"{who} {entry.fields.get('year', '')}".strip()


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "authoryear"
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
