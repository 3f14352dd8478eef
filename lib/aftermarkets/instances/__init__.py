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
Example 2, footnote 17 (Sec. 5)   :class:`.example2.Example2` (closed forms in
                                  :func:`.example2.symbolic`, resale problem, simulation)
Theorem 4, Prop. 6 (5, App. C.1)  :mod:`.theorem4` (balanced posted prices on small markets with
                                  the lab's resale stage; the proof's bounds (4) and (5));
                                  imported on demand, like the lab it uses
Example 3 (Section 5.1)           :mod:`.example3` (the speculator's best response to the
                                  balanced posted price in Example 1, every order and ``m``);
                                  :mod:`.example3_resale` (her resale price for each belief);
                                  :mod:`.example3_mechanisms` (the same market rerun through
                                  the library's mechanisms)
Definition 5, Claim 1             :mod:`aftermarkets.balanced` (general machinery, not an
                                  instance)
================================  ============================================================

Each class is a thin front over the module's functions, in the style of Nashpy's ``Game``.
"""

from . import (
    dominance,
    example1,
    example2,
    example3,
    example3_mechanisms,
    example3_resale,
    example4,
    resale,
    section2,
    speculation,
)
from .example1 import Example1
from .example2 import Example2
from .example4 import Example4

__all__ = [
    "Example1",
    "Example2",
    "Example4",
    "dominance",
    "example1",
    "example2",
    "example3",
    "example3_mechanisms",
    "example3_resale",
    "example4",
    "resale",
    "section2",
    "speculation",
]
