"""What one contract-test run is asked to do: the target, credentials, budgets and checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specfirst.generator.errors import UsageError

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "MISSING_HEADER_STATUSES",
    "NEGATIVE_DATA_STATUSES",
    "PHASES",
    "POSITIVE_DATA_STATUSES",
    "RunOptions",
    "parse_list",
]

# Schemathesis' test phases, in the order they run.
PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEFAULT_MAX_EXAMPLES = 25
# What a schema-valid request may get. Schemathesis' own list, plus the answers that depend on
# state a schema cannot describe: 412 (a well-formed If-Match that is no longer current) and 422
# (a well-formed reference to a record that does not exist, or a rule across fields).
POSITIVE_DATA_STATUSES = ("2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx")
# What a request without a required header may get: Schemathesis' list plus 428 Precondition
# Required, RFC 6585's answer to a missing If-Match.
MISSING_HEADER_STATUSES = ("400", "401", "403", "406", "415", "422", "428")
# What an invalid request may get: Schemathesis' list plus 413 Content Too Large, the answer to
# a body over the server's size cap (fuzzed arrays grow large).
NEGATIVE_DATA_STATUSES = ("400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                          "428", "429", "5xx")


@dataclass(frozen=True)
class RunOptions:
    """One run: exactly one of `url` or `app`, plus the knobs of `specfirst test`.

    `app` is an ASGI application object (in-process); `url` is the base URL of a running API.
    `token` is presented the way each operation's security scheme asks (as the password of
    HTTP Basic with the user `basic_user`). `checks` names Schemathesis checks and our own;
    empty means all of them; `operation_ids` limits the run to those operations (empty: every
    operation). `second_token` holds `second_token_scopes` only (empty: no scopes at all);
    `other_tenant_token` belongs to a different tenant than `token`.
    """

    url: str | None = None
    app: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    token: str | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    phases: tuple[str, ...] = PHASES
    checks: tuple[str, ...] = ()
    second_token: str | None = None
    second_token_scopes: frozenset[str] = frozenset()
    other_tenant_token: str | None = None
    max_failures: int | None = None
    request_timeout: float = 10.0
    workers: int = 1
    operation_ids: tuple[str, ...] = ()
    positive_data_statuses: tuple[str, ...] = POSITIVE_DATA_STATUSES
    missing_header_statuses: tuple[str, ...] = MISSING_HEADER_STATUSES
    negative_data_statuses: tuple[str, ...] = NEGATIVE_DATA_STATUSES
    basic_user: str = "specfirst"

    def __post_init__(self) -> None:
        if (self.url is None) == (self.app is None):
            raise UsageError("give exactly one of --url URL or --app MODULE:ATTR")
        unknown = [phase for phase in self.phases if phase not in PHASES]
        if unknown:
            raise UsageError(f"unknown phase {unknown[0]!r}; choose from {', '.join(PHASES)}")
        if not self.phases:
            raise UsageError("--phases needs at least one phase")
        if self.max_examples < 1:
            raise UsageError("--max-examples must be at least 1")

    @property
    def request_headers(self) -> dict[str, str]:
        """Headers every request carries: the `--header` values. The token is presented per
        operation, in the form its security scheme names (`runner.credentials`)."""
        return dict(self.headers)


def parse_list(value: str | None) -> tuple[str, ...]:
    """A comma-separated option value as a tuple of non-empty, stripped items."""
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())
