-- Point thinning of vector tiles kept at write time (issue 17, point 2).
--
-- layers/sql/tile.sql thins point tiles up to tiles.THIN_MAX_ZOOM: per square cell of
-- tiles.THIN_CELL tile units (tiles.thinning_cell(z) RD metres, grid from the RD origin)
-- the point with the lowest id is drawn, with aantal = the points in the cell. A dense z10
-- tile counted 30,000 points through laag_voorzieningen for that. Here the cells of
-- laag_voorzieningen are kept per zoom and per set of visibility levels a role sees
-- (tegel_zicht), so a tile without filters reads its whole cells from tegel_cel and counts
-- only the cells on its edge, over tegel_punt (a narrow copy of id, position and
-- visibility). layers/sql/tile_stored.sql reads them; tests/layers/test_tiles_stored.py
-- compares both paths.
--
-- Upkeep hangs on laag_geojson (migration 0020), written at commit whenever a feature
-- changes: statement triggers with transition tables pass the changed ids of
-- laag_voorzieningen to tegel_bijwerken, which copies what differs from the view into
-- tegel_punt and counts the touched cells again. Functions of 0020/0022 are not changed.

-- Cell side in RD metres per stored zoom; filled by the migration with
-- tiles.thinning_cell(z) (tests check they are equal).
CREATE TABLE tegel_zoom (zoom smallint PRIMARY KEY, cel double precision NOT NULL);
COMMENT ON TABLE tegel_zoom IS 'Intern: celgrootte (RD-meters) per zoomniveau met bewaarde tegelcellen.';

-- The sets of visibility levels of the roles (geo.accounts.ROLE_VISIBILITY), key sorted.
CREATE TABLE tegel_zicht (zicht text PRIMARY KEY, niveaus text[] NOT NULL);
INSERT INTO tegel_zicht VALUES
    ('openbaar', '{openbaar}'),
    ('openbaar,professional', '{openbaar,professional}'),
    ('intern,openbaar,professional', '{openbaar,professional,intern}');
COMMENT ON TABLE tegel_zicht IS 'Intern: de zichtbaarheidsniveaus per rol waarvoor tegelcellen bewaard worden.';

-- What tegel_punt copies of laag_voorzieningen: id, position, visibility and the compact
-- properties of point tiles (layers.tiles.POINT_PROPERTIES), with the view's own types.
CREATE VIEW tegel_punt_bron AS
SELECT v.id, v.geom, v.zichtbaarheid::text AS zichtbaarheid, v.organisatie, v.aanbod, v.thema,
       v.gemeentecode, v.buurtcode, v.geocode_precisie, v.synthetisch
FROM laag_voorzieningen v WHERE v.geom IS NOT NULL;
COMMENT ON VIEW tegel_punt_bron IS 'Intern: wat tegel_punt van laag_voorzieningen bewaart.';
CREATE TABLE tegel_punt AS SELECT * FROM tegel_punt_bron WITH NO DATA;
ALTER TABLE tegel_punt ADD PRIMARY KEY (id), ALTER COLUMN geom SET NOT NULL,
    ALTER COLUMN zichtbaarheid SET NOT NULL;
CREATE INDEX tegel_punt_geom ON tegel_punt USING gist (geom);
COMMENT ON TABLE tegel_punt IS
    'Intern: plek, zichtbaarheid en tegelkenmerken van laag_voorzieningen, voor tegels.';

CREATE TABLE tegel_cel (
    zicht text NOT NULL,
    zoom smallint NOT NULL,
    cx integer NOT NULL,
    cy integer NOT NULL,
    fid bigint NOT NULL,  -- the lowest id in the cell
    aantal integer NOT NULL,  -- the points in the cell
    PRIMARY KEY (zicht, zoom, cx, cy) INCLUDE (fid, aantal)
);
COMMENT ON TABLE tegel_cel IS 'Intern: per zoom en zichtbaarheid het laagste id en het aantal punten per cel.';

