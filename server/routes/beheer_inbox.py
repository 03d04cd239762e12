"""Editors' queues (placeholder until built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from server.auth import editor_required

bp = Blueprint("beheer_inbox", __name__, url_prefix="/beheer/wachtrijen")


@bp.get("")
@editor_required
def overzicht():
    """Placeholder."""
    return render_template("beheer/start.html", counts={})
