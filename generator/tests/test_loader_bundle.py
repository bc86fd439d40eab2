"""Multi-file specs: bundling into local references, and locating every node in its own file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from specfirst.generator.document import parse_document
from specfirst.generator.errors import SpecLoadError
from specfirst.generator.loader import Spec, resolve_pointer


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / next(iter(files))


SPLIT = {
    "api.yaml": """\
openapi: 3.0.3
info:
  title: Pets
  version: "1"
paths:
  /pets:
    $ref: paths/pets.yaml
components:
  schemas:
    Pet:
      $ref: schemas/Pet.yaml
""",
    "paths/pets.yaml": """\
get:
  operationId: list_pets
  responses:
    "200":
      description: ok
      content:
        application/json:
          schema:
            type: array
            items:
              $ref: ../schemas/Pet.yaml
""",
    "schemas/Pet.yaml": """\
type: object
properties:
  name:
    type: string
  parent:
    $ref: Pet.yaml
  owner:
    $ref: Owner.yaml
""",
    "schemas/Owner.yaml": """\
type: object
properties:
  pets:
    type: array
    items:
      $ref: Pet.yaml
""",
}


def test_bundle_keeps_component_names_and_only_local_refs(tmp_path: Path) -> None:
    spec = Spec.from_path(write(tmp_path, SPLIT))
    text = json.dumps(spec.document)
    refs = [part.split('"')[0] for part in text.split('"$ref": "')[1:]]
    assert refs and all(ref.startswith("#/") for ref in refs)
    items = spec.document["paths"]["/pets"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["items"]
    assert items == {"$ref": "#/components/schemas/Pet"}
    pet = spec.document["components"]["schemas"]["Pet"]
    assert pet["properties"]["parent"] == {"$ref": "#/components/schemas/Pet"}
    owner = pet["properties"]["owner"]
    assert owner["properties"]["pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    for ref in refs:
        resolve_pointer(spec.document, ref[1:].replace("%7B", "{"))


def test_locate_points_into_the_file_where_the_node_is(tmp_path: Path) -> None:
    spec = Spec.from_path(write(tmp_path, SPLIT))
    where = spec.locate("/paths/~1pets/get/operationId")
    assert where.file.endswith("paths/pets.yaml") and (where.line, where.column) == (2, 16)
    where = spec.locate("/components/schemas/Pet/properties/owner/properties/pets", key=True)
    assert where.file.endswith("schemas/Owner.yaml") and where.line == 3
    where = spec.locate("/info/title")
    assert where.file.endswith("api.yaml") and (where.line, where.column) == (3, 10)
    # A pointer to something absent falls back to its nearest ancestor.
    assert spec.locate("/paths/~1pets/get/nothing/here").line == 2


def test_circular_refs_resolve_without_recursion(tmp_path: Path) -> None:
    spec = Spec.from_path(write(tmp_path, SPLIT))
    node = spec.document["components"]["schemas"]["Pet"]["properties"]["parent"]
    for _ in range(100):
        node = spec.resolve(node)["properties"]["parent"]
    assert node == {"$ref": "#/components/schemas/Pet"}


def test_json_crlf_and_bom_keep_positions() -> None:
    doc = parse_document("a.json", b'\xef\xbb\xbf{\r\n\t"openapi": "3.1.0",\r\n\t"x": [1, 2]\r\n}')
    assert doc.data == {"openapi": "3.1.0", "x": [1, 2]}
    assert doc.positions["/x/1"] == (3, 11)
    yaml_doc = parse_document("a.yaml", b"a: 1\r\nb:\r\n  c: true\r\n")
    assert yaml_doc.positions["/b/c"] == (3, 6)


def test_status_code_keys_stay_strings_and_duplicates_are_recorded() -> None:
    raw = b"responses:\n  200: {description: a}\n  200: {description: b}\n"
    doc = parse_document("a.yaml", raw)
    assert list(doc.data["responses"]) == ["200"]
    assert doc.duplicate_keys == [("/responses/200", 3, 3)]


@pytest.mark.parametrize("name", ["api.yaml", "api.json"])
def test_same_spec_in_yaml_and_json(tmp_path: Path, name: str) -> None:
    data = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2) if name.endswith(".json") else
                    "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths: {}\n")
    spec = Spec.from_path(path)
    assert spec.document == data and spec.is_v31


def test_a_property_named_ref_is_not_a_reference(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    Scim:\n      type: object\n      properties:\n        $ref: {type: string}\n"
        "        example: {type: string}\n"
    )
    spec = Spec.from_path(path)
    properties = spec.document["components"]["schemas"]["Scim"]["properties"]
    assert properties == {"$ref": {"type": "string"}, "example": {"type": "string"}}


@pytest.mark.parametrize("keyword, value", [
    ("dependentSchemas", "{required: [id]}"),
    ("dependentRequired", "[id]"),
    ("$defs", "{type: string}"),
    ("definitions", "{type: string}"),
])
def test_other_name_keyed_keywords_hold_ref_as_a_name(tmp_path: Path, keyword: str,
                                                      value: str) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        f"    Scim:\n      type: object\n      {keyword}:\n        $ref: {value}\n"
    )
    spec = Spec.from_path(path)
    held = spec.document["components"]["schemas"]["Scim"][keyword]
    assert list(held) == ["$ref"] and not isinstance(held["$ref"], str)


def test_json_surrogate_pairs_decode_and_escaped_backslashes_stay() -> None:
    raw = b'{"a": "x\\ud83d\\ude00y", "b": "\\\\ud83d\\\\ude00", "c": 1}'
    doc = parse_document("a.json", raw)
    assert doc.data == json.loads(raw)


def test_json_is_read_as_json_and_located_when_asked() -> None:
    """JSON data comes from the json module (a number is a number however it is written); its
    positions, found by the YAML event reader, are the same as if built with the data."""
    doc = parse_document("a.json", b'{\n  "a": 1e5,\n  "b": [true, null],\n  "a": 2e1\n}')
    assert doc.data == {"a": 20.0, "b": [True, None]}
    assert doc.source_map is None  # nothing located yet
    assert doc.positions["/b/1"] == (3, 15)
    assert doc.keys["/b"] == (3, 3)
    assert doc.duplicate_keys == [("/a", 4, 3)]


def test_json_beyond_the_limits_is_refused_where_it_goes_too_deep() -> None:
    from specfirst.generator.document import Limits

    deep = b'{"a": ' * 5 + b"1" + b"}" * 5
    assert parse_document("a.json", deep, Limits(max_depth=5)).data["a"]["a"]["a"]["a"] \
        == {"a": 1}
    with pytest.raises(SpecLoadError, match="nested more than 4 levels") as raised:
        parse_document("a.json", deep, Limits(max_depth=4))
    assert raised.value.location is not None and raised.value.location.line == 1


def test_json_with_non_standard_constants_reads_them_as_text() -> None:
    doc = parse_document("a.json", b'{"a": NaN}')
    assert doc.data == {"a": "NaN"}


def test_a_json_spec_with_local_refs_is_read_without_its_source_map(tmp_path: Path) -> None:
    """Serving never locates a node: a JSON spec whose references all resolve is bundled
    without reading where its nodes are; a dangling one is still reported at its line."""
    components: dict[str, Any] = {"responses": {"Ok": {"description": "ok"}}}
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": {"responses": {"200": {
                    "$ref": "#/components/responses/Ok"}}}}},
                "components": components}
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document, indent=1))
    spec = Spec.from_path(path)
    assert spec.root.source_map is None
    components["responses"] = {"Fine": {"description": "ok"}}
    path.write_text(json.dumps(document, indent=1))
    with pytest.raises(SpecLoadError) as raised:
        Spec.from_path(path)
    assert raised.value.location is not None and raised.value.location.line > 1
