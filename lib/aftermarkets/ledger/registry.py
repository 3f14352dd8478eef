r"""The ledger's registry: claims, their evaluations and statuses. Imports nothing from the package.

Each entry names its source in the paper ("Example 1", "Proposition 1", ...), states the claim,
records what the paper says (its value or bound) and carries a function that recomputes the
claim from the library and returns what was found and a status:

* ``reproduced`` — the computation confirms the paper's statement;
* ``refined`` — it confirms it and adds precision (an exact value where the paper bounds);
* ``disagrees`` — the computation contradicts the statement (the book explains where);
* ``pending`` — not yet reproduced.

The declared status is part of the entry; ``tests/test_ledger.py`` recomputes every entry and
fails when the computation no longer yields the declared status. The chapters' claim modules
(``ch01_model``, ``ch02_speculation``, ...) register into this module when
:mod:`aftermarkets.ledger` imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Claim", "Evaluation", "STATUSES", "register", "verdict", "registered", "evaluate"]

STATUSES = ("reproduced", "refined", "disagrees", "pending")


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
    source : str
        Where in the paper, e.g. ``"Example 1"``.
    statement : str
        The claim in words.
    paper : str
        The paper's value or bound.
    status : str
        The declared status, which the computation must confirm.
    chapter : str
        The notebook that reproduces it.
    compute : callable
        ``compute() -> Evaluation``.
    """

    id: str
    source: str
    statement: str
    paper: str
    status: str
    chapter: str
    compute: Callable = field(repr=False)


_REGISTRY: dict[str, Claim] = {}


def register(id: str, source: str, statement: str, paper: str, status: str, chapter: str):
    """Decorator registering ``compute`` as the check of a claim.

    Raises
    ------
    ValueError
        On a duplicate id or an unknown status.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")

    def deco(compute: Callable) -> Callable:
        if id in _REGISTRY:
            raise ValueError(f"claim id {id!r} registered twice")
        _REGISTRY[id] = Claim(id, source, statement, paper, status, chapter, compute)
        return compute

    return deco


def registered() -> list[Claim]:
    """Every claim registered so far, in registration order."""
    return list(_REGISTRY.values())


def evaluate(claim: Claim) -> dict:
    """Run a claim's computation; return its ledger row as a dict.

    The row has ``id, source, statement, paper, reproduced, status, declared, chapter``;
    ``status`` is what the computation decided and ``declared`` what the ledger states.
    """
    ev = claim.compute()
    if not isinstance(ev, Evaluation):
        raise TypeError(f"claim {claim.id} must return an Evaluation, got {type(ev).__name__}")
    return {
        "id": claim.id,
        "source": claim.source,
        "statement": claim.statement,
        "paper": claim.paper,
        "reproduced": ev.reproduced,
        "status": ev.status,
        "declared": claim.status,
        "chapter": claim.chapter,
    }
