"""Input checks shared by the library's modules (each failure is a ValueError that says what)."""
from __future__ import annotations

import math
import numbers

import numpy as np


def whole_number(x, name: str, minimum: int = 0, what: str = "") -> int:
    """Return ``x`` as an int if it is a whole number ``>= minimum``, else raise ValueError.

    Parameters
    ----------
    x : object
        An int, a whole-valued real, or a 0-d array of one. Booleans are refused.
    name : str
        What ``x`` is called in the message.
    minimum : int, optional
        Smallest allowed value.
    what : str, optional
        Unit appended to the message, e.g. ``" of units"``.

    Returns
    -------
    int
    """
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    ok = (
        not isinstance(x, (bool, np.bool_))
        and isinstance(x, numbers.Real)
        and math.isfinite(float(x))
        and float(x).is_integer()
        and x >= minimum
    )
    if not ok:
        bound = "a non-negative whole number" if minimum == 0 else f"a whole number >= {minimum}"
        raise ValueError(f"{name} must be {bound}{what}, got {x!r}")
    return int(x)
