-- Reported errors ("meld een fout") from the public organisation page. Editors work through
-- them in /beheer. No IP address or other tracking is stored: only the text and, when the
-- resident gives it, an e-mail address for a question back.
CREATE TABLE melding (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisatie_id  bigint NOT NULL REFERENCES organisatie (id) ON DELETE CASCADE,
    tekst           text NOT NULL CHECK (length(tekst) BETWEEN 1 AND 2000
                                         AND length(trim(tekst)) > 0),
    email           text CHECK (length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    status          text NOT NULL DEFAULT 'nieuw'
                    CHECK (status IN ('nieuw', 'in_behandeling', 'afgehandeld', 'afgewezen')),
    gemeld_op       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX melding_organisatie ON melding (organisatie_id);
CREATE INDEX melding_open ON melding (gemeld_op) WHERE status IN ('nieuw', 'in_behandeling');
COMMENT ON TABLE melding IS
    'Intern: fouten gemeld door bewoners (tekst, optioneel e-mail). Geen IP-adres.';
