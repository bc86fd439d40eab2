"""`[tool.specfirst.test]`: project defaults for `specfirst test` and `specfirst check`, below
their flags.

`tenants = true` says the API keeps tenants apart, which turns on the `tenant_isolation` check
in `check` (the spec can say the same with `x-specfirst-tenants: true` at its root).
`require-success` (default true in `check`, false in `test`) fails a run in which an operation
that documents a 2xx never got one; `success-exempt` is a table of operationId = reason for
operations whose 2xx the run cannot reach for a reason outside the spec (records made only by an
admin tool): they never fail the run, and the reason is printed. `headers` is a table sent with
every request; `token` and `basic-user` are the credential (prefer the `SPECFIRST_TEST_TOKEN`
environment variable for secrets).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specfirst.contract_tests.runner.options import (
    DEFAULT_MAX_EXAMPLES,
    MISSING_HEADER_STATUSES,
    NEGATIVE_DATA_STATUSES,
    PHASES,
    POSITIVE_DATA_STATUSES,
)
from specfirst.generator.errors import ConfigError

__all__ = ["ContractDefaults", "contract_defaults"]

_KEYS: dict[str, type] = {
    "max-examples": int, "seed": int, "phases": list, "checks": list,
    "request-timeout": float, "workers": int, "positive-data-statuses": list,
    "missing-header-statuses": list, "negative-data-statuses": list,
    "tenants": bool, "require-success": bool, "success-exempt": dict, "headers": dict,
    "token": str, "basic-user": str,
}


@dataclass(frozen=True)
class ContractDefaults:
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    phases: tuple[str, ...] = PHASES
    checks: tuple[str, ...] = ()
    request_timeout: float = 10.0
    workers: int = 1
    positive_data_statuses: tuple[str, ...] = POSITIVE_DATA_STATUSES
    missing_header_statuses: tuple[str, ...] = MISSING_HEADER_STATUSES
    negative_data_statuses: tuple[str, ...] = NEGATIVE_DATA_STATUSES
    tenants: bool = False
    require_success: bool | None = None
    success_exempt: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str | None = None
    basic_user: str = "specfirst"


def contract_defaults(table: Mapping[str, Any]) -> ContractDefaults:
    """Validate the table: known keys only, with the right types."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _KEYS.get(key)
        if expected is None:
            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(_KEYS)}"
            raise ConfigError(f"unknown key {key!r} in [tool.specfirst.test]{hint}")
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(f"[tool.specfirst.test] {key} must be of type {expected.__name__}")
        if isinstance(value, list):
            value = tuple(str(item) for item in value)
        elif isinstance(value, dict):
            value = {str(name): str(item) for name, item in value.items()}
        values[key.replace("-", "_")] = value
    return ContractDefaults(**values)