-- Count the cells of every stored zoom that hold one of ``plekken`` again.
CREATE FUNCTION tegel_cellen_tellen(plekken geometry[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF plekken IS NULL OR cardinality(plekken) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM tegel_cel c
    USING (SELECT DISTINCT z.zoom, floor(ST_X(p) / z.cel)::int AS cx, floor(ST_Y(p) / z.cel)::int AS cy
           FROM unnest(plekken) AS p, tegel_zoom z) g, tegel_zicht s
    WHERE c.zicht = s.zicht AND c.zoom = g.zoom AND c.cx = g.cx AND c.cy = g.cy;
    INSERT INTO tegel_cel (zicht, zoom, cx, cy, fid, aantal)
    SELECT s.zicht, g.zoom, g.cx, g.cy, min(t.id), count(*)
    FROM (SELECT DISTINCT z.zoom, z.cel, floor(ST_X(p) / z.cel)::int AS cx,
                 floor(ST_Y(p) / z.cel)::int AS cy
          FROM unnest(plekken) AS p, tegel_zoom z) g
    JOIN tegel_punt t
      ON t.geom && ST_Expand(ST_MakeEnvelope(g.cx * g.cel, g.cy * g.cel, (g.cx + 1) * g.cel,
                                             (g.cy + 1) * g.cel, 28992), 1.0)
     AND floor(ST_X(t.geom) / g.cel) = g.cx AND floor(ST_Y(t.geom) / g.cel) = g.cy
    JOIN tegel_zicht s ON t.zichtbaarheid = ANY(s.niveaus)
    GROUP BY s.zicht, g.zoom, g.cx, g.cy;
END $$;

-- Count every cell again from tegel_punt.
CREATE FUNCTION tegel_cellen_opbouwen() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tegel_cel;
    INSERT INTO tegel_cel (zicht, zoom, cx, cy, fid, aantal)
    SELECT s.zicht, z.zoom, floor(ST_X(t.geom) / z.cel)::int, floor(ST_Y(t.geom) / z.cel)::int,
           min(t.id), count(*)
    FROM tegel_punt t JOIN tegel_zicht s ON t.zichtbaarheid = ANY(s.niveaus) CROSS JOIN tegel_zoom z
    GROUP BY 1, 2, 3, 4;
END $$;

-- Bring the rows ``ids`` of tegel_punt (NULL: every row) in line with laag_voorzieningen
-- and count the cells they left or entered again; rows that did not change touch no cell.
-- Over 20,000 ids the whole table is compared with the view in one pass (two hashed
-- anti-joins; laag_geojson is rewritten whole by DELETE and INSERT, and the second
-- statement then finds nothing to do), and over 20,000 changed rows every cell is counted.
CREATE FUNCTION tegel_bijwerken(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    weg geometry[];
    erbij geometry[];
BEGIN
    IF ids IS NOT NULL AND cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    IF ids IS NULL OR cardinality(ids) > 20000 THEN
        WITH anders AS (
            DELETE FROM tegel_punt t
            WHERE NOT EXISTS (SELECT FROM tegel_punt_bron b
                              WHERE b.id = t.id AND ROW(b.*) IS NOT DISTINCT FROM ROW(t.*))
            RETURNING t.geom
        )
        SELECT array_agg(geom) INTO weg FROM anders;
        WITH nieuw AS (
            INSERT INTO tegel_punt SELECT b.* FROM tegel_punt_bron b
            WHERE NOT EXISTS (SELECT FROM tegel_punt t WHERE t.id = b.id)
            RETURNING geom
        )
        SELECT array_agg(geom) INTO erbij FROM nieuw;
    ELSE
        WITH bron AS MATERIALIZED (
            SELECT * FROM tegel_punt_bron b WHERE b.id = ANY(ids)
        ), anders AS (
            DELETE FROM tegel_punt t
            WHERE t.id = ANY(ids)
              AND NOT EXISTS (SELECT FROM bron b
                              WHERE b.id = t.id AND ROW(b.*) IS NOT DISTINCT FROM ROW(t.*))
            RETURNING t.geom
        )
        SELECT array_agg(geom) INTO weg FROM anders;
        WITH nieuw AS (
            INSERT INTO tegel_punt SELECT * FROM tegel_punt_bron b WHERE b.id = ANY(ids)
            ON CONFLICT (id) DO NOTHING
            RETURNING geom
        )
        SELECT array_agg(geom) INTO erbij FROM nieuw;
    END IF;
    IF coalesce(cardinality(weg), 0) + coalesce(cardinality(erbij), 0) > 20000 THEN
        PERFORM tegel_cellen_opbouwen();
    ELSE
        PERFORM tegel_cellen_tellen(coalesce(weg, '{}') || coalesce(erbij, '{}'));
    END IF;
END $$;

-- Statement triggers on laag_geojson: its rows of laag_voorzieningen are written whenever a
-- feature's text, visibility or area changes (at commit, migration 0020).
CREATE FUNCTION tegel_volgen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM tegel_bijwerken(NULL);
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(id) INTO ids FROM nieuw WHERE laag = 'laag_voorzieningen';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(id) INTO ids FROM oud WHERE laag = 'laag_voorzieningen';
    ELSE
        SELECT array_agg(id) INTO ids FROM (
            SELECT id FROM oud WHERE laag = 'laag_voorzieningen'
            UNION SELECT id FROM nieuw WHERE laag = 'laag_voorzieningen') x;
    END IF;
    PERFORM tegel_bijwerken(coalesce(ids, '{}'));
    RETURN NULL;
END $$;
ALTER FUNCTION tegel_volgen() SECURITY DEFINER SET search_path = public, pg_temp;

CREATE TRIGGER tegel_ins AFTER INSERT ON laag_geojson REFERENCING NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION tegel_volgen();
CREATE TRIGGER tegel_upd AFTER UPDATE ON laag_geojson REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION tegel_volgen();
CREATE TRIGGER tegel_del AFTER DELETE ON laag_geojson REFERENCING OLD TABLE AS oud
    FOR EACH STATEMENT EXECUTE FUNCTION tegel_volgen();
CREATE TRIGGER tegel_trunc AFTER TRUNCATE ON laag_geojson
    FOR EACH STATEMENT EXECUTE FUNCTION tegel_volgen();

-- The residents' map's grid cells (layers/pages/sql/kaart.sql, punten_cellen_bewaard): a
-- national view groups 250,000 points of kaart_punt in 64 x 64 cells of the view's box.
-- Kept here per role's visibility levels (tegel_zicht) on a fixed grid of 0.02 degree of
-- longitude by 0.0125 of latitude (about 1.4 km): per cell its places (distinct positions,
-- as the map counts them), their mean position, the lowest id, the services and every
-- theme. A wide view adds these up instead of reading every point. Kept by statement
-- triggers on kaart_punt (the rows it lost and gained: their cells are counted again).
CREATE TABLE kaart_cel (
    zicht text NOT NULL,
    cx integer NOT NULL,
    cy integer NOT NULL,
    id bigint NOT NULL,
    plekken integer NOT NULL,
    diensten integer NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    themas text[] NOT NULL,
    PRIMARY KEY (zicht, cx, cy)
);
CREATE INDEX kaart_cel_plek ON kaart_cel (zicht, lon, lat);
COMMENT ON TABLE kaart_cel IS
    'Intern: de punten van de bewonerskaart per cel van ongeveer 1,4 km, per zichtbaarheid.';

-- The cells (cx, cy) again from kaart_punt; NULL arrays: every cell.
CREATE FUNCTION kaart_cel_tellen(cxs integer[], cys integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cxs IS NULL THEN
        DELETE FROM kaart_cel;
    ELSIF cardinality(cxs) = 0 THEN
        RETURN;
    ELSE
        DELETE FROM kaart_cel c USING unnest(cxs, cys) AS g(cx, cy), tegel_zicht s
        WHERE c.zicht = s.zicht AND c.cx = g.cx AND c.cy = g.cy;
    END IF;
    INSERT INTO kaart_cel (zicht, cx, cy, id, plekken, diensten, lon, lat, themas)
    WITH punt AS (
        SELECT k.*, floor(k.lon / 0.02)::int AS cx, floor(k.lat / 0.0125)::int AS cy
        FROM kaart_punt k WHERE cxs IS NULL
        UNION ALL
        SELECT k.*, g.cx, g.cy
        FROM unnest(cxs, cys) AS g(cx, cy) JOIN kaart_punt k
          ON k.lon BETWEEN g.cx * 0.02::float8 - 0.001 AND (g.cx + 1) * 0.02::float8 + 0.001
         AND k.lat BETWEEN g.cy * 0.0125::float8 - 0.001 AND (g.cy + 1) * 0.0125::float8 + 0.001
         AND floor(k.lon / 0.02) = g.cx AND floor(k.lat / 0.0125) = g.cy
    ), plek AS (
        SELECT s.zicht, p.cx, p.cy, p.lon, p.lat, min(p.id) AS id, count(*) AS diensten
        FROM punt p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus)
        GROUP BY s.zicht, p.cx, p.cy, p.lon, p.lat
    ), thema AS (
        SELECT s.zicht, p.cx, p.cy, array_agg(DISTINCT t.slug) AS themas
        FROM punt p JOIN tegel_zicht s ON p.zichtbaarheid = ANY(s.niveaus),
             unnest(p.themas) AS t(slug)
        GROUP BY s.zicht, p.cx, p.cy
    )
    SELECT c.zicht, c.cx, c.cy, c.id, c.plekken, c.diensten, c.lon, c.lat,
           coalesce(t.themas, '{}')
    FROM (SELECT zicht, cx, cy, min(id) AS id, count(*) AS plekken, sum(diensten) AS diensten,
                 avg(lon) AS lon, avg(lat) AS lat
          FROM plek GROUP BY zicht, cx, cy) c
    LEFT JOIN thema t USING (zicht, cx, cy);
END $$;

CREATE FUNCTION kaart_cel_volgen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cxs integer[];
    cys integer[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM kaart_cel_tellen(NULL, NULL);
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(cx), array_agg(cy) INTO cxs, cys FROM (
            SELECT DISTINCT floor(lon / 0.02)::int AS cx, floor(lat / 0.0125)::int AS cy
            FROM nieuw) g;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(cx), array_agg(cy) INTO cxs, cys FROM (
            SELECT DISTINCT floor(lon / 0.02)::int AS cx, floor(lat / 0.0125)::int AS cy
            FROM oud) g;
    ELSE
        SELECT array_agg(cx), array_agg(cy) INTO cxs, cys FROM (
            SELECT floor(lon / 0.02)::int AS cx, floor(lat / 0.0125)::int AS cy FROM nieuw
            UNION SELECT floor(lon / 0.02)::int, floor(lat / 0.0125)::int FROM oud) g;
    END IF;
    IF cardinality(cxs) > 5000 THEN  -- most of the map: count it all in one pass
        PERFORM kaart_cel_tellen(NULL, NULL);
    ELSE
        PERFORM kaart_cel_tellen(coalesce(cxs, '{}'), coalesce(cys, '{}'));
    END IF;
    RETURN NULL;
END $$;
ALTER FUNCTION kaart_cel_volgen() SECURITY DEFINER SET search_path = public, pg_temp;

CREATE TRIGGER kaart_cel_ins AFTER INSERT ON kaart_punt REFERENCING NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION kaart_cel_volgen();
CREATE TRIGGER kaart_cel_upd AFTER UPDATE ON kaart_punt REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw
    FOR EACH STATEMENT EXECUTE FUNCTION kaart_cel_volgen();
CREATE TRIGGER kaart_cel_del AFTER DELETE ON kaart_punt REFERENCING OLD TABLE AS oud
    FOR EACH STATEMENT EXECUTE FUNCTION kaart_cel_volgen();
CREATE TRIGGER kaart_cel_trunc AFTER TRUNCATE ON kaart_punt
    FOR EACH STATEMENT EXECUTE FUNCTION kaart_cel_volgen();
SELECT kaart_cel_tellen(NULL, NULL);

GRANT SELECT ON tegel_punt, tegel_cel, kaart_cel TO sociale_kaart_web;
