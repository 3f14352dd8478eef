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
Theorems 2-3, Appendix A.1        :func:`.smooth_auctions.theorem2_terms` (the proof term by term
                                  on a combined market, :func:`.smooth_auctions.theorem2_market`)
Footnote 15                       :func:`.smooth_auctions.failure_profile`,
                                  :func:`.smooth_checks.uniform_failure`,
                                  :func:`.smooth_checks.weak_smoothness`
Corollary 1, Proposition 4        :func:`.smooth_checks.discriminatory_random`,
                                  :func:`.smooth_checks.adversarial`, :func:`.smooth_checks.planted`
Propositions 2-3, Corollary 1     :func:`.smooth_auctions.corollary1_market`,
(lab instances)                   :func:`.smooth_auctions.correlated_market_instance`,
                                  :func:`.smooth_checks.corollary1_runs`,
                                  :func:`.smooth_checks.proposition3_runs`
Proposition 5, Appendix A.2       :func:`.smooth_auctions.proposition5_market`,
                                  :func:`.smooth_checks.proposition5_runs`
Table 1, Appendix A.3             :func:`.smooth_auctions.table1`,
                                  :func:`.smooth_checks.table1_verification`
Appendix E: value laws            :mod:`.laws` (uniform, power, truncated normal, Beta; atomless,
                                  bounded)
Appendix E: bid functions         :class:`.bid_functions.BidFunction` (monotone, with jumps and
                                  flats; generalised inverses)
Appendix E: symmetric equilibria  :mod:`.symmetric` (first-price and all-pay closed forms by
                                  ``dsolve``, :func:`.symmetric.solve_symmetric` for any law)
Definition 7, the combined market :class:`.single_item.SingleItemMarket` (auction, signal, ex post
for one item                      IR resale; interim allocations, payments, regret);
                                  :func:`.single_item_sim.simulate` (Monte Carlo of the mechanisms);
                                  :mod:`.single_item_numerics` (optimal offers, quadrature sums)
Theorem 7, Claims 2-3, Figure 1   :mod:`.appendix_e` (asymmetric families, crossing points, the
                                  proof's deviations, Hafalir and Krishna's asymmetric equilibrium;
                                  :func:`.appendix_e.regret_sweep` over :data:`.appendix_e.VARIANTS`,
                                  other signals, resale rules and all-pay)
Footnote 22                       :mod:`.grid_probe` (grid search for non-monotone equilibria,
                                  :func:`.grid_probe.run_rows` for its table)
Example 3 (Section 5.1)           :mod:`.example1_prices` (Example 1 at a per-unit price:
                                  balanced price, posted-price welfare, utilities under a reserve)
Theorem 5 on Example 1 (Sec. 6)   :mod:`.reserve` (the speculator under a reserve, the reserve
                                  profile, its deviation checks)
Theorems 5, 6 (App. C.2, D)       :mod:`.reserve_proof` (the proofs term by term on finite
                                  instances)
Corollary 2 (Section 6)           :mod:`.reserve_estimate` (the reserve estimated from samples)
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
    appendix_e,
    bid_functions,
    dominance,
    example1,
    example1_prices,
    example2,
    example3,
    example3_mechanisms,
    example3_resale,
    example4,
    grid_probe,
    laws,
    resale,
    reserve,
    reserve_estimate,
    reserve_proof,
    section2,
    single_item,
    single_item_numerics,
    single_item_sim,
    speculation,
    symmetric,
)
from .example1 import Example1
from .example2 import Example2
from .example4 import Example4

# smooth_auctions and smooth_checks import the equilibrium lab; import them on demand:
# ``from aftermarkets.instances import smooth_auctions, smooth_checks``.

__all__ = [
    "Example1",
    "Example2",
    "Example4",
    "appendix_e",
    "bid_functions",
    "dominance",
    "example1",
    "example1_prices",
    "example2",
    "example3",
    "example3_mechanisms",
    "example3_resale",
    "example4",
    "grid_probe",
    "laws",
    "resale",
    "reserve",
    "reserve_estimate",
    "reserve_proof",
    "section2",
    "single_item",
    "single_item_numerics",
    "single_item_sim",
    "speculation",
    "symmetric",
]
