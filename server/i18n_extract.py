"""A Babel extractor for the taxonomy's Dutch labels (themes and doelgroepen).

babel.cfg maps the taxonomy's seed file (geo/migrations/versions/0002_taxonomie.toml) to
``extract_taxonomy``, so ``pybabel extract`` puts every ``naam`` and ``omschrijving`` in the
catalog and the completeness test fails when a label has no translation.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import IO, Any


def extract_taxonomy(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield (line, funcname, message, comments) for each label in the TOML file."""
    text = fileobj.read().decode("utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()
    for table in ("thema", "doelgroep"):
        for row in data.get(table, []):
            for key in ("naam", "omschrijving"):
                value = row.get(key)
                if not value:
                    continue
                line = next(
                    (i for i, t in enumerate(lines, 1) if t.startswith(key) and value in t), 0
                )
                yield line, None, value, [f"{table} {row.get('slug', '')}: {key}"]
