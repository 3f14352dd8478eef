r"""The paper's instances, one module per instance or section.

Catalogue (paper → name):

================================  ============================================================
Section 2, Definitions 1–2        :mod:`.section2` — greedy check, resale grid, mechanisms that
                                  are or are not trade mechanisms, accounting identity
Footnote 5                        :func:`.section2.footnote5`, :func:`.section2.footnote5_dominance`
Example 1, Theorem 1 (Section 3)  :class:`.example1.Example1` (closed forms in
                                  :func:`.example1.symbolic`, :func:`.example1.closed_forms`)
Proposition 1 (Appendix B.2)      :mod:`.resale` (the speculator's resale problem),
                                  :meth:`Example1.deviation_check <.example1.Example1.deviation_check>`
Definition 6, Appendix B.2        :mod:`.dominance` (witnesses that no bid is weakly dominated)
Example 4, Proposition 7 (B.3)    :class:`.example4.Example4`
Examples 1 and 4, one group       :mod:`.speculation` (values, exact payoffs, deviation checks)
Example 3 (Section 5.1)           :mod:`.example1_prices` (Example 1 at a per-unit price:
                                  balanced price, posted-price welfare, utilities under a reserve)
Theorem 5 on Example 1 (Sec. 6)   :mod:`.reserve` (the speculator under a reserve, the reserve
                                  profile, its deviation checks)
Theorems 5, 6 (App. C.2, D)       :mod:`.reserve_proof` (the proofs term by term on finite
                                  instances)
Corollary 2 (Section 6)           :mod:`.reserve_estimate` (the reserve estimated from samples)
================================  ============================================================

Each class is a thin front over the module's functions, in the style of Nashpy's ``Game``.
"""

from . import (
    dominance,
    example1,
    example1_prices,
    example4,
    resale,
    reserve,
    reserve_estimate,
    reserve_proof,
    section2,
    speculation,
)
from .example1 import Example1
from .example4 import Example4

__all__ = [
    "Example1",
    "Example4",
    "dominance",
    "example1",
    "example1_prices",
    "example4",
    "resale",
    "reserve",
    "reserve_estimate",
    "reserve_proof",
    "section2",
    "speculation",
]
