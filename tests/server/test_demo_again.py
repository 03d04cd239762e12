"""The demo command run again: it keeps its coverage run and checks its port first."""

from __future__ import annotations

import socket

import click
import pytest

from server import create_app
from server.commands.demo import check_port_free, coverage_run_needed
from tests.conftest import app_config


def test_a_second_demo_does_not_compute_the_same_coverage_again(demo_app):
    with demo_app.app_context():
        assert coverage_run_needed(records_changed=False) is False
        assert coverage_run_needed(records_changed=True) is True


def test_the_first_demo_computes_a_coverage_run(fresh_url):
    with create_app(app_config(fresh_url)).app_context():
        assert coverage_run_needed(records_changed=False) is True


def test_the_demo_refuses_a_port_in_use_before_loading_and_names_the_setting():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(click.ClickException, match=f"SOCIALE_KAART_PORT={port + 1}"):
            check_port_free("127.0.0.1", port)
    check_port_free("127.0.0.1", port)  # free again
