"""Claims of Section 4 and Appendix A (smooth auctions), to be reproduced in
``book/03_smooth_auctions.ipynb``. Pending: registered so that the scope of the book is honest."""

from __future__ import annotations

from .registry import CH3, pending

pending(
    "def3-smoothness",
    "Definition 3",
    "Section 4",
    "Smoothness as a computable slack: for every valuation profile there are deviation "
    "distributions that make the agents' total deviation utility at least "
    "$\\lambda\\,\\mathrm{Wel}(\\mathbf{v}) - \\mu\\,\\mathrm{Rev}(a)$, whatever the action profile $a$.",
    "Definition 3 (Syrgkanis and Tardos, 2013).",
    CH3,
)
pending(
    "prop2-smooth-poa",
    "Proposition 2",
    "Section 4",
    "A $(\\lambda, \\mu)$-smooth mechanism has price of anarchy at most $\\mu/\\lambda$ over product priors.",
    "$\\mathrm{PoA}(\\mathcal{M}, \\mathcal{F}^\\Pi) \\le \\mu/\\lambda$",
    CH3,
)
pending(
    "thm2-smooth-combined",
    "Theorem 2",
    "Section 4; Appendix A.1",
    "A $(\\lambda, \\mu)$-smooth auction followed by any signal and any trade mechanism is "
    "$(\\lambda, \\mu)$-smooth, so its PoA over product priors is at most $\\mu/\\lambda$.",
    "the combined mechanism $\\mathcal{G}(\\mathcal{M}, \\Gamma, \\mathcal{M}^2)$ is $(\\lambda, \\mu)$-smooth",
    CH3,
)
pending(
    "cor1-discriminatory",
    "Corollary 1",
    "Section 4",
    "With the discriminatory auction, any BNE of the combined market keeps $1 - 1/e$ of the optimal welfare.",
    "at least $(1 - 1/e)$ times the expected optimal welfare",
    CH3,
)
pending(
    "fn15-uniform-not-smooth",
    "Footnote 15",
    "Section 4",
    "The uniform-price auction is not $(\\lambda, \\mu)$-smooth for any positive constants.",
    "'the uniform-price auction is not $(\\lambda, \\mu)$-smooth for any positive constants'",
    CH3,
)
pending(
    "def4-semi-smoothness",
    "Definition 4",
    "Section 4.1",
    "Semi-smoothness: the deviation distribution $D_i(v_i)$ depends only on the agent's own value.",
    "Definition 4 (Lucier and Paes Leme, 2011)",
    CH3,
)
pending(
    "prop3-semi-smooth-poa",
    "Proposition 3",
    "Section 4.1",
    "A semi-smooth mechanism has PoA at most $\\mu/\\lambda$ for every (also correlated) prior.",
    "$\\mathrm{PoA}(\\mathcal{M}, \\mathcal{F}) \\le \\mu/\\lambda$",
    CH3,
)
pending(
    "thm3-semi-smooth-combined",
    "Theorem 3",
    "Section 4.1",
    "A semi-smooth auction followed by any signal and trade mechanism is semi-smooth.",
    "the combined mechanism is $(\\lambda, \\mu)$-semi-smooth",
    CH3,
)
pending(
    "prop4-discriminatory-semi-smooth",
    "Proposition 4",
    "Section 4.1",
    "The discriminatory auction is $(1 - 1/e, 1)$-semi-smooth (de Keijzer et al., 2013).",
    "$(1 - 1/e, 1)$-semi-smooth",
    CH3,
)
pending(
    "prop5-information",
    "Proposition 5",
    "Section 4.2; Appendix A.2",
    "With costly information acquisition before a smooth auction, the PoA of the combined market "
    "is still at most $\\mu/\\lambda$.",
    "$\\mathrm{PoA}(\\mathcal{M}, \\mathcal{F}^\\Pi) \\le \\mu/\\lambda$",
    CH3,
)
pending(
    "table1-smooth-auctions",
    "Table 1",
    "Appendix A.3",
    "First-price $(1 - 1/e, 1)$ and all-pay $(1/2, 1)$ smoothness, single item and simultaneous, "
    "give PoA $e/(e-1)$ and 2 in the combined market.",
    "Table 1",
    CH3,
)
