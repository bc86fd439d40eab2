"""The handler convention: names, parameters and Connexion's renaming."""

from __future__ import annotations

from pathlib import Path

import pytest
from connexion.decorators.parameter import pythonic as connexion_pythonic
from specfirst.generator.loader import Spec
from specfirst.generator.stubs import plan_handlers, pythonic

GOLDEN = Path(__file__).parent / "golden" / "stubs_tricky" / "spec.yaml"

NAMES = ["id", "type", "filter", "filter[name]", "sortBy", "X-Request-Id", "petId", "order-id",
         "HTTPStatus", "class", "from", "list", "$select", "2fa", "page[size]", "a.b", "user",
         "_private", "camelCaseID", "ümlaut", "", "async", "match", "print", "body"]


@pytest.mark.parametrize("name", NAMES)
def test_pythonic_matches_connexion(name: str) -> None:
    assert pythonic(name) == connexion_pythonic(name)


def test_operations_follow_the_convention() -> None:
    plan = plan_handlers(Spec.from_path(GOLDEN))
    found = {op.key: op for op in plan.operations}
    list_pets = found["GET /pets"]
    assert (list_pets.module, list_pets.function) == ("pets", "list_pets")
    # header and cookie parameters are not passed; query names are Connexion's pythonic ones
    assert [p.name for p in list_pets.parameters] == ["limit", "type_", "filter_name", "sort_by"]
    assert [p.required for p in list_pets.parameters] == [False, True, False, False]
    assert list_pets.secured
    # path-level parameters count; `id` becomes `id_`; x-body-name names the body
    patch = found["PATCH /pets/{id}"]
    assert [p.name for p in patch.parameters] == ["id_", "changes"]
    assert not patch.parameters[1].required
    assert not found["GET /pets/{id}"].secured  # security: [] overrides the root
    # undeclared path variables are still passed by Connexion, hyphens become underscores
    orders = found["GET /store/{storeId}/orders/{order-id}"]
    assert orders.module == "store_admin"
    assert [p.name for p in orders.parameters] == ["store_id", "order_id"]
    assert found["GET /health"].module == "default"


def test_hostile_operation_ids_become_unique_identifiers() -> None:
    plan = plan_handlers(Spec.from_path(GOLDEN))
    names = [op.function for op in plan.operations if op.module == "pets"]
    assert names == ["list_pets", "x", "class_", "init", "list_pets_2"]
    assert all(name.isidentifier() for name in names)
    assert len(set(names)) == len(names)


def test_parameter_names_that_cannot_be_python_need_kwargs(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      parameters:\n        - {name: $class, in: query, schema: {type: string}}\n"
        "      responses: {'200': {description: ok}}\n")
    op = plan_handlers(Spec.from_path(spec)).operations[0]
    assert op.needs_kwargs and op.parameters == ()


def test_public_api_is_sorted_and_importable() -> None:
    import specfirst.generator.stubs

    assert specfirst.generator.stubs.__all__ == sorted(specfirst.generator.stubs.__all__)
    assert all(hasattr(specfirst.generator.stubs,
               name) for name in specfirst.generator.stubs.__all__)
