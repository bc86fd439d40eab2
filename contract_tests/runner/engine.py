"""Run Schemathesis' engine on a spec read by our loader, the way its own CLI drives it."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import schemathesis
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import ConfigError as SchemathesisConfigError
from schemathesis.config import SanitizationConfig, SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.errors import LoaderError
from specfirst.contract_tests.runner.checks import CUSTOM_CHECKS, CheckTokens, active_checks
from specfirst.contract_tests.runner.credentials import auth_config, sensitive_names
from specfirst.contract_tests.runner.links import SuccessLog, declared_links, walk_links
from specfirst.contract_tests.runner.opaque import without_opaque_inputs
from specfirst.contract_tests.runner.options import RunOptions
from specfirst.contract_tests.runner.results import ResultCollector, RunResult, operations_of
from specfirst.contract_tests.runner.schemathesis_compat import (
    AuthConfig,
    InferenceConfig,
    MissingRequiredHeaderConfig,
    NegativeDataRejectionConfig,
    PositiveDataAcceptanceConfig,
    bounded_response_caches,
)
from specfirst.contract_tests.runner.servers import resolve_base_url
from specfirst.contract_tests.runner.unique import unique_keys
from specfirst.generator.errors import SpecfirstError, UsageError
from specfirst.generator.loader import Spec

__all__ = [
    "APP_BASE_URL",
    "EventCallback",
    "available_checks",
    "base_url_of",
    "build_schema",
    "run_contract_tests",
]

log = logging.getLogger(__name__)

# In-process runs need a base URL for requests and reproductions; nothing listens there.
APP_BASE_URL = "http://127.0.0.1:8000"

EventCallback = Callable[[events.EngineEvent], None]


def available_checks() -> list[str]:
    """Every check name `--checks` accepts: Schemathesis' own, then ours."""
    load_all_checks()
    names = [name for name in CHECKS.get_all_names() if name not in CUSTOM_CHECKS]
    return sorted(names) + list(CUSTOM_CHECKS)


def declares_links(document: Mapping[str, Any]) -> bool:
    """Whether any response of the spec declares OpenAPI links."""
    for item in (document.get("paths") or {}).values():
        for operation in (item.values() if isinstance(item, Mapping) else ()):
            if not isinstance(operation, Mapping):
                continue
            for response in (operation.get("responses") or {}).values():
                if isinstance(response, Mapping) and response.get("links"):
                    return True
    for response in ((document.get("components") or {}).get("responses") or {}).values():
        if isinstance(response, Mapping) and response.get("links"):
            return True
    return False


def base_url_of(options: RunOptions, document: Mapping[str, Any]) -> str:
    """The URL the spec's paths are appended to: `--url` (or the in-process app's) with a
    relative server URL of the spec resolved against it."""
    return resolve_base_url(options.url or APP_BASE_URL, document)


# A marker no header, parameter or property name contains: Schemathesis masks any name that
# contains one of its markers ("auth" masks `author`); we mask exact names only.
_NO_MARKER = "\x00"


def _config(options: RunOptions, seed: int, document: Mapping[str, Any]) -> SchemathesisConfig:
    config = SchemathesisConfig()
    config.update(seed=seed, max_failures=options.max_failures)
    config.output.sanitization = SanitizationConfig(
        keys_to_sanitize=sensitive_names(document), sensitive_markers=(_NO_MARKER,))
    headers = dict(options.request_headers)
    if options.token:
        schemes = auth_config(document, options.token, options.basic_user)
        if schemes:
            # Per operation, in the form its security requirement names.
            config.projects.override.auth = AuthConfig(openapi=schemes)
        else:
            headers["Authorization"] = f"Bearer {options.token}"
    config.projects.override.update(
        base_url=base_url_of(options, document),
        headers=headers or None,
        request_timeout=options.request_timeout,
        workers=options.workers,
    )
    config.projects.override.phases.update(phases=list(options.phases))
    if declares_links(document):
        # The spec's own links drive the stateful phase; Schemathesis' guessed transitions are for
        # specs without them, and guess wrong where the spec says better.
        config.projects.override.phases.stateful.inference = InferenceConfig.from_dict(
            {"algorithms": []})
    config.projects.override.generation.update(max_examples=options.max_examples, database="none")
    checks = config.projects.override.checks
    try:
        checks.positive_data_acceptance = PositiveDataAcceptanceConfig.from_dict(
            {"expected-statuses": list(options.positive_data_statuses)})
        checks.missing_required_header = MissingRequiredHeaderConfig.from_dict(
            {"expected-statuses": list(options.missing_header_statuses)})
        checks.negative_data_rejection = NegativeDataRejectionConfig.from_dict(
            {"expected-statuses": list(options.negative_data_statuses)})
    except SchemathesisConfigError as exc:
        raise UsageError(f"invalid expected statuses: {exc}") from None
    if options.checks:
        known = set(available_checks())
        unknown = [name for name in options.checks if name not in known]
        if unknown:
            raise UsageError(f"unknown check {unknown[0]!r}",
                             hint=f"choose from: {', '.join(available_checks())}")
        config.projects.override.checks.update(included_check_names=list(options.checks))
    return config


