"""Offline-first geocoding cascade, set-based in PostGIS.

Callers put the addresses to geocode in the temporary table ``geocode_stage``
(``create_stage``) and call ``geocode_stage``. Every step is one SQL statement over the
whole table and only fills rows that have no point and no ``geocode_fout`` yet:

1. manual coordinates (x/y in RD New)               -> ``handmatig``, bron ``bestand``
2. BAG address on postcode + huisnummer (+ letter/toevoeging; else the lowest one),
   or on straat + woonplaats + huisnummer when there is no postcode -> ``adres``
3. CBS PC6 point                                   -> ``pc6``
4. CBS PC4 point (first four digits)               -> ``pc4``
5. optionally an online geocoder, through ``geocode_cache``

Then points outside the Netherlands or too far from the loaded gemeenten are refused and
every row without a point gets a reason in ``geocode_fout`` (plain Dutch, for editors): a
postcode of a postcode region that has no loaded PC4 is "buiten het gebied dat geladen is"
(with what to do), anything else "adres niet gevonden".

An online geocoder is any callable ``online(query) -> dict | None`` with an attribute
``bron`` (its name, e.g. ``geo.pdok.Locatieserver``). ``query`` has the keys
``postcode, huisnummer, huisletter, toevoeging, straat, woonplaats``. It returns
``{"precisie": "adres" | "pc6" | "pc4", "x": float, "y": float, "antwoord": dict}`` (x/y in
RD New) when found, the same with ``precisie``, ``x`` and ``y`` None when the service
says it does not know the address (cached too), and None when it could not be asked
(network error: not cached, so it is asked again next time).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa

from geo.errors import GeoError
from geo.gazetteer import RD_BOUNDS, normalise_postcode
from geo.region_check import refuse_outside_region

FOUT_BUITEN_NL = "ligt buiten Nederland"
FOUT_BUITEN_GEBIED = "ligt buiten het gebied van deze sociale kaart"
FOUT_NIET_GEVONDEN = "adres niet gevonden (ook niet op postcode)"
# A well-formed postcode of a postcode region (its first two digits) none of whose PC4s is
# loaded: the address is not unknown, it lies elsewhere in the country.
FOUT_POSTCODE_BUITEN = "ligt buiten het gebied dat geladen is"
FOUT_POSTCODE_BUITEN_TEKST = (
    "Postcode %s " + FOUT_POSTCODE_BUITEN + " (%s). "
    "Laad de gebieden van die gemeente of controleer de postcode."
)
OUTCOMES = {
    FOUT_BUITEN_NL: "buiten_nederland",
    FOUT_BUITEN_GEBIED: "buiten_gebied",
    FOUT_NIET_GEVONDEN: "niet_gevonden",
}
PRECISIONS = ("handmatig", "adres", "pc6", "pc4")
ONLINE_PRECISIONS = ("adres", "pc6", "pc4")

Online = Callable[[dict], "dict | None"]


class GeocodeError(GeoError):
    """The geocoder was used in a way that cannot work (e.g. a stage already in use)."""


STAGE_DDL = """
CREATE TEMP TABLE geocode_stage (
    sleutel          text,
    postcode         text,
    huisnummer       integer,
    huisletter       text DEFAULT '',
    toevoeging       text DEFAULT '',
    straat           text,
    woonplaats       text,
    x                float8,
    y                float8,
    geom             geometry(Point, 28992),
    geocode_precisie text,
    geocode_bron     text,
    geocode_fout     text
) ON COMMIT DROP
"""
# Every step works on the open rows only: no point yet and no reason given (by the
# caller or an earlier run): "s.geom IS NULL AND s.geocode_fout IS NULL".
NORMALISE = r"""
UPDATE geocode_stage s SET
    postcode = substring(upper(regexp_replace(s.postcode, '\s', '', 'g'))
                         FROM '^[1-9][0-9]{3}[A-Z]{2}$'),
    huisletter = upper(trim(coalesce(s.huisletter, ''))),
    toevoeging = upper(regexp_replace(coalesce(s.toevoeging, ''), '[\s-]', '', 'g')),
    straat = nullif(trim(s.straat), ''), woonplaats = nullif(trim(s.woonplaats), '')
WHERE s.geom IS NULL AND s.geocode_fout IS NULL AND (s.postcode !~ '^[1-9][0-9]{3}[A-Z]{2}$'
    OR s.huisletter IS NULL OR s.huisletter !~ '^[A-Z]?$'
    OR s.toevoeging IS NULL OR s.toevoeging !~ '^[A-Z0-9]*$'
    OR s.straat !~ '^\S.*\S$|^\S$' OR s.woonplaats !~ '^\S.*\S$|^\S$')
