-- One point tile of laag_voorzieningen from the thinning cells kept at write time
-- (migration 0025): the same answer as tile.sql with thinning, without a filter, for a
-- role's set of visibility levels (:zicht, :levels), up to tiles.THIN_MAX_ZOOM.
--
-- tile.sql counts every point in the tile's query polygon (the envelope with its render
-- buffer, in RD). A cell that lies wholly inside that polygon holds the same points
-- wherever they are counted, so its lowest id and count are read from tegel_cel. Only the
-- cells on the polygon's edge hold points both inside and outside it; those are counted
-- here as tile.sql counts them, over tegel_punt (id, position, visibility).
-- * The whole cells form a rectangle cx0..cx1 x cy0..cy1 inside the polygon: the polygon
--   is an axis-parallel Web Mercator box, densified, with each vertex transformed to RD, so
--   its four sides are chains of vertices that lie left of x0 (the largest x of the left
--   side's vertices), right of x1, below y0 and above y1. The rectangle is shrunk by 1 cm
--   and checked with ST_Covers; if the check fails no cell is read whole (all counted).
-- * The edge points are found through four index boxes (strips along the sides, 1 m into
--   the rectangle); the cell test leaves out what the rectangle holds. They are tested
--   against the query polygon either in the join (in_join, zoom 10) or after it
--   (after_join, the overview zooms tile_cells.OVERVIEW_ZOOMS, 7-9). In the join PostGIS
--   adds the polygon's box (&&) as an index condition of its own, and the planner,
--   expecting a few rows per box, ANDs a bitmap of the whole tile with the bitmaps of the
--   strips: at z7, where the tile is most of the country, that bitmap held 400,000 index
--   entries (75-110 ms of a 220 ms tile) to keep 4,000 edge points. After the join
--   (strip_points materialised, so the polygon never reaches the index) the few thousand
--   points found are tested alone: the same points, counted the same way.
-- * The kept features are read by id (= ANY of an array, so an index is used) with the
--   caller's visibility: from tegel_punt, which holds the compact default properties of
--   point tiles and each point's Web Mercator position (geom_webm, migration 0028: no
--   projection per feature here), or, when other properties are asked for, from the view
--   (its geometry then projected here).
-- layers/tile_cells.py fills in the placeholders as for tile.sql.
WITH bounds AS NOT MATERIALIZED (
    SELECT ST_TileEnvelope({z}, {x}, {y}) AS clip,
           ST_Transform(ST_Segmentize(ST_Intersection(
               ST_TileEnvelope({z}, {x}, {y}, margin => {margin}),
               ST_Transform(ST_MakeEnvelope(2.0, 50.0, 8.0, 54.0, 4326), 3857)),
               {segment}), 28992) AS query
),
box AS MATERIALIZED (
    SELECT ST_Intersection(
               ST_TileEnvelope({z}, {x}, {y}, margin => {margin}),
               ST_Transform(ST_MakeEnvelope(2.0, 50.0, 8.0, 54.0, 4326), 3857)) AS box
),
sides AS MATERIALIZED (
    SELECT max(ST_X(r)) FILTER (WHERE ST_X(d.geom) = ST_XMin(b.box)) AS x0,
           min(ST_X(r)) FILTER (WHERE ST_X(d.geom) = ST_XMax(b.box)) AS x1,
           max(ST_Y(r)) FILTER (WHERE ST_Y(d.geom) = ST_YMin(b.box)) AS y0,
           min(ST_Y(r)) FILTER (WHERE ST_Y(d.geom) = ST_YMax(b.box)) AS y1
    FROM box b, ST_DumpPoints(ST_Segmentize(b.box, {segment})) d,
         ST_Transform(d.geom, 28992) r
    WHERE NOT ST_IsEmpty(b.box)
),
whole AS MATERIALIZED (
    SELECT ceil((s.x0 + 0.01) / {cell}::float8)::int AS cx0,
           floor((s.x1 - 0.01) / {cell}::float8)::int - 1 AS cx1,
           ceil((s.y0 + 0.01) / {cell}::float8)::int AS cy0,
           floor((s.y1 - 0.01) / {cell}::float8)::int - 1 AS cy1
    FROM sides s
),
inner_cells AS MATERIALIZED (
    SELECT CASE WHEN ok THEN w.cx0 ELSE 0 END AS cx0, CASE WHEN ok THEN w.cx1 ELSE -1 END AS cx1,
           CASE WHEN ok THEN w.cy0 ELSE 0 END AS cy0, CASE WHEN ok THEN w.cy1 ELSE -1 END AS cy1,
           ok, q.query
    FROM whole w, bounds q,
         LATERAL (SELECT w.cx0 <= w.cx1 AND w.cy0 <= w.cy1 AND ST_Covers(q.query, ST_MakeEnvelope(
             w.cx0 * {cell}::float8, w.cy0 * {cell}::float8, (w.cx1 + 1) * {cell}::float8,
             (w.cy1 + 1) * {cell}::float8, 28992)) AS ok) c
),
strips AS MATERIALIZED (
    SELECT i.*,
           CASE WHEN i.ok THEN ST_MakeEnvelope(ST_XMin(i.query), ST_YMin(i.query),
                i.cx0 * {cell}::float8 + 1, ST_YMax(i.query), 28992) ELSE i.query END AS l,
           CASE WHEN i.ok THEN ST_MakeEnvelope((i.cx1 + 1) * {cell}::float8 - 1, ST_YMin(i.query),
                ST_XMax(i.query), ST_YMax(i.query), 28992) ELSE i.query END AS r,
           CASE WHEN i.ok THEN ST_MakeEnvelope(ST_XMin(i.query), ST_YMin(i.query),
                ST_XMax(i.query), i.cy0 * {cell}::float8 + 1, 28992) ELSE i.query END AS b,
           CASE WHEN i.ok THEN ST_MakeEnvelope(ST_XMin(i.query), (i.cy1 + 1) * {cell}::float8 - 1,
                ST_XMax(i.query), ST_YMax(i.query), 28992) ELSE i.query END AS t
    FROM inner_cells i
),
strip_points AS MATERIALIZED (
    SELECT p.id AS fid, p.geom
    FROM strips s JOIN tegel_punt p
      ON (p.geom && s.l OR p.geom && s.r OR p.geom && s.b OR p.geom && s.t)
    WHERE p.zichtbaarheid = ANY(CAST(:levels AS text[]))
      AND NOT (floor(ST_X(p.geom) / {cell}) BETWEEN s.cx0 AND s.cx1
               AND floor(ST_Y(p.geom) / {cell}) BETWEEN s.cy0 AND s.cy1){in_join}
),
edge AS MATERIALIZED (
    SELECT e.fid, e.geom FROM strip_points e, strips s WHERE {after_join}
),
cells AS MATERIALIZED (
    SELECT c.fid, c.aantal
    FROM inner_cells i JOIN tegel_cel c
      ON c.zicht = :zicht AND c.zoom = {z} AND c.cx BETWEEN i.cx0 AND i.cx1
     AND c.cy BETWEEN i.cy0 AND i.cy1
    UNION ALL
    SELECT min(edge.fid), count(*)
    FROM edge
    GROUP BY floor(ST_X(edge.geom) / {cell}), floor(ST_Y(edge.geom) / {cell})
),
mvt AS (
    SELECT t.id AS fid{columns}, cells.aantal AS {count},
           ST_AsMVTGeom({webm}, bounds.clip, {extent}, {buffer}, true) AS geom
    FROM {view} AS t JOIN cells ON cells.fid = t.id, bounds
    WHERE t.id = ANY(ARRAY(SELECT cells.fid FROM cells)) AND {visible}
)
SELECT ST_AsMVT(mvt.*, :layer, {extent}, 'geom', 'fid') FILTER (WHERE mvt.geom IS NOT NULL)
FROM mvt
