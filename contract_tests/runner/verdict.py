"""What a run that raised no failure may still have missed: no false pass.

- `unreached_successes`: operations that document a 2xx answer and never got one. A run whose
  requests were all refused (401 everywhere, a wrong base URL) otherwise passes, having tested
  nothing past the front door.
- `wrong_base_url`: a run whose answers are nearly all 404 is almost always pointed at the wrong
  place; the note names the URL used and the spec's server URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from specfirst.contract_tests.runner.results import OperationResult, RunResult
from specfirst.contract_tests.runner.servers import server_url

__all__ = ["NOT_FOUND_SHARE", "Coverage", "coverage_of", "unreached_successes", "wrong_base_url"]

# Share of the answered operations that saw nothing but 404 above which the base URL is named
# as the likely cause. A correct API answers 404 only to unknown ids, and most operations (lists,
# creates) have none.
NOT_FOUND_SHARE = 0.8


def _documents_success(operation: OperationResult) -> bool:
    return any(code.startswith("2") for code in operation.documented_statuses) or any(
        code.upper() == "2XX" for code in operation.documented_statuses)


def unreached_successes(result: RunResult) -> list[OperationResult]:
    """Operations that document a 2xx and never got one in the run, in spec order."""
    return [operation for operation in result.operations.values()
            if _documents_success(operation) and operation.cases
            and not any(200 <= code < 300 for code in operation.seen_statuses)]


def wrong_base_url(result: RunResult, document: Mapping[str, Any]) -> str | None:
    """A note naming the URL used and the spec's server URL, when nearly every answer was 404."""
    answered = [op for op in result.operations.values() if op.seen_statuses]
    if not answered:
        return None
    only_404 = [op for op in answered if op.seen_statuses <= {404, 405}]
    if len(only_404) < NOT_FOUND_SHARE * len(answered):
        return None
    declared = server_url(document) or "(none)"
    return (f"{len(only_404)} of {len(answered)} operations answered nothing but 404: the base "
            f"URL {result.base_url} is likely wrong (the spec's server URL is {declared}; the "
            f"spec's paths are appended to the base URL)")


@dataclass(frozen=True)
class Coverage:
    """The success coverage of a run, and whether it fails the run."""

    unreached: list[OperationResult]
    base_url_note: str | None
    required: bool
    # label -> reason: operations configured not to need a 2xx, that did not get one
    exempt: Mapping[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.required and bool(self.unreached)

    def lines(self) -> list[str]:
        """The findings, one line each (empty when there is nothing to say)."""
        lines = []
        if self.base_url_note:
            lines.append(self.base_url_note)
        for operation in self.unreached:
            seen = " ".join(str(code) for code in sorted(operation.seen_statuses)) or "none"
            lines.append(f"{operation.label}: documents a 2xx and never got one "
                         f"(answers seen: {seen})")
        return lines

    def exempt_lines(self) -> list[str]:
        """The exempted operations that got no 2xx, each with its configured reason."""
        return [f"{label}: no 2xx required (success-exempt: {reason})"
                for label, reason in self.exempt.items()]


def coverage_of(result: RunResult, document: Mapping[str, Any], *, required: bool,
                exempt: Mapping[str, str] | None = None) -> Coverage:
    """`exempt` maps operationIds to the reason their 2xx is not required."""
    exempt = exempt or {}
    unreached, excused = [], {}
    for operation in unreached_successes(result):
        reason = exempt.get(operation.operation_id or "")
        if reason is not None:
            excused[operation.label] = reason
        else:
            unreached.append(operation)
    return Coverage(unreached, wrong_base_url(result, document), required, excused)
