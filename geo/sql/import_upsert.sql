-- name: bulk_on
-- Name this transaction's writer for the audit trail and switch on bulk mode (migration
-- 0010): area codes and search documents are written set-based below, not by triggers.
SELECT set_config('sociale_kaart.gebruiker', :who, true),
       set_config('sociale_kaart.bulk', 'on', true);

-- name: bulk_off
SELECT set_config('sociale_kaart.bulk', 'off', true);

-- name: geocode_input
INSERT INTO geocode_stage (sleutel, postcode, huisnummer, huisletter, toevoeging, straat,
                           woonplaats, x, y)
SELECT DISTINCT ON (loc_key) loc_key, postcode, huisnummer, coalesce(huisletter, ''),
       coalesce(toevoeging, ''), straat, plaats,
       coalesce(x, ST_X(ST_Transform(ST_SetSRID(ST_Point(lon, lat), 4326), 28992))),
       coalesce(y, ST_Y(ST_Transform(ST_SetSRID(ST_Point(lon, lat), 4326), 28992)))
FROM record_stage ORDER BY loc_key, line;

-- name: geocode_rejects
DELETE FROM record_stage s USING geocode_stage g
WHERE g.sleutel = s.loc_key AND g.geom IS NULL
RETURNING s.line, g.geocode_fout;

-- name: area_codes
-- Area codes of every placed location as the locatie_gebieden trigger derives them: the
-- buurt the point lies in, the lowest code on a shared border. One join with the buurten
-- outer and the points from their index, so each polygon is prepared once for all its points.
CREATE TEMP TABLE stage_gebied ON COMMIT DROP AS
SELECT DISTINCT ON (g.sleutel) g.sleutel, b.code AS buurtcode, b.wijkcode, b.gemeentecode
FROM gebied b JOIN geocode_stage g ON ST_Intersects(b.geom, g.geom)
WHERE b.niveau = 'buurt'
ORDER BY g.sleutel, b.code;

