"""Messages about a form's values in the page's language (the ``foutmelding`` filter).

The checks live in geo/records (aanmelding.py, fields.py, verification*.py) and say what
is wrong in Dutch. A fixed message is its own msgid; a message with a value in it is
matched by the patterns below and rebuilt from its translated template. A message no
pattern knows is shown in Dutch; tests/i18n/test_pages.py posts wrong values in
English and fails on any Dutch left.
"""

from __future__ import annotations

import re

from flask_babel import gettext

from server.i18n import N_

FIXED = (
    N_("Dit onderdeel bestaat niet."),
    N_("Kies alleen uit de lijst."),
    N_("Vul de postcode en het huisnummer in."),
    N_("Kies minstens één onderwerp."),
    N_("Vul de naam van de organisatie in."),
    N_("Uw naam is te lang: gebruik niet meer dan 200 tekens."),
    N_("Vul uw e-mailadres in, zoals naam@voorbeeld.nl. Wij sturen u daar ons antwoord."),
    N_("Deze link is verlopen."),
    N_("Deze link kennen we niet."),
    N_("Deze link is al gebruikt."),
    N_("Deze organisatie staat niet meer op de sociale kaart."),
    N_("Het e-mailadres klopt niet (zoals info@voorbeeld.nl)."),
    N_("Vul uw e-mailadres in, zodat wij u kunnen antwoorden."),
    N_("Schrijf wat er niet klopt. Het tekstvak is nog leeg."),
    N_("Dit e-mailadres klopt niet. Kijk het na of laat het leeg."),
    N_("afstand moet een aantal kilometers zijn, van 0,1 tot 50."),
    # public error pages (server/security.py, server/ratelimit.py)
    N_("Het formulier is verlopen"),
    N_(
        "Het formulier was te lang open, of het kwam niet van deze website. Er is niets "
        "opgeslagen. Ga terug naar de vorige pagina, laad die opnieuw en verstuur het "
        "formulier nog een keer."
    ),
    N_("Uw bericht is te groot"),
    N_(
        "Wat u verstuurde is te groot. Er is niets opgeslagen. Maak uw tekst korter en "
        "probeer het opnieuw."
    ),
    N_("Even wachten, alstublieft"),
    N_("Log eerst in"),
    N_("Deze pagina is alleen voor ingelogde medewerkers. Log in en probeer het opnieuw."),
    N_(
        "U was erg snel. Wacht een paar seconden, kijk uw gegevens na en verstuur het "
        "formulier opnieuw."
    ),
    N_(
        "Het formulier stond langer dan 2 uur open. Daarom is het niet verstuurd. "
        "Kijk uw gegevens na en verstuur het opnieuw."
    ),
)
V = r"'(?P<v>.*)'"
KINDS = {"thema": N_("thema"), "doelgroep": N_("doelgroep")}
UNITS = {
    "seconden": N_("seconden"),
    "seconde": N_("seconde"),
    "minuten": N_("minuten"),
    "uur": N_("uur"),
}
PLURALS = {
    "gemeenten": N_("gemeenten"),
    "plaatsen": N_("plaatsen"),
    "wijken": N_("wijken"),
    "buurten": N_("buurten"),
}
PATTERNS = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        (
            r"Uw tekst is te lang: (?P<n>\d+) tekens\. Gebruik niet meer dan (?P<max>\d+) tekens\.",
            N_("Uw tekst is te lang: %(n)s tekens. Gebruik niet meer dan %(max)s tekens."),
        ),
        (
            r"Deze tekst is te lang: gebruik niet meer dan (?P<n>\d+) tekens\.",
            N_("Deze tekst is te lang: gebruik niet meer dan %(n)s tekens."),
        ),
        (
            rf"Postcode {V} is geen Nederlandse postcode \(zoals 6211 AB\)\.",
            N_("Postcode '%(v)s' is geen Nederlandse postcode (zoals 6211 AB)."),
        ),
        (
            rf"Postcode {V} bestaat niet: de letters (?P<n>\w+) worden niet gebruikt\.",
            N_("Postcode '%(v)s' bestaat niet: de letters %(n)s worden niet gebruikt."),
        ),
        (
            rf"Huisnummer {V} is geen geldig huisnummer \(zoals 12, 12a of 12-3\)\.",
            N_("Huisnummer '%(v)s' is geen geldig huisnummer (zoals 12, 12a of 12-3)."),
        ),
        (
            rf"Telefoonnummer {V} klopt niet \(zoals 043 123 45 67 of 0800-1234\)\.",
            N_("Telefoonnummer '%(v)s' klopt niet (zoals 043 123 45 67 of 0800-1234)."),
        ),
        (
            rf"E-mailadres {V} klopt niet \(zoals info@voorbeeld\.nl\)\.",
            N_("E-mailadres '%(v)s' klopt niet (zoals info@voorbeeld.nl)."),
        ),
        (
            rf"KvK-nummer {V} moet 8 cijfers hebben\.",
            N_("KvK-nummer '%(v)s' moet 8 cijfers hebben."),
        ),
        (
            rf"Website {V} klopt niet \(zoals https://www\.voorbeeld\.nl\)\.",
            N_("Website '%(v)s' klopt niet (zoals https://www.voorbeeld.nl)."),
        ),
        (
            rf"Openingstijden {V} klopt niet \(zoals ma-vr 09:00-17:00\)\.",
            N_("Openingstijden '%(v)s' klopt niet (zoals ma-vr 09:00-17:00)."),
        ),
        (
            rf"Dag {V} klopt niet \(gebruik ma di wo do vr za zo\)\.",
            N_("Dag '%(v)s' klopt niet (gebruik ma di wo do vr za zo)."),
        ),
        (
            rf"Tijd {V} klopt niet \(zoals 09:00-17:00\)\.",
            N_("Tijd '%(v)s' klopt niet (zoals 09:00-17:00)."),
        ),
        (
            r"U heeft dit kort na elkaar te vaak gedaan\. Er is niets opgeslagen\. "
            r"Probeer het over (?P<n>\d+) (?P<unit>seconden|seconde|minuten|uur) opnieuw\.",
            N_(
                "U heeft dit kort na elkaar te vaak gedaan. Er is niets opgeslagen. "
                "Probeer het over %(n)s %(unit)s opnieuw."
            ),
        ),
        # layers/pages/search.py and search_places.py: how the search understood its input
        (
            r"Het (?P<kind>thema|doelgroep) '(?P<v>.*)' bestaat niet\. Kies er een uit de lijst\.",
            N_("Het %(kind)s '%(v)s' bestaat niet. Kies er een uit de lijst."),
        ),
        (rf"We kennen het gebied {V} niet\.", N_("We kennen het gebied '%(v)s' niet.")),
        (r"We kennen postcode (?P<v>\d+) niet\.", N_("We kennen postcode %(v)s niet.")),
        (
            r"Er zijn meer (?P<plural>\w+) met de naam '(?P<v>.*)'\. "
            r"We zoeken in (?P<naam>.*) in (?P<gemeente>.*)\.",
            N_(
                "Er zijn meer %(plural)s met de naam '%(v)s'. "
                "We zoeken in %(naam)s in %(gemeente)s."
            ),
        ),
        (
            rf"We kennen de plaats {V} niet\. Bedoelt u (?P<naam>.*)\?",
            N_("We kennen de plaats '%(v)s' niet. Bedoelt u %(naam)s?"),
        ),
        (
            rf"We kennen de plaats {V} niet\. Kijk of de naam goed is geschreven, "
            r"of vul een postcode in\.",
            N_(
                "We kennen de plaats '%(v)s' niet. Kijk of de naam goed is geschreven, "
                "of vul een postcode in."
            ),
        ),
        (
            r"De (?P<straat>.*) is er in meer plaatsen\. Typ ook de plaats, "
            r"bijvoorbeeld: (?P<v>.*)\.",
            N_("De %(straat)s is er in meer plaatsen. Typ ook de plaats, bijvoorbeeld: %(v)s."),
        ),
        (
            rf"We konden {V} niet vinden\. Typ een postcode, bijvoorbeeld 6411 AB, "
            r"of een straat met huisnummer en plaats\.",
            N_(
                "We konden '%(v)s' niet vinden. Typ een postcode, bijvoorbeeld 6411 AB, "
                "of een straat met huisnummer en plaats."
            ),
        ),
        (
            r"(?P<v>\w+) moet een heel getal zijn, vanaf (?P<n>\d+)\.",
            N_("%(v)s moet een heel getal zijn, vanaf %(n)s."),
        ),
    )
)


