"""The tables of one HSDS file, indexed for building import rows.

``Tables`` looks rows up by id and by reference, gives the taxonomy terms and our own
traits of an object (taxonomy ``sociale-kaart-kenmerk``) and each object's stable key.
The trait codes are here too: our export writes them, the import reads them back.
"""

from __future__ import annotations

from collections import defaultdict

from geo.records.hsds_taxonomy import TRAIT, load_mapping

TRAITS = ("vertrouwelijk", "zichtbaarheid", "synthetisch", "capaciteit")
KEY_TRAIT, PRECISION_TRAIT = "bron_id", "geocode_precisie"
SOURCE_TRAIT = "bron"  # the source (import_run.bron) our own export wrote for each record


def clean(obj: dict, drop: tuple[str, ...] = ()) -> dict:
    """An HSDS object without empty fields and without the references in ``drop``."""
    return {k: v for k, v in obj.items() if v not in (None, "") and k not in drop}


class Tables:
    """The tables of one file with the indexes the rows need."""

    def __init__(self, t: dict[str, list[dict]]):
        self.t = t
        self.by_id = {name: {str(r["id"]): r for r in rows} for name, rows in t.items()}
        self._ix: dict[tuple[str, str], dict[str, list[dict]]] = {}
        taxonomies = self.by_id.get("taxonomy", {})
        for term in t.get("taxonomy_term", []):
            if not term.get("taxonomy") and term.get("taxonomy_id") in taxonomies:
                term["taxonomy"] = taxonomies[term["taxonomy_id"]].get("name", "")
        self.mapping = load_mapping()
        self.keys = {name: self._keys(name) for name in t}

    def get(self, table: str, key) -> dict:
        """The row of ``table`` with id ``key`` ({} when there is none)."""
        return self.by_id.get(table, {}).get(str(key or ""), {})

    def of(self, table: str, field: str, key) -> list[dict]:
        """Rows of ``table`` whose ``field`` is ``key``."""
        if (table, field) not in self._ix:
            index = defaultdict(list)
            for row in self.t.get(table, []):
                if row.get(field):
                    index[str(row[field])].append(row)
            self._ix[(table, field)] = index
        return self._ix[(table, field)].get(str(key or ""), []) if key else []

    def terms(self, link_id) -> list[dict]:
        """The taxonomy terms attached to an object, each with the attribute's value."""
        out = []
        for attribute in self.of("attribute", "link_id", link_id):
            term = self.get("taxonomy_term", attribute.get("taxonomy_term_id"))
            if term:
                out.append(clean(term) | clean({"value": attribute.get("value")}))
        return out

    def traits(self, link_id) -> dict[str, str]:
        """Our own attributes of an object (taxonomy ``sociale-kaart-kenmerk``)."""
        return {
            t.get("code", ""): t.get("value", "")
            for t in self.terms(link_id)
            if t.get("taxonomy") == TRAIT
        }

    def _keys(self, table: str) -> dict[str, str]:
        """HSDS id -> our stable key: the key our own export wrote, else the HSDS id.

        Keys are unique per source: an export of several sources may hold the same key
        once in each (records are stored under their own source again).
        """
        out: dict[str, str] = {}
        used: set[tuple[str, str]] = set()
        for row in self.t.get(table, []):
            key = str(row["id"])
            traits = self.traits(key) if "attribute" in self.t else {}
            restored, source = traits.get(KEY_TRAIT, ""), traits.get(SOURCE_TRAIT, "")
            if restored and (source, restored) not in used:
                key = restored
            out[str(row["id"])] = key
            used.add((source, key))
        return out

    def key(self, table: str, row: dict) -> str:
        """Our stable key of a row (see ``_keys``)."""
        return self.keys.get(table, {}).get(str(row.get("id", "")), str(row.get("id", "")))