-- name: organisations
-- Per key the first non-empty value in row order: window aggregates over the key's rows in
-- line order (one sort for all columns instead of one per column and key; the window's
-- ORDER BY fixes the order in which its rows reach the aggregates).
WITH src AS (
    SELECT * FROM (
    SELECT org_key,
           first_value(organisatie) OVER w AS naam,
           (array_agg(omschrijving) FILTER (WHERE omschrijving IS NOT NULL) OVER w)[1] AS omschrijving,
           (array_agg(website) FILTER (WHERE website IS NOT NULL) OVER w)[1] AS website,
           (array_agg(email) FILTER (WHERE email IS NOT NULL) OVER w)[1] AS email,
           -- the organisation's own number (column organisatie_telefoon; '' = none), else
           -- the first row's number
           nullif((array_agg(coalesce(org_telefoon, telefoon))
                   FILTER (WHERE coalesce(org_telefoon, telefoon) IS NOT NULL) OVER w)[1], '') AS telefoon,
           (array_agg(kvk) FILTER (WHERE kvk IS NOT NULL) OVER w)[1] AS kvk,
           min(zichtbaarheid) OVER w AS zichtbaarheid,
           max(laatst_geverifieerd_op) OVER w AS laatst_geverifieerd_op,
           bool_or(synthetisch) OVER w AS synthetisch,
           (array_agg(org_hsds) FILTER (WHERE org_hsds IS NOT NULL) OVER w)[1] AS hsds,
           row_number() OVER w AS nr
    FROM record_stage
    WINDOW w AS (PARTITION BY org_key ORDER BY line
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ) k WHERE nr = 1
), up AS (
    INSERT INTO organisatie AS o (naam, omschrijving, website, email, telefoon, kvk_nummer,
        zichtbaarheid, laatst_geverifieerd_op, synthetisch, bron, bron_id, hsds)
    SELECT naam, omschrijving, website, email, telefoon, kvk, zichtbaarheid,
           laatst_geverifieerd_op, synthetisch, :bron, org_key, coalesce(hsds, '{}') FROM src
    ON CONFLICT (bron, bron_id) DO UPDATE SET
        naam = EXCLUDED.naam, omschrijving = EXCLUDED.omschrijving, website = EXCLUDED.website,
        email = EXCLUDED.email, telefoon = EXCLUDED.telefoon, kvk_nummer = EXCLUDED.kvk_nummer,
        zichtbaarheid = EXCLUDED.zichtbaarheid,
        laatst_geverifieerd_op = EXCLUDED.laatst_geverifieerd_op,
        synthetisch = EXCLUDED.synthetisch, versie = o.versie + 1, gewijzigd_op = now(),
        -- HSDS fields: a flat file has none ('{}') and leaves those of an HSDS import alone
        hsds = CASE WHEN EXCLUDED.hsds = '{}' THEN o.hsds ELSE EXCLUDED.hsds END
    WHERE (o.naam, o.omschrijving, o.website, o.email, o.telefoon, o.kvk_nummer,
           o.zichtbaarheid, o.laatst_geverifieerd_op, o.synthetisch)
          IS DISTINCT FROM (EXCLUDED.naam, EXCLUDED.omschrijving, EXCLUDED.website,
           EXCLUDED.email, EXCLUDED.telefoon, EXCLUDED.kvk_nummer, EXCLUDED.zichtbaarheid,
           EXCLUDED.laatst_geverifieerd_op, EXCLUDED.synthetisch)
       OR (EXCLUDED.hsds <> '{}' AND o.hsds IS DISTINCT FROM EXCLUDED.hsds)
    RETURNING bron_id, (xmax = 0) AS inserted
)
INSERT INTO changed SELECT 'organisatie', bron_id, inserted FROM up;

-- name: contacts
-- HSDS contacts become contact persons of their organisation (internal: never public).
INSERT INTO contactpersoon AS c (organisatie_id, naam, functie, telefoon, email, bron, bron_id)
SELECT DISTINCT ON (x.id) o.id, x.naam, x.functie, x.telefoon, x.email, :bron, x.id
FROM record_stage s
CROSS JOIN LATERAL jsonb_to_recordset(s.contactpersonen)
    AS x (id text, naam text, functie text, telefoon text, email text)
JOIN organisatie o ON o.bron = :bron AND o.bron_id = s.org_key
WHERE x.id IS NOT NULL AND x.naam IS NOT NULL
ORDER BY x.id, s.line
ON CONFLICT (bron, bron_id) DO UPDATE SET
    organisatie_id = EXCLUDED.organisatie_id, naam = EXCLUDED.naam, functie = EXCLUDED.functie,
    telefoon = EXCLUDED.telefoon, email = EXCLUDED.email, versie = c.versie + 1,
    gewijzigd_op = now()
WHERE (c.organisatie_id, c.naam, c.functie, c.telefoon, c.email)
      IS DISTINCT FROM (EXCLUDED.organisatie_id, EXCLUDED.naam, EXCLUDED.functie,
       EXCLUDED.telefoon, EXCLUDED.email);

-- name: services
-- Window aggregates in line order per key, as for organisations.
WITH src AS (
    SELECT * FROM (
    SELECT aanbod_key, org_key,
           first_value(aanbod) OVER w AS naam,
           (array_agg(aanbod_omschrijving) FILTER (WHERE aanbod_omschrijving IS NOT NULL) OVER w)[1] AS omschrijving,
           (array_agg(kosten) FILTER (WHERE kosten IS NOT NULL) OVER w)[1] AS kosten,
           (array_agg(aanmelden) FILTER (WHERE aanmelden IS NOT NULL) OVER w)[1] AS aanmelden,
           (array_agg(voorwaarden) FILTER (WHERE voorwaarden IS NOT NULL) OVER w)[1] AS voorwaarden,
           first_value(array_to_string(talen, ';')) OVER w AS talen,
           (array_agg(openingstijden) FILTER (WHERE openingstijden IS NOT NULL) OVER w)[1] AS openingstijden,
           max(capaciteit) OVER w AS capaciteit,
           min(zichtbaarheid) OVER w AS zichtbaarheid,
           max(laatst_geverifieerd_op) OVER w AS laatst_geverifieerd_op,
           (array_agg(aanbod_hsds) FILTER (WHERE aanbod_hsds IS NOT NULL) OVER w)[1] AS hsds,
           first_value(array_to_string(werkgebied, ';')) OVER w AS werkgebied,
           row_number() OVER w AS nr
    FROM record_stage
    WINDOW w AS (PARTITION BY aanbod_key, org_key ORDER BY line
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    ) k WHERE nr = 1
), up AS (
    INSERT INTO aanbod AS a (organisatie_id, naam, omschrijving, kosten, aanmelden, voorwaarden,
        talen, openingstijden, capaciteit, zichtbaarheid, laatst_geverifieerd_op, bron, bron_id,
        hsds, werkgebied)
    SELECT o.id, src.naam, src.omschrijving, kosten, aanmelden, voorwaarden,
           string_to_array(talen, ';'), openingstijden, capaciteit, src.zichtbaarheid,
           src.laatst_geverifieerd_op, :bron, aanbod_key, coalesce(src.hsds, '{}'),
           -- HSDS service areas: CBS codes, or the names of gemeenten. Only for rows that
           -- name some: the OR reads every area, which per row of a flat file cost more
           -- than the rest of this statement (and grew with the number of areas loaded).
           CASE WHEN src.werkgebied <> '' THEN
               ARRAY(SELECT g.code FROM gebied g
                     WHERE g.code = ANY (string_to_array(src.werkgebied, ';'))
                        OR (g.niveau = 'gemeente'
                            AND lower(g.naam) = ANY (string_to_array(lower(src.werkgebied), ';')))
                     ORDER BY g.code)
           ELSE '{}' END
    FROM src JOIN organisatie o ON o.bron = :bron AND o.bron_id = src.org_key
    ON CONFLICT (bron, bron_id) DO UPDATE SET
        organisatie_id = EXCLUDED.organisatie_id, naam = EXCLUDED.naam,
        omschrijving = EXCLUDED.omschrijving, kosten = EXCLUDED.kosten,
        aanmelden = EXCLUDED.aanmelden, voorwaarden = EXCLUDED.voorwaarden,
        talen = EXCLUDED.talen, openingstijden = EXCLUDED.openingstijden,
        capaciteit = EXCLUDED.capaciteit, zichtbaarheid = EXCLUDED.zichtbaarheid,
        laatst_geverifieerd_op = EXCLUDED.laatst_geverifieerd_op,
        versie = a.versie + 1, gewijzigd_op = now(),
        hsds = CASE WHEN EXCLUDED.hsds = '{}' THEN a.hsds ELSE EXCLUDED.hsds END,
        werkgebied = CASE WHEN EXCLUDED.hsds = '{}' THEN a.werkgebied ELSE EXCLUDED.werkgebied END
    WHERE (a.organisatie_id, a.naam, a.omschrijving, a.kosten, a.aanmelden, a.voorwaarden,
           a.talen, a.openingstijden, a.capaciteit, a.zichtbaarheid, a.laatst_geverifieerd_op)
          IS DISTINCT FROM (EXCLUDED.organisatie_id, EXCLUDED.naam, EXCLUDED.omschrijving,
           EXCLUDED.kosten, EXCLUDED.aanmelden, EXCLUDED.voorwaarden, EXCLUDED.talen,
           EXCLUDED.openingstijden, EXCLUDED.capaciteit, EXCLUDED.zichtbaarheid,
           EXCLUDED.laatst_geverifieerd_op)
       OR (EXCLUDED.hsds <> '{}' AND (a.hsds, a.werkgebied)
           IS DISTINCT FROM (EXCLUDED.hsds, EXCLUDED.werkgebied))
    RETURNING bron_id, (xmax = 0) AS inserted
)
INSERT INTO changed SELECT 'aanbod', bron_id, inserted FROM up;

-- name: theme_mixed
-- Proposed themes (rows without a theme, geo/records/theme_proposal.py). A service whose
-- other rows name a theme takes theirs: its keyword proposal is dropped.
UPDATE record_stage s SET themas = '{}', thema_voorstel = NULL, thema_reden = NULL
WHERE s.thema_voorstel IS NOT NULL
  AND s.aanbod_key IN (SELECT aanbod_key FROM record_stage WHERE thema_voorstel IS NULL);

-- name: theme_decided
-- A proposal an editor decided on (confirmed, changed or rejected) is the editor's: a
-- re-import of the same rows keeps the service's current themes.
UPDATE record_stage s
SET themas = ARRAY(SELECT t.thema_slug FROM aanbod_thema t WHERE t.aanbod_id = a.id ORDER BY 1),
    thema_voorstel = NULL, thema_reden = NULL
FROM aanbod a JOIN thema_voorstel v ON v.aanbod_id = a.id
WHERE s.thema_voorstel IS NOT NULL AND a.bron = :bron AND a.bron_id = s.aanbod_key
  AND v.status IN ('bevestigd', 'afgewezen');

-- name: taxonomy_wanted
-- Desired theme and doelgroep sets per service (union over its rows); differences only.
-- nieuw: the service was inserted by this import, so it has no links yet.
CREATE TEMP TABLE wanted ON COMMIT DROP AS
SELECT w.*, c.key IS NOT NULL AS nieuw
FROM (SELECT a.id AS aanbod_id, s.aanbod_key, 'thema' AS soort, unnest(s.themas) AS slug
      FROM record_stage s JOIN aanbod a ON a.bron = :bron AND a.bron_id = s.aanbod_key
      UNION
      SELECT a.id, s.aanbod_key, 'doelgroep', unnest(s.doelgroepen)
      FROM record_stage s JOIN aanbod a ON a.bron = :bron AND a.bron_id = s.aanbod_key) w
LEFT JOIN changed c ON c.kind = 'aanbod' AND c.inserted AND c.key = w.aanbod_key;

-- name: taxonomy_links
-- One link table ({links}, slug column {slug}) of the services: themes, then doelgroepen.
-- The links of a new service are certainly new: a plain insert, no conflict check.
WITH gone AS (
    DELETE FROM {links} t
    USING (SELECT DISTINCT aanbod_id, aanbod_key FROM wanted WHERE NOT nieuw) w
    WHERE t.aanbod_id = w.aanbod_id AND NOT EXISTS (SELECT 1 FROM wanted x
        WHERE x.aanbod_id = t.aanbod_id AND x.soort = :soort AND x.slug = t.{slug})
    RETURNING w.aanbod_key
), fresh AS (
    INSERT INTO {links} SELECT DISTINCT aanbod_id, slug FROM wanted WHERE soort = :soort AND nieuw
), added AS (
    INSERT INTO {links}
    SELECT DISTINCT aanbod_id, slug FROM wanted WHERE soort = :soort AND NOT nieuw
    ON CONFLICT DO NOTHING RETURNING aanbod_id
)
INSERT INTO changed SELECT 'aanbod', aanbod_key, false FROM gone
UNION SELECT 'aanbod', w.aanbod_key, false FROM added JOIN wanted w USING (aanbod_id);

-- name: locations
-- An editor's manual placement (geocode_bron 'redactie') wins over a geocoded one from a file.
-- New locations bring their area codes (bulk mode); an update of geom derives them in the trigger.
-- A location's number is the first its rows name (stored only when not the organisation's).
-- (DISTINCT ON over the rows with a number: a third of the time of array_agg per location.)
WITH phones AS (
    SELECT DISTINCT ON (loc_key) loc_key, telefoon FROM record_stage
    WHERE telefoon IS NOT NULL ORDER BY loc_key, line
), src AS (
    SELECT DISTINCT ON (s.loc_key) s.loc_key, s.org_key, s.locatie_naam, s.straat, s.huisnummer,
           nullif(s.huisletter, '') AS huisletter, nullif(s.toevoeging, '') AS toevoeging,
           s.postcode, s.plaats, g.geom, g.geocode_precisie, g.geocode_bron, a.buurtcode,
           a.wijkcode, a.gemeentecode, s.vertrouwelijk, s.toegankelijkheid, s.zichtbaarheid,
           s.laatst_geverifieerd_op, coalesce(s.loc_hsds, '{}') AS hsds, p.telefoon
    FROM record_stage s JOIN geocode_stage g ON g.sleutel = s.loc_key
    LEFT JOIN stage_gebied a ON a.sleutel = s.loc_key
    LEFT JOIN phones p ON p.loc_key = s.loc_key
    ORDER BY s.loc_key, s.line
), up AS (
    INSERT INTO locatie AS l (organisatie_id, naam, straat, huisnummer, huisletter, toevoeging,
        postcode, woonplaats, geom, geocode_precisie, geocode_bron, buurtcode, wijkcode,
        gemeentecode, vertrouwelijk, toegankelijkheid, zichtbaarheid, laatst_geverifieerd_op,
        bron, bron_id, hsds, telefoon)
    SELECT o.id, locatie_naam, straat, huisnummer, huisletter, toevoeging, postcode, plaats, geom,
           geocode_precisie, geocode_bron, buurtcode, wijkcode, gemeentecode, vertrouwelijk,
           toegankelijkheid, src.zichtbaarheid, src.laatst_geverifieerd_op, :bron, loc_key,
           src.hsds,
           -- the location's own number: its rows' first, unless it is the organisation's
           CASE WHEN src.telefoon IS DISTINCT FROM o.telefoon THEN src.telefoon END
    FROM src JOIN organisatie o ON o.bron = :bron AND o.bron_id = src.org_key
    ON CONFLICT (bron, bron_id) DO UPDATE SET
        organisatie_id = EXCLUDED.organisatie_id, naam = EXCLUDED.naam, straat = EXCLUDED.straat,
        huisnummer = EXCLUDED.huisnummer, huisletter = EXCLUDED.huisletter,
        toevoeging = EXCLUDED.toevoeging, postcode = EXCLUDED.postcode,
        woonplaats = EXCLUDED.woonplaats,
        geom = CASE WHEN l.geocode_bron = 'redactie' AND EXCLUDED.geocode_bron <> 'bestand'
                    THEN l.geom ELSE EXCLUDED.geom END,
        geocode_precisie = CASE WHEN l.geocode_bron = 'redactie' AND EXCLUDED.geocode_bron <> 'bestand'
                    THEN l.geocode_precisie ELSE EXCLUDED.geocode_precisie END,
        geocode_bron = CASE WHEN l.geocode_bron = 'redactie' AND EXCLUDED.geocode_bron <> 'bestand'
                    THEN l.geocode_bron ELSE EXCLUDED.geocode_bron END,
        vertrouwelijk = EXCLUDED.vertrouwelijk, toegankelijkheid = EXCLUDED.toegankelijkheid,
        zichtbaarheid = EXCLUDED.zichtbaarheid, telefoon = EXCLUDED.telefoon,
        laatst_geverifieerd_op = EXCLUDED.laatst_geverifieerd_op,
        versie = l.versie + 1, gewijzigd_op = now(),
        hsds = CASE WHEN EXCLUDED.hsds = '{}' THEN l.hsds ELSE EXCLUDED.hsds END
    WHERE (l.organisatie_id, l.naam, l.straat, l.huisnummer, l.huisletter, l.toevoeging,
           l.postcode, l.woonplaats, l.vertrouwelijk, l.toegankelijkheid, l.zichtbaarheid,
           l.laatst_geverifieerd_op, l.telefoon)
          IS DISTINCT FROM (EXCLUDED.organisatie_id, EXCLUDED.naam, EXCLUDED.straat,
           EXCLUDED.huisnummer, EXCLUDED.huisletter, EXCLUDED.toevoeging, EXCLUDED.postcode,
           EXCLUDED.woonplaats, EXCLUDED.vertrouwelijk, EXCLUDED.toegankelijkheid,
           EXCLUDED.zichtbaarheid, EXCLUDED.laatst_geverifieerd_op, EXCLUDED.telefoon)
       OR (EXCLUDED.hsds <> '{}' AND l.hsds IS DISTINCT FROM EXCLUDED.hsds)
       OR (l.geocode_bron IS DISTINCT FROM 'redactie' OR EXCLUDED.geocode_bron = 'bestand')
          AND (NOT ST_Equals(l.geom, EXCLUDED.geom) OR l.geocode_precisie IS DISTINCT FROM
               EXCLUDED.geocode_precisie OR l.geocode_bron IS DISTINCT FROM EXCLUDED.geocode_bron)
    RETURNING bron_id, (xmax = 0) AS inserted
)
INSERT INTO changed SELECT 'locatie', bron_id, inserted FROM up;

-- name: links
WITH up AS (
    INSERT INTO aanbod_locatie AS al (aanbod_id, locatie_id, zichtbaarheid, bron, bron_id, hsds)
    SELECT DISTINCT ON (s.row_key) a.id, l.id, s.zichtbaarheid, :bron, s.row_key,
           coalesce(s.sal_hsds, '{}')
    FROM record_stage s
    JOIN aanbod a ON a.bron = :bron AND a.bron_id = s.aanbod_key
    JOIN locatie l ON l.bron = :bron AND l.bron_id = s.loc_key
    ORDER BY s.row_key, s.line
    ON CONFLICT (bron, bron_id) DO UPDATE SET aanbod_id = EXCLUDED.aanbod_id,
        locatie_id = EXCLUDED.locatie_id, zichtbaarheid = EXCLUDED.zichtbaarheid,
        hsds = CASE WHEN EXCLUDED.hsds = '{}' THEN al.hsds ELSE EXCLUDED.hsds END
    WHERE (al.aanbod_id, al.locatie_id, al.zichtbaarheid)
          IS DISTINCT FROM (EXCLUDED.aanbod_id, EXCLUDED.locatie_id, EXCLUDED.zichtbaarheid)
       OR (EXCLUDED.hsds <> '{}' AND al.hsds IS DISTINCT FROM EXCLUDED.hsds)
    RETURNING bron_id, (xmax = 0) AS inserted
)
INSERT INTO changed SELECT 'koppeling', bron_id, inserted FROM up;

-- name: search_documents
-- Rebuild the search documents of every service this import touched, in one statement
-- (bulk mode: the triggers queue nothing). The services of a new organisation are in
-- changed themselves. Unchanged documents are not rewritten.
SELECT zoekdocument_bijwerken(ARRAY(
    SELECT a.id FROM changed c JOIN aanbod a ON a.bron = :bron AND a.bron_id = c.key
    WHERE c.kind = 'aanbod'
    UNION
    SELECT a.id FROM changed c JOIN organisatie o ON o.bron = :bron AND o.bron_id = c.key
    JOIN aanbod a ON a.organisatie_id = o.id
    WHERE c.kind = 'organisatie' AND NOT c.inserted));

-- name: row_status
-- Uncorrelated IN lists are hashed once; an OR inside one EXISTS scanned changed per row.
SELECT CASE WHEN k.inserted THEN 'nieuw'
            WHEN k.key IS NOT NULL
              OR s.org_key IN (SELECT key FROM changed WHERE kind = 'organisatie')
              OR s.aanbod_key IN (SELECT key FROM changed WHERE kind = 'aanbod')
              OR s.loc_key IN (SELECT key FROM changed WHERE kind = 'locatie') THEN 'gewijzigd'
            ELSE 'ongewijzigd' END AS status, count(*)
FROM record_stage s LEFT JOIN changed k ON k.kind = 'koppeling' AND k.key = s.row_key
GROUP BY 1;

-- name: theme_dropped
-- A service whose rows name their theme again no longer waits for a decision.
DELETE FROM thema_voorstel v USING aanbod a
WHERE v.aanbod_id = a.id AND v.status IN ('open', 'in_behandeling') AND a.bron = :bron
  AND a.bron_id IN (SELECT aanbod_key FROM record_stage WHERE thema_voorstel IS NULL);

-- name: theme_proposals
-- Mark the proposed themes, one per service (its first row's). An open proposal follows a
-- changed file; a decided one never comes back (see theme_decided).
INSERT INTO thema_voorstel (aanbod_id, thema_slug, reden, bron)
SELECT DISTINCT ON (a.id) a.id, s.thema_voorstel, s.thema_reden, :bron
FROM record_stage s JOIN aanbod a ON a.bron = :bron AND a.bron_id = s.aanbod_key
WHERE s.thema_voorstel IS NOT NULL
ORDER BY a.id, s.line
ON CONFLICT (aanbod_id) DO UPDATE SET thema_slug = EXCLUDED.thema_slug,
    reden = EXCLUDED.reden, bron = EXCLUDED.bron, voorgesteld_op = now()
WHERE thema_voorstel.status IN ('open', 'in_behandeling')
  AND thema_voorstel.thema_slug IS DISTINCT FROM EXCLUDED.thema_slug;

-- name: theme_open
-- Services of this file whose theme waits for an editor (the import summary says how many).
SELECT count(*) FROM thema_voorstel v JOIN aanbod a ON a.id = v.aanbod_id
WHERE v.status IN ('open', 'in_behandeling') AND a.bron = :bron
  AND a.bron_id IN (SELECT aanbod_key FROM record_stage);
