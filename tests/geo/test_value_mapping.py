"""The mapping file maps values and sets defaults; rows without a theme get a proposed one.

Real PostGIS (tests/geo/conftest.py: areas, postcodes and a BAG sample of Heerlen and
Maastricht addresses).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from geo.accounts import create_user
from geo.records.columns import Mapping, RecordFileError, load_mapping_file, value_key
from geo.records.importer import import_file
from geo.records.theme_review import decide
from geo.records.validate import NO_THEME

# A Wmo product list: the product names in their own column, which the mapping file turns
# into themes; no doelgroep column (the mapping sets a default).
WMO_CSV = """\
Aanbieder;Product;Omschrijving;Postcode;Huisnr;Plaats
Sevagram;Hulp bij het huishouden;;6411 AB;12;Heerlen
Sevagram;  hulp BIJ het   huishouden ;Tweede locatie;6411 AB;14A;Heerlen
Meander;Begeleiding individueel;;6211 CD;1;Maastricht
Trajekt;Welzijn;;6211 CD;3-2;Maastricht
Trajekt;Welzijn| Vervoer;Rijdende winkel;6411 AB;12;Heerlen
Humanitas;Overig;Thuisadministratie voor iedereen;6211 CD;1;Maastricht
Envida;Persoonsgebonden budget;;6211 CD;1;Maastricht
"""
WMO_MAPPING = """\
[kolommen]
"Product" = "thema"
"Omschrijving" = "aanbod_omschrijving"

[waarden.thema]
"Hulp bij het huishouden" = "wonen-huishouden"
"Begeleiding individueel" = ["zorg-ondersteuning", "werk-dagbesteding"]
"Welzijn" = "meedoen-ontmoeten"
"Vervoer" = "vervoer"
"Overig" = ""

