"""`specfirst test` on the Notes API: passes on the correct app, finds every planted bug."""

from __future__ import annotations

from typing import Any

import pytest
from specfirst.contract_tests.runner import RunOptions, RunResult, run_contract_tests
from specfirst.contract_tests.tests.apps.notes_app import BUGS, create_app
from specfirst.generator.loader import Spec

# bug -> the check that must report it, and the operation it is planted in
EXPECTED = {
    "undocumented_status": ("status_code_conformance", "DELETE /notes/{id}"),
    "schema_violation": ("response_schema_conformance", "GET /notes/{id}"),
    "missing_auth": ("ignored_auth", "GET /notes"),
    "server_error": ("not_a_server_error", "POST /notes"),
    "plain_json_error": ("problem_json", "GET /notes/{id}"),
    "no_location": ("created_location", "POST /notes"),
    "scope_leak": ("scope_enforcement", "POST /notes"),
    "tenant_leak": ("tenant_isolation", "GET /notes/{id}"),
}


def run(spec: Spec, bugs: frozenset[str] = frozenset(), **overrides: object) -> RunResult:
    options: dict[str, Any] = dict(
        app=create_app(bugs), token="good-token", seed=7, max_examples=10,
        second_token="read-token", second_token_scopes=frozenset({"notes:read"}),
        other_tenant_token="other-token")
    options.update(overrides)
    return run_contract_tests(spec, RunOptions(**options))


def test_every_planted_bug_has_an_expectation() -> None:
    assert set(EXPECTED) == BUGS


def test_the_correct_app_passes_every_phase_and_check(notes_spec: Spec) -> None:
    result = run(notes_spec)
    assert result.failures == []
    assert result.errors == []
    assert not result.failed
    assert result.stop_reason == "completed"
    # every operation was exercised, and the stateful phase reached resources through links
    for operation in result.operations.values():
        assert operation.cases > 0, operation.label
    get_note = result.operations["GET /notes/{id}"]
    assert {200, 404} <= get_note.seen_statuses
    # the authorization probes ran: a read-only token was refused a write
    assert 403 in result.operations["POST /notes"].seen_statuses


@pytest.mark.parametrize("bug", sorted(EXPECTED))
def test_a_planted_bug_is_found_by_its_check(notes_spec: Spec, bug: str) -> None:
    check, operation = EXPECTED[bug]
    result = run(notes_spec, frozenset({bug}))
    assert result.failed
    found = {(failure.check, failure.operation) for failure in result.failures}
    assert (check, operation) in found, found
    failure = next(f for f in result.failures if (f.check, f.operation) == (check, operation))
    assert failure.curl.startswith("curl ")
    assert "[Filtered]" not in failure.curl


def test_the_same_seed_repeats_the_same_run(notes_spec: Spec) -> None:
    first = run(notes_spec, frozenset({"server_error"}), phases=("fuzzing",))
    second = run(notes_spec, frozenset({"server_error"}), phases=("fuzzing",))
    assert first.seed == second.seed == 7
    assert [op.cases for op in first.operations.values()] == \
        [op.cases for op in second.operations.values()]
    assert {(f.check, f.operation) for f in first.failures} == \
        {(f.check, f.operation) for f in second.failures}


def test_authorization_checks_stay_quiet_without_their_tokens(notes_spec: Spec) -> None:
    result = run(notes_spec, frozenset({"scope_leak", "tenant_leak"}), second_token=None,
                 other_tenant_token=None)
    assert not {"scope_enforcement", "tenant_isolation"} & {f.check for f in result.failures}


def test_checks_selects_what_runs(notes_spec: Spec) -> None:
    result = run(notes_spec, frozenset({"plain_json_error", "undocumented_status"}),
                 checks=("problem_json",))
    assert {failure.check for failure in result.failures} == {"problem_json"}
