"""Keyword rules propose a theme from a service's names: measured on realistic Dutch names."""

from __future__ import annotations

import tomllib

from geo.records.theme_proposal import KEYWORDS_FILE, ThemeRules, fold, shipped_rules

# (service name, organisation, the theme an editor would choose). Written by hand from
# municipal social maps and Wmo product lists; not tuned one by one to the rules.
NAMES = [
    ("Thuiszorg", "Thuiszorg Sevagram", "zorg-ondersteuning"),
    ("Maaltijdservice Tafeltje Dek Je", "Stichting Tafeltje Dek Je", "wonen-huishouden"),
    ("Schuldhulpverlening Heerlen", "Gemeente Heerlen", "geld-uitkering"),
    ("Jeugd- en gezinscoach", "Alles Kits", "opgroeien-opvoeden"),
    ("Huisartsenpraktijk Vrijthof", "Huisartsenpraktijk Vrijthof", "zorg-ondersteuning"),
    ("Fysiotherapie Op de Kamp", "Fysiotherapie Op de Kamp", "zorg-ondersteuning"),
    ("Mantelzorgondersteuning", "Steunpunt Mantelzorg Zuid", "zorg-ondersteuning"),
    ("Buurthuis De Kakert", "Stichting Buurthuis De Kakert", "meedoen-ontmoeten"),
    ("Koffieochtend voor ouderen", "KBO Simpelveld", "meedoen-ontmoeten"),
    ("Regiotaxi Zuid-Limburg", "Omnibuzz", "vervoer"),
    ("Automaatje vrijwillige chauffeurs", "ANWB", "vervoer"),
    ("Rolstoelbus", "Stichting Rolstoelbus Vaals", "vervoer"),
    ("Dagbesteding De Boomgaard", "Zorgboerderij De Boomgaard", "werk-dagbesteding"),
    ("Vrijwilligerscentrale", "Vrijwilligerscentrale Maastricht", "werk-dagbesteding"),
    ("Re-integratietraject", "WSP Parkstad", "werk-dagbesteding"),
    ("Voedselbank uitgiftepunt", "Voedselbank Maastricht", "geld-uitkering"),
    ("Thuisadministratie", "Humanitas", "geld-uitkering"),
    ("Formulierenbrigade", "Gemeente Kerkrade", "geld-uitkering"),
    ("Consultatiebureau", "GGD Zuid-Limburg", "opgroeien-opvoeden"),
    ("Kinderopvang De Speelhoek", "Kinderopvang Parkstad", "opgroeien-opvoeden"),
    ("Opvoedondersteuning", "Centrum voor Jeugd en Gezin", "opgroeien-opvoeden"),
    ("Peuterspeelzaal Hummeltjes", "Spelenderwijs", "opgroeien-opvoeden"),
    ("Veilig Thuis Limburg", "Veilig Thuis", "veiligheid"),
    ("Vrouwenopvang", "Blijf van mijn Lijf", "veiligheid"),
    ("Maatschappelijke opvang", "Leger des Heils", "veiligheid"),
    ("Slachtofferhulp", "Slachtofferhulp Nederland", "veiligheid"),
    ("Sociaal raadslieden", "Trajekt", "informatie-advies"),
    ("Wmo-loket", "Gemeente Vaals", "informatie-advies"),
    ("Bibliotheek Centrum", "Bibliotheek Maastricht", "informatie-advies"),
    ("Wijkteam Heerlen-Noord", "Gemeente Heerlen", "informatie-advies"),
    ("Juridisch spreekuur", "Het Juridisch Loket", "informatie-advies"),
    ("Taalhuis", "Bibliotheek Kerkrade", "informatie-advies"),
    ("Beweegcoach voor 65-plussers", "Sportief Parkstad", "gezond-blijven"),
    ("Stoppen met roken", "GGD Zuid-Limburg", "gezond-blijven"),
    ("Wandelgroep Ommetje", "Sportclub Geleen", "gezond-blijven"),
    ("Valpreventie training", "Fysio Meerssen", "gezond-blijven"),
    ("Huishoudelijke hulp", "Meander Thuishulp", "wonen-huishouden"),
    ("Klussendienst", "Stichting Klusjesdienst Sittard", "wonen-huishouden"),
    ("Woningaanpassing", "Gemeente Sittard-Geleen", "wonen-huishouden"),
    ("Woningzoekenden spreekuur", "Woningcorporatie Weller", "wonen-huishouden"),
    ("Apotheek", "Apotheek Markt", "zorg-ondersteuning"),
    ("Wijkverpleging", "Envida", "zorg-ondersteuning"),
    ("Maatjesproject eenzaamheid", "Stichting Welzijn Heerlen", "meedoen-ontmoeten"),
    ("Repair Café", "Buurtvereniging Caumerveld", "meedoen-ontmoeten"),
    ("Jongerenwerk", "Alcander", "opgroeien-opvoeden"),
    ("Budgetcoach", "Stichting Welzijn Vaals", "geld-uitkering"),
    ("Bijzondere bijstand", "Sociale Dienst Maastricht-Heuvelland", "geld-uitkering"),
    ("Dementie ontmoetingscentrum", "Alzheimer Nederland", "zorg-ondersteuning"),
]


