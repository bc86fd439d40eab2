"""What a contract-test run found: per-operation coverage and every failure, collected from
Schemathesis' event stream."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemathesis.engine import events

__all__ = [
    "FailureRecord",
    "LinkResult",
    "OperationResult",
    "ResultCollector",
    "RunResult",
    "operations_of",
    "with_token_variable",
]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class FailureRecord:
    """One distinct way the API broke its contract."""

    operation: str  # "GET /notes/{id}"
    check: str
    title: str
    message: str
    status: int | None
    curl: str
    phase: str
    # A stateful failure's earlier requests, in the order they were sent (the failing one last
    # is `curl`); empty for a single request.
    chain: tuple[str, ...] = ()


@dataclass
class OperationResult:
    """One operation of the spec and what the run did with it."""

    method: str
    path: str
    documented_statuses: list[str]
    operation_id: str | None = None
    seen_statuses: set[int] = field(default_factory=set)
    cases: int = 0  # test cases sent (counted as they finish; no case is kept)
    failures: list[FailureRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skip_reasons: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def failed(self) -> bool:
        return bool(self.failures or self.errors)

    def to_coverage(self) -> dict[str, Any]:
        return {
            "method": self.method.upper(),
            "path": self.path,
            "documented_statuses": self.documented_statuses,
            "seen_statuses": sorted(self.seen_statuses),
            "cases": self.cases,
            "failures": len(self.failures),
        }


@dataclass
class LinkResult:
    """One OpenAPI link of the spec and whether the run followed it: a request sent for the
    target with the values the link extracts from a 2xx of its source."""

    key: str  # "POST /notes -> [201] GetNote -> GET /notes/{id}"
    source: str
    target: str
    name: str
    followed: int = 0
    seen_statuses: set[int] = field(default_factory=set)

    @property
    def succeeded(self) -> bool:
        return any(200 <= code < 300 for code in self.seen_statuses)

    def to_coverage(self) -> dict[str, Any]:
        return {"link": self.name, "source": self.source, "target": self.target,
                "followed": self.followed, "seen_statuses": sorted(self.seen_statuses)}


@dataclass
class RunResult:
    """Everything a run found, in spec order; `failed` decides the exit code."""

    operations: dict[str, OperationResult]
    errors: list[str] = field(default_factory=list)
    stop_reason: str = "completed"
    duration: float = 0.0
    seed: int | None = None
    base_url: str = ""
    links: dict[str, LinkResult] = field(default_factory=dict)

    @property
    def links_followed(self) -> int:
        return sum(1 for link in self.links.values() if link.followed)

    @property
    def failures(self) -> list[FailureRecord]:
        return [failure for op in self.operations.values() for failure in op.failures]

    @property
    def failed(self) -> bool:
        """Any failure or error, a run that stopped early, or a run that tested nothing."""
        return bool(self.failures or self.errors
                    or any(op.errors for op in self.operations.values())
                    or self.stop_reason not in ("completed", "failure_limit")
                    or self.cases == 0)

    @property
    def cases(self) -> int:
        return sum(op.cases for op in self.operations.values())

    def failure_counts(self) -> Counter[tuple[str, str]]:
        """How many distinct failures each (check, operation) pair has."""
        return Counter((failure.check, failure.operation) for failure in self.failures)

    def coverage(self) -> dict[str, Any]:
        coverage: dict[str, Any] = {
            "operations": [op.to_coverage() for op in self.operations.values()]}
        if self.links:
            coverage["links"] = {
                "declared": len(self.links), "followed": self.links_followed,
                "reached_success": sum(1 for link in self.links.values() if link.succeeded),
                "items": [link.to_coverage() for link in self.links.values()],
            }
        return coverage


def operations_of(document: Mapping[str, Any]) -> dict[str, OperationResult]:
    """Every operation of a bundled document, keyed by Schemathesis' label."""
    operations: dict[str, OperationResult] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping):
                statuses = [str(code) for code in (operation.get("responses") or {})]
                operation_id = operation.get("operationId")
                result = OperationResult(method=method, path=path, documented_statuses=statuses,
                                         operation_id=str(operation_id) if operation_id else None)
                operations[result.label] = result
    return operations


def with_token_variable(curl: str, variable: str = "TOKEN") -> str:
    """A reproduction whose masked credentials read from a shell variable, ready to paste."""
    return curl.replace("-H 'Authorization: [Filtered]'", f'-H "Authorization: Bearer ${variable}"')


