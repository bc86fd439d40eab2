"""The runner's memory grows with what one operation needs, not with the number of operations."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.engine import events
from specfirst.contract_tests.runner import engine, schemathesis_compat
from specfirst.contract_tests.runner.options import RunOptions
from specfirst.contract_tests.runner.schemathesis_compat import (
    KEPT_OPERATIONS,
    KEPT_SHARED,
    built_operations,
    held_response_schemas,
    release_operation,
    release_shared,
)
from specfirst.generator.loader import load_spec


def _document(operations: int) -> dict[str, Any]:
    """`operations` GET operations, each answering with a schema of its own."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for index in range(operations):
        schemas[f"Thing{index}"] = {
            "type": "object", "required": ["id"],
            "properties": {"id": {"type": "string"}, f"field{index}": {"type": "integer"}},
        }
        paths[f"/things{index}"] = {"get": {
            "operationId": f"getThing{index}",
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/Thing{index}"}}}}},
        }}
    return {"openapi": "3.0.3", "info": {"title": "many", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas}}


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers every request with a body that conforms to every operation's schema."""
    if scope["type"] != "http":
        return
    body = json.dumps({"id": "a"}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def _peak_held(tmp_path: Path, operations: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """The most prepared response schemas held at any event of a run, and how many cases ran."""
    spec_path = tmp_path / f"many-{operations}.json"
    spec_path.write_text(json.dumps(_document(operations)), encoding="utf-8")
    built: list[Any] = []
    original = engine.build_schema

    def capture(*args: Any, **kwargs: Any) -> Any:
        schema = original(*args, **kwargs)
        built.append(schema)
        return schema

    monkeypatch.setattr(engine, "build_schema", capture)
    peak = [0]

    def on_event(event: events.EngineEvent) -> None:
        if built:
            peak[0] = max(peak[0], held_response_schemas(built[0]))

    options = RunOptions(app=_app, seed=3, max_examples=3, phases=("coverage", "fuzzing"),
                         checks=("response_schema_conformance",))
    result = engine.run_contract_tests(load_spec(spec_path), options, on_event)
    assert not result.failures, [failure.title for failure in result.failures]
    assert all(op.cases for op in result.operations.values())
    assert held_response_schemas(built[0]) == 0  # everything is let go at the end
    return peak[0], result.cases


def test_prepared_response_schemas_held_do_not_grow_with_the_operations(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    few, few_cases = _peak_held(tmp_path, 12, monkeypatch)
    many, many_cases = _peak_held(tmp_path, 36, monkeypatch)
    assert many_cases > 2 * few_cases  # three times the operations were checked...
    assert few > 0  # ...answers were validated against prepared schemas...
    # ...yet at most the schemas of the operations in use (one schema and one validator in each
    # response object, and in the shared cache) are held at once, whatever the spec's size.
    bound = 2 * (KEPT_OPERATIONS + 1) + 2 * KEPT_SHARED
    assert many <= bound < 36
    assert many <= few + 2


def test_schemathesis_internals_are_where_the_compat_module_expects() -> None:
    """Fails loudly when a Schemathesis upgrade moves what `schemathesis_compat` reaches into."""
    schema = schemathesis.openapi.from_dict(_document(2))
    operation = schema["/things0"]["GET"]
    assert type(schema.response_schema_cache).__name__ == "ResponseSchemaCache"
    assert built_operations(schema) == [operation]
    responses = list(schemathesis_compat._responses(operation))
    assert len(responses) == 1
    resolved = responses[0].get_schema("application/json")
    assert resolved.schema is not None
    assert responses[0].get_validator(resolved.media_type, resolved.schema) is not None
    # One bundle and one validator in the shared cache, one entry in the response object.
    assert held_response_schemas(schema) == 3
    release_operation(operation)
    assert held_response_schemas(schema) == 2
    release_shared(schema)
    assert held_response_schemas(schema) == 0
    assert responses[0].get_validator(resolved.media_type, resolved.schema) is not None


def test_only_the_compat_module_imports_schemathesis_internals() -> None:
    runner = Path(schemathesis_compat.__file__).parent
    private = re.compile(r"^\s*(?:from|import) schemathesis\.(?:core\b|\S*\._)", re.MULTILINE)
    found = {path.name: private.findall(path.read_text(encoding="utf-8"))
             for path in runner.glob("*.py") if path.name != "schemathesis_compat.py"}
    assert {name: lines for name, lines in found.items() if lines} == {}
    assert private.search(Path(schemathesis_compat.__file__).read_text(encoding="utf-8"))
