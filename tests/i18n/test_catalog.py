"""The catalogs: complete (every text in the sources translated), compiled, and Dutch-free.

The first test extracts with Babel's own API from the sources that babel.cfg names, into
a fresh catalog, and fails on any msgid that messages.po lacks or leaves empty or fuzzy:
a new or changed text without its translation cannot pass. The second fails when the
committed messages.mo is not messages.po compiled (run the compile command in
docs/ARCHITECTURE.md §15).
"""

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "server" / "translations"
LANGUAGES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())


def extracted() -> Catalog:
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def test_there_is_an_english_catalog():
    assert "en" in LANGUAGES


@pytest.fixture(scope="module")
def sources() -> Catalog:
    catalog = extracted()
    assert len(catalog) > 300  # the residents' pages, mails, map texts and the taxonomy
    return catalog


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated(sources, language):
    po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    problems = []
    for message in sources:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            problems.append(f"empty: {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    assert not problems, f"{language}: " + "\n".join(problems)


def test_the_taxonomy_labels_are_in_the_catalog(sources):
    for label in ("Wonen en huishouden", "Mantelzorgers", "Voor alle inwoners."):
        assert label in sources


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_is_fresh(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    assert (folder / "messages.mo").read_bytes() == compiled.getvalue(), (
        f"{language}: messages.mo is older than messages.po; compile it (docs/ARCHITECTURE.md)"
    )


def test_placeholders_survive_translation():
    """A translation keeps exactly the %(name)s and {name} values of its Dutch text."""
    import re

    pattern = re.compile(r"%\(\w+\)s|\{\w+\}")
    for language in LANGUAGES:
        with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
            catalog = read_po(f, locale=language)
        for message in catalog:
            if message.id and message.string:
                assert sorted(pattern.findall(message.id)) == sorted(
                    pattern.findall(message.string)
                ), (language, message.id)
