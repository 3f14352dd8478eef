"""The reproduction ledger: every numbered result of the paper has a row; pending claims name the
chapter to come; the scope tables shown in the README and the book are current. Every computed
claim is recomputed, and must confirm its declared status, by the ledger page
(``book/ledger.ipynb``), which nbval runs with the other notebooks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aftermarkets import ledger
from aftermarkets.ledger import registry
from aftermarkets.ledger.__main__ import main as ledger_main

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ledger.all_claims()


def test_every_numbered_result_of_the_paper_has_a_row():
    """Definitions 1-7, Theorems 1-7, Propositions 1-7, Corollaries 1-2, Examples 1-4, Claims 1-3,
    Lemma 1, Table 1 and Figure 1: 33 numbered results, each with at least one claim."""
    expected = (
        [f"Definition {i}" for i in range(1, 8)]
        + [f"Theorem {i}" for i in range(1, 8)]
        + [f"Proposition {i}" for i in range(1, 8)]
        + ["Corollary 1", "Corollary 2"]
        + [f"Example {i}" for i in range(1, 5)]
        + ["Claim 1", "Claim 2", "Claim 3", "Lemma 1", "Table 1", "Figure 1"]
    )
    assert len(expected) == 33
    keys = {r.key for r in registry.RESULTS}
    assert set(expected) <= keys
    covered = {c.result for c in CLAIMS}
    assert keys <= covered, f"results without a ledger row: {sorted(keys - covered)}"


def test_ids_are_unique_and_entries_complete():
    """Ids are unique; every entry names its result, source, statement, the paper's words and a
    chapter; computed entries name the section that reproduces them, pending ones do not."""
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    for c in CLAIMS:
        assert c.result and c.source and c.statement and c.paper and c.chapter, c.id
        assert c.status in ledger.STATUSES
        assert (c.compute is None) == (c.status == "pending") == (c.section is None), c.id


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.section], ids=lambda c: c.id)
def test_section_label_exists_in_the_chapter(claim):
    """The section a computed claim links to is a MyST target in its chapter's notebook."""
    nb = json.loads((ROOT / "book" / f"{claim.chapter}.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert f"({claim.section})=" in text, f"{claim.id}: no target ({claim.section})= in {claim.chapter}"


def test_pending_claims_belong_to_chapters_not_yet_written():
    """A pending claim names a chapter that has no notebook yet (a written chapter computes its claims)."""
    for c in CLAIMS:
        if c.status == "pending":
            assert not (ROOT / "book" / f"{c.chapter}.ipynb").exists(), c.id
            assert c.chapter == next(r.chapter for r in registry.RESULTS if r.key == c.result), c.id


def test_changed_names_the_claims_that_no_longer_hold():
    """:func:`ledger.changed` names a claim whose computed status differs from its declared one, or
    whose finding is empty, and nothing else: the check the ledger page asserts when nbval runs it."""
    good = {"id": "a", "status": "reproduced", "declared": "reproduced", "reproduced": "1.0"}
    flipped = dict(good, id="b", status="disagrees", reproduced="0.9")
    empty = dict(good, id="c", reproduced="  ")
    assert ledger.changed([good]) == []
    found = ledger.changed([good, flipped, empty])
    assert len(found) == 2 and found[0].startswith("b: ") and "'disagrees'" in found[0]
    assert found[1] == "c: empty finding"


def test_ledger_page_recomputes_and_asserts_every_claim():
    """The ledger page evaluates every claim (``ledger.ledger(...)``, its chapters in parallel
    processes) and asserts that none changed, so nbval's run of it on every test run is the
    recomputation of every claim (each claim is computed once per test run, there)."""
    code = "\n".join(
        "".join(c["source"])
        for c in json.loads((ROOT / "book" / "ledger.ipynb").read_text())["cells"]
        if c["cell_type"] == "code"
    )
    assert re.search(r"^rows = ledger\.ledger\((workers=\w+)?\)", code, re.M), code
    assert re.search(r"^changed = ledger\.changed\(rows\).*\nassert not changed\b", code, re.M), code


def test_registry_rejects_bad_entries():
    """The registry refuses unknown statuses, unknown results, 'pending' with a computation, and
    duplicate ids."""
    with pytest.raises(ValueError, match="status"):
        registry.register("x", "Theorem 1", "s", "t", "p", "maybe", "c", "sec")
    with pytest.raises(ValueError, match="status"):
        registry.register("x", "Theorem 1", "s", "t", "p", "pending", "c", "sec")
    with pytest.raises(ValueError, match="result"):
        registry.register("x", "Theorem 99", "s", "t", "p", "reproduced", "c", "sec")(lambda: None)
    with pytest.raises(ValueError, match="registered twice"):
        registry.pending(CLAIMS[0].id, "Theorem 1", "s", "t", "p", "c")


def test_result_status_summarises_claims():
    """A result is pending if any claim is, disagrees if any claim does, else refined or reproduced."""
    assert registry.result_status(["reproduced", "refined"]) == "refined"
    assert registry.result_status(["reproduced", "disagrees", "refined"]) == "disagrees"
    assert registry.result_status(["reproduced", "pending"]) == "pending"
    assert registry.result_status(["reproduced"]) == "reproduced"
    with pytest.raises(ValueError):
        registry.result_status([])


def test_readme_scope_table_is_current():
    """README.md shows the scope table the ledger generates (scripts/update_scope.py)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_scope.py"), "--check"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout
    table = ledger.scope_table(links="repo")
    assert (
        len(
            re.findall(
                r"^\| \*\*(Definition|Theorem|Proposition|Corollary|Example|Claim|Lemma|Table|Figure) ",
                table,
                re.M,
            )
        )
        == 33
    )


def _update_scope():
    sys.path.insert(0, str(ROOT / "scripts"))
    import booktools
    import update_scope

    return booktools, update_scope


def test_result_of_names_the_paper_result_a_box_states():
    """A numbered box is the result of its type and number; an unnumbered one the result its title
    starts with (not a longer number: "Claim 10" is not "Claim 1"), else the most specific section
    of the ledger its title names; else none."""
    booktools, update_scope = _update_scope()
    keys = {"Theorem 1", "Claim 1", "Definition 6", "Section 2.1"}

    def box(kind, number, title):
        return booktools.Statement(kind, number, title, "label", "", ROOT, 0)

    assert update_scope.result_of(box("theorem", 1, "Section 3"), keys) == "Theorem 1"
    assert update_scope.result_of(box("theorem", 2, "Section 4"), keys) is None
    assert update_scope.result_of(box("lemma", None, "Claim 1 (Section 5.1)"), keys) == "Claim 1"
    assert update_scope.result_of(box("lemma", None, "Claim 10 (Section 5.1)"), keys) is None
    of_the_paper = box("definition", None, "Definition 6 of the paper")
    assert update_scope.result_of(of_the_paper, keys) == "Definition 6"
    assert update_scope.result_of(box("definition", None, "Welfare, Section 2.1.1"), keys) == "Section 2.1"
    assert update_scope.result_of(box("definition", None, "Welfare, Section 2.2"), keys) is None


def test_statements_page_lists_every_box_and_every_result():
    """The index of statements (scripts/update_scope.py) links every statement box of the book
    once, in book order, each with a status (every box states a result of the ledger), and lists
    every other result of the ledger once, under "Results without a box"; a few rows are pinned as
    a reader sees them (the status of a result comes from ``ledger.scope``)."""
    booktools, update_scope = _update_scope()
    page = update_scope.statements_page()
    boxes = booktools.statements()
    scope = {r["key"]: r["status"] for r in ledger.scope()}
    rows = re.findall(r"^\| \{prf:ref\}`([^`<]+) <([\w-]+)>` \| \{bdg-\w+\}`(\w+)` \|$", page, re.M)
    assert [label for _, label, _ in rows] == [b.label for b in boxes]  # every box, in book order
    stated = {update_scope.result_of(b, scope) for b in boxes}
    assert None not in stated
    rest = page.split("## Results without a box", 1)[1]
    assert sorted(re.findall(r"^\| \*\*([^*]+)\*\*", rest, re.M)) == sorted(set(scope) - stated)
    # a few rows as a reader sees them
    assert ("Proposition 1 (Section 3; proof in Appendix B.2)", "proposition-1", "disagrees") in rows
    assert ("Claim 1 (Section 5.1)", "claim-1", "refined") in rows
    welfare = next(r for r in rows if r[1] == "def-welfare")
    assert welfare[2] == scope["Section 2.1"]


def test_command_line(capsys):
    """`python -m aftermarkets.ledger --json --claim ID` prints that claim's row (a subprocess: the
    module's entry point); `--scope` prints the scope, an unknown id exits 2 (``main`` called here)."""
    cmd = [sys.executable, "-m", "aftermarkets.ledger"]
    out = subprocess.run(
        cmd + ["--json", "--claim", "ex1-clearing-price"], capture_output=True, text=True, check=True
    )
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == ["ex1-clearing-price"] and rows[0]["status"] == "reproduced"
    assert {"id", "result", "source", "statement", "paper", "reproduced", "status", "section"} <= set(rows[0])
    assert ledger_main(["--scope"]) == 0
    assert capsys.readouterr().out.strip() == ledger.scope_table().strip()
    with pytest.raises(SystemExit) as bad:
        ledger_main(["--claim", "no-such-claim"])
    assert bad.value.code == 2 and "unknown claim" in capsys.readouterr().err


def test_a_failing_ledger_worker_is_reported(monkeypatch):
    """When a worker process of ``ledger(workers=...)`` fails, the ledger raises with its stderr
    (rather than returning fewer rows)."""
    monkeypatch.setattr(ledger, "_WORKER", "import sys\nsys.exit('the worker failed here')")
    with pytest.raises(RuntimeError, match="the worker failed here"):
        ledger._rows_in_process(["aftermarkets.ledger.ch01_model"])


def test_workers_from_the_environment(monkeypatch):
    """``ledger(workers=None)`` takes ``$AFTERMARKETS_WORKERS`` processes (1: this process, as in a
    parallel test run's workers), and refuses a value that is not a count >= 1, as it refuses such a
    ``workers``."""
    two = [next(c for c in CLAIMS if c.id == "ex1-clearing-price"), CLAIMS[-1]]
    assert ledger._module(two[0]) != ledger._module(two[1])
    monkeypatch.setattr(ledger, "all_claims", lambda: two)
    groups = []
    monkeypatch.setattr(ledger, "_rows_in_process", lambda g: groups.append(g) or [])
    monkeypatch.setattr(ledger, "evaluate", lambda c: {"id": c.id})
    monkeypatch.setenv("AFTERMARKETS_WORKERS", "1")
    assert [r["id"] for r in ledger.ledger(workers=None)] == [c.id for c in two] and groups == []
    monkeypatch.setenv("AFTERMARKETS_WORKERS", "2")
    with pytest.raises(KeyError):  # the stand-in processes return no rows
        ledger.ledger(workers=None)
    assert sorted(map(len, groups)) == [1, 1]
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("AFTERMARKETS_WORKERS", bad)
        with pytest.raises(ValueError, match="AFTERMARKETS_WORKERS must be"):
            ledger.ledger(workers=None)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="workers must be"):
            ledger.ledger(workers=bad)
