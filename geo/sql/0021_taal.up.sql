-- The language a resident or organisation used to send a form (issue 16, point 7): the
-- editors' answer by e-mail goes out in that language. A language code of the LANGUAGES
-- setting ('nl', 'en', ...); older rows and forms sent by scripts are Dutch.
ALTER TABLE aanmelding ADD COLUMN taal text NOT NULL DEFAULT 'nl'
    CHECK (taal ~ '^[a-z]{2,3}$');
ALTER TABLE melding ADD COLUMN taal text NOT NULL DEFAULT 'nl'
    CHECK (taal ~ '^[a-z]{2,3}$');
COMMENT ON COLUMN aanmelding.taal IS 'Taal van het formulier (nl, en, ...): het antwoord per e-mail gaat in deze taal.';
COMMENT ON COLUMN melding.taal IS 'Taal van de pagina waarop de melding is gedaan: het antwoord per e-mail gaat in deze taal.';
-- "Meld een fout" is stored by the web role column by column (0012_webrol).
GRANT INSERT (taal) ON melding TO sociale_kaart_web;
