"""Input checks and seed handling shared by the library's modules.

Every check raises a :class:`ValueError` that says what is wrong and what is expected; every
random draw goes through :func:`generator`, so a seed means the same thing everywhere.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["whole_number", "unit_counts", "prices", "probabilities", "generator"]


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

    Examples
    --------
    >>> whole_number(4.0, "m", 4)
    4
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


def unit_counts(x, name: str) -> np.ndarray:
    """Return ``x`` as an int64 array of non-negative whole numbers of units.

    Parameters
    ----------
    x : array_like
        Unit counts (holdings, quantities, requests), any shape.
    name : str
        What ``x`` is called in the message.

    Returns
    -------
    numpy.ndarray of int64

    Raises
    ------
    ValueError
        If an entry is negative, fractional, infinite or NaN.
    """
    arr = np.asarray(x)
    if arr.dtype.kind in "iu":  # the common case, checked cheaply
        if arr.size and arr.min() < 0:
            raise ValueError(f"{name} must be non-negative whole numbers of units, got {x!r}")
        return arr.astype(np.int64, copy=False)
    try:
        arr = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be whole numbers of units, got {x!r}") from exc
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be non-negative whole numbers of units, got {x!r}")
    return arr.astype(np.int64)


def prices(value, name: str, scalar: bool = False) -> np.ndarray:
    """Return ``value`` as a float array of finite, non-negative prices.

    Parameters
    ----------
    value : float or array_like
        A price, or one price per sampled profile.
    name : str
        What it is called in the message (``"price"``, ``"reserve"``, ...).
    scalar : bool, optional
        Require a single number.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If a price is negative, infinite or NaN, or not a single number when ``scalar``.
    """
    if type(value) in (float, int, np.float64):  # one plain number: the common case, checked cheaply
        if math.isfinite(value) and value >= 0:
            return np.asarray(float(value))
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}") from exc
    if scalar and arr.ndim != 0:
        raise ValueError(f"{name} must be a single number (one for every profile), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return arr


def probabilities(u, name: str = "u") -> np.ndarray:
    """Return ``u`` as a float array after checking every entry lies in ``[0, 1]``."""
    u = np.asarray(u, dtype=float)
    if np.any(~(u >= 0) | ~(u <= 1)):
        raise ValueError(f"{name} must be probabilities in [0, 1]")
    return u


def generator(seed=None) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, or ``seed`` itself when it already is a Generator.

    Parameters
    ----------
    seed : int, numpy.random.Generator or None

    Returns
    -------
    numpy.random.Generator
    """
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