def test_proposals_are_right_for_at_least_80_percent_of_realistic_names():
    rules = shipped_rules()
    wrong = []
    for aanbod, organisatie, expected in NAMES:
        proposal = rules.propose(aanbod, organisatie)
        got = proposal.slug if proposal else None
        if got != expected:
            wrong.append((aanbod, organisatie, expected, got))
    share = 1 - len(wrong) / len(NAMES)
    print(f"\nthema voorgesteld: {share:.0%} goed van {len(NAMES)} namen; fout: {wrong}")
    assert len(NAMES) >= 40
    assert share >= 0.8, wrong


def test_every_theme_of_the_taxonomy_has_keywords_and_every_keyword_one_theme():
    data = tomllib.loads(KEYWORDS_FILE.read_text(encoding="utf-8"))
    taxonomy = tomllib.loads(
        (KEYWORDS_FILE.parents[2] / "geo/migrations/versions/0002_taxonomie.toml").read_text()
    )
    assert list(data) == [t["slug"] for t in taxonomy["thema"]]
    seen: dict[str, str] = {}
    for slug, lists in data.items():
        assert set(lists) <= {"woorden", "zwak", "hele_woorden"}
        for word in (w for words in lists.values() for w in words):
            assert seen.setdefault(fold(word), slug) == slug, f"{word}: {seen[fold(word)]}, {slug}"


def test_compounds_longest_keyword_and_reason():
    rules = shipped_rules()
    proposal = rules.propose("Schuldhulpverlening", None)
    assert proposal is not None
    assert (proposal.slug, proposal.keyword) == ("geld-uitkering", "schuldhulp")
    assert proposal.reason == "trefwoord 'schuldhulp' in de naam van het aanbod"
    # "thuiszorg" wins over the weak "zorg" at the same place
    assert rules.propose("Thuiszorgorganisatie", None).keyword == "thuiszorg"
    # whole words only for abbreviations: "ggd" in "Eggdorp" is nothing
    assert rules.propose("Eggdorp", None) is None
    assert rules.propose("GGD spreekuur", None).slug == "gezond-blijven"
    # accents and case do not matter
    assert rules.propose("DIËTIST aan huis", None).slug == "zorg-ondersteuning"


def test_names_weigh_more_than_descriptions_and_nothing_gives_none():
    rules = shipped_rules()
    proposal = rules.propose("Taxi naar de huisarts", None, "Wij rijden u naar de huisarts.")
    assert proposal is not None and proposal.slug == "vervoer"
    described = rules.propose("De Linde", "De Linde", "Een plek om samen koffie te drinken.")
    assert described is not None and described.slug == "meedoen-ontmoeten"
    assert described.field == "de omschrijving van het aanbod"
    assert rules.propose("Stichting ABC", "ABC B.V.", None, "Zie website.") is None


def test_extra_keywords_of_a_mapping_file_win():
    rules = shipped_rules().with_extra({"meedoen-ontmoeten": ["schutterij"], "vervoer": ["koor"]})
    assert rules.propose("Schutterij Sint Joris", None).slug == "meedoen-ontmoeten"
    assert rules.propose("Koor", None).slug == "vervoer"  # the file's own choice wins
    assert shipped_rules().propose("Schutterij Sint Joris", None) is None
    assert isinstance(rules, ThemeRules)
