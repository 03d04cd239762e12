"""Editors' record screens (placeholder until built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from server.auth import editor_required

bp = Blueprint("beheer_records", __name__, url_prefix="/beheer/organisaties")


@bp.get("")
@editor_required
def zoeken():
    """Placeholder."""
    return render_template("beheer/start.html", counts={})
