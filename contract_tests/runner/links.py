"""The spec's OpenAPI links, and a deterministic walk that follows every one of them.

Schemathesis' stateful phase picks its transitions at random: with a budget of a few dozen
scenarios, a spec with many links leaves some of them (often the update and delete that need an
`If-Match` from the create) never followed, and the operations behind them never reach a 2xx.
After the engine has run, `walk_links` follows each declared link that was not yet followed to a
2xx, once, with a positive case:

- the source is the last request of the link's source operation that got a 2xx (in the run or
  earlier in the walk); a create (POST) is sent again first, so the link starts from a record that
  exists and an `ETag` that is current;
- the target case is generated from the target's schema with the link's values in place, sent,
  and judged by the run's checks; its failures are reported like any stateful failure, with the
  requests that led to it as the chain;
- links are taken reads first, then creates, then updates, and deletes last (deepest source
  first), passes repeating while they reach something new, so a chain (pipeline → stage → deal)
  is walked in order and nothing is deleted while a later step still needs it.

A source operation that never got a 2xx and is the target of no link is tried with a few fresh
positive cases of its own. Every step is bounded: a link is followed at most `LINK_ATTEMPTS`
times, a root is tried with at most `ROOT_ATTEMPTS` cases, a create sent again with at most
`1 + RESEND_ATTEMPTS`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import hypothesis
import requests
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER, HookContext
from specfirst.contract_tests.runner.results import ResultCollector, with_token_variable
from specfirst.contract_tests.runner.schemathesis_compat import (
    CheckContext,
    Failure,
    ScenarioRecorder,
    TestPhase,
    run_checks,
    stateful_transition_id,
)
from specfirst.generator.loader import deref, resolve_pointer, unescape_pointer
from specfirst.generator.operations import walk_operations

log = logging.getLogger(__name__)

__all__ = [
    "LINK_ATTEMPTS",
    "ROOT_ATTEMPTS",
    "DeclaredLink",
    "SuccessLog",
    "declared_links",
    "merge_body",
    "walk_links",
]

# Fresh positive cases tried for a link's source that never answered 2xx and no link leads to.
ROOT_ATTEMPTS = 3
# Fresh positive cases tried when a create sent again no longer answers 2xx (a unique field).
RESEND_ATTEMPTS = 2
# Times the walk follows one link that does not reach a 2xx (once more in a later pass, when
# something new was reached meanwhile).
LINK_ATTEMPTS = 2
_RANK = {"get": 0, "head": 0, "options": 0, "post": 1, "put": 2, "patch": 2, "delete": 3}


@dataclass(frozen=True)
class DeclaredLink:
    """One link of a response: `source` answers `status`, `name` leads to `target`."""

    source: str  # "POST /companies"
    status: str  # "201", "2XX", "default"
    name: str
    target: str  # "PATCH /companies/{id}"
    # `x-schemathesis: {merge_body: false}` on the link: its requestBody is the whole body
    merge_body: bool = True

    @property
    def key(self) -> str:
        """The link's name as Schemathesis' stateful phase records its transitions."""
        return stateful_transition_id(self.source, self.status, self.name, self.target)

    @property
    def target_method(self) -> str:
        return self.target.partition(" ")[0].lower()


def _target_label(document: Mapping[str, Any], link: Mapping[str, Any],
                  by_id: Mapping[str, str]) -> str | None:
    operation_id = link.get("operationId")
    if isinstance(operation_id, str):
        return by_id.get(operation_id)
    ref = link.get("operationRef")
    if isinstance(ref, str) and ref.startswith("#/paths/"):
        pointer = unquote(ref[1:])
        try:
            resolve_pointer(document, pointer)
        except KeyError:
            return None
        tokens = pointer[len("/paths/"):].rsplit("/", 1)
        if len(tokens) == 2:
            return f"{tokens[1].upper()} {unescape_pointer(tokens[0])}"
    return None


def declared_links(document: Mapping[str, Any]) -> list[DeclaredLink]:
    """Every link of the spec's path operations whose target is an operation of the spec, in
    spec order."""
    def _deref(node: Any, pointer: str) -> tuple[Any, str]:
        return deref(document, node, pointer)

    operations = walk_operations(document, _deref)
    by_id = {op.operation_id: op.label() for op in operations if op.operation_id}
    labels = {op.label() for op in operations}
    found: list[DeclaredLink] = []
    for op in operations:
        responses = _deref(op.node.get("responses"), "")[0]
        if not isinstance(responses, Mapping):
            continue
        for status, raw in responses.items():
            response = _deref(raw, "")[0]
            links = _deref(response.get("links"), "")[0] if isinstance(response, Mapping) else None
            if not isinstance(links, Mapping):
                continue
            for name, raw_link in links.items():
                link = _deref(raw_link, "")[0]
                if not isinstance(link, Mapping):
                    continue
                target = _target_label(document, link, by_id)
                if target in labels:
                    extension = link.get("x-schemathesis")
                    merge = not (isinstance(extension, Mapping)
                                 and extension.get("merge_body") is False)
                    found.append(DeclaredLink(op.label(), str(status), str(name), str(target),
                                              merge))
    return found


@dataclass
class _Reached:
    """A request that got a 2xx: what a link starting at its operation extracts values from."""

    case: Any
    response: Any
    # Reproductions of the requests that led to it, first first (itself not included).
    lineage: tuple[str, ...] = ()
    # The link values it was generated with, to generate it again.
    overrides: dict[str, Any] = field(default_factory=dict)
    depth: int = 0
    merge_body: bool = True


class SuccessLog:
    """The last request of each operation of `schema` that got a 2xx, as the run sends them
    (a Schemathesis hook while the context is active)."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.last: dict[str, _Reached] = {}

    def _after_call(self, context: HookContext, case: Any, response: Any) -> None:
        # the hook is global: another run in the same process is not this one's business
        if getattr(case.operation, "schema", None) is not self.schema:
            return
        if 200 <= response.status_code < 300:
            self.last[case.operation.label] = _Reached(case, response)

    def __enter__(self) -> SuccessLog:
        GLOBAL_HOOK_DISPATCHER.register_hook_with_name(self._after_call, "after_call")
        return self

    def __exit__(self, *exc: object) -> None:
        GLOBAL_HOOK_DISPATCHER.unregister(self._after_call)


