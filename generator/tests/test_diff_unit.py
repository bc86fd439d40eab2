"""The diff's parts: schema normalisation, fingerprints, locations, result shape and renderers."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import specfirst.generator.diff as diff_api
import yaml
from specfirst.generator.diff import CATALOGUE, Change, DiffResult, Level, compare, render
from specfirst.generator.diff.catalogue import catalogue_markdown
from specfirst.generator.diff.fingerprint import Fingerprints
from specfirst.generator.diff.mapping import MappingTarget, MappingTargets
from specfirst.generator.diff.media_types import covers, essence, parameters
from specfirst.generator.diff.schema_view import NodeRef, schema_view
from specfirst.generator.loader import Spec

REPO = Path(__file__).resolve().parents[2]


def write_spec(folder: Path, name: str, document: dict[str, Any],
               files: dict[str, Any] | None = None) -> Spec:
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, content in (files or {}).items():
        (folder / file_name).parent.mkdir(parents=True, exist_ok=True)
        (folder / file_name).write_text(yaml.safe_dump(content))
    (folder / name).write_text(yaml.safe_dump(document, sort_keys=False))
    return Spec.from_path(folder / name)


def api(schema: dict[str, Any], version: str = "3.0.3", **components: Any) -> dict[str, Any]:
    return {
        "openapi": version, "info": {"title": "t", "version": "1"},
        "paths": {"/things": {"get": {"responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": schema}}}}}}},
        "components": {"schemas": components},
    }


def test_public_api_is_sorted_and_importable() -> None:
    assert diff_api.__all__ == sorted(diff_api.__all__)
    for name in diff_api.__all__:
        assert getattr(diff_api, name) is not None


def test_catalogue_ids_are_kebab_case_and_docs_list_every_one() -> None:
    docs = (REPO / "docs" / "diff.md").read_text(encoding="utf-8")
    assert catalogue_markdown() in docs, "docs/diff.md: paste catalogue_markdown() output again"
    for change_id in CATALOGUE:
        assert change_id == change_id.lower() and " " not in change_id and "_" not in change_id


def test_nullable_forms_normalise_to_the_same_view(tmp_path: Path) -> None:
    v30 = write_spec(tmp_path / "a", "api.yaml", api({"type": "string", "nullable": True}))
    v31 = write_spec(tmp_path / "b", "api.yaml", api({"type": ["string", "null"]}, "3.1.0"))
    any_of = write_spec(tmp_path / "c", "api.yaml",
                        api({"anyOf": [{"$ref": "#/components/schemas/S"}, {"type": "null"}]},
                            "3.1.0", S={"type": "string"}))
    pointer = "/paths/~1things/get/responses/200/content/application~1json/schema"
    views = [schema_view(s, NodeRef(s.resolve({"$ref": "#" + pointer}), pointer))
             for s in (v30, v31, any_of)]
    assert all(v.nullable and v.types == frozenset({"string"}) for v in views)


def test_allof_merges_properties_required_and_the_narrowest_limits(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "api.yaml", api({"allOf": [
        {"$ref": "#/components/schemas/A"},
        {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}},
         "maxProperties": 3}]},
        A={"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}},
           "maxProperties": 5, "additionalProperties": False}))
    pointer = "/paths/~1things/get/responses/200/content/application~1json/schema"
    view = schema_view(spec, NodeRef(spec.resolve({"$ref": "#" + pointer}), pointer))
    assert set(view.properties) == {"a", "b"}
    assert view.required == {"a", "b"}
    assert view.lengths["maxProperties"] == 3
    assert view.additional is False


def test_fingerprints_follow_refs_and_terminate_on_cycles(tmp_path: Path) -> None:
    node = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"},
                                             "value": {"type": "integer"}}}
    renamed = json.loads(json.dumps(node).replace("/Node", "/Link"))
    a = write_spec(tmp_path / "a", "api.yaml", api({"$ref": "#/components/schemas/Node"},
                                                   Node=node))
    b = write_spec(tmp_path / "b", "api.yaml", api({"$ref": "#/components/schemas/Link"},
                                                   Link=renamed))
    root = {"$ref": "#/paths/~1things/get/responses/200/content/application~1json/schema"}
    assert Fingerprints(a, b).old(a.resolve(root)) == Fingerprints(a, b).new(b.resolve(root))
    changed = json.loads(json.dumps(renamed).replace('"integer"', '"string"'))
    c = write_spec(tmp_path / "c", "api.yaml", api({"$ref": "#/components/schemas/Link"},
                                                   Link=changed))
    assert Fingerprints(a, c).old(a.resolve(root)) != Fingerprints(a, c).new(c.resolve(root))


def test_back_edges_to_different_ancestors_do_not_hash_alike(tmp_path: Path) -> None:
    def pair(back: str) -> dict[str, Any]:
        def ref(name: str) -> dict[str, Any]:
            return {"$ref": f"#/components/schemas/{name}"}
        return {"A": {"type": "object", "properties": {"c": ref("B")}},
                "B": {"type": "object", "properties": {"d": ref(back)}}}
    a = write_spec(tmp_path / "a", "api.yaml", api({"$ref": "#/components/schemas/A"},
                                                   **pair("A")))
    b = write_spec(tmp_path / "b", "api.yaml", api({"$ref": "#/components/schemas/A"},
                                                   **pair("B")))
    node = {"$ref": "#/components/schemas/A"}
    prints = Fingerprints(a, b)
    assert prints.old(node) != prints.new(node)
    assert Fingerprints(a, a).old(node) == Fingerprints(a, a).new(node)


def test_properties_named_like_annotations_count(tmp_path: Path) -> None:
    def spec(kind: str, folder: str) -> Spec:
        return write_spec(tmp_path / folder, "api.yaml", api(
            {"type": "object", "properties": {"description": {"type": kind},
                                              "x-id": {"type": kind}}}))
    old, new = spec("string", "a"), spec("integer", "b")
    assert sorted(c.message.split(":")[0] for c in compare(old, new).changes) == [
        "property 'description' of the 200 response body (application/json)",
        "property 'x-id' of the 200 response body (application/json)"]


def test_mutually_recursive_change_is_found_and_compare_terminates(tmp_path: Path) -> None:
    def spec_with(kind: str, folder: str) -> Spec:
        return write_spec(tmp_path / folder, "api.yaml", api(
            {"$ref": "#/components/schemas/A"},
            A={"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            B={"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"},
                                                "v": {"type": kind}}}))
    result = compare(spec_with("integer", "old"), spec_with("string", "new"))
    assert [(c.id, c.message.split(":")[0]) for c in result.changes] == [
        ("response-property-type-changed",
         "property 'b.v' of the 200 response body (application/json)")]


def test_locations_point_into_the_file_that_holds_the_node(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", "api.yaml", api({"$ref": "schemas/thing.yaml"}),
                     {"schemas/thing.yaml": {"type": "object", "properties": {
                         "a": {"type": "string"}}}})
    new = write_spec(tmp_path / "new", "api.yaml", api({"$ref": "schemas/thing.yaml"}),
                     {"schemas/thing.yaml": {"type": "object", "properties": {
                         "a": {"type": "integer"}}}})
    (change,) = compare(old, new).changes
    assert change.id == "response-property-type-changed"
    assert change.new_location is not None
    assert change.new_location.file.endswith("thing.yaml")
    assert change.new_location.line == 3  # "properties:" / "a:" / "type: integer" (line 3)


def test_result_json_shape_and_pointer_rule() -> None:
    removed = Change("api-removed-without-deprecation", Level.BREAKING, "GET /a", "gone",
                     "/paths/~1a/get", None)
    added = Change("endpoint-added", Level.INFO, "GET /b", "new", None, "/paths/~1b/get")
    result = DiffResult([removed, added])
    data = json.loads(render(result, "json"))
    assert data["breaking"] is True
    assert data["summary"] == {"breaking": 1, "warning": 0, "info": 1}
    first, second = data["changes"]
    assert {"id", "level", "pointer", "message", "operation_count", "operation_set"} \
        <= set(first)
    assert first["pointer"] == "#/paths/~1a/get" and first["new_pointer"] is None
    assert second["pointer"] == "#/paths/~1b/get" and second["old_pointer"] is None
    assert data["operation_sets"][first["operation_set"]] == ["GET /a"]
    assert data["operation_sets"][second["operation_set"]] == ["GET /b"]
    assert data["operations"] == {"breaking": 1, "warning": 0, "info": 1}
    assert DiffResult([added]).breaking is False
    assert DiffResult([added]).at_least(Level.WARNING) == []


def test_markdown_is_a_changelog_grouped_by_level() -> None:
    changes = [
        Change("api-removed-without-deprecation", Level.BREAKING, "GET /a", "GET /a was removed",
               "/paths/~1a/get", None),
        Change("request-property-removed", Level.WARNING, "POST /b",
               "property 'x_y' of the request body: was removed", "/p", "/p"),
        Change("endpoint-added", Level.INFO, "GET /c", "new operation <GET /c>", None, "/c"),
    ]
    text = render(DiffResult(changes), "markdown")
    assert text.startswith("## API changes\n")
    assert text.index("### Breaking changes") < text.index("### Changes to review") \
        < text.index("### Other changes")
    assert "`x_y`" in text  # quoted names become code spans, not escaped prose
    assert "<GET /c>" not in text and "&lt;GET /c&gt;" in text
    assert render(DiffResult([]), "markdown").endswith("No changes to the API.\n")


def test_text_output_shows_level_id_operation_and_location(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", "api.yaml", api({"type": "string"}))
    new = write_spec(tmp_path / "new", "api.yaml", api({"type": "integer"}))
    text = render(compare(old, new), "text")
    first = text.splitlines()[0]
    assert first.split() == ["breaking", "response-body-type-changed", "GET", "/things"]
    assert "api.yaml:" in text and "#/paths/~1things/get/responses/200" in text
    assert text.rstrip().endswith("1 breaking, 0 warning, 0 info (1 change)")


def test_media_types_compare_by_essence_and_wildcards_cover_what_they_match() -> None:
    assert essence("Application/JSON ; charset=UTF-8") == "application/json"
    assert parameters("application/json; Charset=\"UTF-8\"") == {"charset": "utf-8"}
    assert covers("*/*", "text/csv") and covers("application/*", "application/json")
    assert covers("application/json", "application/json; charset=utf-8")
    assert not covers("application/json", "application/*")
    assert not covers("text/*", "application/json")


def _with_response(schema: dict[str, Any], media_type: str) -> dict[str, Any]:
    document = api({"$ref": "#/components/schemas/T"}, T=schema)
    content = document["paths"]["/things"]["get"]["responses"]["200"]["content"]
    content[media_type] = content.pop("application/json")
    return document


def test_a_schema_behind_a_covering_wildcard_is_still_compared(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "a", "api.yaml", _with_response({"type": "string"},
                                                                "application/json"))
    new = write_spec(tmp_path / "b", "api.yaml", _with_response({"type": "integer"},
                                                                "application/*"))
    found = {(c.id, c.message.split(":")[0]) for c in compare(old, new).changes}
    assert found == {
        ("response-media-type-added", "the 200 response may now return application/*"),
        ("response-body-type-changed",
         "the 200 response body (application/json, now application/*)")}


def _callback_api(path: str, version: str = "3.0.3") -> dict[str, Any]:
    name = path.rsplit("{", 1)[-1].rstrip("}")
    return {
        "openapi": version, "info": {"title": "t", "version": "1"},
        "paths": {path: {"post": {
            "parameters": [{"name": name, "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"202": {"description": "accepted"}},
            "callbacks": {"done": {"{$request.body#/url}": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"state": {"type": "string"}}}}}},
                "responses": {"200": {"description": "ok"}}}}}}}}},
    }


def test_callbacks_follow_their_owner_when_a_path_parameter_is_renamed(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "a", "api.yaml", _callback_api("/jobs/{id}"))
    renamed = _callback_api("/jobs/{job_id}")
    body = renamed["paths"]["/jobs/{job_id}"]["post"]["callbacks"]["done"][
        "{$request.body#/url}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body["properties"]["state"]["enum"] = ["done", "failed"]
    new = write_spec(tmp_path / "b", "api.yaml", renamed)
    found = {(c.id, c.operation) for c in compare(old, new).changes}
    assert found == {
        ("request-path-parameter-renamed", "POST /jobs/{job_id}"),
        # the API sends the callback's body: an enum now limiting it narrows what receivers get
        ("response-property-became-enum",
         "POST /jobs/{job_id} callback done POST {$request.body#/url}")}


def test_a_callback_declared_by_a_webhook_is_named_after_both(tmp_path: Path) -> None:
    def spec(folder: str, kind: str) -> Spec:
        document = _callback_api("/jobs/{id}", "3.1.0")
        document["webhooks"] = {"jobQueued": document.pop("paths")["/jobs/{id}"]}
        document["paths"] = {}
        callback = document["webhooks"]["jobQueued"]["post"]["callbacks"]["done"]
        callback["{$request.body#/url}"]["post"]["requestBody"]["content"][
            "application/json"]["schema"]["properties"]["state"]["type"] = kind
        return write_spec(tmp_path / folder, "api.yaml", document)
    (change,) = compare(spec("a", "string"), spec("b", "integer")).changes
    assert change.id == "response-property-type-changed"
    assert change.operation == \
        "webhook jobQueued: POST callback done POST {$request.body#/url}"


def test_schema_view_reads_2020_keywords_and_allof_merges_them(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "api.yaml", api({"allOf": [
        {"type": "object", "dependentRequired": {"a": ["b"]},
         "patternProperties": {"^x-": {"type": "string"}}, "not": {"required": ["z"]}},
        {"dependentRequired": {"a": ["c"]}, "if": {"required": ["a"]},
         "then": {"required": ["d"]}},
        {"type": "object", "properties": {"p": {"type": "array", "items": False,
                                                "prefixItems": [{"type": "string"}]}}}]},
        "3.1.0"))
    pointer = "/paths/~1things/get/responses/200/content/application~1json/schema"
    view = schema_view(spec, NodeRef(spec.resolve({"$ref": "#" + pointer}), pointer))
    assert view.dependent_required == {"a": frozenset({"b", "c"})}
    assert set(view.pattern_properties) == {"^x-"}
    assert len(view.excluded) == 1 and len(view.conditions) == 1
    inner = schema_view(spec, view.properties["p"][0])
    assert inner.items_closed and len(inner.prefix_items) == 1
    assert inner.types == frozenset({"array"})


def _upload(version: str, encoding: dict[str, Any] | None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": {"type": "object", "properties": {
        "meta": {"type": "object"}, "note": {"type": "string"}}}}
    if encoding is not None:
        media["encoding"] = encoding
    return {"openapi": version, "info": {"title": "t", "version": "1"},
            "paths": {"/uploads": {"post": {
                "requestBody": {"content": {"multipart/form-data": media}},
                "responses": {"204": {"description": "ok"}}}}}}


def test_a_part_content_type_written_out_as_its_default_is_no_change(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "a", "api.yaml", _upload("3.0.3", None))
    new = write_spec(tmp_path / "b", "api.yaml", _upload("3.0.3", {
        "meta": {"contentType": "application/json"}, "note": {"contentType": "text/plain"}}))
    assert compare(old, new).changes == []
    v31 = write_spec(tmp_path / "c", "api.yaml", _upload("3.1.0", None))
    assert [c.id for c in compare(old, v31).changes] == ["api-openapi-version-changed"]
    narrowed = write_spec(tmp_path / "d", "api.yaml", _upload("3.0.3", {
        "note": {"contentType": "text/markdown"}}))
    assert [c.id for c in compare(old, narrowed).changes] == [
        "request-body-part-content-type-changed"]


def test_a_new_default_still_allowed_keeps_the_old_base_path(tmp_path: Path) -> None:
    def spec(folder: str, default: str) -> Spec:
        document = api({"type": "string"})
        document["servers"] = [{"url": "https://api.example.com/{version}", "variables": {
            "version": {"default": default, "enum": ["v1", "v2"]}}}]
        return write_spec(tmp_path / folder, "api.yaml", document)
    assert [c.id for c in compare(spec("a", "v1"), spec("b", "v2")).changes] == [
        "api-server-variable-default-changed"]


def test_malformed_security_scopes_and_server_urls_do_not_crash(tmp_path: Path) -> None:
    old_doc = api({"type": "string"})
    old_doc["paths"]["/things"]["get"]["security"] = [{"oauth": ["read", 7]}]
    old_doc["servers"] = [{"url": "https://[{host}]/v1", "variables": {"host": {"default": "x"}}}]
    new_doc = api({"type": "string"})
    new_doc["paths"]["/things"]["get"]["security"] = [{"oauth": [["read"], {"a": 1}, "write"]}]
    new_doc["servers"] = [{"url": "https://[{host}]/v1", "variables": {"host": {"default": []}}}]
    old = write_spec(tmp_path / "a", "api.yaml", old_doc)
    new = write_spec(tmp_path / "b", "api.yaml", new_doc)
    ids = sorted(c.id for c in compare(old, new).changes)
    assert "api-security-scope-added" in ids and "api-server-variable-default-changed" in ids


def test_mutated_corpus_specs_never_crash_the_comparison() -> None:
    """Random nodes of the corpus specs replaced by values of the wrong shape."""
    rng = random.Random(20260101)
    junk: list[Any] = [None, 1, "x", [], {}, True, [1, "a"], {"$ref": "#/nope"}, {"a": 1}, [{}]]
    cases = sorted((REPO / "generator" / "tests" / "diff_cases").iterdir())
    for _ in range(300):
        base = Spec.from_path(rng.choice(cases) / rng.choice(["old.yaml", "new.yaml"]))
        document = copy.deepcopy(base.document)
        for _ in range(rng.randint(1, 3)):
            holder, key = _random_slot(rng, document)
            holder[key] = copy.deepcopy(rng.choice(junk))
        mutated = dataclasses.replace(base, document=document)
        for old, new in ((base, mutated), (mutated, base)):
            for change in compare(old, new).changes:
                assert change.id in CATALOGUE


def _random_slot(rng: random.Random, document: dict[str, Any]) -> tuple[Any, Any]:
    slots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) \
            if isinstance(node, list) else ()
        for key, value in items:
            slots.append((node, key))
            walk(value)
    walk(document)
    return rng.choice(slots)


def test_mapping_values_resolve_relative_to_their_file_or_keep_their_source(
        tmp_path: Path) -> None:
    cat = {"type": "object", "properties": {"kind": {"type": "string"}}}
    document = api({"$ref": "kinds/pet.yaml"}, "3.1.0", Cat={"$ref": "kinds/cat.yaml"})
    spec = write_spec(tmp_path, "api.yaml", document, {
        "kinds/cat.yaml": cat, "kinds/unused.yaml": {"Ghost": cat},
        "kinds/pet.yaml": {"oneOf": [{"$ref": "cat.yaml"}], "discriminator": {
            "propertyName": "kind", "mapping": {"cat": "cat.yaml"}}}})
    targets = MappingTargets(spec)
    at = "/paths/~1things/get/responses/200/content/application~1json/schema/discriminator" \
         "/mapping/cat"
    # `cat.yaml` is written in kinds/pet.yaml: it means kinds/cat.yaml, bundled as Cat
    assert targets.target("cat.yaml", at) == MappingTarget("/components/schemas/Cat",
                                                           "kinds/cat.yaml#")
    assert targets.target("Cat", at) == targets.target("cat.yaml", at)
    # written in another file, a pointer that file does not hold means the root document's
    assert targets.target("#/components/schemas/Cat", at).pointer == "/components/schemas/Cat"
    # a file no `$ref` reaches is never read: it is known by its source only
    assert targets.target("unused.yaml#/Ghost", at) == MappingTarget(
        None, "kinds/unused.yaml#/Ghost")
    assert targets.target("Missing", at) == MappingTarget(None, "#/components/schemas/Missing")


def test_schema_view_reads_applicators_and_allof_merges_them(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, "api.yaml", api({"allOf": [
        {"dependentSchemas": {"a": {"required": ["b"]}}, "propertyNames": {"maxLength": 9},
         "unevaluatedProperties": {"type": "string"}},
        {"dependentSchemas": {"a": {"required": ["c"]}}, "unevaluatedProperties": False,
         "properties": {"t": {"type": "array", "contains": {"type": "string"},
                              "minContains": 2, "unevaluatedItems": False}}}]}, "3.1.0"))
    pointer = "/paths/~1things/get/responses/200/content/application~1json/schema"
    view = schema_view(spec, NodeRef(spec.resolve({"$ref": "#" + pointer}), pointer))
    assert view.types == frozenset({"object"})
    assert len(view.dependent_schemas["a"]) == 2 and len(view.property_names) == 1
    assert view.unevaluated_properties is False  # false wins over a schema
    inner = schema_view(spec, view.properties["t"][0])
    assert len(inner.contains) == 1 and inner.lengths["minContains"] == 2
    assert inner.unevaluated_items is False


def _moved(operations: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A document whose paths hold the given {path: (method, operationId)}."""
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {path: {method: {"operationId": operation_id,
                                      "responses": {"204": {"description": "ok"}}}}
                      for path, (method, operation_id) in operations.items()}}


