"""API tokens for the contract test of a served spec: the main one, a narrower one, another
tenant's. Created with `specfirst admin token create` against the server's database."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from specfirst.contract_tests.runner.checks import declared_scopes
from specfirst.generator.errors import SpecfirstError

__all__ = ["CheckIdentities", "TokenFactory", "admin_cli_tokens", "create_identities",
           "spec_scopes"]

# (tenant, scopes, database URL) -> token
TokenFactory = Callable[[str, Sequence[str], str], str]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class CheckIdentities:
    token: str
    second_token: str | None
    second_token_scopes: frozenset[str]
    other_tenant_token: str | None


def spec_scopes(document: Mapping[str, Any]) -> set[str]:
    """Every scope any operation of the spec requires."""
    scopes: set[str] = set()
    for item in (document.get("paths") or {}).values():
        if not isinstance(item, Mapping):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping):
                for alternative in declared_scopes(operation, document):
                    scopes.update(alternative)
    return scopes


def admin_cli_tokens(tenant: str, scopes: Sequence[str], db_url: str) -> str:
    """A token from `specfirst admin token create`, which prints it on its last line."""
    command = [sys.executable, "-m", "specfirst.contract_tests.cli", "admin", "token", "create",
               "--tenant", tenant, "--db", db_url]
    for scope in scopes:
        command += ["--scope", scope]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    if completed.returncode != 0:
        raise SpecfirstError(f"`specfirst admin token create` failed ({completed.returncode}): "
                             f"{(completed.stderr or completed.stdout).strip()[-500:]}")
    lines = [line.strip() for line in completed.stdout.splitlines() if line.strip()]
    if not lines:
        raise SpecfirstError("`specfirst admin token create` printed no token")
    return lines[-1].split()[-1]


def create_identities(document: Mapping[str, Any], db_url: str,
                      factory: TokenFactory = admin_cli_tokens, *,
                      other_tenant: bool = True) -> CheckIdentities:
    """The main token holds every scope; the second only the read scopes (`*:read`), when the
    spec has both kinds; the other tenant's token (only with `other_tenant`: the API declares
    tenants) holds every scope."""
    scopes = sorted(spec_scopes(document))
    run = uuid.uuid4().hex[:8]
    token = factory(f"check-{run}", scopes, db_url)
    narrow = sorted(scope for scope in scopes if scope.endswith(":read"))
    second = factory(f"check-{run}", narrow, db_url) if narrow and narrow != scopes else None
    other = factory(f"check-{run}-other", scopes, db_url) if other_tenant else None
    return CheckIdentities(token, second, frozenset(narrow if second else ()), other)
