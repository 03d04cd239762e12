-- Staging table for one import: one row per valid input row (service at location).
CREATE TEMP TABLE record_stage (
    line integer, row_key text, org_key text, organisatie text, kvk text, omschrijving text,
    telefoon text, org_telefoon text, email text, website text, zichtbaarheid zichtbaarheid,
    laatst_geverifieerd_op date, synthetisch boolean,
    aanbod_key text, aanbod text, aanbod_omschrijving text, themas text[], doelgroepen text[],
    openingstijden jsonb, kosten text, aanmelden text, voorwaarden text, talen text[],
    capaciteit numeric,
    loc_key text, locatie_naam text, straat text, huisnummer integer, huisletter text,
    toevoeging text, postcode text, plaats text, lon float8, lat float8, x float8, y float8,
    vertrouwelijk boolean, toegankelijkheid text,
    org_hsds jsonb, aanbod_hsds jsonb, loc_hsds jsonb, sal_hsds jsonb, contactpersonen jsonb,
    werkgebied text[],
    -- a theme proposed from keywords (the row named none), and why (theme_proposal.py)
    thema_voorstel text, thema_reden text
) ON COMMIT DROP;
CREATE TEMP TABLE changed (kind text, key text, inserted boolean) ON COMMIT DROP;
