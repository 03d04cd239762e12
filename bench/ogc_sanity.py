"""Sanity check for ``ogc_bench.py``: ours, pygeoapi and raw SQL answer the same.

The first requests of each sequence are compared: counts and id lists of pages and boxes
(CRS84 and RD New), and ids, shared properties and coordinates of single features.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from ogc_load import get
from ogc_requests import PAGE, VISIBILITY, http_path

from layers import features
from layers.features import ItemsQuery


def _fc(port: int, path: str) -> dict:
    status, body = get("127.0.0.1", port, path)
    if status != 200:
        raise RuntimeError(f"{path}: HTTP {status}: {body[:300]!r}")
    return json.loads(body)


def sanity(ports: dict, engine, collection, seqs, k: int = 12) -> list[str]:
    """Compare ours, pygeoapi and raw SQL on the first ``k`` requests of each workload."""
    lines = []
    with engine.connect() as conn:
        for workload in ("pages", "bbox"):
            lines.append(_sanity_workload(conn, ports, collection, seqs, workload, k))
        lines.append(_sanity_rd_boxes(conn, ports, seqs, k))
        lines.append(_sanity_single(ports, seqs, k))
    return lines


def _sanity_workload(conn, ports: dict, collection, seqs, workload: str, k: int) -> str:
    """Counts and id lists of ours, pygeoapi and raw SQL for one workload."""
    same_ids = count_ok = 0
    diffs = []
    for value in seqs[workload][:k]:
        ours = _fc(ports["ours"], http_path("ours", workload, value))
        theirs = _fc(ports["pygeoapi"], http_path("pygeoapi", workload, value))
        where = {"offset": value} if workload == "pages" else {"bbox": value}
        query = ItemsQuery(collection, VISIBILITY, limit=PAGE, **where)
        raw = features.items_page(conn, query)
        conn.rollback()
        a = [f["id"] for f in ours["features"]]
        b = [f["id"] for f in theirs["features"]]
        if (
            ours["numberReturned"] == theirs["numberReturned"] == raw.number_returned
            and ours["numberMatched"] == theirs["numberMatched"] == raw.number_matched
        ):
            count_ok += 1
        else:
            diffs.append(
                f"{value}: ours {ours['numberReturned']}/{ours['numberMatched']}"
                f" pygeoapi {theirs['numberReturned']}/{theirs['numberMatched']}"
                f" raw {raw.number_returned}/{raw.number_matched}"
            )
        same_ids += a == b
    return (
        f"{workload}: counts (returned/matched) equal in {count_ok}/{k}, "
        f"id lists equal in {same_ids}/{k}"
        + (f"; differences: {'; '.join(diffs[:4])}" if diffs else "")
    )


def _sanity_rd_boxes(conn, ports: dict, seqs, k: int) -> str:
    """The same boxes in RD New (bbox-crs=EPSG:28992): both test the same rectangle."""
    rd_ok, rd_diffs = 0, []
    for value in seqs["bbox"][:k]:
        box = conn.execute(
            sa.text(
                "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT "
                "ST_Transform(ST_MakeEnvelope(:a, :b, :c, :d, 4326), 28992)::box2d::geometry"
                " AS b) t"
            ),
            dict(zip("abcd", value, strict=True)),
        ).one()
        box = ",".join(f"{v:.2f}" for v in box)
        crs = "bbox-crs=http://www.opengis.net/def/crs/EPSG/0/28992"
        ours = _fc(
            ports["ours"], f"/ogc/collections/bench/items?f=json&limit={PAGE}&bbox={box}&{crs}"
        )
        theirs = _fc(
            ports["pygeoapi"], f"/collections/bench/items?f=json&limit={PAGE}&bbox={box}&{crs}"
        )
        if [f["id"] for f in ours["features"]] == [f["id"] for f in theirs["features"]] and ours[
            "numberMatched"
        ] == theirs["numberMatched"]:
            rd_ok += 1
        else:
            rd_diffs.append(
                f"{box}: ours {ours['numberMatched']} pygeoapi {theirs['numberMatched']}"
            )
    conn.rollback()
    return f"bbox in EPSG:28992: ids and numberMatched equal in {rd_ok}/{k}" + (
        f"; differences: {'; '.join(rd_diffs[:4])}" if rd_diffs else ""
    )


def _sanity_single(ports: dict, seqs, k: int) -> str:
    """Single features: ids, shared properties and coordinates of ours and pygeoapi."""
    props_ok, max_dx, key_diffs = 0, 0.0, set()
    for fid in seqs["single"][:k]:
        ours = _fc(ports["ours"], http_path("ours", "single", fid))
        theirs = _fc(ports["pygeoapi"], http_path("pygeoapi", "single", fid))
        mine = ours["properties"]
        other = {key: val for key, val in theirs["properties"].items() if key in mine}
        key_diffs |= set(mine) ^ set(theirs["properties"])
        props_ok += ours["id"] == theirs["id"] and mine == other
        ca, cb = ours["geometry"]["coordinates"], theirs["geometry"]["coordinates"]
        max_dx = max(max_dx, abs(ca[0] - cb[0]) * 70_000, abs(ca[1] - cb[1]) * 111_000)
    return (
        f"single: id and shared properties equal in {props_ok}/{k}; largest "
        f"coordinate difference ≈ {max_dx:.2f} m"
        + (f"; keys only on one side: {sorted(key_diffs)}" if key_diffs else "")
    )
