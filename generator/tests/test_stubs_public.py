"""Stubs for real specs nobody here wrote: they compile, boot under Connexion with every
operation resolved by the convention's resolver, answer 501 problem+json, and survive
regeneration byte for byte."""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import py_compile
import random
import sys
from pathlib import Path
from typing import Any

import connexion
from specfirst.generator.loader import Spec
from specfirst.generator.stubs import check_stubs, generate_stubs, plan_handlers
from specfirst.server.mock.app import base_path
from specfirst.server.mock.served import already_validated, connexion_document
from specfirst.server.mock.values import GenerationError, ValueGenerator
from specfirst.server.resolver import ConventionResolver, handler_location


def package_for(spec_path: Path, root: Path) -> tuple[str, Path]:
    digest = hashlib.sha1(str(spec_path).encode()).hexdigest()[:10]
    name = f"stubs_{digest}"
    return name, root / name


def import_package(name: str, root: Path) -> Any:
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]
    importlib.invalidate_caches()
    return importlib.import_module(f"{name}._operations")


def _without_security(document: dict[str, Any]) -> dict[str, Any]:
    served = copy.deepcopy(document)
    served.pop("security", None)
    for item in (served.get("paths") or {}).values():
        for op in item.values() if isinstance(item, dict) else ():
            if isinstance(op, dict):
                op.pop("security", None)
    return served


def boot(spec: Spec, package: str) -> tuple[connexion.AsyncApp, ConventionResolver]:
    """The package under Connexion, resolved by the convention's resolver. Connexion gets the
    same acceptable copy of the document the mock uses (3.1 downgraded, cycles broken) and no
    security (credentials are not what these tests are about)."""
    app = connexion.AsyncApp(package)
    resolver = ConventionResolver(package)
    served = connexion_document(_without_security(spec.document), is_v31=spec.is_v31)
    with already_validated():
        app.add_api(served, resolver=resolver, pythonic_params=True)
    return app, resolver


def _shadowed(path: str, paths: list[str]) -> bool:
    """Whether an earlier path template also matches this one's URLs (Connexion routes in
    document order, so the earlier one would answer)."""
    mine = path.strip("/").split("/")
    for other in paths:
        if other == path:
            return False
        theirs = other.strip("/").split("/")
        if len(theirs) == len(mine) and all(
                t == m or (t.startswith("{") and t.endswith("}"))
                for t, m in zip(theirs, mine, strict=True)):
            return True
    return False


def sample_requests(spec: Spec, served_paths: set[str], limit: int = 3) -> list[tuple[str, str]]:
    """(method, url path) of up to `limit` operations callable with path parameters only."""
    rng = random.Random(1)
    found = []
    for op in plan_handlers(spec).operations:
        if _shadowed(op.path, list(spec.document["paths"])):
            continue
        if op.path not in served_paths or any(p.required and p.source != "path"
                                               for p in op.parameters):
            continue
        raw = spec.document["paths"][op.path]
        params = list(raw.get("parameters") or []) + list(raw[op.method].get("parameters") or [])
        params = [spec.resolve(p) for p in params]
        if any(p.get("required") and p.get("in") in ("header", "cookie") for p in params):
            continue
        url = op.path
        try:
            for param in op.parameters:
                schema: Any = next((p.get("schema", {}) for p in reversed(params)
                               if p.get("in") == "path" and p.get("name") == param.spec_name), {})
                schema = spec.resolve(schema)
                if not isinstance(schema, dict) or schema.get("type") not in (
                        "string", "integer", None) or "pattern" in schema:
                    raise GenerationError("not a simple path parameter")
                value = ValueGenerator(spec.document, rng, is_v31=spec.is_v31,
                                       direction="request").generate(schema)
                url = url.replace("{" + param.spec_name + "}", str(value))
        except GenerationError:
            continue
        if op.method in ("get", "delete", "head", "options"):
            found.append((op.method, url))
        if len(found) >= limit:
            break
    return found


def expected_locations(spec: Spec, package: str) -> dict[str, str]:
    """What the resolver looks up for every operation, keyed like `_operations.HANDLERS`."""
    result = {}
    for op in plan_handlers(spec).operations:
        raw = spec.resolve(spec.document["paths"][op.path])[op.method]
        module, function = handler_location(package, raw, op.method, op.path)
        result[op.key] = f"{module.removeprefix(package + '.')}.{function}"
    return result


def generate(spec_path: Path, root: Path) -> tuple[Spec, str, Path]:
    spec = Spec.from_path(spec_path)
    name, folder = package_for(spec_path, root)
    generate_stubs(spec, folder)
    return spec, name, folder