[standaard]
doelgroep = "ouderen"
"""
# The shape of a national care-provider list: names and addresses, no theme at all.
NATIONAL_CSV = """\
Naam zorgaanbieder,KvK-nummer,Postcode,Huisnummer
Thuiszorg Sevagram,12345670,6411 AB,12
Fysiotherapie Bongerd,12345671,6411 AB,14A
Huisartsenpraktijk Markt,12345672,6211 CD,1
Stichting ABC,12345673,6211 CD,3-2
"""
NATIONAL_MAPPING = '[kolommen]\n"Naam zorgaanbieder" = "organisatie"\n'


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _themes(engine, bron) -> dict[str, list[str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT o.naam || ' / ' || a.naam, array_agg(t.thema_slug ORDER BY t.thema_slug) "
                "FILTER (WHERE t.thema_slug IS NOT NULL) FROM aanbod a "
                "JOIN organisatie o ON o.id = a.organisatie_id "
                "LEFT JOIN aanbod_thema t ON t.aanbod_id = a.id WHERE a.bron = :bron "
                "GROUP BY 1"
            ),
            {"bron": bron},
        ).all()
    return {name: themes or [] for name, themes in rows}


def _proposals(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT a.naam, v.thema_slug, v.status, v.reden FROM thema_voorstel v "
                "JOIN aanbod a ON a.id = v.aanbod_id"
            )
        ).all()
    return {naam: (slug, status, reden) for naam, slug, status, reden in rows}


def test_value_key_and_cells_with_several_values():
    assert value_key("  Hulp BIJ het\thuishouden ") == "hulp bij het huishouden"
    mapping = Mapping(
        waarden={"thema": {"welzijn": ["meedoen-ontmoeten"], "overig": []}},
        standaard={"doelgroep": "ouderen"},
    )
    row = {"thema": "Welzijn; vervoer| OVERIG"}
    mapping.apply(row)
    assert row == {"thema": "meedoen-ontmoeten; vervoer", "doelgroep": "ouderen"}
    kept = {"thema": "welzijn", "doelgroep": "jongeren"}
    mapping.apply(kept)  # a value of the file wins over the default
    assert kept == {"thema": "meedoen-ontmoeten", "doelgroep": "jongeren"}


def test_wmo_product_names_map_to_themes_with_defaults(rec_engine, tmp_path):
    data = _write(tmp_path, "wmo.csv", WMO_CSV)
    mapping = _write(tmp_path, "wmo.toml", WMO_MAPPING)
    result = import_file(rec_engine, data, "wmo", mapping_file=mapping)
    reasons = {r.line: (r.column, r.reason) for r in result.rejects}
    # an unknown value is a clear reason for its row only
    assert reasons == {
        8: (
            "Product",
            "thema 'Persoonsgebonden budget' bestaat niet; kies uit: "
            + ", ".join(
                [
                    "wonen-huishouden",
                    "zorg-ondersteuning",
                    "gezond-blijven",
                    "vervoer",
                    "werk-dagbesteding",
                    "geld-uitkering",
                    "meedoen-ontmoeten",
                    "opgroeien-opvoeden",
                    "informatie-advies",
                    "veiligheid",
                ]
            )
            + "; of koppel de waarde onder [waarden.thema]",
        )
    }
    assert result.read == 7 and result.inserted == 6
    themes = _themes(rec_engine, "wmo")
    assert themes == {
        "Sevagram / Sevagram": ["wonen-huishouden"],  # case and spaces do not matter
        "Meander / Meander": ["werk-dagbesteding", "zorg-ondersteuning"],
        "Trajekt / Trajekt": ["meedoen-ontmoeten", "vervoer"],
        # "Overig" maps to nothing: the theme is proposed from the description
        "Humanitas / Humanitas": ["geld-uitkering"],
    }
    assert result.themes_proposed == 1
    assert _proposals(rec_engine) == {
        "Humanitas": (
            "geld-uitkering",
            "open",
            "trefwoord 'thuisadministratie' in de omschrijving van het aanbod",
        )
    }
    with rec_engine.connect() as conn:
        groups = conn.execute(
            sa.text("SELECT DISTINCT doelgroep_slug FROM aanbod_doelgroep")
        ).scalars()
        assert set(groups) == {"ouderen"}  # the default of the mapping file


def test_national_list_without_theme_column_lands_with_proposals(rec_engine, tmp_path):
    data = _write(tmp_path, "landelijk.csv", NATIONAL_CSV)
    mapping = _write(tmp_path, "landelijk.toml", NATIONAL_MAPPING)
    result = import_file(rec_engine, data, "landelijk", mapping_file=mapping)
    assert (result.read, result.inserted, result.rejected) == (4, 3, 1)
    assert [(r.line, r.column, r.reason) for r in result.rejects] == [(5, "thema", NO_THEME)]
    assert result.themes_proposed == 3
    assert _themes(rec_engine, "landelijk") == {
        "Thuiszorg Sevagram / Thuiszorg Sevagram": ["zorg-ondersteuning"],
        "Fysiotherapie Bongerd / Fysiotherapie Bongerd": ["zorg-ondersteuning"],
        "Huisartsenpraktijk Markt / Huisartsenpraktijk Markt": ["zorg-ondersteuning"],
    }
    proposals = _proposals(rec_engine)
    assert {k: v[:2] for k, v in proposals.items()} == {
        "Thuiszorg Sevagram": ("zorg-ondersteuning", "open"),
        "Fysiotherapie Bongerd": ("zorg-ondersteuning", "open"),
        "Huisartsenpraktijk Markt": ("zorg-ondersteuning", "open"),
    }
    assert (
        proposals["Thuiszorg Sevagram"][2] == "trefwoord 'thuiszorg' in de naam van de organisatie"
    )
    with rec_engine.connect() as conn:
        # a proposed theme is shown publicly: the service can be found under it
        public = conn.execute(
            sa.text(
                "SELECT count(*) FROM laag_voorzieningen WHERE 'zorg-ondersteuning' = ANY(themas)"
            )
        ).scalar()
        report = conn.execute(
            sa.text(
                "SELECT rapport ->> 'thema_voorgesteld' FROM import_run WHERE bron = 'landelijk'"
            )
        ).scalar()
    assert public == 3 and report == "3"

    # a re-import changes nothing and proposes nothing new
    with rec_engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT count(*) FROM wijziging")).scalar()
    again = import_file(rec_engine, data, "landelijk", mapping_file=mapping)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    with rec_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM wijziging")).scalar() == audit
        assert conn.execute(sa.text("SELECT count(*) FROM thema_voorstel")).scalar() == 3


def test_editor_decisions_survive_a_reimport(rec_engine, tmp_path):
    data = _write(tmp_path, "landelijk.csv", NATIONAL_CSV)
    mapping = _write(tmp_path, "landelijk.toml", NATIONAL_MAPPING)
    import_file(rec_engine, data, "landelijk", mapping_file=mapping)
    with rec_engine.begin() as conn:
        editor = create_user(conn, "thema@example.nl", "redacteur", "een-lang-wachtwoord-123")
        ids = dict(
            conn.execute(
                sa.text(
                    "SELECT a.naam, v.id FROM thema_voorstel v JOIN aanbod a ON a.id = v.aanbod_id"
                )
            ).all()
        )
        decide(conn, editor, ids["Fysiotherapie Bongerd"], True, "gezond-blijven", "beweegles")
        decide(conn, editor, ids["Huisartsenpraktijk Markt"], False, None, "klopt niet")
        decide(conn, editor, ids["Thuiszorg Sevagram"], True)
    before = _themes(rec_engine, "landelijk")
    assert before == {
        "Thuiszorg Sevagram / Thuiszorg Sevagram": ["zorg-ondersteuning"],
        "Fysiotherapie Bongerd / Fysiotherapie Bongerd": ["gezond-blijven"],
        "Huisartsenpraktijk Markt / Huisartsenpraktijk Markt": [],
    }
    again = import_file(rec_engine, data, "landelijk", mapping_file=mapping)
    assert _themes(rec_engine, "landelijk") == before
    assert again.themes_proposed == 0
    assert {v[1] for v in _proposals(rec_engine).values()} == {"bevestigd", "afgewezen"}


def test_a_file_that_names_the_theme_again_ends_the_open_proposal(rec_engine, tmp_path):
    mapping = _write(tmp_path, "landelijk.toml", NATIONAL_MAPPING)
    data = _write(tmp_path, "landelijk.csv", NATIONAL_CSV)
    import_file(rec_engine, data, "landelijk", mapping_file=mapping)
    named = _write(
        tmp_path,
        "met_thema.csv",
        "Naam zorgaanbieder,KvK-nummer,Postcode,Huisnummer,Thema\n"
        "Thuiszorg Sevagram,12345670,6411 AB,12,vervoer\n"
        "Fysiotherapie Bongerd,12345671,6411 AB,14A,\n"
        "Huisartsenpraktijk Markt,12345672,6211 CD,1,\n",
    )
    import_file(rec_engine, named, "landelijk", mapping_file=mapping)
    themes = _themes(rec_engine, "landelijk")
    assert themes["Thuiszorg Sevagram / Thuiszorg Sevagram"] == ["vervoer"]
    assert set(_proposals(rec_engine)) == {"Fysiotherapie Bongerd", "Huisartsenpraktijk Markt"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[waarden.kleur]\n"x" = "y"\n', "noemt kolommen die niet bestaan: kleur"),
        ('[standaard]\nkleur = "rood"\n', "noemt kolommen die niet bestaan: kleur"),
        ('[waarden.thema]\n"x" = 3\n', "koppelt 'x' in [waarden.thema] niet aan tekst"),
        ('[standaard]\ndoelgroep = ["a"]\n', "moet in [standaard] tekst hebben"),
        ("[trefwoorden]\nvervoer = 3\n", "moet in [trefwoorden] lijsten hebben"),
        ('[kolom]\n"a" = "organisatie"\n', "heeft onbekende tabel(len): kolom"),
        ("[waarden\n", "is geen geldige TOML (regel 1)"),
    ],
)
def test_bad_mapping_files_are_one_dutch_sentence(tmp_path, text, message):
    path = _write(tmp_path, "m.toml", text)
    with pytest.raises(RecordFileError) as caught:
        load_mapping_file(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[waarden.thema]\n"Welzijn" = "welzijn"\n', "noemt thema die niet bestaan: welzijn"),
        ('[standaard]\ndoelgroep = "bejaarden"\n', "noemt doelgroep die niet bestaan: bejaarden"),
        (
            '[trefwoorden]\nsport = ["voetbal"]\n',
            "trefwoorden voor thema's die niet bestaan: sport",
        ),
    ],
)
def test_mapping_to_unknown_slugs_refuses_the_file(rec_engine, tmp_path, text, message):
    data = _write(tmp_path, "wmo.csv", WMO_CSV)
    path = _write(tmp_path, "m.toml", text)
    with pytest.raises(RecordFileError) as caught:
        import_file(rec_engine, data, "wmo", mapping_file=path)
    assert message in str(caught.value)
    with rec_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM import_run")).scalar() == 0


def test_extra_keywords_of_the_mapping_file_propose_themes(rec_engine, tmp_path):
    data = _write(
        tmp_path, "d.csv", "organisatie,postcode,huisnummer\nSchutterij Sint Joris,6411 AB,12\n"
    )
    path = _write(tmp_path, "m.toml", '[trefwoorden]\nmeedoen-ontmoeten = ["schutterij"]\n')
    assert import_file(rec_engine, data, "s").rejected == 1
    result = import_file(rec_engine, data, "s", mapping_file=path)
    assert (result.inserted, result.rejected, result.themes_proposed) == (1, 0, 1)
    assert _proposals(rec_engine)["Schutterij Sint Joris"][0] == "meedoen-ontmoeten"
