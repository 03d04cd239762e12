-- Proposed themes (geo/records/theme_proposal.py): a row without a theme gets one from
-- keyword rules on its names and descriptions. The theme is linked in aanbod_thema at once
-- (the service stays findable on the public map), and this table marks it as only proposed
-- until an editor confirms, changes or rejects it in the queue "voorgestelde thema's"
-- (/beheer/wachtrijen/themavoorstellen). One proposal per service.
CREATE TABLE thema_voorstel (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    aanbod_id        bigint NOT NULL UNIQUE REFERENCES aanbod (id) ON DELETE CASCADE,
    thema_slug       text NOT NULL REFERENCES thema (slug),
    -- Why this theme: the keyword and where it was found (Dutch, for the editor).
    reden            text NOT NULL CHECK (length(reden) <= 1000),
    bron             text,
    -- open: waiting; bevestigd: the editor kept it or chose another theme (then
    -- gekozen_slug says which); afgewezen: the theme was taken off the service.
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'in_behandeling', 'bevestigd', 'afgewezen')),
    gekozen_slug     text REFERENCES thema (slug),
    toegewezen_aan   bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    afgehandeld_door bigint REFERENCES gebruiker (id) ON DELETE SET NULL,
    afgehandeld_op   timestamptz,
    bericht          text CHECK (length(bericht) <= 4000),
    voorgesteld_op   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX thema_voorstel_open ON thema_voorstel (voorgesteld_op)
    WHERE status IN ('open', 'in_behandeling');
COMMENT ON TABLE thema_voorstel IS
    'Intern: thema''s die de import voorstelde, wachten op een redacteur.';

GRANT SELECT, UPDATE ON thema_voorstel TO sociale_kaart_web;