def build_schema(spec: Spec, options: RunOptions, seed: int) -> schemathesis.BaseSchema:
    """Schemathesis' schema for the bundled document, pointed at the URL or the ASGI app."""
    document, left_out = without_opaque_inputs(spec.document)
    if left_out:
        log.info("not generating opaque inputs: %s", ", ".join(sorted(left_out)))
    schema: schemathesis.BaseSchema
    try:
        schema = schemathesis.openapi.from_dict(document,
                                                config=_config(options, seed, document))
    except LoaderError as exc:
        raise SpecfirstError(f"Schemathesis cannot use the spec: {exc.message}") from None
    if options.operation_ids:
        known = {operation.operation_id for operation in operations_of(spec.document).values()}
        unknown = [name for name in options.operation_ids if name not in known]
        if unknown:
            raise UsageError(f"no operation has operationId {unknown[0]!r}")
        schema = schema.include(operation_id=list(options.operation_ids))
    if options.app is not None:
        schema.app = options.app
    return schema


def run_contract_tests(spec: Spec, options: RunOptions,
                       on_event: EventCallback | None = None) -> RunResult:
    """Every phase and check asked for, against the target; failures are data in the result."""
    seed = options.seed if options.seed is not None else random.randrange(2**31)
    load_all_checks()
    schema = build_schema(spec, options, seed)
    collector = ResultCollector(spec.document, options.operation_ids)
    collector.result.seed = seed
    collector.result.base_url = base_url_of(options, spec.document)
    links = [link for link in declared_links(spec.document)
             if link.source in collector.result.operations
             and link.target in collector.result.operations]
    if "stateful" in options.phases:
        for link in links:
            collector.declare_link(link.key, link.source, link.target, link.name)
    tokens = CheckTokens(
        second_token=options.second_token,
        second_token_scopes=options.second_token_scopes,
        other_tenant_token=options.other_tenant_token,
        extra_headers=dict(options.headers),
        basic_user=options.basic_user,
    )
    log.info("contract test of %s against %s, seed %d", spec.path,
             collector.result.base_url, seed)
    # Memory grows with what one operation needs: Schemathesis keeps a prepared copy of every
    # response schema it checked an answer against for the whole run; the bound lets go of those
    # of operations no longer in use, and of all of them between phases.
    with active_checks(tokens), unique_keys(spec.document), \
            bounded_response_caches(schema, workers=options.workers) as bound, \
            SuccessLog(schema) as successes:
        stream = from_schema(schema).execute()
        try:
            for event in stream:
                collector.handle(event)
                if isinstance(event, events.PhaseFinished):
                    bound.release_all()
                if on_event is not None:
                    on_event(event)
        except KeyboardInterrupt:
            stream.stop()
            collector.result.stop_reason = "interrupted"
            raise
        if collector.result.links and collector.result.stop_reason == "completed":
            # The stateful phase picks links at random; the walk follows each one it left out.
            started = time.monotonic()
            walk_links(schema, links, collector, successes, seed)
            collector.result.duration += time.monotonic() - started
    return collector.result
