"""The demo shows a working editors' workspace: accounts, open meldingen, a running round."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from server.commands.demo import DEMO_ACCOUNTS, DEMO_ROUND_GEMEENTE, seed_workspace


def test_demo_has_accounts_meldingen_and_a_round(demo_engine):
    with demo_engine.connect() as conn:
        accounts = dict(conn.execute(sa.text("SELECT email, rol FROM gebruiker")).all())
        meldingen = conn.execute(
            sa.text("SELECT count(*) FROM melding WHERE status = 'nieuw'")
        ).scalar()
        rounds = conn.execute(
            sa.text(
                "SELECT r.gemeentecode, count(v.id), count(v.verzonden_op) "
                "FROM verificatie_ronde r JOIN verificatie_verzoek v ON v.ronde_id = r.id "
                "GROUP BY r.gemeentecode"
            )
        ).all()
    for email, rol, _ in DEMO_ACCOUNTS:
        assert accounts[email] == rol
    assert meldingen >= 3
    assert len(rounds) == 1 and rounds[0][0] == DEMO_ROUND_GEMEENTE
    assert rounds[0][1] > 5 and rounds[0][2] > 0  # requests made, mails written


def test_seeding_again_prints_no_password_and_adds_nothing(demo_app, demo_engine):
    with demo_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM melding")).scalar()
    with demo_app.app_context():
        assert seed_workspace() == []
    with demo_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM melding")).scalar() == before


def test_demo_mails_are_eml_files(demo_app):
    folder = Path(demo_app.config["DATA_DIR"]) / "mail"
    assert any(folder.glob("*.eml"))
