"""Claims of Section 5 and Appendix C.1 (posted prices), to be reproduced in
``book/04_posted_prices.ipynb``. Pending: registered so that the scope of the book is honest."""

from __future__ import annotations

from .registry import CH4, pending

pending(
    "ex2-median-price-fails",
    "Example 2",
    "Section 5",
    "With the median price $p^* = 1/(2(1-\\epsilon))$ and resale, buyer 1 always buys to resell at "
    "$\\epsilon^{-1}H$; equilibrium welfare is $O(1)$ against an optimum of $\\Theta(\\log H)$.",
    "welfare $\\Omega(\\log H)$ in isolation, $O(1)$ with the resale market",
    CH4,
)
pending(
    "fn17-ties-at-the-median",
    "Footnote 17",
    "Section 5",
    "Values equal to the median price occur with probability 0 in Example 2.",
    "'this occurs with probability 0 in our example'",
    CH4,
)
pending(
    "def5-balanced-prices",
    "Definition 5",
    "Section 5",
    "The two conditions of $(\\alpha, \\beta)$-balanced prices, checked on every pair of disjoint, "
    "jointly feasible allocations.",
    "Definition 5 (Dutting et al., 2020)",
    CH4,
)
pending(
    "prop6-balanced-isolation",
    "Proposition 6",
    "Section 5",
    "Balanced posted prices keep $1/(1 + \\alpha\\beta)$ of the optimal welfare without an aftermarket.",
    "at least $\\frac{1}{1+\\alpha\\beta}$ of the expected optimal welfare",
    CH4,
)
pending(
    "thm4-balanced-combined",
    "Theorem 4",
    "Section 5; Appendix C.1",
    "With $(\\alpha, \\beta)$-balanced posted prices, any BNE of the combined market keeps "
    "$1/(1 + \\alpha\\beta)$ of the optimal welfare, whatever the aftermarket.",
    "at least $\\frac{1}{1+\\alpha\\beta}$ times the expected optimal welfare",
    CH4,
)
pending(
    "claim1-per-unit-balanced",
    "Claim 1",
    "Section 5.1",
    "The per-unit price $w^{\\mathbf{v}} = \\frac1m \\sum_i v_i(x_i^*(\\mathbf{v}))$ is $(1, 1)$-balanced.",
    "$(1, 1)$-balanced",
    CH4,
)
pending(
    "fn19-tight",
    "Footnote 19",
    "Section 5.1",
    "The ratio $1/2$ is tight even for a single item.",
    "'The approximation ratio is tight even for the single-item setting'",
    CH4,
)
pending(
    "ex3-balanced-price",
    "Example 3",
    "Section 5.1",
    "In Example 1 the balanced per-unit price is $\\mathbf{E}[v(\\mathrm{OPT}(v))]/(2m) = "
    "\\Theta(\\log m / m)$, which discourages the speculator.",
    "$\\Theta((\\log m)/m)$",
    CH4,
)
