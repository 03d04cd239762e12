"""Citations of the project's documents point at something that exists.

Code and tests cite a section of a document in ``docs/`` as ``docs/NAME.md §N`` (also
``§N.M``, ``§N(x)``, a range ``§N–M`` and a list ``§N, §M`` or ``§N and §M``). The file
must exist and carry a numbered heading ``N`` (``## N. …`` or ``### N.M …``); for
``§N(x)`` the section must also contain ``(x)``.

The design notes the project grew from are not in the repository, so a citation of one
of them without the ``docs/`` path (``ARCHITECTURE.md §3``, ``design §3.1``, ``design
D12``) points nowhere for a reader of the code, and fails here too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCANNED_FOLDERS = ("geo", "layers", "analysis", "server", "demo", "bench", "tests", "notebooks")
SUFFIXES = {".py", ".sql", ".html", ".js", ".ipynb", ".toml"}
SKIPPED_FOLDERS = {"__pycache__", "node_modules", ".ipynb_checkpoints"}

NUMBER = r"\d+(?:\.\d+)*"
ONE = rf"{NUMBER}(?:\([a-z]\))?"
# ``§N``, ``§N.M``, ``§N(x)``; then more of the same document: ``–M`` (a range, no spaces),
# ``, §M``, ``and §M``, ``en §M``.
REFS = rf"§\s?{ONE}(?:[–-]{ONE}|\s*(?:,|and|en)\s+§\s?{ONE})*"
CITATION = re.compile(rf"docs/(?P<name>[A-Za-z0-9_.-]+?\.md)\s*(?P<refs>{REFS})")
REF = re.compile(rf"(?P<number>{NUMBER})(?:\((?P<letter>[a-z])\))?")
DESIGN_NAMES = r"(?:ANALYSIS|ARCHITECTURE|CONVENTIONS|OGC-SERVING|PLATFORMS|STYLE-ANCHORS)\.md"
BARE_DESIGN = re.compile(rf"(?<!docs/){DESIGN_NAMES}")
# "design §3.1", "design D6/D10": a section of a design text by number, no file at all.
DESIGN_SECTION = re.compile(r"\bdesign\s+(?:§\s?\d|D\d)")
HEADING = re.compile(rf"^(?P<hashes>#{{2,6}})\s+(?P<number>{NUMBER})\.?\s", re.M)


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


def sections(markdown: str) -> dict[str, str]:
    """Numbered sections of a Markdown text: number -> its text up to the next heading of
    the same or a higher level (so a section includes its subsections)."""
    found = list(HEADING.finditer(markdown))
    result = {}
    for i, heading in enumerate(found):
        level = len(heading["hashes"])
        end = next((h.start() for h in found[i + 1 :] if len(h["hashes"]) <= level), len(markdown))
        result[heading["number"]] = markdown[heading.start() : end]
    return result


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _check_refs(name: str, refs: str, docs: Path) -> list[str]:
    path = docs / name
    if not path.is_file():
        return [f"docs/{name} does not exist"]
    numbered = _sections_of(path)
    problems = []
    for ref in REF.finditer(refs):
        number, letter = ref["number"], ref["letter"]
        if number not in numbered:
            problems.append(
                f"docs/{name} has no section {number} (numbered headings: "
                f"{', '.join(numbered) or 'none'})"
            )
        elif letter and f"({letter})" not in numbered[number]:
            problems.append(f"docs/{name} §{number} has no ({letter})")
    return problems


@cache
def _sections_of(path: Path) -> dict[str, str]:
    return sections(path.read_text(encoding="utf-8"))


def bad_references(text: str, docs: Path = DOCS) -> list[Problem]:
    """Every citation in ``text`` that points nowhere, with its line number.

    ``docs`` is the folder the ``docs/NAME.md`` citations are resolved in.
    """
    problems = []
    for citation in CITATION.finditer(text):
        for problem in _check_refs(citation["name"], citation["refs"], docs):
            problems.append(Problem(_line(text, citation.start()), problem))
    for bare in BARE_DESIGN.finditer(text):
        problems.append(
            Problem(
                _line(text, bare.start()),
                f"{bare[0]} without docs/: that design text is not in the "
                "repository; cite a section of a document in docs/",
            )
        )
    for design in DESIGN_SECTION.finditer(text):
        problems.append(
            Problem(
                _line(text, design.start()),
                f"{design[0]!r} cites a design text that is not in the "
                "repository; cite a section of a document in docs/",
            )
        )
    return sorted(problems, key=lambda p: p.line)


def _text_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":  # the cells' own text, not JSON-escaped
        cells = json.loads(text)["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells)
    return text


def scanned_files() -> list[Path]:
    files = []
    for folder in SCANNED_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if (
                path.suffix in SUFFIXES
                and path.is_file()
                and not SKIPPED_FOLDERS & set(path.relative_to(ROOT).parts)
                and path != Path(__file__).resolve()
            ):  # its examples are meant to fail
                files.append(path)
    return files


# ----------------------------------------------------------------- the checker itself

FAKE_DOC = """\
# A document

