"""Named SQL statements kept in package ``.sql`` files (``-- name: x`` sections)."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import sqlalchemy as sa


@cache
def named(filename: str, package: str = "geo") -> dict[str, sa.TextClause]:
    """All ``-- name: <name>`` sections of ``<package>/sql/<filename>`` as text clauses."""
    text = (files(package) / "sql" / filename).read_text(encoding="utf-8")
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.M)
    return {
        name: sa.text(body.strip()) for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def script(filename: str, package: str = "geo") -> str:
    """A whole ``.sql`` file, for DDL without parameters."""
    return (files(package) / "sql" / filename).read_text(encoding="utf-8")
