-- name: same_kvk
INSERT INTO mogelijk_dubbel (organisatie_a, organisatie_b, reden, gelijkenis)
SELECT DISTINCT least(a.id, b.id), greatest(a.id, b.id), 'kvk', similarity(a.naam, b.naam)
FROM organisatie a
JOIN organisatie b ON b.kvk_nummer = a.kvk_nummer AND b.id <> a.id
WHERE a.id = ANY(:ids)
ON CONFLICT (organisatie_a, organisatie_b) DO NOTHING
RETURNING id;

-- name: similar_name_nearby
-- "Very similar name within ~50 m": trigram similarity on the names, metres in RD New.
INSERT INTO mogelijk_dubbel (organisatie_a, organisatie_b, reden, gelijkenis, afstand_m)
SELECT least(oa.id, ob.id), greatest(oa.id, ob.id), 'naam_en_afstand',
       max(similarity(oa.naam, ob.naam)), min(ST_Distance(la.geom, lb.geom))
FROM organisatie oa
JOIN locatie la ON la.organisatie_id = oa.id AND la.status = 'gepubliceerd'
JOIN locatie lb ON ST_DWithin(lb.geom, la.geom, :radius) AND lb.organisatie_id <> oa.id
    AND lb.status = 'gepubliceerd'
JOIN organisatie ob ON ob.id = lb.organisatie_id
WHERE oa.id = ANY(:ids) AND similarity(oa.naam, ob.naam) >= :threshold
GROUP BY 1, 2
ON CONFLICT (organisatie_a, organisatie_b) DO NOTHING
RETURNING id;

-- name: report
SELECT d.id, d.reden, d.gelijkenis, d.afstand_m, a.id AS a_id, a.naam AS a_naam,
       a.bron AS a_bron, b.id AS b_id, b.naam AS b_naam, b.bron AS b_bron
FROM mogelijk_dubbel d
JOIN organisatie a ON a.id = d.organisatie_a
JOIN organisatie b ON b.id = d.organisatie_b
WHERE d.id = ANY(:ids)
ORDER BY d.id;