def test_every_public_spec_compiles_boots_and_answers_501(public_specs: list[Path],
                                                         tmp_path: Path) -> None:
    problems: list[str] = []
    called = 0
    for spec_path in public_specs:
        spec, name, folder = generate(spec_path, tmp_path)
        for module in folder.glob("*.py"):
            py_compile.compile(str(module), doraise=True)
        operations = import_package(name, tmp_path)
        disagreements = {key: (want, operations.HANDLERS[key])
                         for key, want in expected_locations(spec, name).items()
                         if operations.HANDLERS[key] != want}
        if disagreements:
            problems.append(f"{spec_path.name}: resolver looks up {disagreements}")
        app, resolver = boot(spec, name)
        if resolver.missing:
            problems.append(f"{spec_path.name}: unresolved {resolver.missing[:3]}")
        client = app.test_client()
        base = base_path(spec.document)
        served_paths = set(spec.document.get("paths") or {})
        for method, url in sample_requests(spec, served_paths):
            response = client.request(method.upper(), base + url)
            called += 1
            if response.status_code != 501 or not response.headers.get(
                    "content-type", "").startswith("application/problem+json"):
                problems.append(f"{spec_path.name}: {method.upper()} {url} answered "
                                f"{response.status_code} {response.text[:200]}")
            elif response.json()["status"] != 501:
                problems.append(f"{spec_path.name}: problem body {response.text[:200]}")
    assert called > len(public_specs)  # most specs had operations to call
    assert problems == []


def test_regeneration_is_idempotent_and_keeps_edits_on_every_public_spec(
        public_specs: list[Path], tmp_path: Path) -> None:
    for spec_path in public_specs:
        spec, _, folder = generate(spec_path, tmp_path)
        before = {p.name: p.read_bytes() for p in folder.glob("*.py")}
        again = generate_stubs(spec, folder)
        assert again.written == [], spec_path.name
        assert {p.name: p.read_bytes() for p in folder.glob("*.py")} == before
        assert check_stubs(spec, folder).drift == [], spec_path.name
        if not spec.document.get("paths"):
            continue
        # a person implements a handler, the spec gains an operation, stubs runs again
        module = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))[0]
        text = module.read_text(encoding="utf-8")
        edited = text.replace("    return not_implemented(", "    # done by hand\n"
                              "    return {'implemented': True}, 200  # (", 1).encode()
        module.write_bytes(edited)
        grown = json.loads(json.dumps(spec.document))
        grown["paths"]["/specfirst-added/{thing_id}"] = {"get": {
            "operationId": "specfirstAdded", "tags": [module.stem],
            "parameters": [{"name": "thing_id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}}}
        grown_path = tmp_path / f"{spec_path.stem}-grown.json"
        grown_path.write_text(json.dumps(grown, ensure_ascii=False), encoding="utf-8")
        result = generate_stubs(Spec.from_path(grown_path), folder)
        assert list(result.appended.values()) == [["specfirst_added"]], spec_path.name
        after = module.read_bytes()
        assert after.startswith(edited), spec_path.name
        added = after[len(edited):].decode()
        assert "def specfirst_added(" in added and "thing_id: str" in added, added
        py_compile.compile(str(module), doraise=True)


def test_large_spec_compiles_boots_and_is_stable(large_public_spec: Path, tmp_path: Path) -> None:
    spec, name, folder = generate(large_public_spec, tmp_path)
    operations = import_package(name, tmp_path)
    assert len(operations.HANDLERS) > 900
    app, resolver = boot(spec, name)
    assert resolver.missing == []
    assert expected_locations(spec, name) == operations.HANDLERS
    response = app.test_client().get("/meta")
    assert response.status_code == 501
    assert response.headers["content-type"].startswith("application/problem+json")
    assert generate_stubs(Spec.from_path(large_public_spec), folder).written == []


def test_reference_crm_handlers_pass_the_drift_check(repo_root: Path) -> None:
    spec = Spec.from_path(repo_root / "openapi" / "crm.yaml")
    drift = check_stubs(spec, repo_root / "server" / "crm" / "handlers").drift
    assert [str(d) for d in drift] == []


def test_serve_app_factory_runs_generated_stubs(oas_examples_dir: Path, tmp_path: Path) -> None:
    """The real wiring of `specfirst serve SPEC --handlers PACKAGE` (server.app.create_app)."""
    from specfirst.server.app import create_app
    from specfirst.server.settings import ServerSettings

    spec_path = oas_examples_dir / "3.0" / "json" / "petstore.json"
    _, name, _ = generate(spec_path, tmp_path)
    import_package(name, tmp_path)
    settings = ServerSettings.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    app = create_app(spec_path, name, settings)
    response = app.test_client().get("/v2/user/logout")
    assert response.status_code == 501
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "The handler for GET /user/logout is not implemented yet."