def _draw(strategy: Any, seed: int) -> Any:
    """One case from a Schemathesis strategy, reproducibly from `seed`; None if none fits."""
    drawn: list[Any] = []

    @hypothesis.seed(seed)
    @hypothesis.settings(max_examples=1, database=None, deadline=None,
                         phases=[hypothesis.Phase.generate],
                         suppress_health_check=list(hypothesis.HealthCheck),
                         verbosity=hypothesis.Verbosity.quiet)
    @hypothesis.given(strategy)
    def pick(case: Any) -> None:
        drawn.append(case)

    try:
        pick()
    except Unsatisfiable:
        return None
    except Exception as exc:  # noqa: BLE001 - a strategy that cannot generate (SkipTest, ...)
        # The engine reports an operation it cannot generate cases for; here the link simply
        # stays unfollowed, which the summary shows.
        log.info("no case generated: %s", exc)
        return None
    return drawn[0] if drawn else None


class _Walk:
    def __init__(self, schema: Any, collector: ResultCollector, log: SuccessLog,
                 seed: int) -> None:
        self.schema = schema
        self.collector = collector
        self.reached = log.last
        self.seed = seed
        self.operations = {op.label: op for op in _operations(schema)}
        self.incoming: set[str] = set()
        self.tried: set[str] = set()
        self.attempts: dict[str, int] = {}

    def _next_seed(self) -> int:
        self.seed = (self.seed * 6364136223846793005 + 1442695040888963407) % 2**63
        return self.seed

    def _send(self, case: Any, recorder: ScenarioRecorder) -> Any | None:
        """Send a case, record it with its checks; its response (None on a network error)."""
        operation = case.operation
        config = self.schema.config
        headers = config.headers_for(operation=operation)
        kwargs: dict[str, Any] = {"headers": headers or None}
        timeout = config.request_timeout_for(operation=operation)
        if timeout is not None:
            kwargs["timeout"] = timeout
        recorder.record_case(case=case)
        try:
            response = case.call(**kwargs)
        except requests.RequestException as exc:
            recorder.record_network_error(case_id=case.id, error=exc)
            return None
        recorder.record_response(case_id=case.id, response=response)
        ctx = CheckContext(
            override=None, auth=config.auth_for(operation=operation),
            headers=requests.structures.CaseInsensitiveDict(headers) if headers else None,
            config=config.checks_config_for(operation=operation, phase="stateful"),
            transport_kwargs=kwargs, recorder=recorder, response_checks=None)

        def on_failure(name: str, collected: set[Failure], failure: Failure) -> None:
            collected.add(failure)
            curl = case.as_curl_command(headers=dict(response.request.headers))
            recorder.record_check_failure(name=name, case_id=case.id, code_sample=curl,
                                          failure=failure)

        def on_success(name: str, _case: Any) -> None:
            recorder.record_check_success(name=name, case_id=case.id)

        try:
            run_checks(case=case, response=response, ctx=ctx, checks=ctx.internals.checks,
                       on_failure=on_failure, on_success=on_success)
        except Exception as exc:  # noqa: BLE001 - a check that crashed is an error of the run
            errors = self.collector.operation(operation.label).errors
            message = f"a check crashed while following a link: {type(exc).__name__}: {exc}"
            if message not in errors:
                errors.append(message)
        return response

    def _generate(self, operation: Any, overrides: Mapping[str, Any], *,
                  merge: bool = True) -> Any:
        """A positive case with the link's values: parameters fixed, and the link's body
        fields set on a generated body, as Schemathesis' stateful phase merges them (the
        link's body as it is, under `merge_body: false`)."""
        fixed = {name: value for name, value in overrides.items() if name != "body"}
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE,
                                         phase=TestPhase.STATEFUL, **fixed)
        case = _draw(strategy, self._next_seed())
        if case is not None and "body" in overrides:
            case.body = merge_body(case.body, overrides["body"]) if merge else overrides["body"]
        return case

    def _try(self, label: str, cases: Iterator[Any], lineage: tuple[str, ...],
             overrides: dict[str, Any], depth: int, merge: bool = True) -> _Reached | None:
        """Send cases until one gets a 2xx, each reported on its own; the one that did."""
        for case in cases:
            if case is None:
                continue
            recorder = ScenarioRecorder(label=label)
            response = self._send(case, recorder)
            self.collector.record(recorder, "stateful", lead=lineage)
            if response is not None and 200 <= response.status_code < 300:
                reached = _Reached(case, response, lineage, dict(overrides), depth, merge)
                self.reached[label] = reached
                return reached
        return None

    def _fresh(self, label: str) -> _Reached | None:
        """A 2xx of `label` to follow a link from; a create is sent again, so the record exists
        and its `ETag` is current."""
        last = self.reached.get(label)
        if last is None:
            if label in self.incoming or label in self.tried or label not in self.operations:
                return None
            self.tried.add(label)
            operation = self.operations[label]
            return self._try(label, (self._generate(operation, {})
                                     for _ in range(ROOT_ATTEMPTS)), (), {}, 0)
        if last.case.method.lower() != "post":
            return last
        operation = last.case.operation

        def again() -> Iterator[Any]:
            yield last.case.derive(keep_auth=True)
            for _ in range(RESEND_ATTEMPTS):
                yield self._generate(operation, last.overrides, merge=last.merge_body)

        return self._try(label, again(), last.lineage, last.overrides, last.depth,
                         last.merge_body)

    def follow(self, link: DeclaredLink) -> bool:
        """Follow one link once; whether its target answered 2xx."""
        self.attempts[link.key] = self.attempts.get(link.key, 0) + 1
        source = self._fresh(link.source)
        target = self.operations.get(link.target)
        if source is None or target is None:
            return False
        candidates = self.schema.iter_link_candidates(
            operation=source.case.operation, case=source.case, response=source.response,
            operations_by_label={link.target: target}, excluded_labels=set())
        if not candidates:
            return False
        _, overrides = candidates[0]
        case = self._generate(target, overrides, merge=link.merge_body)
        if case is None:
            return False
        lineage = (*source.lineage, with_token_variable(source.case.as_curl_command()))
        recorder = ScenarioRecorder(label=link.target)
        response = self._send(case, recorder)
        self.collector.record(recorder, "stateful", lead=lineage)
        self.collector.link_followed(link.key, response.status_code if response else None)
        if response is not None and 200 <= response.status_code < 300:
            self.reached[link.target] = _Reached(case, response, lineage, dict(overrides),
                                                 source.depth + 1, link.merge_body)
            return True
        return False


