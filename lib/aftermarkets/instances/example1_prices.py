r"""Example 1 at a per-unit price or reserve (Sections 5.1 and 6): closed forms and methods.

The quantities of Example 1 (:mod:`~aftermarkets.instances.example1`) that involve a per-unit price
:math:`r`, a posted price (Example 3) or a reserve in the uniform-price auction (Theorem 5). With
:math:`h = 1/(2m)`, :math:`c = 2m - 1` and :math:`W = \mathbb{E}[\mathrm{Wel}(\mathbf v)]`:

* the balanced price :math:`p = W/(2m)` (Claim 1, Theorem 4, Example 3; the reserve of
  Theorem 5);
* Proposition 1's strategies in an auction with reserve :math:`r \le 1`: the outcome is unchanged
  and every unit costs :math:`r`, so :math:`u_C(r) = 1 + (m-3)h - r(m-2)`,
  :math:`u_A(r) = \tfrac94 - r`, :math:`u_B(r) = 2 + (m-3)\tfrac{h^2}{2} - r` (for
  :math:`1 < r \le 2` C wins nothing and A, B pay :math:`r` for one unit; above 2 nobody wins);
  the break-even reserve :math:`(1 + (m-3)h)/(m-2)`;
* the welfare when A and B get exactly the units they value at :math:`r` or more and C none,
  :math:`\tfrac{21}{4} + (m-3)\,\mathbb{E}[z\,\mathbf 1\{z \ge r\}]` for :math:`0 \le r \le 1`,
  with :math:`\mathbb{E}[z\,\mathbf 1\{z \ge r\}] = \frac{r}{1 + cr} + \frac{\ln 2m - \ln(1 + cr)}{c}
  + \frac{h^2}{2}`;
* the variance of :math:`\mathrm{Wel}(\mathbf v)` (for the estimated reserve of Corollary 2).

:func:`expressions` builds them as sympy expressions (merged into
:func:`Example1.symbolic <aftermarkets.instances.example1.symbolic>`, so one formula serves the
closed forms and the methods); :class:`PricesMixin` gives :class:`~aftermarkets.Example1` its
methods.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp

from .._checks import prices

__all__ = ["AT_PRICE", "expressions", "closed_forms_at_price", "PricesMixin"]

#: The per-unit price or reserve, a sympy symbol.
R = sp.Symbol("r", nonnegative=True)

#: The quantities :func:`closed_forms_at_price` evaluates: functions of ``m`` and a per-unit price
#: or reserve ``r``.
AT_PRICE = (
    "speculator_utility_at_reserve",
    "utility_A_at_reserve",
    "utility_B_at_reserve",
    "welfare_at_price",
)


def expressions(m, ez, opt, spec) -> dict:
    """The sympy expressions of this module, from Example 1's symbol ``m``, :math:`\\mathbb{E}[z]`
    (``ez``), the expected optimal welfare (``opt``) and the speculator's utility (``spec``)."""
    r, h, c = R, 1 / (2 * m), 2 * m - 1
    # second moments (derivations in the docstring of PricesMixin.optimal_welfare_variance)
    ez2 = 2 / c - 2 * sp.log(2 * m) / c**2 + h**2 + h**3 / 3
    e_max = sp.Rational(5, 4) + h**3 / 3
    var_max = sp.Rational(19, 12) + 2 * h**3 / 3 + h**4 / 3 - e_max**2
    cov = h**3 / 3 + h**4 / 4 - ez * h**3 / 3
    var_opt = (m - 3) ** 2 * (ez2 - ez**2) + var_max + 2 * (m - 3) * cov
    # E[z 1{z >= r}] for 0 <= r <= 1: r S(r) + int_r^1 S + h^2 / 2 (the top piece)
    tail = r / (1 + c * r) + (sp.log(2 * m) - sp.log(1 + c * r)) / c + h**2 / 2
    return {
        "E_z2": ez2,
        "optimal_welfare_variance": var_opt,
        "r": r,
        "balanced_price": opt / (2 * m),
        "break_even_reserve": spec / (m - 2),
        "speculator_utility_at_reserve": sp.Piecewise((spec - r * (m - 2), r <= 1), (0, True)),
        "utility_A_at_reserve": sp.Piecewise((sp.Rational(9, 4) - r, r <= 1), (2 - r, r <= 2), (0, True)),
        "utility_B_at_reserve": sp.Piecewise(
            (2 + (m - 3) * h**2 / 2 - r, r <= 1), (2 - r, r <= 2), (0, True)
        ),
        "welfare_at_price": sp.Piecewise((sp.Rational(21, 4) + (m - 3) * tail, r <= 1), (sp.nan, True)),
    }


@functools.cache
def _compiled_at_price():
    from .example1 import _M, _symbolic  # example1 imports this module: import at call time

    s = _symbolic()
    return {k: sp.lambdify((_M, R), s[k], "numpy") for k in AT_PRICE}


def closed_forms_at_price(m, r) -> dict:
    """Every exact quantity of :data:`AT_PRICE` at real ``m`` and per-unit price ``r`` (vectorised).

    Parameters
    ----------
    m : float or array_like
        Number of units (the continuous extension, as in :func:`closed_forms`).
    r : float or array_like
        Per-unit reserve or posted price, ``>= 0`` (``welfare_at_price`` needs ``r <= 1``).

    Returns
    -------
    dict of numpy.ndarray
        One array of the broadcast shape of ``m`` and ``r`` per key of :data:`AT_PRICE`.

    Examples
    --------
    >>> round(float(closed_forms_at_price(10, 0.1)["speculator_utility_at_reserve"]), 12)
    0.55
    """
    m, r = np.broadcast_arrays(np.asarray(m, dtype=float), np.asarray(r, dtype=float))
    if np.any(~np.isfinite(r)) or np.any(r < 0):
        raise ValueError(f"the price r must be finite and >= 0, got {r!r}")
    return {
        k: np.broadcast_to(np.asarray(f(m, r), dtype=float), m.shape) for k, f in _compiled_at_price().items()
    }


