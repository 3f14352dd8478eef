"""Claims of Section 6 and Appendices C.2 and D (uniform price with a reserve), to be reproduced
in ``book/05_reserve_prices.ipynb``. Pending: registered so that the scope of the book is honest."""

from __future__ import annotations

from .registry import CH5, pending

pending(
    "thm5-balanced-reserve",
    "Theorem 5",
    "Section 6; Appendix C.2",
    "A uniform-price auction with per-unit reserve $p = \\mathbf{E}[\\mathbf{v}(\\mathrm{OPT}(\\mathbf{v}))]/(2m)$ "
    "keeps half of the optimal welfare at any BNE of the combined market.",
    "at least half of the expected optimal welfare",
    CH5,
)
pending(
    "cor2-estimated-reserve",
    "Corollary 2",
    "Section 6",
    "With an estimate within $(1 \\pm \\epsilon)$ with probability $1 - \\delta$, the welfare is at least "
    "$\\frac{1-\\epsilon}{2}$ of the optimum with probability $1 - \\delta$.",
    "$\\frac{1-\\epsilon}{2}$ fraction of the expected optimal welfare",
    CH5,
)
pending(
    "thm6-imprecise-reserve",
    "Theorem 6",
    "Appendix D",
    "A reserve $p'$ with $|p' - p| < \\epsilon$ keeps $\\frac12 \\mathbf{E}[v(\\mathrm{OPT}(v))] - m\\epsilon$.",
    "at least $\\frac{1}{2}E[v(\\mathrm{OPT}(v))] - m\\epsilon$",
    CH5,
)
