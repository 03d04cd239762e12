"""Importing records into PostGIS: counts add up, re-import is idempotent, geocoding precision,
rejects with reasons, duplicates reported, audit trail, manual placement kept."""

import shutil

import pytest
import sqlalchemy as sa

from geo.area_store import load_areas
from geo.areas import AreaSources
from geo.records.columns import RecordFileError
from geo.records.importer import import_file
from tests.geo.conftest import CSV, DATA


def _one(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def test_counts_add_up_and_bad_rows_do_not_stop_good_rows(rec_engine):
    result = import_file(rec_engine, CSV, "test")
    assert result.read == 9
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (6, 0, 0, 3)
    assert result.read == result.inserted + result.updated + result.unchanged + result.rejected
    by_line = {}
    for r in result.rejects:
        by_line.setdefault(r.line, []).append((r.column, r.reason))
    assert sorted(by_line) == [7, 9, 10]
    # telefoon and email of line 7 are warnings now, not rejects (the row still fails)
    assert {c for c, _ in by_line[7]} == {"postcode", "thema"}
    assert any("bedoelt u 'zorg-ondersteuning'" in reason for _, reason in by_line[7])
    assert by_line[9] == [("postcode", "ligt buiten het gebied van deze sociale kaart")]
    # 9999 XX is a well-formed postcode of a postcode region that is not loaded (issue 12.8)
    assert by_line[10] == [
        (
            "postcode",
            "Postcode 9999 XX ligt buiten het gebied dat geladen is (postcodes 6100-6499). "
            "Laad de gebieden van die gemeente of controleer de postcode.",
        )
    ]
    run = _one(
        rec_engine,
        "SELECT gelezen, nieuw, afgewezen FROM import_run WHERE id = :id",
        id=result.run_id,
    )
    assert tuple(run) == (9, 6, 3)


def test_reimport_changes_nothing(rec_engine):
    import_file(rec_engine, CSV, "test")
    before = _one(rec_engine, "SELECT count(*), max(gewijzigd_op) FROM locatie")
    audit_before = _one(rec_engine, "SELECT count(*) FROM wijziging")[0]
    again = import_file(rec_engine, CSV, "test")
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 6, 3)
    assert _one(rec_engine, "SELECT count(*), max(gewijzigd_op) FROM locatie") == before
    assert _one(rec_engine, "SELECT count(*) FROM wijziging")[0] == audit_before


def test_same_kvk_rows_form_one_organisation_with_two_services(rec_engine):
    import_file(rec_engine, CSV, "test")
    row = _one(
        rec_engine,
        "SELECT count(DISTINCT a.id), count(DISTINCT l.id), min(o.telefoon) "
        "FROM organisatie o JOIN aanbod a ON a.organisatie_id = o.id "
        "JOIN locatie l ON l.organisatie_id = o.id WHERE o.kvk_nummer = '12345678'",
    )
    assert tuple(row) == (2, 2, "045 560 0000")  # phones are stored in national notation
    themes = _one(
        rec_engine,
        "SELECT array_agg(t.thema_slug ORDER BY t.thema_slug) FROM aanbod a "
        "JOIN aanbod_thema t ON t.aanbod_id = a.id WHERE a.naam = 'Sociaal loket'",
    )[0]
    assert themes == ["geld-uitkering", "informatie-advies"]


@pytest.mark.parametrize(
    "name,precision,source,buurt_prefix",
    [
        ("Stichting Welzijn Heerlen", "adres", "BAG (test)", "BU0917"),
        ("Apotheek Markt", "adres", "BAG (test)", "BU0935"),
        ("Huisarts Vrijthof", "handmatig", "bestand", "BU0935"),
        ("Buurthuis Op de Kamp", "pc4", None, "BU0917"),
        ("Opvang Veilig Thuis", "adres", "BAG (test)", "BU0928"),
    ],
)
def test_each_location_says_how_precisely_it_was_placed(
    rec_engine, name, precision, source, buurt_prefix
):
    import_file(rec_engine, CSV, "test")
    row = _one(
        rec_engine,
        "SELECT min(l.geocode_precisie), min(l.geocode_bron), min(l.buurtcode), "
        "min(l.gemeentecode) FROM locatie l JOIN organisatie o ON o.id = l.organisatie_id "
        "WHERE o.naam = :n",
        n=name,
    )
    assert row[0] == precision
    if source:
        assert row[1] == source
    assert row[2].startswith(buurt_prefix) and row[3] == "GM" + buurt_prefix[2:6]


def test_changed_row_is_an_update_with_audit_diff(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "test")
    changed = tmp_path / "organisaties_test.csv"
    changed.write_text(
        CSV.read_text(encoding="utf-8").replace(
            "Apotheek in het centrum.", "Apotheek op de Markt."
        ),
        encoding="utf-8",
    )
    result = import_file(rec_engine, changed, "test")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 5)
    diff = _one(
        rec_engine,
        "SELECT diff, gebruiker FROM wijziging WHERE tabel = 'organisatie' AND actie = 'update'",
    )
    assert diff[0] == {"omschrijving": ["Apotheek in het centrum.", "Apotheek op de Markt."]}
    assert diff[1] == "import:test"
    assert _one(rec_engine, "SELECT versie FROM organisatie WHERE naam = 'Apotheek Markt'")[0] == 2


