r"""The ledger's registry: the paper's numbered results and the claims that reproduce them.

This module imports nothing from the package. The chapters' claim modules (``ch01_model``,
``ch02_speculation``, ...) register their claims here when :mod:`aftermarkets.ledger` imports them.

* :data:`RESULTS` lists every numbered result of the paper (Definitions 1–7, Theorems 1–7,
  Propositions 1–7, Corollaries 1–2, Examples 1–4, Claims 1–3, Lemma 1, Table 1, Figure 1: 33 in
  all), Section 2.1's model and the footnotes the chapters use, each with the chapter that
  reproduces it.
* A :class:`Claim` is one checkable statement about a result. It carries a function that
  recomputes it from the library and returns an :class:`Evaluation`: what was found, and a status

  * ``reproduced`` — the computation confirms the paper's statement;
  * ``refined`` — it confirms it and adds precision (an exact value where the paper bounds);
  * ``disagrees`` — the computation contradicts the statement (the chapter explains where);
  * ``pending`` — not yet reproduced (registered with :func:`pending`, no computation).

The declared status is part of the entry; the ledger page (``book/ledger.ipynb``, which nbval runs
on every test run) recomputes every entry and fails when the computation no longer yields the
declared status (:func:`aftermarkets.ledger.changed`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "STATUSES",
    "Result",
    "RESULTS",
    "Claim",
    "Evaluation",
    "register",
    "pending",
    "verdict",
    "registered",
    "evaluate",
    "result_status",
]

STATUSES = ("reproduced", "refined", "disagrees", "pending")

CH1, CH2, CH3 = "01_model", "02_uniform_price_speculation", "03_smooth_auctions"
CH4, CH5, CH6 = "04_posted_prices", "05_reserve_prices", "06_symmetric_first_price"
CH7 = "07_equilibrium_lab"


@dataclass(frozen=True)
class Result:
    """A numbered result of the paper (or a footnote a chapter uses).

    Attributes
    ----------
    key : str
        As the paper numbers it, e.g. ``"Theorem 1"``.
    where : str
        Where it is stated (and proved), e.g. ``"Section 3; Appendix B.2"``.
    about : str
        A few words on what it says.
    chapter : str
        The book chapter that reproduces it (a notebook name without extension).
    """

    key: str
    where: str
    about: str
    chapter: str


#: Every numbered result of the paper in the paper's order (with Section 2.1's unnumbered model
#: first), then the footnotes the book uses.
RESULTS = (
    Result("Section 2.1", "Section 2.1", "welfare, mechanisms and the combined market", CH1),
    Result("Definition 1", "Section 2.1.2", "voluntary participation", CH1),
    Result("Definition 2", "Section 2.1.2", "weak budget balance", CH1),
    Result("Theorem 1", "Section 3", "speculation costs a log m factor", CH2),
    Result("Example 1", "Section 3", "the speculator instance", CH2),
    Result("Proposition 1", "Section 3; Appendix B.2", "Example 1 is a PBE in undominated bids", CH2),
    Result("Definition 3", "Section 4", "(λ, μ)-smoothness", CH3),
    Result("Proposition 2", "Section 4", "smooth auctions: PoA ≤ μ/λ", CH3),
    Result("Theorem 2", "Section 4; Appendix A.1", "smoothness survives any aftermarket", CH3),
    Result("Corollary 1", "Section 4", "discriminatory auction keeps 1 − 1/e", CH3),
    Result("Definition 4", "Section 4.1", "semi-smoothness", CH3),
    Result("Proposition 3", "Section 4.1", "semi-smooth: PoA ≤ μ/λ, correlated values", CH3),
    Result("Theorem 3", "Section 4.1", "semi-smoothness survives any aftermarket", CH3),
    Result("Proposition 4", "Section 4.1", "discriminatory auction is semi-smooth", CH3),
    Result("Proposition 5", "Section 4.2; Appendix A.2", "costly information acquisition", CH3),
    Result("Example 2", "Section 5", "a median posted price fails with resale", CH4),
    Result("Definition 5", "Section 5", "(α, β)-balanced prices", CH4),
    Result("Proposition 6", "Section 5", "balanced prices keep 1/(1 + αβ)", CH4),
    Result("Theorem 4", "Section 5; Appendix C.1", "balanced prices survive any aftermarket", CH4),
    Result("Claim 1", "Section 5.1", "the per-unit price w^v is (1, 1)-balanced", CH4),
    Result("Example 3", "Section 5.1", "the balanced price in Example 1", CH4),
    Result("Theorem 5", "Section 6; Appendix C.2", "uniform price with a balanced reserve", CH5),
    Result("Corollary 2", "Section 6", "an estimated reserve", CH5),
    Result("Table 1", "Appendix A.3", "other smooth auctions", CH3),
    Result("Definition 6", "Appendix B.2", "weakly dominated strategies", CH2),
    Result("Example 4", "Appendix B.3", "speculation with limited market power", CH2),
    Result("Proposition 7", "Appendix B.3", "Example 4 is a sequential equilibrium", CH2),
    Result("Theorem 6", "Appendix D", "a reserve with an error ε", CH5),
    Result("Definition 7", "Appendix E", "ex post individual rationality", CH6),
    Result("Theorem 7", "Appendix E", "two symmetric bidders: no welfare loss", CH6),
    Result("Lemma 1", "Appendix E", "Myerson's payment identity", CH6),
    Result("Claim 2", "Appendix E", "the bids meet at the crossing", CH6),
    Result("Claim 3", "Appendix E", "equal utilities force efficiency", CH6),
    Result("Figure 1", "Appendix E", "asymmetric bid functions", CH6),
    Result("Footnote 5", "Section 1", "an equilibrium in dominated bids", CH1),
    Result("Footnote 15", "Section 4", "uniform price is not smooth", CH3),
    Result("Footnote 17", "Section 5", "ties at the median price", CH4),
    Result("Footnote 19", "Section 5.1", "the ratio 1/2 is tight", CH4),
)
_KEYS = {r.key for r in RESULTS}


@dataclass(frozen=True)
class Evaluation:
    """What a claim's computation found.

    Attributes
    ----------
    reproduced : str
        The value or finding, for display.
    status : str
        One of :data:`STATUSES`, decided by the computation.
    """

    reproduced: str
    status: str

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


def numbers(values) -> str:
    """Distinct numbers for a finding's prose, smallest first: ``"0"``, ``"0.5, 1"``.

    Examples
    --------
    >>> numbers({1.0, 0.0, 0.5, 1.0})
    '0, 0.5, 1'
    """
    return ", ".join(f"{x:g}" for x in sorted(set(values)))


def verdict(ok: bool, good: str = "reproduced") -> str:
    """The status a check earns: ``good`` when it passed, ``"disagrees"`` when it failed.

    Parameters
    ----------
    ok : bool
        Whether every part of the computation confirmed the statement.
    good : str, optional
        The status earned on success (``"reproduced"`` or ``"refined"``).

    Returns
    -------
    str
    """
    if good not in STATUSES:
        raise ValueError(f"good must be one of {STATUSES}, got {good!r}")
    return good if ok else "disagrees"


@dataclass(frozen=True)
class Claim:
    """A ledger entry.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"ex1-welfare-bound"``.
    result : str
        The numbered result it belongs to, a key of :data:`RESULTS` (e.g. ``"Example 1"``).
    source : str
        Where in the paper, e.g. ``"Section 3"`` or ``"Appendix B.2, proof"``.
    statement : str
        The claim in words (MyST Markdown; ``$...$`` for math).
    paper : str
        What the paper states (MyST Markdown, quoted or with its math).
    status : str
        The declared status, which the computation must confirm.
    chapter : str
        The notebook that reproduces it.
    section : str or None
        The MyST label of the section that reproduces it (``None`` while pending).
    compute : callable or None
        ``compute() -> Evaluation``; ``None`` for a pending claim.
    """

    id: str
    result: str
    source: str
    statement: str
    paper: str
    status: str
    chapter: str
    section: str | None = None
    compute: Callable | None = field(default=None, repr=False)


_REGISTRY: dict[str, Claim] = {}


def _add(claim: Claim) -> None:
    if claim.status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {claim.status!r}")
    if claim.result not in _KEYS:
        raise ValueError(f"result must be one of the paper's results (RESULTS), got {claim.result!r}")
    if claim.id in _REGISTRY:
        raise ValueError(f"claim id {claim.id!r} registered twice")
    _REGISTRY[claim.id] = claim


def register(id, result, source, statement, paper, status, chapter, section):
    """Decorator registering ``compute`` as the check of a claim.

    Raises
    ------
    ValueError
        On a duplicate id, an unknown status or an unknown result.
    """
    if status not in STATUSES or status == "pending":
        raise ValueError(f"status must be one of {STATUSES[:3]} for a computed claim, got {status!r}")

    def deco(compute: Callable) -> Callable:
        _add(Claim(id, result, source, statement, paper, status, chapter, section, compute))
        return compute

    return deco


def pending(id, result, source, statement, paper, chapter) -> None:
    """Register a claim that no computation reproduces yet (status ``pending``)."""
    _add(Claim(id, result, source, statement, paper, "pending", chapter))


def registered() -> list[Claim]:
    """Every claim registered so far, in registration order."""
    return list(_REGISTRY.values())


def evaluate(claim: Claim) -> dict:
    """Run a claim's computation; return its ledger row as a dict.

    The row has ``id, result, source, statement, paper, reproduced, status, declared, chapter,
    section``; ``status`` is what the computation decided and ``declared`` what the ledger states.
    A pending claim is not computed: its row says so.
    """
    if claim.compute is None:
        ev = Evaluation(f"not yet reproduced; to come in chapter {claim.chapter[:2].lstrip('0')}", "pending")
    else:
        ev = claim.compute()
    if not isinstance(ev, Evaluation):
        raise TypeError(f"claim {claim.id} must return an Evaluation, got {type(ev).__name__}")
    return {
        "id": claim.id,
        "result": claim.result,
        "source": claim.source,
        "statement": claim.statement,
        "paper": claim.paper,
        "reproduced": ev.reproduced,
        "status": ev.status,
        "declared": claim.status,
        "chapter": claim.chapter,
        "section": claim.section,
    }


def result_status(statuses) -> str:
    """One status for a result from its claims' statuses.

    ``pending`` if any claim is pending; ``disagrees`` if any disagrees (the result is contradicted
    in part, see its rows); else ``refined`` if any claim is refined; else ``reproduced``.
    """
    statuses = list(statuses)
    if not statuses:
        raise ValueError("a result needs at least one claim")
    for s in ("pending", "disagrees", "refined"):
        if s in statuses:
            return s
    return "reproduced"
