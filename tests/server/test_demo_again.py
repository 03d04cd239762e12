"""Running the demo again keeps its coverage run when the demo data did not change."""

from __future__ import annotations

from server import create_app
from server.commands.demo import coverage_run_needed
from tests.conftest import app_config


def test_a_second_demo_does_not_compute_the_same_coverage_again(demo_app):
    with demo_app.app_context():
        assert coverage_run_needed(records_changed=False) is False
        assert coverage_run_needed(records_changed=True) is True


def test_the_first_demo_computes_a_coverage_run(fresh_url):
    with create_app(app_config(fresh_url)).app_context():
        assert coverage_run_needed(records_changed=False) is True
