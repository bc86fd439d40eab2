"""The pytest plugin: an app built in-process from a spec and plain-function handlers."""

from __future__ import annotations

import pytest
from specfirst.contract_tests.pytest_plugin import contract_api

BOOKSHOP = "contract_tests/tests/apps/bookshop/bookshop31.yaml"
HANDLERS = "specfirst.contract_tests.tests.apps.bookshop.handlers"


def test_the_bookshop_passes_in_process_and_reaches_its_successes() -> None:
    api = contract_api(BOOKSHOP, HANDLERS)
    result = api.assert_passes(max_examples=5, seed=3)
    reached = [op for op in result.operations.values()
               if any(200 <= code < 300 for code in op.seen_statuses)]
    assert len(reached) >= 0.75 * len(result.operations), result.coverage()


def test_a_dropped_required_field_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKSHOP_DROP_AUTHOR", "1")
    api = contract_api(BOOKSHOP, HANDLERS)
    with pytest.raises(AssertionError, match="author") as raised:
        api.assert_passes(max_examples=5, seed=3)
    # reproductions mask the credential, and only the credential
    message = str(raised.value)
    assert "X-API-Key: [Filtered]" in message
    assert api.token is not None and api.token not in message
    assert '"author": "[Filtered]"' not in message


def test_an_unreached_success_fails_unless_it_is_exempt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKSHOP_ORDERS_CLOSED", "1")
    api = contract_api(BOOKSHOP, HANDLERS)
    with pytest.raises(AssertionError, match="POST /orders: documents a 2xx and never got one"):
        api.assert_passes(max_examples=5, seed=3)
    api.assert_passes(max_examples=5, seed=3,
                      success_exempt={"create_order": "the shop takes no orders"})
    # the exemptions given when the API was built are the default
    exempting = contract_api(BOOKSHOP, HANDLERS,
                             success_exempt={"create_order": "the shop takes no orders"})
    exempting.assert_passes(max_examples=5, seed=3)
    with pytest.raises(AssertionError, match="never got one"):
        exempting.assert_passes(max_examples=5, seed=3, success_exempt={})