def test_editor_placement_survives_reimport(rec_engine):
    import_file(rec_engine, CSV, "test")
    with rec_engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE locatie SET geom = ST_Translate(geom, 30, 0), geocode_precisie = 'handmatig', "
                "geocode_bron = 'redactie' WHERE postcode = '6211CD'"
            )
        )
    import_file(rec_engine, CSV, "test")
    row = _one(
        rec_engine, "SELECT geocode_precisie, geocode_bron FROM locatie WHERE postcode = '6211CD'"
    )
    assert tuple(row) == ("handmatig", "redactie")


def test_same_kvk_from_another_source_is_a_probable_duplicate(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "test")
    other = tmp_path / "andere.csv"
    other.write_text(
        "organisatie,kvk,thema,postcode,huisnummer\n"
        "Welzijn Heerlen,12345678,informatie-advies,6411AB,12\n"
        "Apotheek de Markt,,zorg-ondersteuning,6211CD,1\n",
        encoding="utf-8",
    )
    result = import_file(rec_engine, other, "andere-bron")
    reasons = sorted((d["reden"], d["a_naam"], d["b_naam"]) for d in result.duplicates)
    assert reasons == [
        ("kvk", "Stichting Welzijn Heerlen", "Welzijn Heerlen"),
        ("naam_en_afstand", "Apotheek Markt", "Apotheek de Markt"),
    ]
    assert _one(rec_engine, "SELECT count(*) FROM organisatie")[0] == 7  # nothing merged


def test_unparseable_file_changes_nothing(rec_engine, tmp_path):
    bad = tmp_path / "kapot.csv"
    bad.write_text("thema;adres\nx;y\n", encoding="utf-8")
    with pytest.raises(RecordFileError, match="Verplichte kolom"):
        import_file(rec_engine, bad, "kapot")
    assert _one(rec_engine, "SELECT count(*) FROM import_run")[0] == 0


def test_area_codes_follow_a_reload_of_areas(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "test")
    with rec_engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE locatie SET buurtcode = NULL, wijkcode = NULL, gemeentecode = NULL")
        )
    for name in (
        "gebieden.toml",
        "gemeenten_limburg_2023.geojson",
        "wijken_zuid_limburg_2023_generalised.geojson",
        "buurten_zuid_limburg_2022_generalised.geojson",
        "kerncijfers_2024_gemeente_wijk_zuid_limburg.csv",
    ):
        shutil.copy(DATA / name, tmp_path / name)
    summary = load_areas(rec_engine, AreaSources.from_manifest(tmp_path / "gebieden.toml"))
    assert summary["locaties_herberekend"] == 6
    assert _one(rec_engine, "SELECT count(*) FROM locatie WHERE buurtcode IS NULL")[0] == 0


# The 0006 search document of a service, written out: bulk imports and migration 0010 must
# produce it to the byte.
def _documents(engine, sql="SELECT aanbod_id, zoektekst, zoeknamen FROM zoekdocument"):
    with engine.connect() as conn:
        return {row[0]: (str(row[1]), row[2]) for row in conn.execute(sa.text(sql))}


def test_bulk_import_writes_the_search_documents_and_queues_nothing(rec_engine, tmp_path):
    # One theme and one target group per service, so the order of names is fixed; the
    # same description on several services (analysed once) and different ones.
    path = tmp_path / "zoeken.csv"
    path.write_text(
        "id,organisatie,omschrijving,aanbod,aanbod_omschrijving,thema,doelgroep,postcode,huisnummer\n"
        "z1,Buurthuis De Pas,Ontmoeten in de wijk.,Koffieochtend,Samen koffie drinken.,"
        "meedoen-ontmoeten,ouderen,6211CD,1\n"
        "z2,Buurthuis De Pas,Ontmoeten in de wijk.,Taalcafé,Samen koffie drinken.,"
        "informatie-advies,nieuwkomers,6211CD,1\n"
        "z3,Thuiszorg Zuid,Zorg aan huis.,Wijkverpleging,,zorg-ondersteuning,ouderen,6211CD,1\n",
        encoding="utf-8",
    )
    result = import_file(rec_engine, path, "zoeken")
    assert result.inserted == 3
    documents = _documents(rec_engine)
    assert len(documents) == 3
    # The same documents as the trigger path's function builds (migrations 0006, 0018).
    with rec_engine.connect() as conn:
        conn.begin()
        conn.execute(sa.text("DELETE FROM zoekdocument"))
        conn.execute(sa.text("SELECT zoekdocument_bijwerken(ARRAY(SELECT id FROM aanbod))"))
        rebuilt = {
            row[0]: (str(row[1]), row[2])
            for row in conn.execute(
                sa.text("SELECT aanbod_id, zoektekst, zoeknamen FROM zoekdocument")
            )
        }
        conn.rollback()
    assert documents == rebuilt
    assert (
        _one(
            rec_engine,
            "SELECT (SELECT count(*) FROM zoekdocument_wachtrij) "
            "+ (SELECT count(*) FROM zoekdocument_vlag)",
        )[0]
        == 0
    )