## 1. First

### 1.1 A subsection

## 2. Second

### (a) Formulas

### (c) Pipeline

## 3 Third, numbered without a dot
"""


@pytest.fixture
def docs(tmp_path):
    (tmp_path / "FAKE.md").write_text(FAKE_DOC, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "text",
    [
        "see docs/FAKE.md §1",
        "see docs/FAKE.md §1.1 and docs/FAKE.md §3.",
        "(docs/FAKE.md §2(c))",
        "docs/FAKE.md §1–2",
        "docs/FAKE.md §1, §2 and §3",
        "``docs/FAKE.md`` describes it",  # the whole document, no section
        "OGC 17-069r4 §7.15.4",  # a standard's own numbering
    ],
)
def test_good_references_pass(docs, text):
    assert bad_references(text, docs) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see docs/MISSING.md §1", "docs/MISSING.md does not exist"),
        ("x\nsee docs/FAKE.md §4", "docs/FAKE.md has no section 4"),
        ("docs/FAKE.md §1.2", "docs/FAKE.md has no section 1.2"),
        ("docs/FAKE.md §2(b)", "docs/FAKE.md §2 has no (b)"),
        ("docs/FAKE.md §1(c)", "docs/FAKE.md §1 has no (c)"),  # (c) is in §2, not §1
        ("docs/FAKE.md §1–7", "docs/FAKE.md has no section 7"),
        ("docs/FAKE.md §1 and §9", "docs/FAKE.md has no section 9"),
        ("the flag rule of ANALYSIS.md §5(c)", "ANALYSIS.md without docs/"),
        ("(OGC-SERVING.md §B)", "OGC-SERVING.md without docs/"),
        ("see ARCHITECTURE.md", "ARCHITECTURE.md without docs/"),
        ("the pattern of design §3.1", "'design §3' cites a design text"),
        ("counters (design D6/D10)", "'design D6' cites a design text"),
    ],
)
def test_planted_bad_references_are_found(docs, text, expected):
    problems = bad_references(text, docs)
    assert len(problems) == 1, problems
    assert problems[0].text.startswith(expected), problems[0]
    assert problems[0].line == text.count("\n") + 1


def test_sections_include_their_subsections():
    numbered = sections(FAKE_DOC)
    assert list(numbered) == ["1", "1.1", "2", "3"]
    assert "### 1.1 A subsection" in numbered["1"]
    assert "(c) Pipeline" in numbered["2"] and "Third" not in numbered["2"]


# ------------------------------------------------------------- the repository's citations


def test_the_scan_sees_the_packages_and_the_tests():
    files = {p.relative_to(ROOT).as_posix() for p in scanned_files()}
    assert {
        "geo/sql/0008_analyse.up.sql",
        "tests/server/test_ogc_core.py",
        "server/templates/base.html",
    } <= files
    assert any(f.startswith("notebooks/") and f.endswith(".ipynb") for f in files)


def test_every_citation_in_code_and_tests_points_to_a_numbered_section():
    problems = [
        f"{path.relative_to(ROOT)} {problem}"
        for path in scanned_files()
        for problem in bad_references(_text_of(path))
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_every_citation_in_the_documents_points_to_a_numbered_section(name):
    path = ROOT / name if name == "README.md" else DOCS / name
    problems = [
        str(p)
        for p in bad_references(path.read_text(encoding="utf-8"))
        if name == "README.md" or "without docs/" not in p.text
    ]
    assert problems == [], "\n".join(problems)
