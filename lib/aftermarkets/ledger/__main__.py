"""``python -m aftermarkets.ledger``: print the reproduction ledger (``--json`` for machines).

The whole ledger is computed on every core (:func:`~aftermarkets.ledger.ledger` with
``workers=None``); the claims named with ``--claim`` here, one after the other.

Exits 1 if a computed status differs from the status the ledger declares (or a finding is empty),
naming the claims on standard error.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import STATUSES, all_claims, changed, evaluate, ledger, scope_table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aftermarkets.ledger", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--scope", action="store_true", help="one row per result of the paper (Markdown)")
    parser.add_argument(
        "--claim", action="append", metavar="ID", help="evaluate only this claim (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.scope:
        print(scope_table())
        return 0
    claims = all_claims()
    if args.claim:
        unknown = set(args.claim) - {c.id for c in claims}
        if unknown:
            parser.error(f"unknown claim id(s): {', '.join(sorted(unknown))}")
        rows = [evaluate(c) for c in claims if c.id in args.claim]
    else:
        rows = ledger(workers=None)
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        width = max(len(r["id"]) for r in rows) if rows else 2
        for r in rows:
            print(f"{r['id']:<{width}}  {r['status']:<10}  {r['source']}: {r['reproduced']}")
        counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
        print(", ".join(f"{v} {k}" for k, v in counts.items()))
    problems = changed(rows)
    for line in problems:
        print(line, file=sys.stderr)
    return int(bool(problems))


if __name__ == "__main__":
    raise SystemExit(main())
