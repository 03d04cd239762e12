"""Helpers shared by the search tests: run a search, list public ids, read the signal."""

import random
import string

import sqlalchemy as sa

from layers.pages.search import SearchQuery, search

HEERLEN, MAASTRICHT, WYCK = "GM0917", "GM0935", "BU09350006"
PC6 = "6221AB"  # a CBS PC6 point in Maastricht (postcode6 holds Maastricht's PC6 points)


PC6 = "6221AB"  # a CBS PC6 point in Maastricht (postcode6 holds Maastricht's PC6 points)


def run(engine, **kwargs):
    with engine.begin() as conn:
        return search(conn, SearchQuery(**kwargs))


def public_ids(engine, where: str = "TRUE", **params) -> set[int]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text(
                    f"SELECT id FROM laag_voorzieningen WHERE zichtbaarheid = 'openbaar' AND {where}"
                ),
                params,
            ).scalars()
        )


def all_ids(engine, **kwargs) -> set[int]:
    result = run(engine, limit=10_000, **kwargs)
    assert len(result.items) == result.total
    return {i["id"] for i in result.items}


def nonsense() -> str:
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=10))


def signal(engine, woord: str) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                sa.text(
                    "SELECT * FROM zoekvraag_zonder_resultaat WHERE woord = :w ORDER BY gebiedcode"
                ),
                {"w": woord},
            ).mappings()
        ]


def names(item: dict) -> str:
    return f"{item['organisatie']} {item['aanbod']}".lower()
