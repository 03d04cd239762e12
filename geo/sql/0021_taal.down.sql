REVOKE INSERT (taal) ON melding FROM sociale_kaart_web;
ALTER TABLE melding DROP COLUMN taal;
ALTER TABLE aanmelding DROP COLUMN taal;
