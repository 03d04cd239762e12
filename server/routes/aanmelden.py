"""Self-registration for organisations (placeholder until built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("aanmelden", __name__)