"""
MANUAL = """
UPDATE geocode_stage s SET geom = ST_SetSRID(ST_MakePoint(s.x, s.y), 28992),
    geocode_precisie = 'handmatig', geocode_bron = 'bestand'
WHERE s.geom IS NULL AND s.geocode_fout IS NULL AND s.x IS NOT NULL AND s.y IS NOT NULL
"""
# The exact address if it exists, otherwise the lowest huisletter/toevoeging of that number.
_ADDRESS = """
UPDATE geocode_stage s SET geom = a.geom, geocode_precisie = 'adres', geocode_bron = a.bron
FROM adres a
WHERE s.geom IS NULL AND s.geocode_fout IS NULL AND {match} AND (a.huisletter, a.toevoeging) = (
    SELECT b.huisletter, b.toevoeging FROM adres b
    WHERE {match_b}
    ORDER BY (b.huisletter = s.huisletter AND b.toevoeging = s.toevoeging) DESC,
             b.huisletter COLLATE "C", b.toevoeging COLLATE "C"
    LIMIT 1)
"""
_ON_POSTCODE = "{t}.postcode = s.postcode AND {t}.huisnummer = s.huisnummer"
_ON_STREET = (
    "s.postcode IS NULL AND lower({t}.woonplaats) = lower(s.woonplaats) "
    "AND lower({t}.straat) = lower(s.straat) AND {t}.huisnummer = s.huisnummer"
)
ADDRESS = _ADDRESS.format(match=_ON_POSTCODE.format(t="a"), match_b=_ON_POSTCODE.format(t="b"))
ADDRESS_STREET = _ADDRESS.format(match=_ON_STREET.format(t="a"), match_b=_ON_STREET.format(t="b"))
PC6 = """
UPDATE geocode_stage s SET geom = p.geom, geocode_precisie = 'pc6', geocode_bron = p.bron
FROM postcode6 p WHERE s.geom IS NULL AND s.geocode_fout IS NULL AND p.pc6 = s.postcode
"""
PC4 = """
UPDATE geocode_stage s SET geom = p.geom, geocode_precisie = 'pc4', geocode_bron = p.bron
FROM postcode4 p WHERE s.geom IS NULL AND s.geocode_fout IS NULL AND p.pc4 = left(s.postcode, 4)
"""
# Cache key of a stage row for one online geocoder (:bron): everything the query holds.
_KEY = (
    "concat_ws('|', CAST(:bron AS text), coalesce(s.postcode, ''), "
    "coalesce(s.huisnummer::text, ''), s.huisletter, s.toevoeging, "
    "lower(coalesce(s.straat, '')), lower(coalesce(s.woonplaats, '')))"
)
ONLINE_TODO = f"""
SELECT DISTINCT ON (k.sleutel) k.sleutel, s.postcode, s.huisnummer, s.huisletter,
       s.toevoeging, s.straat, s.woonplaats, c.sleutel IS NOT NULL AS in_cache
FROM geocode_stage s
CROSS JOIN LATERAL (SELECT {_KEY} AS sleutel) k
LEFT JOIN geocode_cache c ON c.sleutel = k.sleutel
WHERE s.geom IS NULL AND s.geocode_fout IS NULL
  AND (s.postcode IS NOT NULL OR (s.straat IS NOT NULL AND s.woonplaats IS NOT NULL))
"""  # noqa: S608 - only module constants are interpolated
CACHE_UPSERT = """
INSERT INTO geocode_cache (sleutel, bron, geom, precisie, antwoord)
VALUES (:sleutel, :bron,
        ST_SetSRID(ST_MakePoint(CAST(:x AS float8), CAST(:y AS float8)), 28992),
        :precisie, CAST(:antwoord AS jsonb))
ON CONFLICT (sleutel) DO UPDATE SET bron = EXCLUDED.bron, geom = EXCLUDED.geom,
    precisie = EXCLUDED.precisie, antwoord = EXCLUDED.antwoord, opgehaald_op = now()
"""
ONLINE_APPLY = f"""
UPDATE geocode_stage s SET geom = c.geom, geocode_precisie = c.precisie, geocode_bron = c.bron
FROM geocode_cache c
WHERE s.geom IS NULL AND s.geocode_fout IS NULL AND c.sleutel = {_KEY} AND c.geom IS NOT NULL
"""  # noqa: S608
OUTSIDE_NL = """
UPDATE geocode_stage s SET geom = NULL, geocode_precisie = NULL, geocode_bron = NULL,
    geocode_fout = :fout
