r"""The lab's aftermarket: Bayesian take-it-or-leave-it resale after a public signal.

After the auction a public signal is revealed: the allocation (default) or all the bids. Then the
holders, in index order, each may make one take-it-or-leave-it offer: holder :math:`j` posts a
per-unit price :math:`p` for up to :math:`q \le h_j` of her units, and the other bidders, in index
order, each buy the further units whose marginal value is at least :math:`p` (and positive), while
offered units last. This demand rule is fixed: buyers do not strategise in resale (they neither
wait for a cheaper later offer nor buy to resell).

**The seller's offer** maximises her expected gain

.. math::

    \mathbb{E}\bigl[p \cdot \text{sold} + v_j(h_j - \text{sold})\bigr] - v_j(h_j)

against her posterior over the others' types; she makes no offer when no offer gains (ties: the
lowest price, then the smallest quantity). Candidate prices are the others' possible marginal
values (the revenue only changes there). Her posterior is Bayes' rule from the prior, the
strategies (possibly mixed) and the auction's public signal, conditioning on her own action (a
deviator knows she deviated):

.. math::

    \Pr[t_{-j} \mid s, a_j] \propto \pi(t_{-j}) \sum_{a_{-j}} \sigma_{-j}(a_{-j} \mid t_{-j})
    \Pr[s \mid a_j, a_{-j}],

where :math:`\Pr[s \mid \mathbf{a}]` averages over the random tie-breaking orders. **Off the path**
(a signal of probability 0 given her action) she keeps the prior, as in the paper's Appendix B.2.
She sees the current holdings but does not update her beliefs on earlier resale offers and trades,
a simplification that only matters when two holders both sell.

Each offer only moves units and money between bidders, and a bidder who declines (or makes no
offer) keeps what she has: the stage satisfies voluntary participation and strong budget balance,
so it is a trade mechanism (``tests/test_lab.py`` checks it with the library's Definition 1 and 2
checks).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Resale", "SequentialResale"]


class Resale:
    """Resale offers and outcomes for one game and one (mixed) strategy profile.

    Parameters
    ----------
    game : LabGame
        The market, the format's signal distribution ``game.sigprob`` (``Pr[s | a]`` for every flat
        action profile) and the action-grid size.
    mixed : sequence of numpy.ndarray
        ``mixed[k][t, a]``: probability that bidder ``k`` of type ``t`` plays action ``a``.
    """

    def __init__(self, game, mixed):
        self.g, self.mk = game, game.mk
        self.mixed = [np.asarray(x, dtype=float) for x in mixed]
        self.vals = game.vals  # (T, n, m) marginals of every type profile
        self.cum = game.cum  # (T, n, m + 1) values of holding 0..m units
        self._posteriors, self._offers = {}, {}

    # -------------------------------------------------------------- beliefs
    def posterior(self, j: int, s: int) -> np.ndarray:
        """``W[a_j, r]``: seller ``j``'s posterior over the others' type profiles ``r`` (rows of
        ``game.others[j]``) after signal ``s`` when her action was ``a_j``; the prior when ``s`` has
        probability 0 given ``a_j``."""
        key = (j, s)
        if key not in self._posteriors:
            g = self.g
            n, A = self.mk.n, g.A
            like = g.sigprob[:, s].reshape((A,) * n)  # Pr[s | a], one axis per bidder
            others = g.others[j]  # (R, n): the others' type profiles (t_j set to 0)
            prior = g.others_prob[j]
            if n == 1:
                W = like[:, None]
            else:  # average the likelihood over the others' mixed actions
                letters = "abc"[:n]
                terms, operands = [letters], [like]
                for k in range(n):
                    if k != j:
                        terms.append("r" + letters[k])
                        operands.append(self.mixed[k][others[:, k]])
                W = np.einsum(",".join(terms) + "->" + letters[j] + "r", *operands)
            W = W * prior[None, :]
            tot = W.sum(axis=1, keepdims=True)
            self._posteriors[key] = np.where(tot > 0, W / np.where(tot > 0, tot, 1.0), prior[None, :])
        return self._posteriors[key]

    # -------------------------------------------------------------- offers
    def offers(self, j: int, s: int, holdings: tuple) -> tuple:
        """Seller ``j``'s offers ``(price[t_j, a_j], quantity[t_j, a_j])`` at the current holdings
        (quantity 0: no offer), for every own type and own action."""
        key = (j, s, holdings)
        if key in self._offers:
            return self._offers[key]
        g, mk = self.g, self.mk
        h = np.array(holdings, dtype=np.int64)
        T_j, A = mk.type_counts[j], g.A
        price = np.zeros((T_j, A))
        qty = np.zeros((T_j, A), dtype=np.int64)
        prices = g.candidate_prices[j]
        if h[j] > 0 and len(prices):
            W = self.posterior(j, s)  # (A, R)
            P, Q, gains = g.offer_gains(j, holdings)  # strategy-free, cached by the game
            expected = np.einsum("tpqr,ar->tapq", gains, W).reshape(T_j, A, -1)  # (T_j, A, P*Q)
            top = expected.max(axis=2, keepdims=True)
            k = np.argmax(expected > top - 1e-12, axis=2)  # lowest price, then quantity
            ok = top[..., 0] > 1e-12
            price = np.where(ok, P.ravel()[k], 0.0)
            qty = np.where(ok, Q.ravel()[k], 0)
        self._offers[key] = (price, qty)
        return price, qty

    # -------------------------------------------------------------- the stage
    def run(self, holdings, signal, actions, types):
        """Run the resale stage on rows; return the final holdings and net resale payments.

        Parameters
        ----------
        holdings : numpy.ndarray of int
            Holdings after the auction, shape ``(R, n)``.
        signal : numpy.ndarray of int
            Signal index per row, shape ``(R,)``.
        actions : numpy.ndarray of int
            Action indices, shape ``(R, n)``.
        types : numpy.ndarray of int
            Full type-profile index per row, shape ``(R,)``.
        """
        mk = self.mk
        h = np.array(holdings, dtype=np.int64)
        pay = np.zeros(h.shape)
        for j in range(mk.n):
            active = np.flatnonzero(h[:, j] > 0)
            if not len(active):
                continue
            base = (mk.m + 1) ** np.arange(mk.n)
            key = signal[active].astype(np.int64) * (mk.m + 1) ** mk.n + h[active] @ base
            uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
            t_j = self.g.prof[types[active], j]
            a_j = actions[active, j]
            tables = [
                self.offers(j, int(signal[row]), tuple(int(x) for x in h[row])) for row in active[first]
            ]  # a few distinct (signal, holdings) per seller
            price = np.stack([pr for pr, _ in tables])[inverse, t_j, a_j]
            qty = np.stack([qt for _, qt in tables])[inverse, t_j, a_j]
            go = qty > 0
            rows, price, left = active[go], price[go], qty[go]
            v = self.vals[types[rows]]  # (r, n, m)
            units = np.arange(mk.m)
            for k in range(mk.n):  # buyers in index order
                if k == j:
                    continue
                want = np.sum(
                    (units >= h[rows, k][:, None]) & (v[:, k] >= price[:, None]) & (v[:, k] > 0), axis=-1
                )
                take = np.minimum(want, left)
                h[rows, k] += take
                h[rows, j] -= take
                pay[rows, k] += take * price
                pay[rows, j] -= take * price
                left = left - take
        return h, pay


def _sales(vals, holdings, j, price, quantity):
    """Units seller ``j`` sells at ``price`` (offering ``quantity``) to buyers with marginals
    ``vals`` (``(R, n, m)``), buyers in index order; ``price`` and ``quantity`` broadcast together
    (shape ``B``), the result has shape ``B + (R,)``."""
    n, m = vals.shape[1], vals.shape[2]
    price = np.asarray(price, dtype=float)[..., None, None]  # B + (1, 1): rows and units
    left = np.minimum(np.asarray(quantity), holdings[j])[..., None]  # B + (1,)
    sold = np.zeros(np.broadcast_shapes(left.shape, (vals.shape[0],)), dtype=np.int64)
    units = np.arange(m)
    for k in range(n):
        if k == j:
            continue
        ok = (units >= holdings[k]) & (vals[:, k] > 0)  # (R, m): further units of positive value
        want = np.sum(ok & (vals[:, k] >= price), axis=-1)  # B + (R,)
        take = np.minimum(want, left - sold)
        sold = sold + take
    return sold


class SequentialResale:
    """The lab's resale stage as a mechanism of actions, for the library's Definition 1/2 checks.

    Holders act in index order: holder ``j``'s action is ``None`` (no offer, her opt-out) or an
    offer ``(price, quantity)``; a buyer's action is ``"demand"`` (buy the further units whose
    marginal value is at least the price, as in the lab) or ``0`` (decline every offer, her
    opt-out). Each offer runs :func:`~aftermarkets.take_it_or_leave_it` with buyers in index order,
    starting from the holdings the earlier offers left. ``actions[j]`` is a pair
    ``(offer, buyer_action)``.
    """

    def opt_out(self, agent: int):
        """No offer as a holder, decline as a buyer."""
        return (None, 0)

    def __call__(self, values, holdings, actions):
        from ..trade import TradeOutcome, take_it_or_leave_it
        from ..valuations import as_step_values

        v = as_step_values(values)
        h = np.array(holdings, dtype=np.int64)
        n = len(h)
        pay = np.zeros(n)
        for j in range(n):
            offer = actions[j][0]
            if offer is None or h[j] == 0:
                continue
            price, quantity = offer
            want = np.clip(v.units_at_least(price) - h, 0, None)
            requests = [0 if k == j or actions[k][1] == 0 else int(want[k]) for k in range(n)]
            out = take_it_or_leave_it(v, h, j, price, quantity=quantity, requests=requests)
            h, pay = out.allocation, pay + out.payments
        return TradeOutcome(h, pay)
