"""HSDS 3.0 documents of every shape, normalised to tables (one list of flat objects each).

The specification publishes its data in several shapes, all read here:

- tabular JSON: one array per table, named by the table (``organization``), its plural
  (``organizations``) or its datapackage file (``organizations.csv``);
- a CSV datapackage (folder or zip): ``datapackage.json`` names each resource and its file;
- nested documents: ``service_full``, ``organization_full``, ``service_at_location_full``,
  a ``location``, ``taxonomy`` or ``taxonomy_term``, and the API's list pages
  (``{"contents": [...]}``) of any of these.

Nested objects become rows of their own table with the reference to their parent filled in
(a phone inside a service gets ``service_id``). The same object repeated in several places of
a nested document (the examples repeat a phone five times) becomes one row holding every
reference.
"""

from __future__ import annotations

from geo.records.columns import RecordFileError

# The tables of HSDS 3.0 and the file names of the official datapackage.
TABLE_FILES = {
    "organization": "organizations.csv",
    "program": "programs.csv",
    "service": "services.csv",
    "attribute": "attributes.csv",
    "service_at_location": "service_at_location.csv",
    "location": "locations.csv",
    "phone": "phones.csv",
    "contact": "contacts.csv",
    "address": "addresses.csv",
    "schedule": "schedules.csv",
    "funding": "funding.csv",
    "service_area": "service_areas.csv",
    "required_document": "required_documents.csv",
    "language": "languages.csv",
    "accessibility": "accessibility.csv",
    "taxonomy_term": "taxonomy_terms.csv",
    "metadata": "metadata.csv",
    "meta_table_description": "meta_table_descriptions.csv",
    "cost_option": "cost_options.csv",
    "organization_identifier": "organization_identifiers.csv",
    "taxonomy": "taxonomies.csv",
}
TABLES = tuple(TABLE_FILES)
# Other spellings of a table name: plurals and the HSDS 2 name of accessibility.
ALIASES = {
    **{file.removesuffix(".csv"): table for table, file in TABLE_FILES.items()},
    "service_at_locations": "service_at_location",
    "accessibility_for_disabilities": "accessibility",
    "taxonomy_terms": "taxonomy_term",
}

