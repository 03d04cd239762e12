"""The web app's role (migrations 0012 and 0014) reads what is published, adds a melding,
calls the four SECURITY DEFINER functions, and writes exactly the tables editors and the
sign-in need (records, links, accounts, queues); it can change, delete or read nothing else.
Requests use it, commands use the owner."""

import pytest
import sqlalchemy as sa
from psycopg.errors import InsufficientPrivilege

from geo.db import make_engine
from geo.pgcluster import WEB_GROUP, WEB_LOGIN
from server.database import get_engine, get_read_engine
from tests.conftest import web_url

SECRET_TABLES = [
    "limiet_teller",
    "zoekvraag_bezoeker",
    "zoekvraag_zout",
    "voorzieningen_basis",
    "analyse_locatievoorstel",
]
# Every UPDATE/DELETE the web role has (editors write through it; they archive, never
# delete records: DELETE only on link tables and failed-login counters).
WRITABLE = {
    ("organisatie", "UPDATE"),
    ("wijkteam", "UPDATE"),  # wijkteams (issue 14): switched off, never deleted
    ("notitie", "UPDATE"),
    ("api_token", "UPDATE"),
    ("aanbod", "UPDATE"),
    ("locatie", "UPDATE"),
    ("contactpersoon", "UPDATE"),
    ("aanbod_thema", "UPDATE"),
    ("aanbod_thema", "DELETE"),
    ("aanbod_doelgroep", "UPDATE"),
    ("aanbod_doelgroep", "DELETE"),
    ("aanbod_locatie", "UPDATE"),
    ("aanbod_locatie", "DELETE"),
    ("gebruiker", "UPDATE"),
    ("sessie", "UPDATE"),
    ("inlogpoging", "UPDATE"),
    ("inlogpoging", "DELETE"),
    ("wachtwoord_herstel", "UPDATE"),
    ("aanmelding", "UPDATE"),
    ("importwaarschuwing", "UPDATE"),
    ("verificatie_ronde", "UPDATE"),
    ("verificatie_verzoek", "UPDATE"),
    ("melding", "UPDATE"),
    ("mogelijk_dubbel", "UPDATE"),
    ("thema_voorstel", "UPDATE"),  # proposed themes: confirmed or rejected (migration 0016)
    ("geocode_cache", "UPDATE"),
}
DEFINER_FUNCTIONS = [
    "zoekvraag_tellen(text, text, text, float8, float8, text)",
    "limiet_verhogen(text, integer, integer)",
    "limiet_stand(text)",
    "limiet_wissen(text)",
]


@pytest.fixture(scope="module")
def web(demo_url):
    engine = make_engine(web_url(demo_url))
    yield engine
    engine.dispose()


def _refused(web, sql: str, params: dict | None = None) -> None:
    with pytest.raises(sa.exc.ProgrammingError) as info, web.begin() as conn:
        conn.execute(sa.text(sql), params or {})
    assert isinstance(info.value.orig, InsufficientPrivilege), info.value


def test_the_login_role_is_only_a_member_of_the_web_group(web):
    with web.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, "
                "pg_has_role(current_user, :group, 'MEMBER') "
                "FROM pg_roles r WHERE r.rolname = current_user"
            ),
            {"group": WEB_GROUP},
        ).one()
    assert tuple(row) == (WEB_LOGIN, False, False, False, True)


def test_web_role_cannot_change_areas_or_taxonomy(web):
    _refused(web, "UPDATE gebied SET naam = 'gekaapt'")
    _refused(web, "UPDATE thema SET naam = 'gekaapt'")
    _refused(web, "DELETE FROM organisatie WHERE false")


@pytest.mark.parametrize("table", SECRET_TABLES)
def test_web_role_cannot_read_internal_tables(web, table):
    _refused(web, f"SELECT * FROM {table} LIMIT 1")


def test_web_role_writes_only_what_editors_need(web, demo_engine):
    with web.connect() as conn:
        allowed = conn.execute(
            sa.text(
                "SELECT c.relname, p.privilege FROM pg_class c "
                "CROSS JOIN unnest(ARRAY['DELETE', 'UPDATE', 'TRUNCATE', 'REFERENCES', "
                "'TRIGGER']) AS p(privilege) "
                "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p') "
                "AND has_table_privilege(current_user, c.oid, p.privilege)"
            )
        ).all()
        tables = (
            conn.execute(
                sa.text(
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind = 'r' AND relname <> 'spatial_ref_sys'"
                )
            )
            .scalars()
            .all()
        )
    assert {tuple(row) for row in allowed} == WRITABLE
    assert len(tables) > 20
    deletable = {t for t, p in WRITABLE if p == "DELETE"}
    for table in tables:  # and PostgreSQL really refuses each other one
        if table not in deletable:
            _refused(web, f"DELETE FROM {table} WHERE false")


def test_web_role_reads_every_published_layer(web):
    with web.connect() as conn:
        views = (
            conn.execute(
                sa.text(
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    "AND relkind IN ('v', 'm') AND relname LIKE 'laag\\_%'"
                )
            )
            .scalars()
            .all()
        )
        assert "laag_voorzieningen" in views
        for view in views:
            conn.execute(sa.text(f"SELECT * FROM {view} LIMIT 1")).all()
        assert conn.execute(sa.text("SELECT count(*) FROM laag_voorzieningen")).scalar_one() > 1000
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM gebied WHERE niveau = 'gemeente'")
            ).scalar_one()
            == 16
        )


def test_web_role_executes_the_definer_functions_and_nobody_else_can(web, demo_engine):
    with web.begin() as conn:
        conn.execute(
            sa.text("SELECT zoekvraag_tellen('webroltest', NULL, 'GM0935', NULL, NULL, 'client-1')")
        )
        assert conn.execute(sa.text("SELECT limiet_verhogen('webrol', 60, 1)")).scalar() == 1
        assert conn.execute(sa.text("SELECT aantal FROM limiet_stand('webrol')")).scalar() == 1
        conn.execute(sa.text("SELECT limiet_wissen('webrol')"))
        conn.rollback()
    with demo_engine.connect() as conn:
        for function in DEFINER_FUNCTIONS:
            public = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a "
                    "WHERE p.oid = CAST(:f AS regprocedure) AND a.grantee = 0"
                ),
                {"f": function},
            ).scalar_one()
            assert public == 0, f"PUBLIC may execute {function}"


def test_web_role_adds_a_melding_but_cannot_set_its_status(web, demo_engine):
    with demo_engine.connect() as conn:
        organisatie = conn.execute(sa.text("SELECT max(id) FROM organisatie")).scalar_one()
    with web.begin() as conn:
        new_id = conn.execute(
            sa.text(
                "INSERT INTO melding (organisatie_id, tekst) VALUES (:o, 'klopt niet') RETURNING id"
            ),
            {"o": organisatie},
        ).scalar_one()
        conn.rollback()
    assert new_id > 0
    _refused(
        web,
        "INSERT INTO melding (organisatie_id, tekst, status) VALUES (:o, 'x', 'afgehandeld')",
        {"o": organisatie},
    )


def test_requests_use_the_web_role_and_commands_the_owner(app):
    with app.app_context():
        with get_engine().connect() as conn:
            assert conn.execute(sa.text("SELECT current_user")).scalar() != WEB_LOGIN
    with app.test_request_context("/"):
        for engine in (get_engine(), get_read_engine()):
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT current_user")).scalar() == WEB_LOGIN
                assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "10s"