WHERE s.geom IS NOT NULL
  AND NOT (ST_X(s.geom) BETWEEN :x0 AND :x1 AND ST_Y(s.geom) BETWEEN :y0 AND :y1)
"""
# Rows still open whose postcode region (first two digits: 62 of 6211 AB) has no PC4 in
# the loaded postcodes. PO-box PC4s (6200, 6400) are in no PC4 table but share their
# region with loaded ones, so they stay "niet gevonden". No PC4s loaded: nothing is
# outside.
# The loaded region in words: "postcodes 6100-6499" (runs of consecutive postcode regions),
# computed only when a row is outside.
POSTCODE_OUTSIDE = """
WITH r AS (SELECT DISTINCT left(pc4, 2)::int AS n FROM postcode4),
runs AS (SELECT min(n) AS lo, max(n) AS hi
         FROM (SELECT n, n - row_number() OVER (ORDER BY n) AS run FROM r) x GROUP BY run),
gebied AS (SELECT 'postcodes ' || string_agg(lo || '00-' || hi || '99', ', ' ORDER BY lo)
                  AS tekst FROM runs)
UPDATE geocode_stage s
SET geocode_fout = format(:fout, left(s.postcode, 4) || ' ' || right(s.postcode, 2),
                          (SELECT tekst FROM gebied))
WHERE s.geom IS NULL AND s.geocode_fout IS NULL AND s.postcode IS NOT NULL
  AND EXISTS (SELECT 1 FROM postcode4)
  AND NOT EXISTS (SELECT 1 FROM postcode4 p WHERE left(p.pc4, 2) = left(s.postcode, 2))
"""
NOT_FOUND = (
    "UPDATE geocode_stage s SET geocode_fout = :fout "
    "WHERE s.geom IS NULL AND s.geocode_fout IS NULL"
)
OUTCOME_COUNTS = """
SELECT coalesce(geocode_precisie, geocode_fout, 'open'), count(*)
FROM geocode_stage GROUP BY 1
"""


def create_stage(conn: sa.Connection) -> None:
    """Create the temporary table ``geocode_stage``; it is dropped at commit.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection inside a transaction (not in autocommit mode).
    """
    conn.execute(sa.text(STAGE_DDL))


def _online_step(conn: sa.Connection, online: Online) -> dict:
    """Ask ``online`` for each distinct open address not in the cache; then apply the cache."""
    bron = getattr(online, "bron", type(online).__name__)
    todo = conn.execute(sa.text(ONLINE_TODO), {"bron": bron}).mappings().all()
    answers = []
    for row in todo:
        if row["in_cache"]:
            continue
        query = {
            k: row[k]
            for k in ("postcode", "huisnummer", "huisletter", "toevoeging", "straat", "woonplaats")
        }
        answer = online(query)
        if answer is not None:
            answers.append(_cache_row(row["sleutel"], bron, answer))
    if answers:
        conn.execute(sa.text(CACHE_UPSERT), answers)
    conn.execute(sa.text(ONLINE_APPLY), {"bron": bron})
    asked = sum(1 for row in todo if not row["in_cache"])
    return {"online_gevraagd": asked, "cache_gebruikt": len(todo) - asked}


def _cache_row(sleutel: str, bron: str, answer: dict) -> dict:
    found = (
        answer.get("precisie") in ONLINE_PRECISIONS
        and answer.get("x") is not None
        and answer.get("y") is not None
    )
    return {
        "sleutel": sleutel,
        "bron": bron,
        "precisie": answer["precisie"] if found else None,
        "x": float(answer["x"]) if found else None,
        "y": float(answer["y"]) if found else None,
        "antwoord": json.dumps(answer.get("antwoord")),
    }


def geocode_stage(
    conn: sa.Connection, region_buffer_m: float = 5000, online: Online | None = None
) -> dict:
    """Fill ``geom``, ``geocode_precisie`` and ``geocode_bron`` of ``geocode_stage``.

    Only rows without a point and without a ``geocode_fout`` are geocoded; the checks
    for the Netherlands and the region apply to every row with a point.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        The connection (and transaction) that created the stage.
    region_buffer_m : float, optional
        Points further than this from every loaded gemeente (table ``gebied``) are
        refused. Skipped when no gemeente is loaded.
    online : callable, optional
        Online geocoder for what the gazetteers do not know (see the module docstring).
        None (the default): offline only.

    Returns
    -------
    dict
        Number of stage rows per outcome: ``handmatig``, ``adres``, ``pc6``, ``pc4``,
        ``buiten_nederland``, ``buiten_gebied``, ``niet_gevonden`` and ``overig``
        (reasons set by the caller), plus ``online_gevraagd`` (questions sent) and
        ``cache_gebruikt`` (answers taken from ``geocode_cache``).
    """
    for step in (NORMALISE, MANUAL, ADDRESS, ADDRESS_STREET, PC6, PC4):
        conn.execute(sa.text(step))
    online_counts = {"online_gevraagd": 0, "cache_gebruikt": 0}
    if online is not None:
        online_counts = _online_step(conn, online)
    x0, y0, x1, y1 = RD_BOUNDS
    conn.execute(
        sa.text(OUTSIDE_NL), {"fout": FOUT_BUITEN_NL, "x0": x0, "x1": x1, "y0": y0, "y1": y1}
    )
    refuse_outside_region(conn, float(region_buffer_m), FOUT_BUITEN_GEBIED)
    conn.execute(sa.text(POSTCODE_OUTSIDE), {"fout": FOUT_POSTCODE_BUITEN_TEKST})
    conn.execute(sa.text(NOT_FOUND), {"fout": FOUT_NIET_GEVONDEN})
    counts = dict.fromkeys((*PRECISIONS, *OUTCOMES.values(), "overig"), 0)
    for outcome, n in conn.execute(sa.text(OUTCOME_COUNTS)).all():
        key = outcome if outcome in PRECISIONS else OUTCOMES.get(outcome, "overig")
        if FOUT_POSTCODE_BUITEN in outcome:
            key = "buiten_gebied"
        counts[key] += n
    return counts | online_counts


STAGE_ONE = """
INSERT INTO geocode_stage (sleutel, postcode, huisnummer, huisletter, toevoeging,
                           straat, woonplaats)
