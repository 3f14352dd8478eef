"""The reproduction ledger: every registered claim is recomputed and must confirm its declared status."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from aftermarkets import ledger
from aftermarkets.ledger import registry

CLAIMS = ledger.all_claims()


def test_ledger_is_not_empty():
    """The ledger registers claims (each chapter adds its own)."""
    assert len(CLAIMS) > 0


def test_ids_are_unique_and_well_formed():
    """Ids are unique; every entry names a source, a statement, the paper's value and a chapter."""
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    for c in CLAIMS:
        assert c.source and c.statement and c.paper and c.chapter, c.id
        assert c.status in ledger.STATUSES


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_recomputes_to_its_declared_status(claim):
    """Recompute the claim from the library; its computed status must equal the declared one."""
    row = ledger.evaluate(claim)
    assert row["reproduced"].strip(), f"{claim.id}: empty finding"
    assert row["status"] == row["declared"], (
        f"{claim.id}: the computation now says {row['status']!r} ({row['reproduced']}), "
        f"the ledger declares {row['declared']!r}"
    )


def test_register_rejects_bad_status_and_duplicates():
    """The registry refuses unknown statuses and duplicate ids."""
    with pytest.raises(ValueError, match="status"):
        registry.register("x", "s", "t", "p", "maybe", "c")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(CLAIMS[0].id, "s", "t", "p", "pending", "c")(lambda: None)


def test_command_line_json():
    """`python -m aftermarkets.ledger --json` prints every claim and exits 0."""
    out = subprocess.run(
        [sys.executable, "-m", "aftermarkets.ledger", "--json"], capture_output=True, text=True, check=True
    )
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == [c.id for c in CLAIMS]
    assert {"id", "source", "statement", "paper", "reproduced", "status"} <= set(rows[0])
