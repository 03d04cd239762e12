"""Verification rounds and freshness for editors (placeholder until built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from server.auth import editor_required

bp = Blueprint("beheer_verificatie", __name__, url_prefix="/beheer")


@bp.get("/verificatie")
@editor_required
def rondes():
    """Placeholder."""
    return render_template("beheer/start.html", counts={})


@bp.get("/actualiteit")
@editor_required
def actualiteit():
    """Placeholder."""
    return render_template("beheer/start.html", counts={})
