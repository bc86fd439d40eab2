"""Contract-test your app from pytest, in-process, the way Schemathesis' `from_asgi` does.

```python
from specfirst.contract_tests.pytest_plugin import contract_api

def test_contract() -> None:
    api = contract_api("openapi/api.yaml", handlers="myapi.handlers")
    api.assert_passes(max_examples=10)
```

or, with `[tool.specfirst] spec` and `handlers-package` in pyproject.toml, the `specfirst_api`
fixture this plugin registers (entry point `pytest11`):

```python
def test_contract(specfirst_api) -> None:
    specfirst_api.assert_passes()
```

The app is built from the spec and the handler package with a fresh SQLite database of its
own; a token holding every scope the spec names is minted in it and sent the way each
operation's security scheme asks. `assert_passes` fails the test with the summary the CLI
prints, including an operation that documents a 2xx and never got one, unless that operation is
exempt: `success_exempt={"operationId": "reason"}`, or `success-exempt` in
`[tool.specfirst.test]` for the fixture, as for `specfirst test`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from specfirst.contract_tests.runner.results import RunResult
    from specfirst.generator.loader import Spec

# Installed as a pytest plugin for every session: the engine, the server and the loader are
# imported when a test uses them, not when pytest starts.

__all__ = ["ContractAPI", "build_app", "contract_api", "specfirst_api"]


def build_app(spec: str | Path, handlers: str, database_url: str) -> Any:
    """The ASGI app serving `spec` with the handler package `handlers` (one place to call the
    server's factory)."""
    from specfirst.server.app import create_app
    from specfirst.server.settings import ServerSettings

    return create_app(str(spec), handlers, ServerSettings.from_env(database_url=database_url))


def _mint_token(database_url: str, scopes: list[str]) -> str:
    from specfirst.server.db import Database
    from specfirst.server.migrations import apply_migrations
    from specfirst.server.security import create_token

    db = Database.from_url(database_url)
    apply_migrations(db)
    token, _ = create_token(db, "pytest", scopes)
    return token


@dataclass
class ContractAPI:
    """An app built in-process from a spec and its handlers, with a token for it."""

    spec: Spec
    app: Any
    token: str | None
    results: list[RunResult] = field(default_factory=list)
    # operationId -> reason: operations whose 2xx a run need not reach
    success_exempt: Mapping[str, str] = field(default_factory=dict)

    def run(self, **options: Any) -> RunResult:
        """One contract-test run; `options` are `RunOptions` fields (max_examples, seed,
        phases, checks, headers, ...)."""
        from specfirst.contract_tests.runner.engine import run_contract_tests
        from specfirst.contract_tests.runner.options import RunOptions

        options.setdefault("max_examples", 10)
        result = run_contract_tests(self.spec, RunOptions(app=self.app, token=self.token,
                                                          **options))
        self.results.append(result)
        return result

    def assert_passes(self, *, require_success: bool = True,
                      success_exempt: Mapping[str, str] | None = None,
                      **options: Any) -> RunResult:
        """Run, and fail the test with every failure, error and unreached success (but those
        of `success_exempt`, operationId -> reason; the API's own exemptions by default)."""
        from specfirst.contract_tests.runner.verdict import coverage_of

        result = self.run(**options)
        exempt = self.success_exempt if success_exempt is None else success_exempt
        coverage = coverage_of(result, self.spec.document, required=require_success,
                               exempt=exempt)
        if result.failed or coverage.failed:
            lines = [f"{failure.check}: {failure.operation}: {failure.title}\n    "
                     f"{failure.message.strip().splitlines()[0] if failure.message.strip() else ''}"
                     f"\n    {failure.curl.splitlines()[0] if failure.curl else ''}"
                     for failure in result.failures]
            lines += result.errors
            lines += [error for op in result.operations.values() for error in op.errors]
            lines += coverage.lines()
            if result.cases == 0:
                lines.append("no test case was run")
            raise AssertionError(f"contract test of {self.spec.path} failed (seed "
                                 f"{result.seed}):\n" + "\n".join(lines))
        return result


def contract_api(spec: str | Path, handlers: str, *, database_url: str | None = None,
                 token: str | None = None,
                 success_exempt: Mapping[str, str] | None = None) -> ContractAPI:
    """Build the app for `spec` and `handlers` (a fresh temporary SQLite database unless
    `database_url`) and mint a token holding every scope the spec names (unless `token`).
    `success_exempt` (operationId -> reason) is what `assert_passes` exempts by default."""
    from specfirst.contract_tests.pipeline.tokens import spec_scopes
    from specfirst.generator.loader import Spec

    loaded = Spec.from_path(spec)
    if database_url is None:
        folder = tempfile.mkdtemp(prefix="specfirst-pytest-")
        database_url = f"sqlite:///{Path(folder) / 'contract.db'}"
    if token is None:
        token = _mint_token(database_url, sorted(spec_scopes(loaded.document)))
    return ContractAPI(loaded, build_app(loaded.path, handlers, database_url), token,
                       success_exempt=dict(success_exempt or {}))


@pytest.fixture()
def specfirst_api(tmp_path: Path) -> Iterator[ContractAPI]:
    """The configured spec (`[tool.specfirst] spec`) served by `handlers-package`, in-process."""
    from specfirst.contract_tests.runner.defaults import contract_defaults
    from specfirst.generator.config import load_settings

    settings = load_settings()
    handlers = settings.get("handlers-package")
    if not handlers:
        pytest.fail("specfirst_api needs `handlers-package` in [tool.specfirst]", pytrace=False)
    yield contract_api(settings.path("spec"), str(handlers),
                       database_url=f"sqlite:///{tmp_path / 'contract.db'}",
                       success_exempt=contract_defaults(settings.get("test") or {}).success_exempt)