def test_a_move_needs_one_operation_with_the_same_operation_id_and_method(
        tmp_path: Path) -> None:
    old = write_spec(tmp_path / "a", "api.yaml", _moved({"/a": ("get", "read"),
                                                         "/b": ("get", "list")}))
    moved = write_spec(tmp_path / "b", "api.yaml", _moved({"/c": ("get", "read"),
                                                           "/b": ("get", "list")}))
    assert [(c.id, c.operation, c.old_pointer, c.new_pointer)
            for c in compare(old, moved).changes] == [
        ("api-path-changed", "GET /c", "/paths/~1a/get", "/paths/~1c/get")]
    other_method = write_spec(tmp_path / "c", "api.yaml", _moved({"/c": ("put", "read"),
                                                                  "/b": ("get", "list")}))
    assert sorted(c.id for c in compare(old, other_method).changes) == [
        "api-removed-without-deprecation", "endpoint-added"]
    # two candidates for one old operation (operationIds must be unique; this one is not)
    twice = _moved({"/c": ("get", "read"), "/d": ("get", "read"), "/b": ("get", "list")})
    ambiguous = write_spec(tmp_path / "d", "api.yaml", twice)
    assert sorted(c.id for c in compare(old, ambiguous).changes) == [
        "api-removed-without-deprecation", "endpoint-added", "endpoint-added"]
