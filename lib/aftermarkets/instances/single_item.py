r"""One item, two bidders: an auction, a signal, then an ex post individually rational resale stage.

The combined market :math:`\mathcal{G}(\mathcal{M}^1, \Gamma, \mathcal{M}^2)` of Appendix E with
two buyers, values :math:`v_i \sim F_i` independent and atomless, and non-decreasing bid functions
:math:`b_1, b_2` (:class:`~.bid_functions.BidFunction`).

1. **Auction** :math:`\mathcal{M}^1`: the higher bid wins (a tie is broken by a fair coin);
   ``"first-price"``: the winner pays her bid; ``"all-pay"``: both pay their bids.
2. **Signal** :math:`\Gamma`: each agent always learns whether she won (her own allocation);
   ``"winner"`` reveals nothing more, ``"bids"`` reveals both bids. (With two bidders, revealing
   "nothing" and revealing "the winner" are the same signal.)
3. **Resale** :math:`\mathcal{M}^2`, played optimally against the posterior that the prescribed
   bid functions and the signal induce:

   * ``"seller-offer"`` (footnote 21, Hafalir and Krishna's market): the winner posts a
     take-it-or-leave-it price :math:`p`, maximising :math:`(p - v)\Pr[\text{loser} \ge p]`, and
     the loser buys iff her value is at least :math:`p`;
   * ``"buyer-offer"``: the loser offers a price :math:`q`, maximising
     :math:`(v - q)\Pr[\text{winner} \le q]`, and the winner sells iff :math:`q` is at least her
     value;
   * ``None``: no aftermarket.

   Both rules are ex post individually rational (Definition 7): a trade happens only at a price
   between the seller's and the buyer's values, so no one ends below her post-auction utility.

For agent :math:`i` with value :math:`v` who bids :math:`\beta` (and then plays the resale stage
optimally, while the other agent follows the profile and believes agent :math:`i` did too),
:meth:`SingleItemMarket.outcome` computes the probability :math:`x_i(v, \beta)` that she ends with
the item and her expected net payment :math:`p_i(v, \beta)` (auction payment, minus resale
revenue, plus resale spending), by quadrature over the other agent's value. The interim
allocation and payment of the profile are :math:`\tilde x_i(v) = x_i(v, b_i(v))` and
:math:`\tilde p_i(v) = p_i(v, b_i(v))`, and her interim utility is
:math:`\tilde u_i(v) = v \tilde x_i(v) - \tilde p_i(v)`. The regret of the profile is the largest
:math:`u_i(v, \beta) - \tilde u_i(v)` over a grid of types and bids (:func:`grid_regret`).

Posteriors. A winner with bid :math:`\beta` against :math:`b_j` knows
:math:`v_j \le \varphi_j^-(\beta)` (plus half the tie set :math:`[\varphi_j^-, \varphi_j^+]`);
a loser knows :math:`v_j \ge \varphi_j^+(\beta)`. With ``"bids"`` revealed and strictly
increasing bid functions, each agent learns the other's value (an off-path bid is read as the
nearest type, :math:`\varphi^-(\beta)`); this signal therefore needs strictly increasing bids.
Optimal prices are found on the posterior's support by a coarse-to-fine grid search
(:func:`.single_item_numerics.best_price`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..equilibrium import GridRegret, grid_regret
from .bid_functions import BidFunction
from .laws import ValueLaw, expected_max
from .single_item_numerics import best_price, prefix_where

__all__ = ["AUCTIONS", "RESALE_RULES", "SIGNALS", "TIE", "Outcome", "SingleItemMarket"]

AUCTIONS = ("first-price", "all-pay")
#: Two values closer than this (relative to the support) are treated as equal: a posterior whose
#: support reaches less than this beyond one's own value holds no trade opportunity, and a
#: price equal to a value inferred from a bid is accepted.
TIE = 1e-9
RESALE_RULES = (None, "seller-offer", "buyer-offer")
SIGNALS = ("winner", "bids")


@dataclass(frozen=True)
class Outcome:
    """Expected outcome for an agent of value ``v`` who bids ``beta`` (arrays of one shape).

    Attributes
    ----------
    v, beta : numpy.ndarray
        The agent's value and bid.
    x : numpy.ndarray
        Probability that she ends with the item (after resale).
    payment : numpy.ndarray
        Expected net payment: auction payment - resale revenue + resale spending.
    win : numpy.ndarray
        Probability that she wins the auction.
    sell, buy : numpy.ndarray
        Probability that she wins and resells, and that she loses and buys.
    surplus : numpy.ndarray
        Expected gain in welfare from the resale trades that she proposes (as the seller under
        ``"seller-offer"``, as the buyer under ``"buyer-offer"``): the buyer's value minus the
        seller's, integrated exactly over the other agent's value. Each trade is proposed by
        one agent, so the welfare of a profile is :math:`\\sum_i \\mathbb{E}[v_i\\,\text{win}_i +
        \text{surplus}_i]`.
    """

    v: np.ndarray
    beta: np.ndarray
    x: np.ndarray
    payment: np.ndarray
    win: np.ndarray
    sell: np.ndarray
    buy: np.ndarray
    surplus: np.ndarray

    @property
    def utility(self) -> np.ndarray:
        """Expected utility :math:`v\\,x - p`."""
        return self.v * self.x - self.payment


def _pos(x):
    return np.maximum(x, 0.0)


@dataclass(frozen=True, eq=False)
class SingleItemMarket:
    """The combined market for one item and two bidders with given bid functions.

    Parameters
    ----------
    laws : (ValueLaw, ValueLaw)
        The value laws of agents 0 and 1 (the same law twice for i.i.d. values).
    bids : (BidFunction, BidFunction)
        Non-decreasing bid functions on the laws' supports.
    auction : {"first-price", "all-pay"}
    resale : {"seller-offer", "buyer-offer", None}
    signal : {"winner", "bids"}
    quad_points : int
        Cells of the quadrature over the other agent's value.

    Raises
    ------
    ValueError
        On an unknown auction, rule or signal, bid functions whose domain is not the law's
        support, or signal ``"bids"`` with a bid function that has a flat.
    """

    laws: tuple
    bids: tuple
    auction: str = "first-price"
    resale: str | None = "seller-offer"
    signal: str = "winner"
    quad_points: int = 4000

    def __post_init__(self):
        if self.auction not in AUCTIONS:
            raise ValueError(f"auction must be one of {AUCTIONS}, got {self.auction!r}")
        if self.resale not in RESALE_RULES:
            raise ValueError(f"resale must be one of {RESALE_RULES}, got {self.resale!r}")
        if self.signal not in SIGNALS:
            raise ValueError(f"signal must be one of {SIGNALS}, got {self.signal!r}")
        if len(self.laws) != 2 or len(self.bids) != 2:
            raise ValueError("a single-item market here has exactly two agents (two laws, two bid functions)")
        for i, (law, b) in enumerate(zip(self.laws, self.bids)):
            if not isinstance(law, ValueLaw) or not isinstance(b, BidFunction):
                raise ValueError("laws must be ValueLaw and bids BidFunction instances")
            if not (np.isclose(b.low, law.low) and np.isclose(b.high, law.high)):
                raise ValueError(
                    f"bid function {i} is defined on [{b.low:g}, {b.high:g}], "
                    f"but values lie in [{law.low:g}, {law.high:g}]"
                )
            if self.signal == "bids" and self.resale is not None and not b.strictly_increasing:
                raise ValueError(
                    "signal 'bids' needs strictly increasing bid functions (a flat makes the posterior "
                    "an interval); use signal 'winner'"
                )
        if int(self.quad_points) < 10:
            raise ValueError(f"quad_points must be at least 10, got {self.quad_points!r}")

    # -- quadrature over an agent's value ------------------------------------------------------
    @cached_property
    def _nodes(self):
        """Per agent: cell edges, midpoints and masses of the quadrature of her value."""
        out = []
        for law in self.laws:
            edges = np.linspace(law.low, law.high, int(self.quad_points) + 1)
            mass = np.diff(law.cdf(edges))
            out.append((edges, (edges[1:] + edges[:-1]) / 2, mass / mass.sum()))
        return tuple(out)

    def _F(self, j, x):
        return self.laws[j].cdf_fast(x)

    def _cell(self, j, x):
        """Fractional cell position of values ``x`` on agent ``j``'s quadrature grid."""
        edges = self._nodes[j][0]
        return np.clip((x - edges[0]) / (edges[-1] - edges[0]) * (edges.size - 1), 0, edges.size - 1)

    def _moment(self, j, x):
        r""":math:`\int_{\underline v}^{x} t\, dF_j(t)` (cumulative quadrature, interpolated)."""
        _, mid, mass = self._nodes[j]
        table = np.concatenate([[0.0], np.cumsum(mid * mass)])
        pos = self._cell(j, x)
        k = np.minimum(pos.astype(np.int64), mass.size - 1)
        return table[k] + (pos - k) * mid[k] * mass[k]

    def _accepting(self, j, v, xs, seller_posts: bool):
        """Integrals over agent ``j``'s value ``t`` below each cut in ``xs``, of the trades the
        deviator of value ``v`` accepts on the path of ``j``'s resale behaviour.

        ``seller_posts``: ``j`` won and posts :math:`p_j(t)`, bought iff :math:`v \\ge p_j(t)`;
        otherwise ``j`` lost and offers :math:`q_j(t)`, accepted iff :math:`q_j(t) \\ge v`.
        ``v`` is constant along its rows. Returns, per cut, (probability, money paid), arrays of
        ``v``'s shape.
        """
        price = self._path_prices[j]
        _, _, mass = self._nodes[j]
        if not np.any(np.isfinite(price)):
            return [(np.zeros(v.shape), np.zeros(v.shape)) for _ in xs]
        key = price if seller_posts else -price
        rowv = v.reshape(v.shape[0], -1)[:, 0]
        thr = rowv if seller_posts else -rowv
        money = np.where(np.isfinite(price), price, 0.0) * mass
        sums = prefix_where(key, (mass, money), thr, [self._cell(j, x) for x in xs])
        return [tuple(pair) for pair in sums]

    # -- the resale stage on the path ----------------------------------------------------------
    def _posterior(self, j: int, t):
        """Agent ``j`` of value ``t`` bid on the path: the other agent's tie set ``[a, c]`` and
        its CDF values, under the other agent's prescribed bid function."""
        i = 1 - j
        t = np.asarray(t, dtype=float)
        b = self.bids[j](t)
        a, c = self.bids[i].lower_inverse(b), self.bids[i].upper_inverse(b)
        return t, a, c, self._F(i, a), self._F(i, c)

    def resale_price(self, j: int, t) -> np.ndarray:
        """Seller-offer: the price agent ``j`` posts after winning with value ``t`` (``inf``: no offer).

        Her posterior: the other agent's value is below :math:`\\varphi^-(b_j(t))`, plus half of
        the tie set, under the other agent's prescribed bid function.
        """
        t, a, c, Fa, Fc = self._posterior(j, t)
        return self._optimise(t, a, c, Fa, Fc, 1 - j, seller=True)[3]

    def resale_offer(self, j: int, t) -> np.ndarray:
        """Buyer-offer: the price agent ``j`` offers after losing with value ``t`` (``-inf``: none)."""
        t, a, c, Fa, Fc = self._posterior(j, t)
        return self._optimise(t, a, c, Fa, Fc, 1 - j, seller=False)[3]

    @cached_property
    def _path_prices(self):
        """Per agent ``j``: her resale price (seller-offer) or offer (buyer-offer) at each node."""
        if self.resale is None or self.signal == "bids":
            return (None, None)
        fn = self.resale_price if self.resale == "seller-offer" else self.resale_offer
        return tuple(fn(j, self._nodes[j][1]) for j in (0, 1))

    # -- the deviator's expected outcome -------------------------------------------------------
    def outcome(self, i: int, v, beta) -> Outcome:
        """Expected outcome for agent ``i`` of value ``v`` who bids ``beta`` (then resells optimally).

        Parameters
        ----------
        i : {0, 1}
        v : array_like, shape ``(N,)``
            Her values.
        beta : array_like, shape ``(N,)`` or ``(N, M)``
            Her bids: one per value, or a row of ``M`` bids per value.

        Returns
        -------
        Outcome
            Arrays of ``beta``'s shape.
        """
        if i not in (0, 1):
            raise ValueError(f"agent must be 0 or 1, got {i!r}")
        j = 1 - i
        v = np.asarray(v, dtype=float).ravel()
        beta = np.asarray(beta, dtype=float)
        if beta.shape[0] != v.size or beta.ndim not in (1, 2):
            raise ValueError(f"beta must have shape ({v.size},) or ({v.size}, M), got {beta.shape}")
        if np.any(beta < 0) or not np.all(np.isfinite(beta)):
            raise ValueError("bids must be finite and non-negative")
        vv = v.reshape((-1,) + (1,) * (beta.ndim - 1)) * np.ones_like(beta)
        bj, Fj = self.bids[j], (lambda x: self._F(j, x))
        a, c = bj.lower_inverse(beta), bj.upper_inverse(beta)  # the tie set is [a, c]
        lt, le = Fj(a), Fj(c)
        win = lt + 0.5 * (le - lt)
        pay = beta * win if self.auction == "first-price" else beta.copy()
        zero = np.zeros_like(beta)
        sell, revenue, buy, spend, made, taken = zero, zero, zero, zero, zero, zero
        if self.resale is not None:
            sell, revenue, made = self._as_winner(i, vv, beta, a, c, lt, le)
            buy, spend, taken = self._as_loser(i, vv, beta, a, c, lt, le)
        return Outcome(vv, beta, win - sell + buy, pay - revenue + spend, win, sell, buy, made + taken)

    def _optimise(self, v, a, c, lt, le, other: int, seller: bool):
        r"""(probability, money, surplus, price) of an optimal offer of an agent of value ``v``
        against her posterior about agent ``other``'s value.

        As the seller (after winning), that value lies below ``a``, or in the tie set ``[a, c]``
        with weight 1/2 (``lt``, ``le`` are the CDF at ``a`` and ``c``); she posts
        :math:`p \ge v`. As the buyer (after losing), it lies above ``c``, or in ``[a, c]`` with
        weight 1/2; she offers :math:`q \le v`. Only entries whose posterior reaches beyond her
        value (by more than :data:`TIE`) are optimised; the others make no offer (price ``inf``
        for a seller, ``-inf`` for a buyer). The surplus is the expected value of the buyer minus
        that of the seller over the trades.
        """
        F = lambda x: self._F(other, x)
        M = lambda x: self._moment(other, x)
        ties = bool(np.any(le > lt))
        scale = TIE * (self.laws[other].high - self.laws[other].low)
        active = (c > v + scale) if seller else (a < v - scale)
        prob, money, surplus = np.zeros(v.shape), np.zeros(v.shape), np.zeros(v.shape)
        price = np.full(v.shape, np.inf if seller else -np.inf)
        if not np.any(active):
            return prob, money, surplus, price
        vs, as_, cs, lts, les = (x[active][:, None] for x in (v, a, c, lt, le))
        if seller:
            mass = lambda p: _pos(lts - F(p)) + (0.5 * _pos(les - F(np.maximum(p, as_))) if ties else 0.0)
            best, _ = best_price(lambda p: (p - vs) * mass(p), vs[:, 0], cs[:, 0])
        else:
            mass = lambda q: _pos(F(q) - les) + (0.5 * _pos(F(np.minimum(q, cs)) - lts) if ties else 0.0)
            best, _ = best_price(lambda q: (vs - q) * mass(q), np.minimum(as_, vs)[:, 0], vs[:, 0])
        prob[active] = mass(best[:, None])[:, 0]
        money[active] = best * prob[active]
        price[active] = np.where(prob[active] > 0, best, price[active])
        pa, pc, pv = as_[:, 0], cs[:, 0], vs[:, 0]
        if seller:  # the other's value, integrated over the buyers at price `best`
            other_value = _pos(M(pa) - M(best)) + 0.5 * _pos(M(pc) - M(np.maximum(best, pa)))
            surplus[active] = other_value - pv * prob[active]
        else:  # the other's value, integrated over the sellers accepting `best`
            other_value = _pos(M(best) - M(pc)) + 0.5 * _pos(M(np.minimum(best, pc)) - M(pa))
            surplus[active] = pv * prob[active] - other_value
        return prob, money, surplus, price

    def _as_winner(self, i, v, beta, a, c, lt, le):
        """(probability, revenue, surplus proposed) of reselling after winning with ``beta``."""
        j = 1 - i
        Fj = lambda x: self._F(j, x)
        if self.resale == "seller-offer" and self.signal == "winner":
            return self._optimise(v, a, c, lt, le, j, seller=True)[:3]
        zero = np.zeros(v.shape)
        if self.resale == "seller-offer":  # bids revealed: sell at the loser's value when higher
            prob = _pos(lt - Fj(v))
            money = np.where(prob > 0, self._moment(j, a) - self._moment(j, np.minimum(v, a)), 0.0)
            return prob, money, money - v * prob
        if self.signal == "winner":  # buyer-offer: the loser's offer q_j(t), accepted iff q >= v
            (pa, ma), (pc, mc) = self._accepting(j, v, (a, c), seller_posts=False)
            return pa + 0.5 * (pc - pa), ma + 0.5 * (mc - ma), zero
        guess = self.bids[i].lower_inverse(beta)  # buyer-offer, bids revealed: the loser offers
        prob = np.where(guess >= v - TIE, _pos(lt - Fj(guess)), 0.0)  # her estimate of my value
        return prob, guess * prob, zero

    def _as_loser(self, i, v, beta, a, c, lt, le):
        """(probability, spending, surplus proposed) of buying after losing with ``beta``."""
        j = 1 - i
        Fj = lambda x: self._F(j, x)
        if self.resale == "buyer-offer" and self.signal == "winner":
            return self._optimise(v, a, c, lt, le, j, seller=False)[:3]
        zero = np.zeros(v.shape)
        if self.resale == "buyer-offer":  # bids revealed: offer the winner's value when lower
            prob = _pos(Fj(v) - le)
            money = np.where(prob > 0, self._moment(j, np.maximum(v, c)) - self._moment(j, c), 0.0)
            return prob, money, v * prob - money
        if self.signal == "winner":  # seller-offer: the winner's price p_j(t), bought iff v >= p
            top = np.full(v.shape, self.laws[j].high)
            (pa, ma), (pc, mc), (ph, mh) = self._accepting(j, v, (a, c, top), seller_posts=True)
            return ph - pc + 0.5 * (pc - pa), mh - mc + 0.5 * (mc - ma), zero
        guess = self.bids[i].lower_inverse(beta)  # seller-offer, bids revealed: the winner prices
        prob = np.where(v >= guess - TIE, _pos(Fj(guess) - le), 0.0)  # at her estimate of my value
        return prob, guess * prob, zero

    # -- the profile ---------------------------------------------------------------------------
    def type_grid(self, i: int, n: int = 201) -> np.ndarray:
        """``n`` equally spaced values on agent ``i``'s support."""
        return np.linspace(self.laws[i].low, self.laws[i].high, int(n))

    def interim(self, i: int, v=None) -> Outcome:
        """The interim outcome :math:`(\\tilde x_i, \\tilde p_i)` of the profile at values ``v``."""
        v = self.type_grid(i) if v is None else np.asarray(v, dtype=float).ravel()
        return self.outcome(i, v, self.bids[i](v))

    def payment_identity_gap(self, i: int, v=None) -> float:
        r"""Lemma 1 for the profile: the largest
        :math:`|\tilde p_i(v) - (v \tilde x_i(v) - \int_{v_0}^{v} \tilde x_i + \tilde p_i(v_0))|`
        over the values ``v`` (default :meth:`type_grid`; :math:`v_0` is the first), with the
        integral by the trapezoid rule. Zero, up to the rule's error, at an equilibrium.
        """
        v = self.type_grid(i) if v is None else np.asarray(v, dtype=float).ravel()
        out = self.interim(i, v)
        dx = np.diff(v) * (out.x[1:] + out.x[:-1]) / 2
        integral = np.concatenate([[0.0], np.cumsum(dx)])
        return float(np.max(np.abs(out.payment - (v * out.x - integral + out.payment[0]))))

    def bid_grid(self, n: int = 401) -> np.ndarray:
        """``n`` bids from 0 to 5% above the highest bid of either agent."""
        top = max(float(b.bids[-1]) for b in self.bids)
        return np.linspace(0.0, 1.05 * top if top > 0 else 1.0, int(n))

    def deviation_table(self, i: int, v=None, bids=None) -> Outcome:
        """Outcomes of every value in ``v`` (default :meth:`type_grid`) bidding every bid in ``bids``."""
        v = self.type_grid(i) if v is None else np.asarray(v, dtype=float).ravel()
        bids = self.bid_grid() if bids is None else np.asarray(bids, dtype=float).ravel()
        return self.outcome(i, v, np.broadcast_to(bids, (v.size, bids.size)).copy())

    def regret(self, i: int, v=None, bids=None) -> GridRegret:
        """Type-by-type regret of agent ``i``'s bid function over the bid grid."""
        v = self.type_grid(i) if v is None else np.asarray(v, dtype=float).ravel()
        bids = self.bid_grid() if bids is None else np.asarray(bids, dtype=float).ravel()
        table = self.deviation_table(i, v, bids)
        return grid_regret(v, self.interim(i, v).utility, table.utility, bids)

    # -- welfare -------------------------------------------------------------------------------
    @cached_property
    def _path(self):
        """Interim outcomes of both agents at the quadrature midpoints (in blocks of rows)."""
        out = []
        for i in (0, 1):
            blocks = np.array_split(self._nodes[i][1], max(1, self.quad_points // 256))
            parts = [self.interim(i, v) for v in blocks]
            fields = ("v", "beta", "x", "payment", "win", "sell", "buy", "surplus")
            out.append(Outcome(*(np.concatenate([getattr(o, f) for o in parts]) for f in fields)))
        return tuple(out)

    def expected(self, quantity: str, i: int) -> float:
        """:math:`\\mathbb{E}_{v_i}` of an interim quantity of agent ``i`` (``"x"``, ``"utility"``,
        ``"payment"``, ``"sell"``, ``"buy"``, ``"win"``, ``"surplus"``, or ``"value"`` for
        :math:`v\\,\\text{win}_i + \\text{surplus}_i`, her value from the auction plus the welfare
        her own resale offers create)."""
        out = self._path[i]
        vals = out.v * out.win + out.surplus if quantity == "value" else getattr(out, quantity)
        return float(self._nodes[i][2] @ vals)

    def welfare(self) -> float:
        """Expected welfare of the final allocation, :math:`\\sum_i \\mathbb{E}[v_i \\tilde x_i(v_i)]`.

        Computed as the welfare of the auction's allocation plus the surplus of each resale trade,
        counted once, by the agent who proposes it (:attr:`Outcome.surplus`): one-sided
        integrals with exact CDFs, more accurate than integrating both sides' allocations.
        """
        return self.expected("value", 0) + self.expected("value", 1)

    def optimal_welfare(self) -> float:
        """:math:`\\mathbb{E}[\\max(v_1, v_2)]`."""
        return expected_max(*self.laws)

    def trade_probability(self) -> float:
        """Probability that the item changes hands in the resale stage."""
        return self.expected("sell", 0) + self.expected("sell", 1)
