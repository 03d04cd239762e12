"""What residents type, and what must come first (issue 16): a measured query set.

Each case is a query as a resident types it (everyday words, Dutch compounds, typos,
everyday area names) with what counts as a relevant first result: a theme of the first
service, words in its organisation or service name, and for area queries the area that
was understood. The share of queries with a relevant first result is printed and must be
at least 95 %. Run alone to see the failures and the share:

    .venv/bin/python -m pytest tests/layers/test_resident_queries.py -s -q

Numbers before and after the search-word work are in bench/RESULTS.md ("Resident queries").
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.layers.search_helpers import run


@dataclass(frozen=True)
class Case:
    """One resident query and what makes its first result relevant."""

    tekst: str
    namen: tuple[str, ...] = ()  # any of these in the organisation or service name
    thema: str | None = None  # or this theme on the first service
    gebied: str | None = None  # the area the search must have understood (its name)
    soort: str = "woord"  # woord, samenstelling, tikfout or gebied (for the report)

    def relevant(self, result) -> bool:
        """Whether the first result (and the understood area) answer the query."""
        if not result.items:
            return False
        if self.gebied and (result.gebied or {}).get("naam") != self.gebied:
            return False
        first = result.items[0]
        name = f"{first['organisatie']} {first['aanbod']}".lower()
        return any(n in name for n in self.namen) or (self.thema in first["thema"])


def C(tekst, *namen, thema=None, gebied=None, soort="woord"):  # noqa: N802 - a table row
    """A case; short to keep the table readable."""
    return Case(tekst, tuple(namen), thema, gebied, soort)


S, T, G = "samenstelling", "tikfout", "gebied"
CARE_AT_HOME = ("buurtzorg", "wijkverpleging", "persoonlijke verzorging", "huishoudelijke hulp")
MEALS = ("open restaurant", "soep", "maaltijd")
QUERIES = [
    # everyday words for what the records call differently
    C("dokter", "huisarts"),
    C("huisdokter", "huisarts", soort=S),
    C("thuiszorg", *CARE_AT_HOME, soort=S),
    C("maaltijdservice", *MEALS, soort=S),
    C("warme maaltijd", *MEALS),
    C("jeugdhulp", thema="opgroeien-opvoeden", soort=S),
    C("jeugdzorg", thema="opgroeien-opvoeden", soort=S),
    C("opvoedingsondersteuning", "opvoed", "gezinscoach", soort=S),
    C("opvoedvragen", "opvoed", "gezinscoach", soort=S),
    C("mantelzorg", "mantelzorg"),
    C("mantelzorgondersteuning", "mantelzorg", soort=S),
    C("schuldhulp", "schuld", soort=S),
    C("schuldhulpverlening", "schuld", soort=S),
    C("geldzorgen", "schuld", thema="geld-uitkering", soort=S),
    C("rood staan", thema="geld-uitkering"),
    C("dagbesteding", "dagbesteding"),
    C("huisarts", "huisarts"),
    C("wijkverpleging", "wijkverpleging", "buurtzorg"),
    C("wijkverpleegkundige", "wijkverpleging", "buurtzorg", soort=S),
    C("voedselbank", "voedsel"),
    C("gratis eten", "voedsel", *MEALS),
    C("kinderopvang", "kinderopvang", "kinderdagverblijf", "buitenschoolse"),
    C("creche", "kinderdagverblijf", "kinderopvang"),
    C("bso", "buitenschoolse"),
    C("peuterspeelzaal", "kinderopvang", "peuter", soort=S),
    C("babyspreekuur", "consultatiebureau", soort=S),
    C("eenzaam", thema="meedoen-ontmoeten"),
    C("eenzaamheid", thema="meedoen-ontmoeten"),
    C("gemeenschapshuis", "buurthuis", soort=S),
    C("huiselijk geweld", "huiselijk geweld"),
    C("mishandeling", "huiselijk geweld"),
    C("dakloos", "nachtopvang"),
    C("daklozenopvang", "nachtopvang", soort=S),
    C("regiotaxi", thema="vervoer", soort=S),
    C("rolstoelvervoer", thema="vervoer", soort=S),
    C("fysio", "fysio"),
    C("fysiotherapeut", "fysiotherapie"),
    C("apotheker", "apotheek"),
    C("pillen", "medicijn", "apotheek"),
    C("tandarts", "tandarts", "dental"),
    C("ziekenhuis", "ziekenhuis", "poli"),
    C("belastingaangifte", "formulier", "raadslieden", "digitale overheid", soort=S),
    C("toeslagen", thema="geld-uitkering"),
    C("bijstand", thema="geld-uitkering"),
    C("werk zoeken", thema="werk-dagbesteding"),
    C("vrijwilligerswerk", "vrijwillig"),
    C("taalles", "taal", "nederlands", soort=S),
    C("nederlands leren", "taal", "nederlands"),
    C("klusjesman", "klus", soort=S),
    C("poetshulp", "huishoudelijke hulp", soort=S),
    C("schoonmaakhulp", "huishoudelijke hulp", soort=S),
    C("wmo", "wmo", "cliëntondersteuning", "wijkteam"),
    C("wmo loket", "wmo", "cliëntondersteuning", "wijkteam"),
    C("seniorenadvies", "ouderenadviseur", soort=S),
    C("respijtzorg", "respijtzorg"),
    C("sporten", thema="gezond-blijven"),
    C("afvallen", thema="gezond-blijven"),
    C("stoppen met roken", thema="gezond-blijven"),
    C("bieb", "bibliotheek"),
    C("kringloopwinkel", "kleding", "spullen", soort=S),
    C("repair cafe", "repair", "repareren"),
    C("hangplek jongeren", "jongerenontmoetingsplek", "jongerenwerk"),
    C("speelgoedbank", "speelgoed", "speel-o-theek", soort=S),
    # typos
    C("huisats", "huisarts", soort=T),
    C("apoteek", "apotheek", soort=T),
    C("thuisorg", *CARE_AT_HOME, soort=T),
    C("mantelsorg", "mantelzorg", soort=T),
    C("kinderopfang", "kinderopvang", "kinderdagverblijf", soort=T),
    C("dagbestding", "dagbesteding", soort=T),
    C("fysiotherapy", "fysiotherapie", soort=T),
    # everyday area names
    C("huisarts maastricht-west", "huisarts", gebied="Maastricht-West", soort=G),
    C("apotheek in Mestreech", "apotheek", gebied="Mestreech", soort=G),
    C("buurthuis Heerlen-Noord", "buurthuis", gebied="Heerlen-Noord", soort=G),
    C("dagbesteding in Parkstad", "dagbesteding", gebied="Parkstad", soort=G),
    C("thuiszorg in Heerlen", *CARE_AT_HOME, gebied="Heerlen", soort=G),
    C("fysiotherapie in Hoensbroek", "fysiotherapie", gebied="Hoensbroek", soort=G),
    C(
        "consultatiebureau Westelijke Mijnstreek",
        "consultatiebureau",
        soort=G,
        gebied="Westelijke Mijnstreek",
    ),
]


def test_the_query_set_is_big_enough():
    assert len(QUERIES) >= 60
    assert len({q.tekst for q in QUERIES}) == len(QUERIES)


def test_resident_queries_find_a_relevant_first_result(demo_engine):
    """At least 95 % of the resident queries have a relevant first result."""
    failed = []
    for case in QUERIES:
        result = run(demo_engine, tekst=case.tekst, limit=3)
        if not case.relevant(result):
            first = result.items[0] if result.items else None
            failed.append(
                f"{case.tekst!r} ({case.soort}): "
                + (
                    f"{first['organisatie']} / {first['aanbod']} {first['thema']}"
                    if first
                    else "niets gevonden"
                )
                + (f"; gebied {result.gebied and result.gebied['naam']}" if case.gebied else "")
            )
    share = 1 - len(failed) / len(QUERIES)
    print(
        f"\nResident queries: {len(QUERIES) - len(failed)}/{len(QUERIES)} relevant first "
        f"result ({share:.1%})"
    )
    for line in failed:
        print("  not relevant:", line)
    assert share >= 0.95, "\n".join(failed)
