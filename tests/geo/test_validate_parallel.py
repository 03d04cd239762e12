"""Validating a large file on two cores gives exactly the results of one process."""

import pytest

from geo.records.importer import validate_rows
from geo.records.readers import RawRow
from geo.records.validate import Taxonomy, validate_row
from geo.records.validate_parallel import validate_all

TAX = Taxonomy(
    {"zorg-ondersteuning": "Zorg en ondersteuning", "vervoer": "Vervoer"},
    {"iedereen": "Iedereen", "ouderen": "Ouderen (65 jaar en ouder)"},
)


def _rows(n: int) -> list[RawRow]:
    """Good rows, rejected rows, warnings and a repeated id, spread over both halves."""
    rows = []
    for i in range(n):
        values = {
            "id": f"r{i % (n - 3)}",  # the last three ids repeat the first three
            "organisatie": f"Stichting {i % 7}",
            "thema": ["vervoer", "zorg-ondersteuning", "onbekend thema"][i % 3],
            "postcode": ["6411 AB", "6211CD", "0411 AB"][i % 5 % 3],
            "huisnummer": str(1 + i % 40),
            "telefoon": ["043 712 34 56", "457891480", "geen nummer", "112"][i % 4],
            "openingstijden": ["ma-vr 09:00-17:00", "als het uitkomt"][i % 2],
        }
        rows.append(RawRow(i + 2, values, {k: k.capitalize() for k in values}))
    return rows


def test_two_processes_give_the_results_of_one():
    rows = _rows(61)
    serial = [validate_row(raw, TAX) for raw in rows]
    ticks = []
    parallel = validate_all(rows, TAX, lambda: ticks.append(1), parallel_above=10)
    assert parallel == serial
    assert len(ticks) == len(rows)
    assert any(problems for _, problems in serial)  # rejects and warnings are compared too
    assert any(record and record["waarschuwingen"] for record, _ in serial)


def test_duplicate_ids_across_the_halves_are_rejected_as_in_one_process(monkeypatch):
    rows = _rows(61)
    monkeypatch.setattr("geo.records.validate_parallel.PARALLEL_ABOVE", 10**9)
    serial = validate_rows(rows, TAX)
    monkeypatch.setattr("geo.records.validate_parallel.PARALLEL_ABOVE", 10)
    parallel = validate_rows(rows, TAX)
    assert parallel == serial
    assert any("staat ook op regel" in r.reason for r in parallel[1])


def test_a_failing_child_leaves_its_half_to_the_parent():
    """An error in the child's half is raised here, as without a child; nothing hangs."""
    rows = _rows(30)
    rows[-1] = RawRow(99, None, {})  # type: ignore[arg-type]  # validate_row raises on it
    with pytest.raises(AttributeError):
        validate_all(rows, TAX, parallel_above=10)


def test_the_child_validates_the_second_half(monkeypatch):
    """The parent validates only its half: the other half's results came from the child."""
    from geo.records import validate_parallel

    rows = _rows(61)
    here = []

    def counted(raw, taxonomy):
        here.append(raw.line)  # appended in this process only; the child has its own copy
        return validate_row(raw, taxonomy)

    monkeypatch.setattr(validate_parallel, "validate_row", counted)
    parallel = validate_all(rows, TAX, parallel_above=10)
    assert parallel == [validate_row(raw, TAX) for raw in rows]
    assert here == [raw.line for raw in rows[:31]]