def merge_body(generated: Any, linked: Any) -> Any:
    """The link's body values on the generated body: objects merged field by field, the
    link's value wherever it is not an object on both sides."""
    if isinstance(generated, Mapping) and isinstance(linked, Mapping):
        merged = dict(generated)
        for key, value in linked.items():
            merged[key] = merge_body(generated[key], value) if key in generated else value
        return merged
    return linked


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        try:
            yield result.ok()
        except Exception:  # an operation Schemathesis cannot build is reported by the engine
            continue


def _depth(walk: _Walk, label: str) -> int:
    reached = walk.reached.get(label)
    return reached.depth if reached is not None else 0


def walk_links(schema: Any, links: list[DeclaredLink], collector: ResultCollector,
               log: SuccessLog, seed: int) -> None:
    """Follow each link not yet followed to a 2xx (see the module's docstring)."""
    walk = _Walk(schema, collector, log, seed)
    walk.incoming = {link.target for link in links}
    selected = [link for link in links
                if link.source in walk.operations and link.target in walk.operations]
    stages = ([link for link in selected if link.target_method != "delete"],
              [link for link in selected if link.target_method == "delete"])
    for stage in stages:
        while True:
            pending = [link for link in stage if not collector.link_succeeded(link.key)
                       and walk.attempts.get(link.key, 0) < LINK_ATTEMPTS]
            if stage is stages[1]:
                pending.sort(key=lambda link: -_depth(walk, link.source))
            else:
                pending.sort(key=lambda link: _RANK.get(link.target_method, 1))
            progress = False
            for link in pending:
                if link.source not in walk.reached and link.source in walk.incoming:
                    continue
                if walk.follow(link):
                    progress = True
            if not progress:
                break
