-- Published layers: each is a commented view named laag_*; layers/ reads this catalogue.
-- A service at a location is one feature, with a stable integer id (GDAL uses it as FID).
ALTER TABLE aanbod_locatie ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE aanbod_locatie ADD CONSTRAINT aanbod_locatie_id UNIQUE (id);

-- Confidential locations (shelters) are published at their buurt's inner point, without
-- address; the effective visibility is the strictest of organisation, service, location, link.
-- Two UNION ALL branches so that the ordinary branch exposes locatie.geom itself: a bbox or
-- tile filter then uses the GiST index (a CASE over geom would hide it from the planner).
CREATE VIEW voorzieningen_basis AS
SELECT al.id,
       o.id AS organisatie_id,
       o.naam AS organisatie,
       a.naam AS aanbod,
       coalesce(a.omschrijving, o.omschrijving) AS omschrijving,
       (SELECT string_agg(t.thema_slug, '; ' ORDER BY t.thema_slug) FROM aanbod_thema t
         WHERE t.aanbod_id = a.id) AS thema,
       (SELECT string_agg(d.doelgroep_slug, '; ' ORDER BY d.doelgroep_slug) FROM aanbod_doelgroep d
         WHERE d.aanbod_id = a.id) AS doelgroep,
       l.straat,
       concat_ws('-', l.huisnummer::text || coalesce(l.huisletter, ''), l.toevoeging) AS huisnummer,
       l.postcode,
       l.woonplaats AS plaats,
       o.telefoon, o.email, o.website,
       a.openingstijden ->> 'tekst' AS openingstijden,
       a.kosten, a.aanmelden, l.toegankelijkheid,
       l.geocode_precisie,
       l.geocode_bron,
       l.buurtcode, l.wijkcode, l.gemeentecode,
       o.bron, o.synthetisch,
       coalesce(a.laatst_geverifieerd_op, o.laatst_geverifieerd_op) AS laatst_geverifieerd_op,
       l.vertrouwelijk,
       greatest(o.zichtbaarheid, a.zichtbaarheid, l.zichtbaarheid, al.zichtbaarheid)::text
           AS zichtbaarheid,
       ARRAY(SELECT t.thema_slug FROM aanbod_thema t WHERE t.aanbod_id = a.id) AS themas,
       ARRAY(SELECT d.doelgroep_slug FROM aanbod_doelgroep d WHERE d.aanbod_id = a.id)
           AS doelgroepen,
       l.geom
FROM aanbod_locatie al
JOIN aanbod a ON a.id = al.aanbod_id
JOIN organisatie o ON o.id = a.organisatie_id
JOIN locatie l ON l.id = al.locatie_id
WHERE o.status = 'gepubliceerd' AND l.geom IS NOT NULL;
COMMENT ON VIEW voorzieningen_basis IS 'Intern: ongefilterde basis van laag_voorzieningen.';

CREATE VIEW laag_voorzieningen AS
SELECT id, organisatie_id, organisatie, aanbod, omschrijving, thema, doelgroep, straat,
       huisnummer, postcode, plaats, telefoon, email, website, openingstijden, kosten,
       aanmelden, toegankelijkheid, geocode_precisie, geocode_bron, buurtcode, wijkcode,
       gemeentecode, bron, synthetisch, laatst_geverifieerd_op, vertrouwelijk, zichtbaarheid,
       themas, doelgroepen, geom::geometry(Point, 28992) AS geom
FROM voorzieningen_basis WHERE NOT vertrouwelijk
UNION ALL
SELECT v.id, v.organisatie_id, v.organisatie, v.aanbod, v.omschrijving, v.thema, v.doelgroep,
       NULL, NULL, NULL, v.plaats, v.telefoon, v.email, v.website, v.openingstijden, v.kosten,
       v.aanmelden, v.toegankelijkheid, 'buurt', v.geocode_bron, v.buurtcode, v.wijkcode,
       v.gemeentecode, v.bron, v.synthetisch, v.laatst_geverifieerd_op, v.vertrouwelijk,
       v.zichtbaarheid, v.themas, v.doelgroepen,
       ST_PointOnSurface(b.geom)::geometry(Point, 28992)
FROM voorzieningen_basis v JOIN gebied b ON b.code = v.buurtcode
WHERE v.vertrouwelijk;
COMMENT ON VIEW laag_voorzieningen IS
    'Voorzieningen|Alle aanbod op alle locaties: wie biedt wat, waar. Eén object per aanbod op een locatie.';

-- One view per theme, and area views with population and per-theme counts (public records).
DO $$
DECLARE
    t record;
    counts text := '';
BEGIN
    FOR t IN SELECT slug, naam, omschrijving FROM thema ORDER BY volgorde LOOP
        EXECUTE format(
            'CREATE VIEW %I AS SELECT * FROM laag_voorzieningen WHERE %L = ANY(themas)',
            'laag_thema_' || replace(t.slug, '-', '_'), t.slug);
        EXECUTE format('COMMENT ON VIEW %I IS %L',
            'laag_thema_' || replace(t.slug, '-', '_'), t.naam || '|' || t.omschrijving);
        counts := counts || format(
            ', count(*) FILTER (WHERE %L = ANY(v.themas))::integer AS %I',
            t.slug, 'aantal_' || replace(t.slug, '-', '_'));
    END LOOP;
    FOR t IN SELECT * FROM (VALUES ('gemeente', 'gemeenten', 'gemeentecode'),
                                   ('wijk', 'wijken', 'wijkcode'),
                                   ('buurt', 'buurten', 'buurtcode')) AS x(niveau, naam, kolom) LOOP
        EXECUTE format($v$
            CREATE VIEW %I AS
            SELECT g.code AS id, g.code, g.naam, g.gemeentecode,
                   coalesce(g.wijkcode, CASE WHEN g.niveau = 'wijk' THEN g.code END) AS wijkcode,
                   CASE WHEN g.niveau = 'buurt' THEN g.code END AS buurtcode, g.jaar,
                   p.inwoners, p.jaar AS inwoners_jaar,
                   coalesce(c.aantal_voorzieningen, 0) AS aantal_voorzieningen %s,
                   g.geom
            FROM gebied g
            LEFT JOIN LATERAL (SELECT inwoners, jaar FROM bevolking
                               WHERE gebiedcode = g.code AND inwoners IS NOT NULL
                               ORDER BY jaar DESC LIMIT 1) p ON true
            LEFT JOIN (SELECT v.%I AS code, count(*)::integer AS aantal_voorzieningen %s
                       FROM laag_voorzieningen v WHERE v.zichtbaarheid = 'openbaar'
                       GROUP BY v.%I) c ON c.code = g.code
            WHERE g.niveau = %L$v$,
            'laag_' || t.naam,
            (SELECT string_agg(format(', coalesce(c.%1$I, 0) AS %1$I',
                                      'aantal_' || replace(slug, '-', '_')), '' ORDER BY volgorde)
               FROM thema),
            t.kolom, counts, t.kolom, t.niveau);
        EXECUTE format('COMMENT ON VIEW %I IS %L', 'laag_' || t.naam,
            initcap(t.naam) || '|CBS-' || t.naam || ' met inwoners en het aantal voorzieningen per thema. Bron: CBS / Kadaster.');
    END LOOP;
END $$;
