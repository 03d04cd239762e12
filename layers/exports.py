"""Downloads of a filtered collection: CSV (streamed from PostGIS) and GeoPackage (pyogrio)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import sqlalchemy as sa

from geo.csvcells import SafeWriter
from layers.features import ItemsQuery, q, where_sql

MAX_EXPORT = 100_000  # one download; larger sets belong in a direct PostGIS connection


def _select(query: ItemsQuery, geometry: str) -> tuple[str, dict]:
    where, params = where_sql(query)
    columns = ", ".join(q(p.name) for p in query.collection.properties)
    params["limit"] = min(query.limit, MAX_EXPORT)
    return (f"SELECT id, {columns}, {geometry} FROM {q(query.collection.view)} "
            f"WHERE {where} ORDER BY id LIMIT :limit"), params


def _geometry_columns(query: ItemsQuery) -> tuple[str, list[str]]:
    """Points get two coordinate columns in the requested CRS; polygons get WKT."""
    srid = int(query.crs.srid)
    geom = "geom" if srid == 28992 else f"ST_Transform(geom, {srid})"
    if query.collection.geometry_type == "Point":
        names = ["lat", "lon"] if query.crs.geographic else ["x", "y"]
        first, second = ("ST_Y", "ST_X") if query.crs.geographic else ("ST_X", "ST_Y")
        digits = query.crs.digits
        return (f"round({first}({geom})::numeric, {digits}) AS {names[0]}, "
                f"round({second}({geom})::numeric, {digits}) AS {names[1]}"), names
    return f"ST_AsText({geom}, {query.crs.digits}) AS wkt", ["wkt"]


def csv_chunks(conn: sa.Connection, query: ItemsQuery) -> Iterator[str]:
    """CSV text in chunks (header first), streamed from a server-side cursor."""
    geometry, names = _geometry_columns(query)
    sql, params = _select(query, geometry)
    result = conn.execution_options(stream_results=True, max_row_buffer=2000).execute(
        sa.text(sql), params)
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(["id", *(p.name for p in query.collection.properties), *names])
    for partition in result.partitions(2000):
        writer.writerows(partition)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def write_geopackage(conn: sa.Connection, query: ItemsQuery, path: Path) -> int:
    """Write the filtered collection to a GeoPackage layer named after the collection."""
    srid = int(query.crs.srid)
    geometry = "geom" if srid == 28992 else f"ST_Transform(geom, {srid}) AS geom"
    sql, params = _select(query, geometry)
    frame = gpd.read_postgis(sa.text(sql), conn, geom_col="geom", params=params, crs=srid)
    frame.to_file(path, driver="GPKG", layer=query.collection.id, engine="pyogrio")
    return len(frame)
