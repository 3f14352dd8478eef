"""Display helpers for the book's notebooks: deterministic, rounded text for outputs and glue.

nbval compares every text output exactly, and myst-nb's ``glue`` inserts a value's
``text/plain`` representation into prose. These helpers make both stable and readable:

* :func:`fmt` rounds a number to a fixed number of digits (no float noise in outputs);
* :class:`Txt` is a string whose representation has no quotes (glue shows ``(1, 2)``, not
  ``'(1, 2)'``), and which honours format specs;
* :func:`tup` prints a vector as a short tuple, e.g. ``(1, 1, 8)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fmt", "Txt", "tup"]


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
