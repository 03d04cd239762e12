"""Answers to verification links (placeholder until built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("verificatie", __name__)
