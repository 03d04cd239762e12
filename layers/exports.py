"""Downloads of a filtered collection: CSV (streamed from PostGIS) and GeoPackage (pyogrio)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import sqlalchemy as sa

from geo.crs import STORAGE_SRID
from geo.csvcells import SafeWriter
from layers.catalog import q
from layers.features import ItemsQuery, where_sql

MAX_EXPORT = 100_000  # one download; larger sets belong in a direct PostGIS connection


def _select(query: ItemsQuery, geometry: str) -> tuple[str, dict]:
    where, params = where_sql(query)
    columns = ", ".join(q(p.name) for p in query.collection.properties)
    params["limit"] = min(query.limit, MAX_EXPORT)
    return (
        f"SELECT id, {columns}, {geometry} FROM {q(query.collection.view)} "
        f"WHERE {where} ORDER BY id LIMIT :limit"
    ), params


def _geometry_columns(query: ItemsQuery) -> tuple[str, list[str]]:
    """Points get two coordinate columns in the requested CRS; polygons get WKT."""
    srid = int(query.crs.srid)
    geom = "geom" if srid == STORAGE_SRID else f"ST_Transform(geom, {srid})"
    if query.collection.geometry_type == "Point":
        names = ["lat", "lon"] if query.crs.geographic else ["x", "y"]
        first, second = ("ST_Y", "ST_X") if query.crs.geographic else ("ST_X", "ST_Y")
        digits = query.crs.digits
        return (
            f"round({first}({geom})::numeric, {digits}) AS {names[0]}, "
            f"round({second}({geom})::numeric, {digits}) AS {names[1]}"
        ), names
    return f"ST_AsText({geom}, {query.crs.digits}) AS wkt", ["wkt"]


@dataclass(frozen=True)
class Export:
    """A download, validated and turned into SQL before anything is sent."""

    layer: str
    sql: str
    params: dict
    header: list[str]  # CSV column names
    srid: int


def prepare_csv(query: ItemsQuery) -> Export:
    """The CSV statement; raises InvalidParameter now, not halfway through the stream."""
    geometry, names = _geometry_columns(query)
    sql, params = _select(query, geometry)
    return Export(
        query.collection.id,
        sql,
        params,
        ["id", *(p.name for p in query.collection.properties), *names],
        int(query.crs.srid),
    )


def prepare_geopackage(query: ItemsQuery) -> Export:
    """The GeoPackage statement (geometry as ``geom`` in the requested CRS)."""
    srid = int(query.crs.srid)
    geometry = "geom" if srid == STORAGE_SRID else f"ST_Transform(geom, {srid}) AS geom"
    sql, params = _select(query, geometry)
    return Export(query.collection.id, sql, params, [], srid)


def csv_chunks(conn: sa.Connection, export: Export) -> Iterator[str]:
    """CSV text in chunks, streamed from a server-side cursor.

    The statement runs and its first rows are read on the first ``next()``, so a caller
    that takes the first chunk before answering sees database errors while it can still
    answer with a proper error.
    """
    result = conn.execution_options(stream_results=True, max_row_buffer=2000).execute(
        sa.text(export.sql), export.params
    )
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(export.header)
    for partition in result.partitions(2000):
        writer.writerows(partition)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def write_geopackage(conn: sa.Connection, export: Export, path: Path) -> int:
    """Write the filtered collection to a GeoPackage layer named after the collection."""
    frame = gpd.read_postgis(
        sa.text(export.sql), conn, geom_col="geom", params=export.params, crs=export.srid
    )
    frame.to_file(path, driver="GPKG", layer=export.layer, engine="pyogrio")
    return len(frame)
