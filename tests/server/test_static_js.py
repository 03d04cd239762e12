"""Our scripts never turn text into HTML: popups, lists and labels are built with DOM text
nodes, so a stored name like ``<img src=x onerror=alert(1)>`` can only ever show as text."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "server" / "static"
HTML_SINKS = re.compile(
    r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|setHTML|"
    r"\.setHTML\(|new Function\(|\beval\("
)


def test_no_script_writes_html_from_strings():
    scripts = sorted(STATIC.glob("*.js"))
    assert len(scripts) >= 4
    for script in scripts:
        for number, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1):
            assert not HTML_SINKS.search(line), f"{script.name}:{number}: {line.strip()}"
