"""The rule corpus: one spec pair per rule under diff_cases/, each with its expected changes.

Every case lists ALL the changes it expects (id, level, operation), so a rule that fires where it
should not fails a case as surely as one that stays silent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from specfirst.generator.diff import CATALOGUE, compare
from specfirst.generator.diff.catalogue import SCHEMA_EVENTS, SUBJECTS, schema_change_id
from specfirst.generator.loader import Spec

CASES = Path(__file__).parent / "diff_cases"
TODAY = dt.date(2026, 1, 1)


def _case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "expected.json").exists())


def _expected(name: str) -> dict[str, Any]:
    data = json.loads((CASES / name / "expected.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", _case_names())
def test_case(name: str) -> None:
    expected = _expected(name)
    old = Spec.from_path(CASES / name / "old.yaml")
    new = Spec.from_path(CASES / name / "new.yaml")
    result = compare(old, new, today=TODAY, **expected.get("options", {}))
    found = Counter((c.id, str(c.level), c.operation) for c in result.changes)
    wanted = Counter((c["id"], c["level"], c["operation"]) for c in expected["changes"])
    assert found == wanted, "\n".join(f"{c.level} {c.id} {c.operation}: {c.message}"
                                      for c in result.changes)
    assert result.breaking == any(c["level"] == "breaking" for c in expected["changes"])
    for change in result.changes:
        assert change.message
        assert change.old_pointer is not None or change.new_pointer is not None
        assert change.pointer == (change.new_pointer if change.new_pointer is not None
                                  else change.old_pointer)


def test_every_expected_id_is_in_the_catalogue_with_that_level() -> None:
    for name in _case_names():
        for change in _expected(name)["changes"]:
            assert change["id"] in CATALOGUE, (name, change["id"])
            assert str(CATALOGUE[change["id"]].level) == change["level"], (name, change)


def test_the_corpus_covers_every_rule() -> None:
    """Every id that is not a schema change has a case; every schema event and every
    side/subject pair has at least one (the ids are their product)."""
    covered = {c["id"] for name in _case_names() for c in _expected(name)["changes"]}
    schema_ids = {schema_change_id(side, subject, event): (side, subject, event)
                  for side, subjects in SUBJECTS.items() for subject in subjects
                  for event in SCHEMA_EVENTS}
    missing = set(CATALOGUE) - set(schema_ids) - covered
    assert not missing, f"no corpus case for: {sorted(missing)}"
    found = [schema_ids[i] for i in covered if i in schema_ids]
    assert not set(SCHEMA_EVENTS) - {event for _, _, event in found}, \
        sorted(set(SCHEMA_EVENTS) - {event for _, _, event in found})
    pairs = {(side, subject) for side, subjects in SUBJECTS.items() for subject in subjects}
    assert not pairs - {(side, subject) for side, subject, _ in found}, \
        sorted(pairs - {(side, subject) for side, subject, _ in found})