# Nested fields per object kind: field -> (table, foreign key the child gets, or None).
# A single nested object (service.organization) gives the parent its reference instead.
CHILDREN: dict[str, dict[str, tuple[str, str | None]]] = {
    "organization": {
        "funding": ("funding", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "contact": {
        "phones": ("phone", "contact_id"),
        "attributes": ("attribute", "link_id"),
        "metadata": ("metadata", "resource_id"),
    },
    "phone": {"languages": ("language", "phone_id"), "attributes": ("attribute", "link_id")},
}
# Single nested objects: (kind, field) -> (table of the object, the parent's reference to it).
OBJECTS = {
    ("service", "organization"): ("organization", "organization_id"),
    ("service", "program"): ("program", "program_id"),
    ("service_at_location", "location"): ("location", "location_id"),
    ("service_at_location", "service"): ("service", "service_id"),
    ("attribute", "taxonomy_term"): ("taxonomy_term", "taxonomy_term_id"),
    ("taxonomy_term", "taxonomy_detail"): ("taxonomy", "taxonomy_id"),
}
LINK_ENTITIES = {"organization", "service", "service_at_location", "location", "contact", "phone"}
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "contents"}


def table_name(key: str, resources: dict[str, str] | None = None) -> str | None:
    """The HSDS table a tabular key or file name stands for; None when it is not a table.

    ``resources`` maps datapackage file names (``organizations.csv``) to resource names.
    """
    base = str(key).rsplit("/", 1)[-1]
    if resources and base in resources:
        base = resources[base]
    base = base.lower().removesuffix(".csv").removesuffix(".json")
    if base in TABLE_FILES:
        return base
    return ALIASES.get(base)


def kind_of(obj: dict) -> str | None:
    """The HSDS object a nested document is, judged by its fields; None when unclear."""
    keys = set(obj)
    if "openapi_url" in keys or ("version" in keys and "profile" in keys and "id" not in keys):
        return "api"
    if keys & {"service_at_locations", "status", "program", "cost_options", "service_areas"}:
        return "service"
    if keys & {"services", "organization_identifiers", "website", "legal_status", "programs"}:
        return "organization"
    if keys & {"location", "service"} or {"service_id", "location_id"} <= keys:
        return "service_at_location"
    if keys & {"location_type", "addresses", "latitude", "longitude", "accessibility"}:
        return "location"
    if keys & {"taxonomy", "taxonomy_detail", "code", "parent_id", "term_uri", "taxonomy_id"}:
        return "taxonomy_term"
    if "name" in keys and keys & {"version", "uri"}:
        return "taxonomy"
    return None


def is_tabular(data: dict) -> bool:
    """True for a JSON object of tables (not one nested object and not a list page)."""
    if "id" in data or PAGE_KEYS & set(data):
        return False
    return any(table_name(k) for k in data)


class Flattener:
    """Collects nested HSDS objects into tables, merging repeats of the same object."""

    def __init__(self, name: str):
        self.name = name
        self.tables: dict[str, dict[str, dict]] = {}

    def add(self, kind: str, obj, where: str, links: dict[str, str] | None = None) -> str:
        """Add ``obj`` (of table ``kind``) and everything nested in it; returns its id."""
        if not isinstance(obj, dict):
            raise RecordFileError(f"{self.name}: {where} moet een object zijn.")
        key = obj.get("id")
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str) or not key.strip():
            raise RecordFileError(f"{self.name}: {where} heeft geen id.")
        row = {k: v for k, v in obj.items() if not isinstance(v, (dict, list))}
        for field, value in (links or {}).items():
            row.setdefault(field, value)
        self._merge(kind, key, row)
        self._children(kind, key, obj, where)
        return key

    def _children(self, kind: str, key: str, obj: dict, where: str) -> None:
        """Add the nested objects and lists of ``obj`` (id ``key``)."""
        children = CHILDREN.get(kind, {})
        for field, value in obj.items():
            if (kind, field) in OBJECTS and isinstance(value, dict):
                table, ref = OBJECTS[(kind, field)]
                child = self.add(table, value, f"{where}.{field}")
                self._merge(kind, key, {ref: child})
            elif field in children and isinstance(value, list):
                table, fk = children[field]
                child_links = {fk: key} if fk else {}
                if fk == "link_id":
                    child_links["link_entity"] = kind
                for i, item in enumerate(value):
                    self.add(table, item, f"{where}.{field}[{i}]", child_links)

    def _merge(self, kind: str, key: str, row: dict) -> None:
        bucket = self.tables.setdefault(kind, {})
        if key in bucket:
            for field, value in row.items():
                if bucket[key].get(field) in (None, ""):
                    bucket[key][field] = value
        else:
            bucket[key] = dict(row)

    def result(self) -> dict[str, list[dict]]:
        """The collected tables, each a list of rows in the order first seen."""
        return {kind: list(rows.values()) for kind, rows in self.tables.items()}


def nested_tables(data, name: str) -> dict[str, list[dict]]:
    """Tables of a nested document: one object, or a list page of objects.

    Raises
    ------
    RecordFileError
        When an object's kind cannot be told or an object has no id.
    """
    flat = Flattener(name)
    items = data.get("contents") if PAGE_KEYS & set(data) else [data]
    if not isinstance(items, list):
        raise RecordFileError(f"{name}: 'contents' moet een lijst zijn.")
    for i, item in enumerate(items):
        where = f"contents[{i}]" if items is not data else "het document"
        if not isinstance(item, dict):
            raise RecordFileError(f"{name}: {where} moet een object zijn.")
        kind = kind_of(item)
        if kind == "api":
            continue  # the API's description (base.json) holds no records
        if kind is None:
            raise RecordFileError(
                f"{name}: {where} is geen bekend HSDS-object (organisatie, dienst, locatie, "
                "dienst op locatie of taxonomie)."
            )
        flat.add(kind, item, where)
    return flat.result()
