"""Display helpers for the book's notebooks: deterministic, rounded text for outputs and glue.

nbval compares every text output exactly, and myst-nb's ``glue`` inserts a value's
``text/plain`` representation into prose. These helpers make both stable and readable:

* :func:`fmt` rounds a number to a fixed number of digits (no float noise in outputs);
* :class:`Txt` is a string whose representation has no quotes (glue shows ``(1, 2)``, not
  ``'(1, 2)'``), and which honours format specs;
* :func:`tup` prints a vector as a short tuple, e.g. ``(1, 1, 8)``;
* :func:`count_text` writes a count for a table cell, in powers of ten when large.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["fmt", "Txt", "tup", "bid_runs", "count_text", "Table", "table", "table_rows", "MarkdownText"]


def fmt(x, digits: int = 6) -> float:
    """Round a number for display.

    Parameters
    ----------
    x : float-like
        The value (a numpy scalar, sympy number, ...).
    digits : int, optional
        Decimal digits kept.

    Returns
    -------
    float

    Examples
    --------
    >>> fmt(0.1 + 0.2)
    0.3
    """
    return float(np.round(float(x), digits))


class Txt:
    """A string shown without quotes (its ``repr`` is the text itself).

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Examples
    --------
    >>> Txt("3/2")
    3/2
    >>> f"{Txt('ab'):>4}"
    '  ab'
    """

    def __init__(self, text):
        self.text = str(text)

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)


def tup(a) -> Txt:
    """A vector as a short tuple string, e.g. ``(1, 1, 8)``.

    Parameters
    ----------
    a : array_like
        Numbers (any shape; flattened).

    Returns
    -------
    Txt

    Examples
    --------
    >>> tup([1, 1.5, 8])
    (1, 1.5, 8)
    """
    return Txt("(" + ", ".join(f"{float(t):g}" for t in np.ravel(a)) + ")")


def bid_runs(bid, digits: int = 4) -> Txt:
    """A marginal bid vector as short runs, e.g. ``2 on 1, 0.3181 on 9`` (``nothing`` if all zero).

    Parameters
    ----------
    bid : array_like
        One bid vector (non-increasing marginal bids).
    digits : int, optional
        Significant digits of each level.

    Returns
    -------
    Txt

    Examples
    --------
    >>> bid_runs([2, 0.5, 0.5, 0])
    2 on 1, 0.5 on 2
    >>> bid_runs([0, 0])
    nothing
    """
    runs = []
    for x in np.ravel(np.asarray(bid, dtype=float)):
        if x <= 0:
            continue
        if runs and runs[-1][0] == x:
            runs[-1][1] += 1
        else:
            runs.append([x, 1])
    return Txt(", ".join(f"{x:.{digits}g} on {k}" for x, k in runs) or "nothing")


def count_text(n, limit: int = 10**5, digits: int = 1) -> str:
    """A count (rounded up to a whole number) for a Markdown table cell: with thousands separators
    below ``limit``, else as math, ``$a \\times 10^{k}$``.

    Parameters
    ----------
    n : float-like
        A non-negative count, e.g. a number of samples needed (rounded up).
    limit : int, optional
        Counts at least this large are written in powers of ten.
    digits : int, optional
        Decimal digits of the mantissa.

    Returns
    -------
    str

    Examples
    --------
    >>> count_text(1234.2)
    '1,235'
    >>> print(count_text(2_345_678))
    $2.3 \\times 10^{6}$
    """
    x = float(n)
    if not np.isfinite(x) or x < 0:
        raise ValueError(f"n must be a finite non-negative number, got {n!r}")
    k = int(np.ceil(x))
    if k < limit:
        return f"{k:,}"
    exp = len(str(k)) - 1
    mantissa = round(k / 10**exp, digits)
    if mantissa >= 10:  # 9.96e9 with one digit: 1.0 x 10^10, not 10.0 x 10^9
        mantissa, exp = mantissa / 10, exp + 1
    return f"${mantissa:.{digits}f} \\times 10^{{{exp}}}$"


class Table:
    """A table for a notebook output: Markdown for the book (math allowed), plain text otherwise.

    Jupyter Book renders the ``text/markdown`` output as a real, typeset table (myst-nb with
    ``nb_render_markdown_format: myst``); nbval compares the ``text/plain`` form, which is the
    same table with aligned columns. Build it with :func:`table`.

    Parameters
    ----------
    header : list of str
        Column titles (Markdown; ``$...$`` for math).
    rows : list of list of str
        Formatted cells.
    align : list of str
        ``"l"`` or ``"r"`` per column.
    """

    def __init__(self, header, rows, align):
        self.header, self.rows, self.align = list(header), [list(r) for r in rows], list(align)

    def _repr_markdown_(self) -> str:
        rule = ["---:" if a == "r" else ":---" for a in self.align]
        cells = [[_escape_pipes(c) for c in row] for row in [self.header] + self.rows]
        lines = [cells[0], rule] + cells[1:]
        return "\n".join("| " + " | ".join(row) + " |" for row in lines)

    def __repr__(self) -> str:
        cols = list(zip(self.header, *self.rows))
        width = [max(len(c) for c in col) for col in cols]
        lines = []
        for cells in [self.header] + self.rows:
            lines.append(
                "  ".join(c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, width, self.align))
            )
        return "\n".join(line.rstrip() for line in lines)


def _escape_pipes(cell: str) -> str:
    r"""A cell for a Markdown table: every ``|`` not yet escaped becomes ``\|`` (an absolute value
    such as ``largest |x - y|`` would otherwise end the cell; the table parser removes the
    backslash, in text and in math alike).

    Examples
    --------
    >>> print(_escape_pipes("largest |a - b|, $|x|$, \\|y\\|"))
    largest \|a - b\|, $\|x\|$, \|y\|
    """
    return re.sub(r"(?<!\\)\|", r"\\|", cell)


def _cell(x, spec: str) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if spec:
        return format(x, spec)
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    return f"{float(x):g}"


def table(columns: dict, formats: dict | None = None) -> Table:
    """A :class:`Table` from columns of equal length.

    Parameters
    ----------
    columns : dict of str to sequence
        Column title -> values, in display order. Strings are shown as they are; numbers with
        ``formats[title]`` (a format spec such as ``".4f"`` or ``",.0f"``), else integers with
        thousands separators and floats with ``g``; booleans as yes / no.
    formats : dict of str to str, optional
        Format spec per column title.

    Returns
    -------
    Table

    Examples
    --------
    >>> table({"m": [10, 1000], "PoA": [1.134385, 1.572689]}, {"PoA": ".4f"})
        m     PoA
       10  1.1344
    1,000  1.5727
    """
    formats = formats or {}
    titles = list(columns)
    data = [list(np.ravel(np.asarray(columns[t], dtype=object))) for t in titles]
    if len({len(d) for d in data}) > 1:
        raise ValueError(f"columns must have equal lengths, got {[len(d) for d in data]}")
    rows = [[_cell(x, formats.get(t, "")) for t, x in zip(titles, r)] for r in zip(*data)]
    align = ["l" if all(isinstance(x, str) for x in d) else "r" for d in data]
    return Table(titles, rows, align)


def table_rows(header, rows, formats: dict | None = None) -> Table:
    """A :class:`Table` from a header and a list of rows (see :func:`table` for formats).

    Examples
    --------
    >>> table_rows(["agent", "gain"], [("A", 0.0), ("B", 0.25)], {"gain": ".2f"})
    agent  gain
    A      0.00
    B      0.25
    """
    rows = list(rows)
    if any(len(r) != len(header) for r in rows):
        raise ValueError(f"every row needs {len(header)} cells")
    return table({h: [r[j] for r in rows] for j, h in enumerate(header)}, formats)


class MarkdownText:
    """Markdown for a notebook output whose plain-text form is the same source.

    ``IPython.display.Markdown`` shows ``<IPython.core.display.Markdown object>`` as plain text,
    which nbval compares; this class shows the Markdown source itself, so nbval checks the content.
    """

    def __init__(self, text: str):
        self.text = str(text)

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text
