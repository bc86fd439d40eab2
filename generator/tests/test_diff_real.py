"""The diff on specs nobody here wrote: real version histories and the public example specs.

The expectations for GitHub's REST API (`@octokit/openapi` 18.2 to 19.1) and Figma's
(`@figma/rest-api-spec` 0.30 to 0.43) were checked by hand against both documents; docs/diff.md
walks through them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from specfirst.generator.diff import FORMATS, Level, compare, render
from specfirst.generator.loader import Spec

from conftest import npm_install

OLD_OCTOKIT = "@octokit/openapi@18"
NEW_OCTOKIT = "@octokit/openapi@19"


def test_every_public_spec_compared_with_itself_has_no_changes(public_specs: list[Path]) -> None:
    for path in public_specs:
        result = compare(Spec.from_path(path), Spec.from_path(path))
        assert result.changes == [], path


def test_public_webhooks_and_callbacks_are_compared(oas_examples_dir: Path,
                                                    tmp_path: Path) -> None:
    """The example webhook and callback, each changed where only a webhook or callback is."""
    webhooks = json.loads((oas_examples_dir / "3.1" / "json" / "webhooks.json").read_text())
    old = Spec.from_path(oas_examples_dir / "3.1" / "json" / "webhooks.json")
    hook = webhooks["webhooks"]["newPet"]["post"]
    hook["responses"]["200"]["headers"] = {"X-Seen": {"required": True,
                                                      "schema": {"type": "string"}}}
    (tmp_path / "webhooks.json").write_text(json.dumps(webhooks))
    assert [(c.id, c.operation) for c in compare(old, Spec.from_path(
        tmp_path / "webhooks.json")).changes] == [
        ("callback-response-header-added-required", "webhook newPet: POST")]
    del webhooks["webhooks"]
    (tmp_path / "webhooks.json").write_text(json.dumps(webhooks))
    assert [(c.id, c.operation) for c in compare(old, Spec.from_path(
        tmp_path / "webhooks.json")).changes] == [("api-webhook-removed", "webhook newPet")]
    callbacks = json.loads((oas_examples_dir / "3.0" / "json" / "callbacks.json").read_text())
    old = Spec.from_path(oas_examples_dir / "3.0" / "json" / "callbacks.json")
    del callbacks["paths"]["/streams"]["post"]["callbacks"]["onData"]
    (tmp_path / "callbacks.json").write_text(json.dumps(callbacks))
    assert [(c.id, c.operation) for c in compare(old, Spec.from_path(
        tmp_path / "callbacks.json")).changes] == [("api-callback-removed", "POST /streams")]


def test_a_public_operation_moved_to_another_path_is_one_change(oas_examples_dir: Path,
                                                              tmp_path: Path) -> None:
    """petstore's GET /pet/{petId} moved under /pets, and its 404 dropped: one move, and the
    moved operation compared with its old self."""
    source = oas_examples_dir / "3.0" / "json" / "petstore.json"
    document = json.loads(source.read_text())
    item = document["paths"].pop("/pet/{petId}")
    del item["get"]["responses"]["404"]
    document["paths"]["/pets/{petId}"] = item
    (tmp_path / "petstore.json").write_text(json.dumps(document))
    changes = compare(Spec.from_path(source), Spec.from_path(tmp_path / "petstore.json")).changes
    assert sorted((c.id, c.operation) for c in changes) == sorted(
        [("api-path-changed", f"{method} /pets/{{petId}}") for method in ("GET", "POST", "DELETE")]
        + [("response-non-success-status-removed", "GET /pets/{petId}")])


def _github(package: str) -> Spec:
    return Spec.from_path(npm_install(package) / "generated" / "api.github.com.json")


@pytest.mark.slow
def test_github_rest_api_18_to_19() -> None:
    old, new = _github(OLD_OCTOKIT), _github(NEW_OCTOKIT)
    result = compare(old, new)
    found = {(c.id, c.operation) for c in result.changes}
    checked_by_hand = {
        # removed in 19 and not deprecated in 18
        ("api-removed-without-deprecation", "GET /orgs/{org}/copilot/usage"),
        ("api-removed-without-deprecation", "GET /orgs/{org}/team/{team_slug}/copilot/usage"),
        # copilot-seat-details.assignee: simple-user, required -> nullable-simple-user, optional
        ("response-property-became-nullable", "GET /orgs/{org}/copilot/billing/seats"),
        ("response-property-became-optional", "GET /orgs/{org}/copilot/billing/seats"),
        # repository-rule-pull-request: allowed_merge_methods items gained an enum
        ("request-property-became-enum", "POST /orgs/{org}/rulesets"),
        # git-tree.url no longer required
        ("response-property-became-optional", "GET /repos/{owner}/{repo}/git/trees/{tree_sha}"),
        # the 422 response lost its validation_failed body
        ("response-media-type-removed", "DELETE /repos/{owner}/{repo}/git/refs/{ref}"),
        # organization-create-issue-type lost is_private
        ("request-property-removed", "POST /orgs/{org}/issue-types"),
        ("api-version-changed", ""),
    }
    assert checked_by_hand <= found, sorted(checked_by_hand - found)
    # both removals are genuine: their operationIds (copilot/usage-metrics-for-org, -for-team)
    # are nowhere in 19, so neither is an operation moved to another path
    assert not [c for c in result.changes if c.id == "api-path-changed"]
    assert result.breaking
    by_level = result.counts()
    assert by_level["info"] > by_level["breaking"] > 0
    # every kind of breaking change reported here was checked by hand (docs/diff.md)
    assert {c.id for c in result.changes if c.level is Level.BREAKING} == {
        "api-removed-without-deprecation", "response-property-became-nullable",
        "response-property-became-optional", "request-property-became-enum",
        "response-media-type-removed", "response-property-enum-value-added",
    }
    # repository-rule-detailed gained 4 oneOf alternatives; the changed one is paired, not
    # reported as removed and added
    one_of = [c for c in result.changes if c.id.endswith("one-of-added")
              and c.operation == "GET /repos/{owner}/{repo}/rules/branches/{branch}"]
    assert len(one_of) == 4
    assert not [c for c in result.changes if c.id.endswith("one-of-removed")]


def test_neighbouring_public_specs_compare_and_render(public_specs: list[Path]) -> None:
    """Unrelated real specs as 'versions' of each other: no crash, every format renders."""
    specs = [Spec.from_path(path) for path in public_specs]
    for old, new in zip(specs, specs[1:] + specs[:1], strict=True):
        for result in (compare(old, new), compare(new, old)):
            for fmt in FORMATS:
                assert render(result, fmt)


def _figma(version: str) -> Spec:
    return Spec.from_path(npm_install(f"@figma/rest-api-spec@{version}") / "openapi"
                          / "openapi.yaml")


@pytest.mark.slow
def test_figma_rest_api_0_30_to_0_43() -> None:
    """Figma's node types are mutually recursive (children of children): still fast."""
    old, new = _figma("0.30"), _figma("0.43")
    started = time.monotonic()
    result = compare(old, new)
    assert time.monotonic() - started < 30
    found = {(c.id, c.operation, c.message.split(":")[0]) for c in result.changes}
    meta = "GET /v1/files/{file_key}/meta"
    body = "of the 200 response body (application/json)"
    checked_by_hand = {  # the file metadata moved under a `file` object
        ("response-required-property-removed", meta, f"property 'name' {body}"),
        ("response-required-property-removed", meta, f"property 'creator' {body}"),
        ("response-optional-property-removed", meta, f"property 'url' {body}"),
        # creating a v2 webhook needs a context
        ("new-required-request-property", "POST /v2/webhooks",
         "property 'context' of the request body (application/json)"),
        ("new-required-request-property", "POST /v2/webhooks",
         "property 'context_id' of the request body (application/json)"),
        ("request-property-became-optional", "POST /v2/webhooks",
         "property 'team_id' of the request body (application/json)"),
    }
    assert checked_by_hand <= found, sorted(checked_by_hand - found)
    assert any(c.id == "response-property-enum-value-added" and c.operation == "GET /v1/files/"
               "{file_key}" and 'enum value "ORIGINAL" was added' in c.message
               for c in result.changes)  # BaseTypeStyle.textCase gained ORIGINAL
    # one new callback on POST /v2/webhooks; the six others send the same bodies as before
    assert [(c.id, c.message) for c in result.changes if "callback" in c.id
            or "callback" in c.operation] == [
        ("api-callback-added", "new callback 'devModeStatusUpdate'")]
    # mapped node schemas whose content changed are compared where their alternative is
    assert not [c for c in result.changes if c.id.endswith("discriminator-mapping-changed")]
