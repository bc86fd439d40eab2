"""Checks beyond Schemathesis' own, registered with it so every phase runs them.

- `problem_json`: every 4xx/5xx answer is `application/problem+json` (RFC 9457).
- `created_location`: every 201 answer carries a `Location` header.
- `scope_enforcement`: given a second, narrower token, an operation that declares scopes the
  token lacks answers it 403 (the token is valid, so 401 is wrong too).
- `tenant_isolation`: given another tenant's token, a resource the main token can read or change
  answers that token 404, not the resource and not a 403 that confirms it exists.

The last two replay a request that succeeded with a different token, a few times per operation,
and do nothing without their token. All four are registered with Schemathesis globally but only act
inside `active_checks(...)`, so other Schemathesis runs in the same process are left as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import schemathesis
from specfirst.contract_tests.runner.credentials import Placement, placements_for, present
from specfirst.contract_tests.runner.results import with_token_variable
from specfirst.contract_tests.runner.schemathesis_compat import Failure

if TYPE_CHECKING:
    from schemathesis import Case as _Case
    from schemathesis import CheckContext, Response

    Case = _Case[Any]

__all__ = [
    "CUSTOM_CHECKS",
    "CheckTokens",
    "active_checks",
    "declared_scopes",
    "missing_scopes",
]

PROBLEM_JSON = "application/problem+json"
# Replays per operation: one proves the point; a few cover operations whose first success is odd.
MAX_PROBES_PER_OPERATION = 3
_REPLAYED_METHODS_FOR_TENANTS = frozenset({"GET", "PATCH", "PUT"})


@dataclass(frozen=True)
class CheckTokens:
    """The extra identities the authorization checks use; `None` turns a check off."""

    second_token: str | None = None
    second_token_scopes: frozenset[str] = frozenset()
    other_tenant_token: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    basic_user: str = "specfirst"


_lock = threading.Lock()
_current: CheckTokens | None = None
_probes: dict[tuple[str, str], int] = {}


@contextmanager
def active_checks(tokens: CheckTokens) -> Iterator[None]:
    """Turn the checks on for one run, with its identities; probes are counted per run."""
    global _current
    with _lock:
        _current = tokens
        _probes.clear()
    try:
        yield
    finally:
        with _lock:
            _current = None
            _probes.clear()


def _claim_probe(check: str, label: str) -> bool:
    with _lock:
        count = _probes.get((check, label), 0)
        if count >= MAX_PROBES_PER_OPERATION:
            return False
        _probes[(check, label)] = count + 1
        return True


class SpecfirstCheckFailure(Failure):
    """A failure of one of our checks; its title names what broke."""

    kind_title = "specfirst check failed"

    @property
    def _unique_key(self) -> str:
        # One finding per operation and title, so two of our checks never merge into one.
        return str(self.title)


def _fail(case: Case, title: str, message: str) -> SpecfirstCheckFailure:
    return SpecfirstCheckFailure(operation=case.operation.label, title=title, message=message)


def _header(response: Response, name: str) -> str | None:
    for key, values in response.headers.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def problem_json(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx/5xx answer is `application/problem+json`."""
    if _current is None or response.status_code < 400 or case.method.upper() == "HEAD":
        return None
    media_type = _media_type(_header(response, "Content-Type"))
    if media_type != PROBLEM_JSON:
        raise _fail(case, "Error is not application/problem+json",
                    f"{response.status_code} answered with Content-Type "
                    f"{media_type or '(none)'!r}; errors must be {PROBLEM_JSON} (RFC 9457)")
    return True


