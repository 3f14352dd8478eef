"""Zip the library's source so that the book can offer it for download (``make book``).

Writes ``book/_generated/aftermarkets-src.zip`` (not committed): ``pyproject.toml``,
``README.md`` and ``lib/``, enough for ``pip install aftermarkets-src.zip`` on a machine that has
only the downloaded notebooks. The archive is deterministic (fixed timestamps, sorted entries).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import booktools

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "book" / "_generated" / "aftermarkets-src.zip"


def files():
    yield ROOT / "pyproject.toml"
    yield ROOT / "README.md"
    for p in sorted((ROOT / "lib").rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p):
            yield p


def main() -> int:
    """Write the archive, unless the one there already has the same bytes (then its time stamp
    stays, and Sphinx does not rebuild the page that offers it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for p in files():
            info = zipfile.ZipInfo(
                f"aftermarkets-src/{p.relative_to(ROOT).as_posix()}", (2023, 1, 1, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, p.read_bytes())
    booktools.write_if_changed(OUT, buffer.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
