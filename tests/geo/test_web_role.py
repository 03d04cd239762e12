"""The web app's role (migration 0012) reads what is published, adds a melding and calls the
four SECURITY DEFINER functions; it can change, delete or read nothing else. Requests use
it, commands use the owner."""

import pytest
import sqlalchemy as sa
from psycopg.errors import InsufficientPrivilege

from geo.db import make_engine
from geo.pgcluster import WEB_GROUP, WEB_LOGIN
from server.database import get_engine, get_read_engine
from tests.conftest import web_url

SECRET_TABLES = [
    "contactpersoon",
    "melding",
    "limiet_teller",
    "zoekvraag_bezoeker",
    "zoekvraag_zout",
    "import_run",
    "wijziging",
    "geocode_cache",
    "mogelijk_dubbel",
    "voorzieningen_basis",
]
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


def test_web_role_cannot_update_organisatie(web):
    _refused(web, "UPDATE organisatie SET naam = 'gekaapt'")


@pytest.mark.parametrize("table", SECRET_TABLES)
def test_web_role_cannot_read_internal_tables(web, table):
    _refused(web, f"SELECT * FROM {table} LIMIT 1")


def test_web_role_cannot_read_meldingen_back(web):
    _refused(web, "SELECT tekst, email FROM melding")


def test_web_role_cannot_delete_update_or_truncate_anything(web, demo_engine):
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
    assert allowed == []
    assert len(tables) > 20
    for table in tables:  # and PostgreSQL really refuses each one
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