VALUES ('1', :postcode, :huisnummer, :huisletter, :toevoeging, :straat, :woonplaats)
"""
READ_ONE = """
SELECT ST_X(ST_Transform(geom, 4326)) AS lon, ST_Y(ST_Transform(geom, 4326)) AS lat,
       ST_X(geom) AS x, ST_Y(geom) AS y, geocode_precisie AS precisie,
       geocode_bron AS bron
FROM geocode_stage
"""


def geocode_address(
    conn: sa.Connection | sa.Engine,
    postcode: str | None = None,
    huisnummer: int | None = None,
    huisletter: str = "",
    toevoeging: str = "",
    straat: str | None = None,
    woonplaats: str | None = None,
    online: Online | None = None,
    region_buffer_m: float = 5000,
) -> dict | None:
    """Geocode one address with the same cascade as ``geocode_stage``.

    Parameters
    ----------
    conn : sqlalchemy.Connection or sqlalchemy.Engine
        A connection inside a transaction, or an engine (one transaction is used).
    postcode, huisnummer, huisletter, toevoeging, straat, woonplaats
        The address; the postcode may have a space and lower-case letters.
    online : callable, optional
        Online geocoder (see the module docstring); offline only by default.
    region_buffer_m : float, optional
        See ``geocode_stage``.

    Returns
    -------
    dict or None
        ``lon``, ``lat`` (WGS84), ``x``, ``y`` (RD New), ``precisie`` and ``bron``;
        None when the address was not found or lies outside the region.

    Raises
    ------
    GeocodeError
        When this connection already has a ``geocode_stage`` in use.
    """
    if isinstance(conn, sa.Engine):
        with conn.begin() as inner:
            return geocode_address(
                inner,
                postcode,
                huisnummer,
                huisletter,
                toevoeging,
                straat,
                woonplaats,
                online,
                region_buffer_m,
            )
    if conn.execute(sa.text("SELECT to_regclass('pg_temp.geocode_stage')")).scalar():
        raise GeocodeError(
            "geocode_address cannot run while this connection has a "
            "geocode_stage in use; finish that transaction first."
        )
    create_stage(conn)
    conn.execute(
        sa.text(STAGE_ONE),
        {
            "postcode": normalise_postcode(postcode),
            "huisnummer": int(huisnummer) if huisnummer not in (None, "") else None,
            "huisletter": huisletter or "",
            "toevoeging": toevoeging or "",
            "straat": straat,
            "woonplaats": woonplaats,
        },
    )
    geocode_stage(conn, region_buffer_m=region_buffer_m, online=online)
    row = conn.execute(sa.text(READ_ONE)).mappings().one()
    conn.execute(sa.text("DROP TABLE geocode_stage"))
    return None if row["x"] is None else dict(row)
