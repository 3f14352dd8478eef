"""The reproduction ledger: every result of the paper, and the claims that reproduce it.

Importing this package imports the chapters' claim modules, one per chapter, each of which
registers its claims in :mod:`aftermarkets.ledger.registry` (a module that imports nothing from
the package). Each claim recomputes its finding with the library and decides its status itself;
a pending claim says which chapter will reproduce it. :func:`scope` summarises the ledger per
numbered result of the paper, and :func:`scope_table` prints that summary as a Markdown table
(the intro, the README and ``python -m aftermarkets.ledger --scope`` show it). Run
``python -m aftermarkets.ledger`` for every claim, ``--json`` for machines.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from . import (  # noqa: F401  (importing registers the claims, in book order)
    ch01_model,
    ch02_speculation,
    ch03_smooth_auctions,
    ch04_posted_prices,
    ch05_reserve_prices,
    ch06_symmetric_first_price,
    ch07_equilibrium_lab,
)
from .registry import RESULTS, STATUSES, Claim, Evaluation, evaluate, registered, result_status

__all__ = [
    "STATUSES",
    "RESULTS",
    "Claim",
    "Evaluation",
    "all_claims",
    "evaluate",
    "ledger",
    "changed",
    "scope",
    "badge",
]

#: Chapter titles, for tables that name chapters.
CHAPTERS = {
    "01_model": "1. The model",
    "02_uniform_price_speculation": "2. Speculation",
    "03_smooth_auctions": "3. Smooth auctions",
    "04_posted_prices": "4. Posted prices",
    "05_reserve_prices": "5. Reserve prices",
    "06_symmetric_first_price": "6. Two symmetric bidders",
    "07_equilibrium_lab": "7. The equilibrium lab",
}


def all_claims() -> list[Claim]:
    """Every claim of every chapter, in book order."""
    return registered()


def _module(claim: Claim) -> str:
    """The chapter module whose function computes ``claim`` (``"pending"`` if nothing does)."""
    return claim.compute.__module__ if claim.compute is not None else "pending"


def _module_rows(module: str) -> list[dict]:
    """The rows of the claims one chapter module computes, in book order."""
    return [evaluate(c) for c in all_claims() if _module(c) == module]


#: What a worker process runs: the rows of the chapter modules named on its command line, as JSON.
_WORKER = (
    "import json, sys\n"
    "from aftermarkets.ledger import _module_rows\n"
    "json.dump([r for m in sys.argv[1:] for r in _module_rows(m)], sys.stdout)\n"
)


def _rows_in_process(modules: list[str]) -> list[dict]:
    """:func:`_module_rows` of ``modules`` in a fresh Python process (this interpreter)."""
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, *modules], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"the ledger's worker for {modules} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


def ledger(workers: int | None = 1) -> list[dict]:
    """Evaluate every claim; a list of ledger rows (:func:`~aftermarkets.ledger.registry.evaluate`),
    in book order.

    Parameters
    ----------
    workers : int or None, optional
        Processes to compute in. ``1`` (the default) evaluates the claims here, one after the
        other. More split the chapters among that many fresh Python processes, taken in turn
        (the claims of a chapter share cached computations, so a chapter stays in one process);
        ``None`` uses ``$AFTERMARKETS_WORKERS`` processes if that is set, else every core (a
        parallel test run sets it to 1 in its workers, whose cores are all busy already: more
        processes would only contend for them). Every claim is a deterministic computation and a
        row is plain text, so the rows are the same either way: the ledger page computes on every
        core and nbval compares its output with the stored one.

    Raises
    ------
    ValueError
        If ``workers`` (or ``$AFTERMARKETS_WORKERS``) is not a whole number >= 1.
    """
    claims = all_claims()
    modules = list(dict.fromkeys(_module(c) for c in claims))
    if workers is None:
        given = os.environ.get("AFTERMARKETS_WORKERS", "")
        if given and not (given.isdigit() and int(given) >= 1):
            raise ValueError(f"AFTERMARKETS_WORKERS must be a whole number of processes >= 1, got {given!r}")
        workers = int(given) if given else os.cpu_count() or 1
    elif isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number of processes >= 1 or None, got {workers!r}")
    workers = min(workers, len(modules))
    if workers <= 1:
        return [evaluate(c) for c in claims]
    groups = [modules[k::workers] for k in range(workers)]
    with ThreadPoolExecutor(workers) as pool:  # threads that each wait for one process
        rows = {r["id"]: r for part in pool.map(_rows_in_process, groups) for r in part}
    return [rows[c.id] for c in claims]


def changed(rows) -> list[str]:
    """The evaluated rows whose computation no longer confirms the ledger: a computed status other
    than the declared one, or an empty finding. One line per such claim (empty when all hold).

    The ledger page asserts that this is empty when it runs (nbval runs it on every ``make test``),
    and so does ``python -m aftermarkets.ledger`` through its exit status.
    """
    out = []
    for r in rows:
        if r["status"] != r["declared"]:
            out.append(
                f"{r['id']}: the computation now says {r['status']!r} ({r['reproduced']}), "
                f"the ledger declares {r['declared']!r}"
            )
        elif not r["reproduced"].strip():
            out.append(f"{r['id']}: empty finding")
    return out


def scope(rows=None) -> list[dict]:
    """One row per result of :data:`~aftermarkets.ledger.registry.RESULTS`, in the paper's order.

    Each row has ``key, where, about, chapter, status`` (from the declared statuses of its claims,
    :func:`~aftermarkets.ledger.registry.result_status`) and ``claims`` (how many). The declared
    statuses are the ones the ledger page confirms by recomputation (:func:`changed`), so the summary
    needs no computation; pass evaluated ``rows`` (from :func:`ledger`) to use computed ones.
    """
    if rows is None:
        statuses = [(c.result, c.status) for c in all_claims()]
    else:
        statuses = [(r["result"], r["status"]) for r in rows]
    out = []
    for r in RESULTS:
        mine = [s for key, s in statuses if key == r.key]
        out.append(
            {
                "key": r.key,
                "where": r.where,
                "about": r.about,
                "chapter": r.chapter,
                "status": result_status(mine) if mine else "pending",
                "claims": len(mine),
            }
        )
    return out


def scope_table(links: str | None = None) -> str:
    """:func:`scope` as a Markdown table: the result and what it says, its chapter, its status.

    Parameters
    ----------
    links : {None, "book", "repo"}
        Link the chapter column: ``"book"`` to the chapter notebooks (for a page of the book),
        ``"repo"`` to ``book/NN_name.ipynb`` (for the README); pending results are not linked.
    """
    rows = scope()
    lines = ["| result | chapter | status |", "| :--- | :--- | :--- |"]
    for r in rows:
        name = CHAPTERS[r["chapter"]]
        if links and r["status"] != "pending":
            target = f"{r['chapter']}.ipynb" if links == "book" else f"book/{r['chapter']}.ipynb"
            name = f"[{name}]({target})"
        lines.append(f"| **{r['key']}**: {r['about']} | {name} | {r['status']} |")
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    note = (
        " A result is marked *disagrees* when any one of its claims is: a number, an example's property"
        " or a step of a proof that the computation contradicts. The ledger lists the claims, so it"
        " says which, and whether the result's statement itself is affected."
    )
    return "\n".join(lines) + f"\n\n{len(rows)} results: {summary}." + (note if counts["disagrees"] else "")


_BADGES = {
    "reproduced": "bdg-success",
    "refined": "bdg-primary",
    "disagrees": "bdg-danger",
    "pending": "bdg-secondary",
}


def badge(status: str) -> str:
    """A status as a sphinx-design badge (MyST), e.g. ``{bdg-danger}`disagrees```."""
    return f"{{{_BADGES[status]}}}`{status}`"


def markdown(rows, chapters=None) -> str:
    """The ledger rows as MyST Markdown, one card per claim, grouped by chapter (the ledger page).

    Each card shows the status as a badge, the paper's result, the claim's id, a link to the
    section that reproduces it (pending claims say which chapter will), the statement, what the
    paper says and what the computation found. Needs the book's extensions (sphinx-design badges,
    ``colon_fence``).
    """
    titles = chapters or CHAPTERS
    out = []
    for chapter in dict.fromkeys(r["chapter"] for r in rows):
        mine = [r for r in rows if r["chapter"] == chapter]
        done = any(r["status"] != "pending" for r in mine)
        title = titles.get(chapter, chapter)
        out.append(f"## [{title}]({chapter}.ipynb)" if done else f"## {title} (to come)")
        for r in mine:
            where = f"{{ref}}`{r['source']} <{r['section']}>`" if r["section"] else r["source"]
            out.append(
                ":::{container} ledger-claim\n"
                f"{badge(r['status'])} **{r['result']}** · `{r['id']}` · {where}\n\n"
                f"{r['statement']}\n\n"
                f"*The paper:* {r['paper']}\n\n"
                f"*The computation:* {r['reproduced']}\n"
                ":::"
            )
    return "\n\n".join(out)
