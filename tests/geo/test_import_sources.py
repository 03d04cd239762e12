"""Source identity: ``--bron`` names a source, never the file name; renamed files change nothing."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from geo.records.columns import RecordFileError
from geo.records.importer import import_file
from geo.records.sources import known_sources
from server import create_app
from tests.conftest import url_string
from tests.geo.conftest import CSV

OTHER = (
    "organisatie,aanbod,thema,postcode,huisnummer\n"
    "Fanfare Sint-Caecilia,Muziekles,meedoen-ontmoeten,6211CD,1\n"
    "Schutterij Sint-Joris,Schietsport,meedoen-ontmoeten,6411AB,12\n"
)


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM organisatie), (SELECT count(*) FROM aanbod), "
                "(SELECT count(*) FROM locatie)"
            )
        ).one()


def test_a_new_source_needs_bron(rec_engine):
    with pytest.raises(RecordFileError) as refused:
        import_file(rec_engine, CSV)
    assert "Geef met --bron NAAM aan" in str(refused.value)
    assert "er is nog geen bron geïmporteerd" in str(refused.value)
    assert _counts(rec_engine) == (0, 0, 0)


def test_a_renamed_file_of_the_same_source_changes_nothing(rec_engine, tmp_path):
    november = tmp_path / "november.csv"
    shutil.copy(CSV, november)
    first = import_file(rec_engine, november, "Gemeente Heerlen")
    before = _counts(rec_engine)
    december = tmp_path / "december.csv"
    shutil.copy(CSV, december)
    for bron in ("Gemeente Heerlen", None):  # named, then recognised by content
        again = import_file(rec_engine, december, bron)
        assert again.bron == "Gemeente Heerlen"
        assert (again.inserted, again.updated) == (0, 0)
        assert again.unchanged == first.inserted
        assert _counts(rec_engine) == before
    assert again.recognised == before[0]  # every organisation of the file was known
    with rec_engine.connect() as conn:
        runs = conn.execute(sa.text("SELECT bestand, bron FROM import_run ORDER BY id")).all()
    assert [tuple(r) for r in runs] == [
        ("november.csv", "Gemeente Heerlen"),
        ("december.csv", "Gemeente Heerlen"),
        ("december.csv", "Gemeente Heerlen"),
    ]


def test_a_file_of_another_source_is_refused_with_the_known_sources(rec_engine, tmp_path):
    import_file(rec_engine, CSV, "Gemeente Heerlen")
    other = tmp_path / "verenigingen.csv"
    other.write_text(OTHER, encoding="utf-8")
    before = _counts(rec_engine)
    with pytest.raises(RecordFileError) as refused:
        import_file(rec_engine, other)
    message = str(refused.value)
    assert "past bij geen bekende bron" in message
    assert "'Gemeente Heerlen' (laatst organisaties_test.csv)" in message
    assert _counts(rec_engine) == before
    result = import_file(rec_engine, other, "Verenigingen")
    assert result.inserted == 2


def test_a_file_that_fits_two_sources_needs_bron(rec_engine):
    import_file(rec_engine, CSV, "A")
    import_file(rec_engine, CSV, "B")
    with pytest.raises(RecordFileError, match="past bij meer dan één bron \\('A', 'B'\\)"):
        import_file(rec_engine, CSV, "  ")
    with rec_engine.connect() as conn:
        assert sorted(s.bron for s in known_sources(conn)) == ["A", "B"]


def test_cli_lists_sources_and_refuses_a_new_source_without_bron(base_engine, rec_engine):
    app = create_app({"DATABASE_URL": url_string(base_engine.url), "TESTING": True})
    runner = app.test_cli_runner()
    out = runner.invoke(args=["organisations", "bronnen"])
    assert out.exit_code == 0 and "nog geen bron" in out.output
    refused = runner.invoke(args=["organisations", "import", str(CSV)])
    assert refused.exit_code == 1
    assert refused.output.strip().startswith("Geef met --bron NAAM aan")
    import_file(rec_engine, CSV, "Gemeente Heerlen")
    out = runner.invoke(args=["organisations", "bronnen"])
    assert out.exit_code == 0
    assert "Gemeente Heerlen" in out.output and "organisaties_test.csv" in out.output