class ResultCollector:
    """Folds engine events into a `RunResult`, de-duplicating failures seen in several phases.

    Each finished scenario is folded in as it arrives and then let go: per operation the result
    keeps counts, the statuses seen and the distinct failures, never the cases themselves, so
    its size grows with the spec and the distinct failures, not with the number of cases."""

    def __init__(self, document: Mapping[str, Any], operation_ids: Sequence[str] = ()):
        operations = operations_of(document)
        if operation_ids:
            operations = {label: op for label, op in operations.items()
                          if op.operation_id in operation_ids}
        self.result = RunResult(operations=operations)
        self._seen: set[tuple[str, str, str, int | None]] = set()

    def declare_link(self, key: str, source: str, target: str, name: str) -> None:
        """A link of the spec whose following the result accounts for."""
        self.result.links.setdefault(key, LinkResult(key, source, target, name))

    def link_followed(self, key: str, status: int | None) -> None:
        link = self.result.links.get(key)
        if link is not None:
            link.followed += 1
            if status is not None:
                link.seen_statuses.add(status)

    def link_succeeded(self, key: str) -> bool:
        link = self.result.links.get(key)
        return link is not None and link.succeeded

    def operation(self, label: str) -> OperationResult:
        found = self.result.operations.get(label)
        if found is None:
            method, _, path = label.partition(" ")
            found = OperationResult(method=method.lower(), path=path, documented_statuses=[])
            self.result.operations[label] = found
        return found

    def handle(self, event: events.EngineEvent) -> None:
        if isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
            phase = getattr(event, "phase", None)
            self.record(event.recorder, str(phase.value if phase is not None else "fuzzing"))
            skip_reason = getattr(event, "skip_reason", None)
            if skip_reason and event.recorder.label in self.result.operations:
                self.result.operations[event.recorder.label].skip_reasons.add(skip_reason)
        elif isinstance(event, events.NonFatalError):
            message = event.info.format(base_url_is_set=True).strip()
            if event.related_to_operation and event.label in self.result.operations:
                errors = self.result.operations[event.label].errors
            else:
                errors, message = self.result.errors, f"{event.label}: {message}"
            if message not in errors:
                errors.append(message)
        elif isinstance(event, events.FatalError):
            self.result.errors.append(f"fatal: {event.exception}")
        elif isinstance(event, events.Interrupted):
            self.result.stop_reason = "interrupted"
        elif isinstance(event, events.EngineFinished):
            self.result.stop_reason = str(event.stop_reason.value)
            self.result.duration = event.running_time

    def record(self, recorder: Any, phase: str, lead: tuple[str, ...] = ()) -> None:
        """Fold in one scenario's cases and failures; `lead` are the reproductions of requests
        sent before its first one that a failure's chain starts with."""
        for case_id, node in recorder.cases.items():
            operation = self.operation(node.value.operation.label)
            operation.cases += 1  # a recorder holds each of its cases once
            interaction = recorder.interactions.get(case_id)
            status = (interaction.response.status_code
                      if interaction is not None and interaction.response is not None else None)
            if status is not None:
                operation.seen_statuses.add(status)
            transition = getattr(node, "transition", None)
            if transition is not None and getattr(node, "is_transition_applied", False):
                self.link_followed(str(transition.id), status)
        for case_id, checks in recorder.checks.items():
            node = recorder.cases.get(case_id)
            for check in checks:
                info = check.failure_info
                if info is None:
                    continue
                failure = info.failure
                label = failure.operation or (node.value.operation.label if node else "")
                interaction = recorder.interactions.get(case_id)
                status = (interaction.response.status_code
                          if interaction is not None and interaction.response is not None else None)
                key = (label, check.name, failure.title, status)
                if key in self._seen:
                    continue
                self._seen.add(key)
                self.operation(label).failures.append(FailureRecord(
                    operation=label, check=check.name, title=failure.title,
                    message=failure.message, status=status,
                    curl=with_token_variable(info.code_sample), phase=phase,
                    chain=(*lead, *_ancestors(recorder, case_id)),
                ))


def _ancestors(recorder: Any, case_id: str) -> tuple[str, ...]:
    """The reproductions of the requests that led to `case_id` in a stateful chain, first first."""
    chain: list[str] = []
    node = recorder.cases.get(case_id)
    seen = {case_id}
    while node is not None and node.parent_id is not None and node.parent_id not in seen:
        seen.add(node.parent_id)
        node = recorder.cases.get(node.parent_id)
        if node is not None:
            chain.append(with_token_variable(node.value.as_curl_command()))
    return tuple(reversed(chain))
