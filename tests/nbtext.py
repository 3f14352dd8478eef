"""A notebook read as text, for the tests: its markdown and its code (each joined) and the names of
its stored glue values."""

from __future__ import annotations

import json
from pathlib import Path


def notebook_text(path: Path) -> tuple[str, str, set]:
    """``(markdown, code, glued names)`` of the notebook at ``path``."""
    nb = json.loads(Path(path).read_text())
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    glued = {
        o["metadata"]["scrapbook"]["name"]
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "scrapbook" in o.get("metadata", {})
    }
    return md, code, glued
