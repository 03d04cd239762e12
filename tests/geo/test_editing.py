"""The editors' ORM write path against real PostGIS, as the web role: create, edit, archive,
restore, optimistic locking, the audit trail, and archived records leaving public output."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geo.accounts import User
from geo.db import make_engine
from geo.records import editing, history
from geo.records.audit import set_writer
from geo.records.editing_search import Filters, may_edit_organisation, search
from geo.records.export import export_rows
from geo.records.models import Organisatie
from layers.pages.organisation import organisation
from tests.conftest import web_url

EDITOR = "ria@example.nl"
OTHER = "piet@example.nl"
# Vrijthof, Maastricht (GM0935) and the Bongerd, Heerlen (GM0917), WGS84.
MAASTRICHT = {"lon": ["5.6908"], "lat": ["50.8487"]}
HEERLEN = {"lon": ["5.9797"], "lat": ["50.8880"]}


@pytest.fixture(scope="module")
def engines(base_engine):
    web = make_engine(web_url(base_engine.url))
    yield base_engine, web
    web.dispose()


def write(engine, fn, writer=EDITOR):
    with engine.begin() as conn:
        session = Session(bind=conn)
        set_writer(session, writer)
        result = fn(session)
        session.flush()
        return result


def org_form(**extra):
    form = {"naam": ["Buurtkamer De Linde"], "zichtbaarheid": ["openbaar"]}
    form.update({k: [v] if isinstance(v, str) else v for k, v in extra.items()})
    return form


def make_org(web, name="Buurtkamer De Linde", point=MAASTRICHT, writer=EDITOR):
    """An organisation with a located location and a service there; their ids."""
    org = write(web, lambda s: editing.save(s, "organisatie", org_form(naam=name)).id, writer)
    loc = write(
        web,
        lambda s: (
            editing.save(s, "locatie", {"straat": ["Vrijthof"], **point}, organisatie_id=org).id
        ),
        writer,
    )
    svc = write(
        web,
        lambda s: (
            editing.save(
                s,
                "aanbod",
                {
                    "naam": ["Koffieochtend"],
                    "themas": ["meedoen-ontmoeten"],
                    "doelgroepen": ["ouderen"],
                    "locaties": [str(loc)],
                    "openingstijden": ["ma-vr 09:00-12:00"],
                },
                organisatie_id=org,
                known={"locaties": {loc}},
            ).id
        ),
        writer,
    )
    return org, loc, svc


def audit(owner, tabel, record_id):
    with owner.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT actie, gebruiker, diff FROM wijziging WHERE tabel = :t AND record_id = :i "
                "ORDER BY id"
            ),
            {"t": tabel, "i": record_id},
        ).all()


def layer_names(owner, org):
    with owner.connect() as conn:
        return (
            conn.execute(
                sa.text("SELECT aanbod FROM laag_voorzieningen WHERE organisatie_id = :o"),
                {"o": org},
            )
            .scalars()
            .all()
        )


def test_create_places_records_in_the_public_layer_with_audit(engines):
    owner, web = engines
    org, loc, svc = make_org(web)
    assert layer_names(owner, org) == ["Koffieochtend"]
    with owner.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT gemeentecode, geocode_precisie, geocode_bron, bron, "
                "laatst_geverifieerd_op FROM locatie WHERE id = :i"
            ),
            {"i": loc},
        ).one()
        hours = conn.execute(
            sa.text("SELECT openingstijden FROM aanbod WHERE id = :i"), {"i": svc}
        ).scalar()
    assert row == ("GM0935", "handmatig", "redactie", "redactie", dt.date.today())
    assert hours["dagen"]["ma"] == [["09:00", "12:00"]]
    assert [(a, g) for a, g, _ in audit(owner, "organisatie", org)] == [("insert", EDITOR)]
    links = audit(owner, "aanbod", svc)
    assert links[-1][1] == EDITOR
    assert links[-1][2]["themas"] == [[], ["meedoen-ontmoeten"]]


def test_edit_records_old_and_new_in_the_audit_trail(engines):
    owner, web = engines
    org, _loc, _svc = make_org(web, "Oude naam")

    def edit(s):
        rec = editing.load(s, "organisatie", org)
        return editing.save(
            s,
            "organisatie",
            org_form(naam="Nieuwe naam", website="voorbeeld.nl"),
            record_id=org,
            versie=rec.versie,
        ).versie

    assert write(web, edit, OTHER) == 2
    change = audit(owner, "organisatie", org)[-1]
    assert change[0:2] == ("update", OTHER)
    assert change[2]["naam"] == ["Oude naam", "Nieuwe naam"]
    assert change[2]["website"] == [None, "https://voorbeeld.nl"]
    assert layer_names(owner, org) == ["Koffieochtend"]
    with owner.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT organisatie FROM laag_voorzieningen WHERE organisatie_id = :o"),
                {"o": org},
            ).scalar()
            == "Nieuwe naam"
        )


def test_an_editor_sets_a_locations_own_phone(engines):
    """Per-location phones (migration 0019) are editable; the map shows them first."""
    owner, web = engines
    org, loc, _svc = make_org(web, "Wijkpost Twee Nummers")
    write(
        web,
        lambda s: editing.save(
            s,
            "organisatie",
            org_form(naam="Wijkpost Twee Nummers", telefoon="043 350 00 00"),
            record_id=org,
            versie=editing.load(s, "organisatie", org).versie,
        ),
    )

    def set_phone(s):
        rec = editing.load(s, "locatie", loc)
        form = {"straat": ["Vrijthof"], "telefoon": ["0433501234"], **MAASTRICHT}
        return editing.save(s, "locatie", form, record_id=loc, versie=rec.versie)

    write(web, set_phone)
    with owner.connect() as conn:
        own, shown = conn.execute(
            sa.text(
                "SELECT l.telefoon, v.telefoon FROM locatie l JOIN laag_voorzieningen v "
                "ON v.organisatie_id = l.organisatie_id WHERE l.id = :i"
            ),
            {"i": loc},
        ).first()
    assert own == shown and own.replace(" ", "").endswith("433501234")
    assert audit(owner, "locatie", loc)[-1][2]["telefoon"][0] is None


def test_bad_input_gives_dutch_messages_and_writes_nothing(engines):
    _owner, web = engines
    with pytest.raises(editing.EditError) as caught:
        write(
            web,
            lambda s: editing.save(
                s,
                "organisatie",
                org_form(
                    naam="",
                    website="javascript:alert(1)",
                    email="geen-mail",
                    telefoon="123",
                    kvk_nummer="12",
                ),
            ),
        )
    errors = caught.value.errors
    assert set(errors) == {"naam", "website", "email", "telefoon", "kvk_nummer"}
    assert "vul de naam in" in errors["naam"]
    assert "klopt niet" in errors["website"]


def test_a_point_outside_the_region_is_refused(engines):
    _owner, web = engines
    org, _loc, _svc = make_org(web)
    with pytest.raises(editing.EditError) as caught:
        write(
            web,
            lambda s: editing.save(
                s, "locatie", {"lon": ["4.89"], "lat": ["52.37"]}, organisatie_id=org
            ),
        )
    assert "buiten het gebied" in caught.value.errors["punt"]
    with pytest.raises(editing.EditError, match="buiten Nederland"):
        write(
            web,
            lambda s: editing.save(
                s, "locatie", {"lon": ["12.0"], "lat": ["41.0"]}, organisatie_id=org
            ),
        )


def test_a_location_is_placed_by_its_address(engines):
    owner, web = engines
    org, _loc, _svc = make_org(web)
    loc = write(
        web,
        lambda s: editing.save(
            s,
            "locatie",
            {
                "straat": ["Bongerd"],
                "huisnummer": ["14a"],
                "postcode": ["6411 ab"],
                "woonplaats": ["Heerlen"],
                "plaatsen": ["adres"],
            },
            organisatie_id=org,
        ),
    )
    assert (loc.geocode_precisie, loc.geocode_bron) == ("adres", "BAG (test)")
    assert (loc.postcode, loc.huisnummer, loc.huisletter) == ("6411AB", 14, "A")
    assert loc.gemeentecode == "GM0917"


def test_stale_versie_gives_both_versions_field_by_field(engines):
    owner, web = engines
    org, _loc, _svc = make_org(web, "Eerste naam")
    write(
        web,
        lambda s: editing.save(
            s, "organisatie", org_form(naam="Naam van Piet"), record_id=org, versie=1
        ),
        OTHER,
    )
    with pytest.raises(editing.EditConflict) as caught:
        write(
            web,
            lambda s: editing.save(
                s,
                "organisatie",
                org_form(naam="Naam van Ria", telefoon="043 123 45 67"),
                record_id=org,
                versie=1,
            ),
        )
    view = caught.value
    assert view.versie == 2
    rows = {r.name: r for r in view.rows}
    assert (rows["naam"].mine, rows["naam"].theirs, rows["naam"].differs) == (
        "Naam van Ria",
        "Naam van Piet",
        True,
    )
    assert rows["telefoon"].differs and not rows["zichtbaarheid"].differs
    with owner.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT naam FROM organisatie WHERE id = :i"), {"i": org}).scalar()
            == "Naam van Piet"
        )


def test_a_save_between_load_and_flush_raises_stale_data(engines):
    owner, web = engines
    org, _loc, _svc = make_org(web)
    with web.connect() as conn_a:
        session_a = Session(bind=conn_a)
        record = session_a.get(Organisatie, org)
        record.naam = "Versie A"
        write(
            web,
            lambda s: editing.save(
                s, "organisatie", org_form(naam="Versie B"), record_id=org, versie=1
            ),
            OTHER,
        )
        with pytest.raises(StaleDataError):
            session_a.flush()
        conn_a.rollback()
    with owner.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT naam FROM organisatie WHERE id = :i"), {"i": org}).scalar()
            == "Versie B"
        )


def test_archived_records_leave_every_public_path_and_come_back(engines):
    owner, web = engines
    org, loc, svc = make_org(web, "Archieftest")

    def public():
        with web.connect() as conn:
            page = organisation(conn, org, ("openbaar",))
            exported = [r for r in export_rows(conn) if r["organisatie"] == "Archieftest"]
        return (
            [a["naam"] for a in page["aanbod"]],
            [p["id"] for p in page["locaties"]],
            len(exported),
            layer_names(owner, org),
        )

    assert public() == (["Koffieochtend"], [loc], 1, ["Koffieochtend"])
    write(web, lambda s: editing.set_status(s, "aanbod", svc, 1, "gearchiveerd"))
    assert public() == ([], [loc], 0, [])
    write(web, lambda s: editing.set_status(s, "aanbod", svc, 2, "gepubliceerd"))
    write(web, lambda s: editing.set_status(s, "locatie", loc, 1, "gearchiveerd"))
    assert public() == (["Koffieochtend"], [], 0, [])
    with pytest.raises(editing.EditConflict):
        write(web, lambda s: editing.set_status(s, "locatie", loc, 1, "gepubliceerd"))
    write(web, lambda s: editing.set_status(s, "locatie", loc, 2, "gepubliceerd"))
    assert public() == (["Koffieochtend"], [loc], 1, ["Koffieochtend"])
    assert audit(owner, "aanbod", svc)[-1][2]["status"] == ["gearchiveerd", "gepubliceerd"]


def test_restore_an_earlier_version_in_one_step(engines):
    owner, web = engines
    org, loc, svc = make_org(web)
    first = audit(owner, "aanbod", svc)
    with owner.connect() as conn:
        first_id = conn.execute(
            sa.text("SELECT max(id) FROM wijziging WHERE tabel = 'aanbod' AND record_id = :i"),
            {"i": svc},
        ).scalar()
    assert first
    write(
        web,
        lambda s: editing.save(
            s,
            "aanbod",
            {
                "naam": ["Koffie en krant"],
                "themas": ["informatie-advies"],
                "doelgroepen": ["iedereen"],
                "locaties": [],
                "kosten": ["gratis"],
            },
            record_id=svc,
            versie=1,
            known={"locaties": {loc}},
        ),
        OTHER,
    )
    assert layer_names(owner, org) == []  # no location any more
    changed = write(web, lambda s: history.restore(s, "aanbod", svc, first_id, 2), EDITOR)
    assert {"naam", "kosten", "themas", "doelgroepen", "locaties"} <= set(changed)
    assert layer_names(owner, org) == ["Koffieochtend"]
    with web.connect() as conn:
        session = Session(bind=conn)
        record = editing.load(session, "aanbod", svc)
        assert (record.naam, record.kosten, record.versie) == ("Koffieochtend", None, 3)
        assert editing.links(session, svc) == {
            "themas": ["meedoen-ontmoeten"],
            "doelgroepen": ["ouderen"],
            "locaties": [loc],
        }
        changes = history.history(session, "aanbod", svc)
    assert changes[-1].gebruiker == EDITOR  # the restore is itself an audited change
    assert any(label == "Naam van het aanbod" for label, _o, _n in changes[-2].fields)


def test_restore_a_moved_location(engines):
    owner, web = engines
    org, loc, _svc = make_org(web)
    with owner.connect() as conn:
        placed = conn.execute(
            sa.text("SELECT max(id) FROM wijziging WHERE tabel = 'locatie' AND record_id = :i"),
            {"i": loc},
        ).scalar()
    write(
        web,
        lambda s: editing.save(
            s,
            "locatie",
            {"straat": ["Elders"], **HEERLEN},
            record_id=loc,
            versie=1,
            organisatie_id=org,
        ),
    )
    with web.connect() as conn:
        assert editing.point(Session(bind=conn), loc) == (5.9797, 50.888)
    write(web, lambda s: history.restore(s, "locatie", loc, placed, 2))
    with web.connect() as conn:
        session = Session(bind=conn)
        assert editing.point(session, loc) == (5.6908, 50.8487)
        record = editing.load(session, "locatie", loc)
        assert (record.straat, record.gemeentecode) == ("Vrijthof", "GM0935")


def test_restore_with_a_stale_versie_is_a_conflict(engines):
    _owner, web = engines
    org, _loc, _svc = make_org(web)
    with pytest.raises(editing.EditConflict):
        write(web, lambda s: history.restore(s, "organisatie", org, 1, 7))


def test_scope_and_list(engines):
    _owner, web = engines
    maastricht, _l, _s = make_org(web, "Scope Maastricht")
    heerlen, _l2, _s2 = make_org(web, "Scope Heerlen", HEERLEN)
    scoped = User(9, "scoped@example.nl", None, "redacteur", ("GM0935",), (), True)
    free = User(10, "free@example.nl", None, "redacteur", (), (), True)
    with web.connect() as conn:
        assert may_edit_organisation(conn, scoped, maastricht)
        assert not may_edit_organisation(conn, scoped, heerlen)
        assert may_edit_organisation(conn, free, heerlen)
        rows, total = search(conn, Filters(q="Scope"), scoped, 12)
        assert [r.naam for r in rows] == ["Scope Maastricht"] and total == 1
        rows, _ = search(conn, Filters(q="Scope", alle_gemeenten=True), scoped, 12)
        assert [r.naam for r in rows] == ["Scope Heerlen", "Scope Maastricht"]
        rows, _ = search(conn, Filters(q="Scope", gemeente="GM0917"), free, 12)
        assert [r.naam for r in rows] == ["Scope Heerlen"]
        rows, _ = search(conn, Filters(q="Scope", verouderd=True), free, 12)
        assert rows == []
    # A new organisation without a location: only its creator (or unscoped editors).
    new = write(
        web,
        lambda s: editing.save(s, "organisatie", org_form(naam="Nog zonder plek")).id,
        "scoped@example.nl",
    )
    other_scoped = User(11, "ander@example.nl", None, "redacteur", ("GM0935",), (), True)
    with web.connect() as conn:
        assert may_edit_organisation(conn, scoped, new)
        assert not may_edit_organisation(conn, other_scoped, new)