def test_changed_themes_rebuild_the_search_document(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "test")
    changed = tmp_path / "organisaties_test.csv"
    changed.write_text(
        CSV.read_text(encoding="utf-8").replace(
            "Sociaal loket,informatie-advies;geld-uitkering,", "Sociaal loket,vervoer,"
        ),
        encoding="utf-8",
    )
    result = import_file(rec_engine, changed, "test")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 5)
    themes, text = _one(
        rec_engine,
        "SELECT array_agg(t.thema_slug), min(z.zoektekst::text) "
        "FROM aanbod a JOIN aanbod_thema t ON t.aanbod_id = a.id "
        "JOIN zoekdocument z ON z.aanbod_id = a.id WHERE a.naam = 'Sociaal loket'",
    )
    assert themes == ["vervoer"]
    assert "'vervoer'" in text and "'geld'" not in text


def test_bulk_area_codes_are_the_ones_the_trigger_derives(rec_engine):
    import_file(rec_engine, CSV, "test")
    codes = "SELECT array_agg((id, buurtcode, wijkcode, gemeentecode) ORDER BY id) FROM locatie"
    imported = _one(rec_engine, codes)[0]
    with rec_engine.begin() as conn:
        conn.execute(sa.text("UPDATE locatie SET geom = geom"))  # the trigger derives again
    assert _one(rec_engine, codes)[0] == imported
    assert _one(rec_engine, "SELECT count(*) FROM locatie WHERE buurtcode IS NULL")[0] == 0


def test_list_fields_keep_quotes_and_backslashes(rec_engine, tmp_path):
    path = tmp_path / "talen.csv"
    path.write_text(
        "organisatie,thema,postcode,huisnummer,talen\n"
        'Taalhuis,informatie-advies,6211CD,1,"nl;fries ""west"";a\\\\b,{c}"\n',
        encoding="utf-8",
    )
    assert import_file(rec_engine, path, "talen").inserted == 1
    assert _one(rec_engine, "SELECT talen FROM aanbod WHERE bron = 'talen'")[0] == [
        "nl",
        'fries "west"',
        "a\\\\b,{c}",
    ]


def test_one_service_twice_at_one_address_under_two_ids_rejects_the_later_row(rec_engine, tmp_path):
    # One link holds one id: the second row was a unique-key crash of the whole import
    path = tmp_path / "tweemaal.csv"
    path.write_text(
        "id,organisatie,aanbod,thema,postcode,huisnummer\n"
        "r1,Buurthuis De Kring,Koffie-ochtend,meedoen-ontmoeten,6211CD,1\n"
        "r2,Buurthuis De Kring,Koffie-ochtend,meedoen-ontmoeten,6211CD,1\n"
        "r3,Buurthuis De Kring,Taalles,meedoen-ontmoeten,6211CD,1\n",
        encoding="utf-8",
    )
    result = import_file(rec_engine, path, "tweemaal")
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    [reject] = result.rejects
    assert (reject.line, reject.column) == (3, "aanbod")
    assert reject.reason == "dienst 'Koffie-ochtend' staat op dit adres al op regel 2"
    assert _one(
        rec_engine, "SELECT count(*), min(bron_id) FROM aanbod_locatie WHERE bron = 'tweemaal'"
    ) == (2, "r1")
    again = import_file(rec_engine, path, "tweemaal")
    assert (again.unchanged, again.rejected) == (2, 1)


def test_an_organisation_and_a_service_over_several_rows_take_the_first_filled_value(
    rec_engine, tmp_path
):
    path = tmp_path / "volgorde.csv"
    path.write_text(
        "organisatie,aanbod,thema,postcode,huisnummer,website,kosten,aanbod_omschrijving\n"
        "Wijkteam Noord,Spreekuur,informatie-advies,6211CD,1,,,\n"
        "Wijkteam Noord,Spreekuur,informatie-advies,6211CD,3,https://b.example,,Tweede\n"
        "Wijkteam Noord,Spreekuur,informatie-advies,6211CD,5,https://c.example,Gratis,Derde\n"
        "Wijkteam Noord,Spreekuur,informatie-advies,6211CD,7,https://d.example,5 euro,Vierde\n",
        encoding="utf-8",
    )
    result = import_file(rec_engine, path, "volgorde")
    assert (result.inserted, result.rejected) == (4, 0)
    assert _one(
        rec_engine,
        "SELECT o.website, a.kosten, a.omschrijving, count(*) FROM organisatie o "
        "JOIN aanbod a ON a.organisatie_id = o.id "
        "JOIN aanbod_locatie al ON al.aanbod_id = a.id "
        "WHERE o.bron = 'volgorde' GROUP BY 1, 2, 3",
    ) == ("https://b.example", "Gratis", "Tweede", 4)