SUGGESTION_WORDS = {
    "Bedoelt u ": N_("Bedoelt u"),
    "Zoek in ": N_("Zoek in"),
    "Bekijk alles over ": N_("Bekijk alles over"),
    "alle onderwerpen": N_("alle onderwerpen"),
}


def suggestion(item: dict) -> dict:
    """A "try this" link of layers/pages/search_suggestions.py in the page's language.

    Spelling and area suggestions keep their text (a Dutch search word, a place name);
    theme suggestions show the theme's label.
    """
    voor = item.get("voor", "")
    out = dict(item)
    if voor in SUGGESTION_WORDS:
        out["voor"] = gettext(SUGGESTION_WORDS[voor]) + " "
    if item.get("soort") == "thema":
        out["tekst"] = gettext(item["tekst"])
        na = item.get("na", "")
        if na.startswith(" in "):
            out["na"] = " " + gettext("in %(waar)s", waar=na[4:])
    return out


def form_message(text: str | None) -> str:
    """``text`` (a Dutch message from a check) in the page's language."""
    if not text:
        return ""
    for pattern, template in PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            values = match.groupdict()
            for key, words in (("kind", KINDS), ("plural", PLURALS), ("unit", UNITS)):
                if key in values:
                    values[key] = gettext(words.get(values[key], values[key]))
            return gettext(template, **values)
    return gettext(text)
