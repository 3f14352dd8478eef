"""Claims of Appendix E (two symmetric bidders), to be reproduced in
``book/06_symmetric_first_price.ipynb``. Pending: registered so that the scope of the book is honest."""

from __future__ import annotations

from .registry import CH6, pending

pending(
    "def7-ex-post-ir",
    "Definition 7",
    "Appendix E",
    "Ex post individual rationality of a secondary market.",
    "$v_i(x; \\theta_i) \\le u_i(\\mathcal{M}^2(x, \\sigma(\\theta)); \\theta_i)$",
    CH6,
)
pending(
    "thm7-symmetric-efficient",
    "Theorem 7",
    "Appendix E",
    "With two i.i.d. bidders, first-price or all-pay, any ex post IR aftermarket: every BNE with "
    "non-decreasing bids is efficient.",
    "every Bayesian Nash equilibrium [...] in which the bids [...] are non-decreasing in values, is efficient",
    CH6,
)
pending(
    "lemma1-payment-identity",
    "Lemma 1",
    "Appendix E",
    "Myerson's payment identity holds for interim allocations and payments of the combined market.",
    "$\\tilde{p}_i(v_i) = v_i \\tilde{x}_i(v_i) - \\int_0^{v_i} \\tilde{x}_i(z)\\,dz + \\tilde{p}_i(0)$",
    CH6,
)
pending(
    "claim2-limits-meet",
    "Claim 2",
    "Appendix E",
    "At the crossing point $\\bar v$ the two bid functions have the same limit from below.",
    "$\\lim_{v \\uparrow \\bar v} b_1(v) = \\lim_{v \\uparrow \\bar v} b_2(v)$",
    CH6,
)
pending(
    "claim3-equal-utilities",
    "Claim 3",
    "Appendix E",
    "Utilities ordered at both ends of an interval force equal interim allocations, hence efficiency.",
    "the allocation is efficient for values between $\\bar v$ and $\\bar v'$",
    CH6,
)
pending(
    "fig1-asymmetric-bids",
    "Figure 1",
    "Appendix E",
    "Asymmetric bid functions $b_1$, $b_2$ with crossing points $\\bar v$, $v^*$, $\\bar v'$.",
    "Figure 1",
    CH6,
)
