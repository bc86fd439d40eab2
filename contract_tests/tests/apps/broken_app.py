"""Notes apps with planted bugs, as module attributes for `--app` and uvicorn."""

from __future__ import annotations

from specfirst.contract_tests.tests.apps.notes_app import create_app

# an undocumented status and errors that are not problem+json
app = create_app({"undocumented_status", "plain_json_error"})
tenant_leak_app = create_app({"tenant_leak"})