class PricesMixin:
    """Example 1's methods for a per-unit price or reserve; :class:`~aftermarkets.Example1` inherits
    them (the host class provides ``m`` and ``_exact``)."""

    def _at_price(self, key: str, r) -> float:
        r = float(prices(r, "reserve", scalar=True))
        return float(_compiled_at_price()[key](self.m, r))

    def balanced_price(self) -> float:
        r"""The balanced per-unit price :math:`\mathbb{E}[\mathrm{Wel}(\mathbf v)]/(2m)` (Claim 1 and
        Theorem 4 in Section 5.1, Example 3; the reserve of Theorem 5).

        Half the expected per-unit optimal welfare,
        :math:`\bigl(\tfrac{21}{4} + (m-3)\mathbb{E}[z] + \tfrac{1}{24m^3}\bigr)/(2m)
        = \Theta(\log m / m)`.

        Examples
        --------
        >>> from aftermarkets import Example1
        >>> round(Example1(10).balanced_price(), 6)
        0.318124
        """
        return self._exact("balanced_price")

    def optimal_welfare_variance(self) -> float:
        r"""Variance of the optimal welfare :math:`\mathrm{Wel}(\mathbf v) = 4 + (m-3)z + M`,
        :math:`M = \max(U, z)`, exactly.

        With :math:`h = 1/(2m)`: :math:`\mathbb{E}[z^2] = \frac{2}{2m-1} - \frac{2\ln 2m}{(2m-1)^2}
        + h^2 + \frac{h^3}{3}`; :math:`M = U` unless :math:`z > U`, which needs :math:`z \in [1, 1+h]`
        (density 1 there, :math:`U` has density 2 on :math:`[1, 1.5]`), so
        :math:`\mathbb{E}[M^2] = \frac{19}{12} + \frac{2h^3}{3} + \frac{h^4}{3}` and
        :math:`\operatorname{Cov}(z, M) = \frac{h^3}{3} + \frac{h^4}{4} - \mathbb{E}[z]\frac{h^3}{3}`;
        then :math:`\operatorname{Var} = (m-3)^2 \operatorname{Var} z + \operatorname{Var} M
        + 2(m-3)\operatorname{Cov}(z, M)`. It grows like :math:`m`, while the mean grows like
        :math:`\frac12 \ln m`.

        Examples
        --------
        >>> from aftermarkets import Example1
        >>> round(Example1(10).optimal_welfare_variance(), 6)
        3.252993
        """
        return self._exact("optimal_welfare_variance")

    def break_even_reserve(self) -> float:
        r"""The reserve at which Proposition 1's strategy earns the speculator exactly 0:
        :math:`\bigl(1 + \tfrac{m-3}{2m}\bigr)/(m - 2)`."""
        return self._exact("break_even_reserve")

    def welfare_at_price(self, price) -> float:
        r"""Expected welfare when A and B get exactly the units they value at ``price`` or more and
        C gets none, for a per-unit price :math:`0 \le r \le 1`.

        A gets her two units, B her first, and B's other :math:`m - 3` units go to B when
        :math:`z \ge r` and stay unsold otherwise:

        .. math::

            \tfrac{21}{4} + (m - 3)\,\mathbb{E}[z\,\mathbf{1}\{z \ge r\}],

        with :math:`\mathbb{E}[z\,\mathbf{1}\{z \ge r\}] = \frac{r}{1 + (2m-1)r}
        + \frac{\ln 2m - \ln(1 + (2m-1)r)}{2m - 1} + \frac{1}{8m^2}`. This is the outcome of the
        balanced posted price of Example 3 when the buyers arrive in the order A, B, C and buy their
        demand (:meth:`posted_price_welfare`), and of the reserve profile of Theorem 5's chapter
        (:mod:`~aftermarkets.instances.reserve`): one formula for both.

        Parameters
        ----------
        price : float
            Per-unit price or reserve in ``[0, 1]``.

        Raises
        ------
        ValueError
            If ``price`` is outside ``[0, 1]`` (above 1, A's demand depends on ``U``).

        Examples
        --------
        >>> from aftermarkets import Example1
        >>> round(Example1(10).welfare_at_price(1.0), 6)  # = the Proposition 1 welfare
        5.60875
        """
        r = float(prices(price, "price", scalar=True))
        if r > 1:
            raise ValueError(f"welfare_at_price needs a price in [0, 1], got {price!r}")
        return self._at_price("welfare_at_price", r)

    def posted_price_welfare(self, price=None) -> float:
        r"""Expected welfare of the posted price (default: :meth:`balanced_price`, Example 3) with
        buyers arriving in the order A, B, C, each buying her demand, C buying nothing.

        C, last, finds units left only when :math:`z < r`, and no trade mechanism that B joins
        voluntarily pays her more than :math:`z < r` for one of them, so buying nothing is her best
        response; A and B buy their demand. This is that equilibrium's welfare,
        :meth:`welfare_at_price` (the other arrival orders are Chapter 4's subject).

        Parameters
        ----------
        price : float, optional
            Per-unit price in ``[0, 1]``; default the balanced price.

        Examples
        --------
        >>> from aftermarkets import Example1
        >>> ex = Example1(10)
        >>> round(ex.posted_price_welfare() / ex.expected_optimal_welfare(), 4)
        0.9366
        """
        return self.welfare_at_price(self.balanced_price() if price is None else price)