def created_location(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 201 answer says where the new resource is."""
    if _current is None or response.status_code != 201:
        return None
    if not _header(response, "Location"):
        raise _fail(case, "201 Created without Location",
                    "a 201 answer must say where the new resource is, in a Location header")
    return True


def declared_scopes(operation: Mapping[str, Any], document: Mapping[str, Any]) -> list[set[str]]:
    """The operation's security alternatives as scope sets (the document's default applies)."""
    security = operation.get("security", document.get("security", []))
    alternatives: list[set[str]] = []
    for requirement in security or []:
        if isinstance(requirement, Mapping):
            scopes: set[str] = set()
            for values in requirement.values():
                scopes.update(str(value) for value in values or [])
            alternatives.append(scopes)
    return alternatives


def missing_scopes(alternatives: Iterable[set[str]], held: frozenset[str]) -> set[str] | None:
    """The scopes a token lacks for the operation, or None when one alternative is satisfied."""
    lacking: set[str] | None = None
    for scopes in alternatives:
        missing = scopes - held
        if not missing:
            return None
        if lacking is None or len(missing) < len(lacking):
            lacking = missing
    return lacking


def _replay(ctx: CheckContext, tokens: CheckTokens, case: Case, token: str,
            variable: str) -> tuple[Response, str]:
    """Send `case` again with `token`, where the operation's security scheme puts it, and the
    run's other headers; the answer and a curl that reads the token from `$variable`. The replay
    is recorded as a child of `case` (coverage)."""
    placements = placements_for(case.operation.definition.raw, case.operation.schema.raw_schema)
    if not placements:
        placements = [Placement("header", "Authorization", "bearer")]
    headers = {k: v for k, v in tokens.extra_headers.items() if k.lower() != "authorization"}
    probe = case.derive()
    present(placements, token, probe.headers, probe.query, probe.cookies, tokens.basic_user)
    for placement in placements:
        if placement.location == "header":
            for key in [key for key in headers if key.lower() == placement.name.lower()]:
                del headers[key]
            headers[placement.name] = probe.headers[placement.name]
    response = probe.call(headers=headers)
    recorder = getattr(ctx, "internals", None)
    if recorder is not None:
        recorder.record_case(parent_id=case.id, case=probe)
        recorder.record_response(case_id=probe.id, response=response)
    curl = with_token_variable(probe.as_curl_command(headers=headers), variable)
    return response, curl


def scope_enforcement(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """An operation declaring scopes answers 403 to a valid token without them."""
    tokens = _current
    token = tokens.second_token if tokens else None
    if tokens is None or token is None or not 200 <= response.status_code < 300:
        return None
    alternatives = declared_scopes(case.operation.definition.raw, case.operation.schema.raw_schema)
    lacking = missing_scopes(alternatives, tokens.second_token_scopes)
    if not lacking or not _claim_probe("scope_enforcement", case.operation.label):
        return None
    answer, curl = _replay(ctx, tokens, case, token, "SECOND_TOKEN")
    if answer.status_code != 403:
        raise _fail(case, "Missing scope not refused",
                    f"a token without {', '.join(sorted(lacking))} got {answer.status_code}, "
                    f"expected 403\n\nReproduce with:\n\n    {curl}")
    return True


def tenant_isolation(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A resource of the main token's tenant answers 404 to another tenant's token."""
    tokens = _current
    token = tokens.other_tenant_token if tokens else None
    if (
        tokens is None
        or token is None
        or not 200 <= response.status_code < 300
        or case.method.upper() not in _REPLAYED_METHODS_FOR_TENANTS
        or not case.path_parameters
        or not declared_scopes(case.operation.definition.raw, case.operation.schema.raw_schema)
        or not _claim_probe("tenant_isolation", case.operation.label)
    ):
        return None
    answer, curl = _replay(ctx, tokens, case, token, "OTHER_TENANT_TOKEN")
    if answer.status_code != 404:
        raise _fail(case, "Another tenant's resource not refused",
                    f"another tenant's token got {answer.status_code} for {case.formatted_path}, "
                    f"expected 404\n\nReproduce with:\n\n    {curl}")
    return True


# name -> check, in the order reports list them
CUSTOM_CHECKS = {
    check.__name__: schemathesis.check(check)
    for check in (problem_json, created_location, scope_enforcement, tenant_isolation)
}
