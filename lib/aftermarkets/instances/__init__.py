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
Example 3 (Section 5.1)           :meth:`Example1.balanced_price <.example1.Example1.balanced_price>`,
                                  :meth:`Example1.posted_price_welfare
                                  <.example1.Example1.posted_price_welfare>`
Theorem 5 on Example 1 (Sec. 6)   :mod:`.reserve` (the speculator under a reserve, the reserve
                                  profile, its deviation checks)
================================  ============================================================

Each class is a thin front over the module's functions, in the style of Nashpy's ``Game``.
"""

from . import dominance, example1, example4, resale, reserve, section2, speculation
from .example1 import Example1
from .example4 import Example4

__all__ = [
    "Example1",
    "Example4",
    "dominance",
    "example1",
    "example4",
    "reserve",
    "resale",
    "section2",
    "speculation",
]
