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

    Notes
    -----
    Seller ``j``'s beliefs and offers depend on the others' strategies only, not on her own, so
    they live in a :class:`_Seller` that the game keeps for the last few profiles of the others
    (:meth:`LabGame.seller`): the bidders' utilities at one profile, and a bidder's own moves in
    best response, reuse them instead of recomputing them.
    """

    def __init__(self, game, mixed):
        self.g, self.mk = game, game.mk
        self.mixed = [np.asarray(x, dtype=float) for x in mixed]
        self.vals = game.vals  # (T, n, m) marginals of every type profile
        self.cum = game.cum  # (T, n, m + 1) values of holding 0..m units
        self.sellers = [game.seller(j, self.mixed) for j in range(self.mk.n)]

    # -------------------------------------------------------------- beliefs
    def posterior(self, j: int, s: int) -> np.ndarray:
        """``W[a_j, r]``: seller ``j``'s posterior over the others' type profiles ``r`` (rows of
        ``game.others[j]``) after signal ``s`` when her action was ``a_j``; the prior when ``s`` has
        probability 0 given ``a_j``."""
        return self.sellers[j].posteriors(np.array([s]))[0]

    # -------------------------------------------------------------- offers
    def offers(self, j: int, s: int, holdings: tuple) -> tuple:
        """Seller ``j``'s offers ``(price[t_j, a_j], quantity[t_j, a_j])`` at the current holdings
        (quantity 0: no offer), for every own type and own action."""
        seller = self.sellers[j]
        slot = seller.slots(np.array([int(s)]), np.array(holdings, dtype=np.int64)[:, None])[0]
        qty, prices = seller.qty[slot], self.g.candidate_prices[j]
        if not len(prices):  # nobody to sell to: no offer
            return np.zeros(qty.shape), qty
        return np.where(qty > 0, prices[seller.price_index[slot]], 0.0), qty

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
        mk, g = self.mk, self.g
        # one row per bidder (``h[k]``: bidder k's units on every row), so that each step below
        # reads and writes contiguous vectors
        h = np.array(np.asarray(holdings, dtype=np.int64).T)
        pay = np.zeros(h.shape)
        signal = np.asarray(signal, dtype=np.int64)
        types = np.asarray(types, dtype=np.int64)
        for j in range(mk.n):
            active = np.flatnonzero(h[j] > 0)
            if not len(active):
                continue
            seller = self.sellers[j]
            # the offer tables at each row's (signal, holdings), at the seller's type and action
            slot = seller.slots(signal[active], h[:, active])
            at = (slot * mk.type_counts[j] + g.prof[types[active], j]) * g.A + actions[active, j]
            qty = seller.qty.reshape(-1)[at]
            go = qty > 0
            rows, at, left = active[go], at[go], qty[go]
            p = seller.price_index.reshape(-1)[at]
            price = g.candidate_prices[j][p]
            row_types = types[rows]
            hj, pj = h[j], pay[j]
            for k in range(mk.n):  # buyers in index order
                if k == j:
                    continue
                hk, pk, demand = h[k], pay[k], g.demand[j][k]
                # the further units buyer k values at least the price (and positively): her
                # marginals are non-increasing, so those she values so are her first ones
                want = np.maximum(demand.reshape(-1)[row_types * demand.shape[1] + p] - hk[rows], 0)
                take = np.minimum(want, left)
                paid = take * price
                hk[rows] += take
                hj[rows] -= take
                pk[rows] += paid
                pj[rows] -= paid
                left = left - take
        return h.T, pay.T


class _Seller:
    r"""Seller ``j``'s posteriors and offers when the others play ``mixed`` (her own strategy is
    not used: she conditions on her own action, whatever it is).

    Posteriors are computed for the signals asked for, offers for the ``(signal, holdings)`` asked
    for, and both are kept: :meth:`slots` maps keys to rows of the offer tables :attr:`qty` and
    :attr:`price_index` (shape ``(keys, own types, own actions)``: the quantity offered, 0 for no
    offer, and the price's index in ``game.candidate_prices[j]``), computing the missing ones
    together.

    When the others play pure strategies, the likelihood :math:`\Pr[s \mid a_j, \sigma_{-j}(t_{-j})]`
    is read off ``game.sigprob`` at the action profiles they play (the sum over :math:`a_{-j}` has
    a single non-zero term, so this is the same number); mixed strategies sum over the others'
    actions.
    """

    def __init__(self, game, j, mixed):
        self.g, self.j = game, j
        mk = game.mk
        n, A = mk.n, game.A
        self.H = (mk.m + 1) ** n  # holdings vectors, coded in base m + 1
        self.base = (mk.m + 1) ** np.arange(n)
        others = game.others[j]
        self.mixed = mixed
        self.pure = all(np.all((mixed[k] == 0) | (mixed[k] == 1)) for k in range(n) if k != j)
        if self.pure:  # flat index of the action profile (a_j, sigma_-j(t_-j)), shape (A, R)
            idx = [
                np.arange(A)[:, None] if k == j else mixed[k].argmax(axis=1)[others[:, k]][None, :]
                for k in range(n)
            ]
            self.flat = np.ravel_multi_index(np.broadcast_arrays(*idx), (A,) * n)
        self._W = {}  # signal -> posterior (A, R)
        # signal * H + holdings code -> row of the offer tables: a table when there are few keys
        # (the allocation signal), else a dict (the bids signal has A^n values)
        self._dense = np.full(game.S * self.H, -1) if game.S * self.H <= 2**16 else None
        self._slot = {}
        self.qty = np.zeros((0, mk.type_counts[j], A), dtype=np.int64)
        self.price_index = np.zeros((0, mk.type_counts[j], A), dtype=np.int64)

    def posteriors(self, signals) -> np.ndarray:
        """Posteriors ``W[k, a_j, r]`` after ``signals[k]`` (see :meth:`Resale.posterior`)."""
        g, j = self.g, self.j
        missing = [s for s in dict.fromkeys(signals.tolist()) if s not in self._W]
        if missing:
            prior = g.others_prob[j]
            if self.pure:
                W = g.sigprob[self.flat[None], np.array(missing)[:, None, None]]  # (k, A, R)
            else:
                W = self._mixed_likelihood(missing)
            W = W * prior
            tot = W.sum(axis=-1, keepdims=True)
            W = np.where(tot > 0, W / np.where(tot > 0, tot, 1.0), prior)
            self._W.update(zip(missing, W))
        return np.stack([self._W[s] for s in signals.tolist()])

    def _mixed_likelihood(self, signals) -> np.ndarray:
        """``Pr[s | a_j, t_-j]`` for each ``s`` of ``signals``, shape ``(k, A, R)``: the likelihood
        averaged over the others' mixed actions."""
        g, j = self.g, self.j
        n, A = g.mk.n, g.A
        like = g.sigprob[:, signals].reshape((A,) * n + (len(signals),))  # Pr[s | a], one axis per bidder
        others = g.others[j]  # (R, n): the others' type profiles (t_j set to 0)
        letters = "abc"[:n]
        terms, operands = [letters + "s"], [like]
        for k in range(n):
            if k != j:
                terms.append("r" + letters[k])
                operands.append(self.mixed[k][others[:, k]])
        return np.einsum(",".join(terms) + "->s" + letters[j] + "r", *operands)

    def slots(self, signals, holdings) -> np.ndarray:
        """Row of :attr:`qty` and :attr:`price_index` for each ``(signals[i], holdings[:, i])``
        (``holdings`` has one row per bidder), computing the offers not yet known."""
        key = signals * self.H + self.base @ holdings
        if self._dense is not None:  # few keys: a lookup table
            slot = self._dense[key]
            if np.any(slot < 0):
                self._compute(np.unique(key[slot < 0]))
                slot = self._dense[key]
            return slot
        uniq, inverse = np.unique(key, return_inverse=True)
        slot = np.array([self._slot.get(c, -1) for c in uniq.tolist()], dtype=np.int64)
        new = slot < 0
        if new.any():
            self._compute(uniq[new])
            slot[new] = [self._slot[c] for c in uniq[new].tolist()]
        return slot[inverse]

    def _compute(self, keys):
        """The optimal offers of every own type and action at each ``key`` (signal and holdings),
        appended to the tables. Keys at which the seller holds the same number of units have gains
        tables of one shape (:meth:`LabGame.offer_gains`), so their expected gains are one
        contraction, batched over the keys."""
        g, j = self.g, self.j
        T_j, A = g.mk.type_counts[j], g.A
        signals = keys // self.H
        holdings = keys[:, None] % self.H // self.base % (g.mk.m + 1)  # (K, n)
        qty = np.zeros((len(keys), T_j, A), dtype=np.int64)
        price_index = np.zeros((len(keys), T_j, A), dtype=np.int64)
        live = holdings[:, j] > 0  # else nothing to sell: no offer
        if len(g.candidate_prices[j]) and live.any():  # else nobody to sell to: no offer
            W = np.zeros((len(keys), A, len(g.others[j])))
            W[live] = self.posteriors(signals[live])  # (keys, A, R)
            for own in np.unique(holdings[live, j]).tolist():
                at = np.flatnonzero(holdings[:, j] == own)
                tables = [g.offer_gains(j, tuple(h)) for h in holdings[at].tolist()]  # cached by the game
                Q = tables[0][1].ravel()  # the same at every key of the group
                gains = np.stack([gn for _, _, gn in tables])  # (k, T_j, prices, quantities, R)
                expected = np.einsum("ktpqr,kar->ktapq", gains, W[at]).reshape(len(at), T_j, A, -1)
                top = expected.max(axis=-1, keepdims=True)
                best = np.argmax(expected > top - 1e-12, axis=-1)  # lowest price, then quantity
                ok = top[..., 0] > 1e-12
                qty[at] = np.where(ok, Q[best], 0)
                price_index[at] = np.where(ok, best // own, 0)  # P[best], in game.candidate_prices[j]
        slots = np.arange(len(self.qty), len(self.qty) + len(keys))
        if self._dense is not None:
            self._dense[keys] = slots
        else:
            self._slot.update(zip(keys.tolist(), slots.tolist()))
        self.qty = np.concatenate([self.qty, qty])
        self.price_index = np.concatenate([self.price_index, price_index])


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
