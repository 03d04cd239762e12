"""Build the HSDS 3.0 objects of exported rows: our columns plus the kept HSDS fields.

Used by ``hsds_write`` (the file export) and the read-only ``/hsds`` API. Every object is
written once per id; an object several records refer to (a phone of a service and of its
location) is one row holding every reference, as the specification's own examples do.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from geo.records.hsds_index import KEY_TRAIT, PRECISION_TRAIT, SOURCE_TRAIT, TRAITS
from geo.records.hsds_kept import KVK_SCHEME
from geo.records.hsds_schedule import opening_hours, schedules_from_hours
from geo.records.hsds_taxonomy import GROUP, OWN, THEME, TRAIT

NUMBERS = {"extension", "minimum_age", "maximum_age", "amount", "year_incorporated"}
NUMBERS |= {"timezone", "count", "interval", "latitude", "longitude"}
REFERENCES: tuple[str, ...] = ("organization_id", "service_id", "location_id")
REFERENCES += ("service_at_location_id", "contact_id", "phone_id", "link_id")
REFERENCES += ("taxonomy_term_id", "taxonomy_id")
TAXONOMIES = {
    THEME: "Thema's van de Sociale Kaart",
    GROUP: "Doelgroepen van de Sociale Kaart",
    TRAIT: "Kenmerken van een record in de Sociale Kaart (bron-id, zichtbaarheid, precisie)",
}


def _json(text) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# Fields the 3.0 schemas require besides ``id``: written even when empty.
REQUIRED = {
    "organization": {"name", "description"},
    "service": {"name", "status"},
    "location": {"location_type"},
    "address": {"address_1", "city", "state_province", "postal_code", "country"},
    "organization_identifier": {"identifier_type", "identifier"},
    "phone": {"number"},
    "taxonomy": {"name", "description"},
    "taxonomy_term": {"name", "description"},
}
REQUIRED["address"] |= {"address_type"}


def _typed(table: str, obj: dict) -> dict:
    """Numbers where the schemas want numbers, text elsewhere; empty fields left out."""
    out: dict[str, object] = {}
    required = REQUIRED.get(table, set())
    for key, value in obj.items():
        if isinstance(value, (dict, list)) or value is None and key not in required:
            continue
        if value in (None, ""):
            if key in required:
                out[key] = ""
            continue
        if key in NUMBERS:
            try:
                number = float(str(value).replace(",", "."))
            except ValueError:
                continue
            out[key] = int(number) if number.is_integer() and key != "latitude" else number
            if key in ("latitude", "longitude"):
                out[key] = number
        else:
            out[key] = str(value)
    return out


def _digits(number) -> str:
    return "".join(c for c in str(number or "") if c.isdigit())[-9:]


def _postcode(value: str) -> str:
    return f"{value[:4]} {value[4:]}" if len(value) == 6 else value


class Builder:
    """Collects HSDS tables from exported rows (one per service at a location)."""

    def __init__(self, name_id: Callable[..., str], is_uuid: Callable[[str], bool]):
        self.name_id, self.is_uuid = name_id, is_uuid
        self.t: dict[str, dict[str, dict]] = {}
        self.ids: dict[tuple[str, str, str], str] = {}
        self.owner: dict[str, tuple[str, str, str]] = {}

    def tables(self) -> dict[str, list[dict]]:
        """Every table as a list of objects."""
        return {name: list(rows.values()) for name, rows in self.t.items()}

    def ident(self, kind: str, bron: str, key: str, stored=None) -> str:
        """The stable HSDS id of one of our records (see ``hsds_write``)."""
        memo = (kind, bron, key)
        if memo in self.ids:
            return self.ids[memo]
        value = next((v for v in (stored, key) if v and self.is_uuid(v)), None)
        value = str(value).lower() if value else self.name_id(kind, bron, key)
        if self.owner.get(value, memo) != memo:  # the same UUID under another source
            value = self.name_id(kind, bron, key)
        self.owner[value] = memo
        self.ids[memo] = value
        return value

    def sub_id(self, kind: str, bron: str, stored) -> str:
        """The id of a kept HSDS object (phone, schedule, ...): its own UUID, else derived."""
        stored = str(stored or "")
        return stored.lower() if self.is_uuid(stored) else self.name_id(kind, bron, stored)

    def add(self, table: str, obj: dict) -> None:
        """Add an object; a repeat of the same id fills in the references it adds."""
        bucket = self.t.setdefault(table, {})
        obj = _typed(table, obj)
        if obj["id"] in bucket:
            for key, value in obj.items():
                bucket[obj["id"]].setdefault(key, value)
        else:
            bucket[obj["id"]] = obj

    def kept(self, table: str, bron: str, items, links: dict) -> None:
        """Kept HSDS objects of one table, with their references set to ours."""
        for item in items or []:
            if not isinstance(item, dict):
                continue
            clean = {k: v for k, v in item.items() if k not in REFERENCES}
            self.add(table, clean | {"id": self.sub_id(table, bron, item.get("id"))} | links)

    def attribute(self, link_id: str, entity: str, term: dict, value="") -> None:
        """An attribute linking ``link_id`` to a taxonomy term (added too)."""
        taxonomy = str(term.get("taxonomy") or "")
        code = str(term.get("code") or "")
        stored = term.get("id")
        term_id = (
            str(stored).lower()
            if stored and self.is_uuid(stored)
            else self.name_id("taxonomy_term", taxonomy, code or term.get("name", ""))
        )
        fields = {k: term.get(k) for k in ("name", "description", "term_uri", "language")}
        fields |= {
            k: term.get(k) for k in ("parent_id", "taxonomy_id") if self.is_uuid(term.get(k) or "")
        }
        row = {"id": term_id, "code": code, "taxonomy": taxonomy} | fields
        row["name"] = row["name"] or code
        row["description"] = row["description"] or ""
        if taxonomy in TAXONOMIES:
            row["taxonomy_id"] = self.name_id("taxonomy", taxonomy)
            self.add(
                "taxonomy",
                {"id": row["taxonomy_id"], "name": taxonomy, "description": TAXONOMIES[taxonomy]},
            )
        self.add("taxonomy_term", row)
        self.add(
            "attribute",
            {
                "id": self.name_id("attribute", link_id, term_id),
                "link_id": link_id,
                "link_entity": entity,
                "link_type": "kenmerk" if taxonomy == TRAIT else "taxonomie",
                "taxonomy_term_id": term_id,
                "value": value,
            },
        )

    def trait(self, link_id: str, entity: str, code: str, value: str) -> None:
        """One of our own attributes (``sociale-kaart-kenmerk``)."""
        if value:
            self.attribute(link_id, entity, {"taxonomy": TRAIT, "code": code}, value)

    def add_row(self, row: dict) -> None:
        """Add the objects of one exported row."""
        bron = row.get("bron", "")
        org_h, svc_h = _json(row.get("org_hsds")), _json(row.get("aanbod_hsds"))
        loc_h, sal_h = _json(row.get("loc_hsds")), _json(row.get("sal_hsds"))
        org = self.ident("organization", bron, row["organisatie_id"], org_h.get("id"))
        svc = self.ident("service", bron, row["aanbod_key"], svc_h.get("id"))
        loc = self.ident("location", bron, row["loc_key"], loc_h.get("id"))
        sal = self.ident("service_at_location", bron, row["id"], sal_h.get("id"))
        if org not in self.t.get("organization", {}):
            self._organization(row, org, org_h, bron)
        if svc not in self.t.get("service", {}):
            self._service(row, svc, org, svc_h, bron)
        if loc not in self.t.get("location", {}):
            self._location(row, loc, org, loc_h, bron)
        self.add(
            "service_at_location",
            {
                "id": sal,
                "service_id": svc,
                "location_id": loc,
                "description": sal_h.get("description"),
            },
        )
        self.kept("phone", bron, sal_h.get("phones"), {"service_at_location_id": sal})
        self.kept("schedule", bron, sal_h.get("schedules"), {"service_at_location_id": sal})
        self.trait(sal, "service_at_location", KEY_TRAIT, row["id"])
        self.trait(sal, "service_at_location", SOURCE_TRAIT, bron)
        for trait in TRAITS:
            self.trait(sal, "service_at_location", trait, row.get(trait, ""))

    def _organization(self, row: dict, org: str, h: dict, bron: str) -> None:
        empty = set(h.get("leeg") or [])
        keep = {k: h.get(k) for k in ("alternate_name", "legal_status", "tax_status", "tax_id")}
        keep |= {k: h.get(k) for k in ("year_incorporated", "logo", "uri")}
        parent = h.get("parent_organization_id")
        self.add(
            "organization",
            {
                "id": org,
                "name": row["organisatie"],
                "description": row["omschrijving"] or "",
                "email": "" if "email" in empty else row["email"],
                "website": "" if "website" in empty else row["website"],
                "parent_organization_id": self.sub_id("organization", bron, parent)
                if parent
                else None,
            }
            | keep,
        )
        if row["kvk"]:
            self.add(
                "organization_identifier",
                {
                    "id": self.name_id("organization_identifier", org, KVK_SCHEME),
                    "organization_id": org,
                    "identifier_scheme": KVK_SCHEME,
                    "identifier_type": "KvK-nummer",
                    "identifier": row["kvk"],
                },
            )
        self.kept("organization_identifier", bron, h.get("identifiers"), {"organization_id": org})
        self._phones(h, row["organisatie_telefoon"], f"{org}|telefoon", bron, "organization", org)
        for term in h.get("terms") or []:
            self.attribute(org, "organization", term, term.get("value", ""))
        self.trait(org, "organization", KEY_TRAIT, row["organisatie_id"])
        self.trait(org, "organization", SOURCE_TRAIT, bron)

    def _phones(self, h: dict, own: str, new_id: str, bron: str, entity: str, ref: str) -> None:
        """The kept phones of an object, plus its number in our column when they lack it."""
        phones = h.get("phones")
        if own and _digits(own) not in {_digits(p.get("number")) for p in phones or []}:
            phones = list(phones or []) + [{"id": new_id, "number": own}]
        for phone in phones or []:
            number = str(phone.get("number") or "").strip().strip("\"'").strip()
            if number:
                self.kept("phone", bron, [phone | {"number": number}], {f"{entity}_id": ref})

    def _schedules(self, row: dict, svc: str, h: dict, bron: str) -> None:
        """The kept schedules while they say what the opening hours say, else new ones."""
        hours = _json(row.get("openingstijden_json"))
        stored = h.get("schedules") or []
        if stored and (opening_hours(stored) or {}).get("dagen") == hours.get("dagen"):
            self.kept("schedule", bron, stored, {"service_id": svc})
        elif hours:
            for schedule in schedules_from_hours(svc, hours, lambda s: self.name_id(svc, s)):
                self.add("schedule", schedule)

    def _service(self, row: dict, svc: str, org: str, h: dict, bron: str) -> None:
        keep = {k: h.get(k) for k in ("alternate_name", "url", "email", "interpretation_services")}
        keep |= {k: h.get(k) for k in ("minimum_age", "maximum_age", "alert", "accreditations")}
        self.add(
            "service",
            {
                "id": svc,
                "organization_id": org,
                "name": row["aanbod"],
                "description": row["aanbod_omschrijving"],
                "status": h.get("status") or "active",
                "fees_description": row["kosten"],
                "application_process": row["aanmelden"],
                "eligibility_description": row["voorwaarden"],
                "assured_date": row["laatst_geverifieerd"],
                "licenses": h.get("licenses"),
            }
            | keep,
        )
        self._schedules(row, svc, h, bron)
        codes = [c.strip() for c in row["talen"].split(";") if c.strip()]
        languages = h.get("languages") or []
        if [str(x.get("code") or x.get("name") or "").lower() for x in languages] == codes:
            self.kept("language", bron, languages, {"service_id": svc})
        else:
            for code in codes:
                self.add(
                    "language",
                    {
                        "id": self.name_id(svc, "taal", code),
                        "service_id": svc,
                        "code": code,
                        "name": code,
                    },
                )
        self.kept("phone", bron, h.get("phones"), {"service_id": svc})
        for table in ("cost_option", "required_document", "service_area"):
            self.kept(table, bron, h.get(f"{table}s"), {"service_id": svc})
        for taxonomy, column in ((THEME, "thema"), (GROUP, "doelgroep")):
            for code in filter(None, (c.strip() for c in row[column].split(";"))):
                self.attribute(svc, "service", {"taxonomy": taxonomy, "code": code})
        for term in h.get("terms") or []:
            if term.get("taxonomy") not in OWN:
                self.attribute(svc, "service", term, term.get("value", ""))
        self.trait(svc, "service", KEY_TRAIT, row["aanbod_key"])
        self.trait(svc, "service", SOURCE_TRAIT, bron)

    def _location(self, row: dict, loc: str, org: str, h: dict, bron: str) -> None:
        keep = {k: h.get(k) for k in ("alternate_name", "description", "transportation", "url")}
        keep |= {k: h.get(k) for k in ("external_identifier", "external_identifier_type")}
        self.add(
            "location",
            {
                "id": loc,
                "organization_id": org,
                "location_type": h.get("location_type") or "physical",
                "name": row["locatie_naam"],
                "latitude": row["kaart_lat"],
                "longitude": row["kaart_lon"],
            }
            | keep,
        )
        number = row["huisnummer"] + row["huisletter"]
        number += f"-{row['toevoeging']}" if row["toevoeging"] else ""
        current = {
            "address_1": f"{row['straat']} {number}".strip(),
            "city": row["plaats"],
            "postal_code": _postcode(row["postcode"]),
            "country": "NL",
            "state_province": "",
        }
        addresses = [a for a in h.get("addresses") or [] if isinstance(a, dict)]
        used = next(
            (a for a in addresses if (a.get("address_type") or "physical") == "physical"),
            next((a for a in addresses if a.get("address_type") == "postal"), None),
        )
        if used is None:
            addresses.insert(0, used := {"id": f"{loc}|adres", "address_type": "physical"})
        for address in addresses:
            values = current if address is used else {"state_province": ""}
            fields = {"address_1": "", "city": "", "postal_code": "", "country": ""}
            fields["address_type"] = "physical"
            self.kept("address", bron, [fields | address | values], {"location_id": loc})
        accessibility = h.get("accessibility") or []
        joined = "; ".join(
            " ".join(filter(None, (a.get("description"), a.get("details")))) for a in accessibility
        )
        if accessibility and joined == row["toegankelijkheid"]:
            self.kept("accessibility", bron, accessibility, {"location_id": loc})
        elif row["toegankelijkheid"]:
            self.add(
                "accessibility",
                {
                    "id": self.name_id(loc, "toegang"),
                    "location_id": loc,
                    "description": row["toegankelijkheid"],
                },
            )
        self._phones(h, row.get("locatie_telefoon", ""), f"{loc}|telefoon", bron, "location", loc)
        self.kept("schedule", bron, h.get("schedules"), {"location_id": loc})
        self.kept("language", bron, h.get("languages"), {"location_id": loc})
        self.trait(loc, "location", KEY_TRAIT, row["loc_key"])
        self.trait(loc, "location", SOURCE_TRAIT, bron)
        self.trait(loc, "location", PRECISION_TRAIT, row["geocode_precisie"])


__all__ = ["Builder"]
