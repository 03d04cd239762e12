"""The HSDS fields without a flat column, kept per object as JSON.

``kept_fields`` gives the passthrough values ``hsds_organisatie``, ``hsds_aanbod``,
``hsds_locatie`` and ``hsds_koppeling`` of one import row: they are stored as they came
(``organisatie.hsds`` etc.) so the export writes them back.
"""

from __future__ import annotations

import json

from geo.records.hsds_index import Tables, clean
from geo.records.hsds_taxonomy import OWN

KVK_SCHEME = "NL-KVK"
# Extra fields kept per object (besides the nested lists named in kept_fields below).
KEEP = {
    "organization": (
        "alternate_name",
        "parent_organization_id",
        "legal_status",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "logo",
        "uri",
    ),
    "service": (
        "alternate_name",
        "status",
        "url",
        "email",
        "interpretation_services",
        "minimum_age",
        "maximum_age",
        "alert",
        "accreditations",
        "licenses",
        "fees_description",
        "eligibility_description",
    ),
    "location": (
        "location_type",
        "alternate_name",
        "description",
        "transportation",
        "url",
        "external_identifier",
        "external_identifier_type",
    ),
    "service_at_location": ("description",),
}


def kept_fields(tables: Tables, org, service, location, sal, terms, org_phones) -> dict[str, str]:
    """The HSDS fields without a column, per object, as JSON (stored in ``*.hsds``)."""

    def own(table: str, obj: dict, **lists) -> str:
        if not obj:
            return ""
        data = {"id": str(obj["id"])} | clean({k: obj.get(k) for k in KEEP[table]})
        data |= {k: v for k, v in lists.items() if v}
        return json.dumps(data, ensure_ascii=False)

    def phones(field: str, obj: dict) -> list[dict]:
        return [clean(p) for p in tables.of("phone", field, obj.get("id"))]

    def listed(table: str, field: str, obj: dict) -> list[dict]:
        return [clean(x) for x in tables.of(table, field, obj.get("id"))]

    identifiers = [
        clean(i)
        for i in tables.of("organization_identifier", "organization_id", org.get("id"))
        if i.get("identifier_scheme") != KVK_SCHEME
    ]
    service_only = [k for k in ("email", "website") if not org.get(k)]
    return {
        "hsds_organisatie": own(
            "organization",
            org,
            phones=[clean(p) for p in org_phones],
            identifiers=identifiers,
            terms=[t for t in tables.terms(org.get("id")) if t.get("taxonomy") not in OWN],
            leeg=service_only if org else [],
        )
        if org
        else "",
        "hsds_aanbod": own(
            "service",
            service,
            phones=phones("service_id", service),
            schedules=listed("schedule", "service_id", service),
            languages=listed("language", "service_id", service),
            cost_options=listed("cost_option", "service_id", service),
            required_documents=listed("required_document", "service_id", service),
            service_areas=listed("service_area", "service_id", service),
            terms=terms,
        ),
        "hsds_locatie": own(
            "location",
            location,
            phones=phones("location_id", location),
            schedules=listed("schedule", "location_id", location),
            languages=listed("language", "location_id", location),
            addresses=listed("address", "location_id", location),
            accessibility=listed("accessibility", "location_id", location),
        ),
        "hsds_koppeling": own(
            "service_at_location",
            sal,
            phones=phones("service_at_location_id", sal),
            schedules=listed("schedule", "service_at_location_id", sal),
        ),
    }
