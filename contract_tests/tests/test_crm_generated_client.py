"""A client nobody here wrote: openapi-python-client generates a Python SDK from the bundled
CRM spec, and it creates, reads, updates and deletes a customer on the running server."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from specfirst.contract_tests.pipeline.tokens import admin_cli_tokens
from specfirst.contract_tests.tests.crm import LiveCRM, crm_spec, database_url, live_crm


def _generator() -> str:
    found = Path(sys.executable).with_name("openapi-python-client")
    if found.is_file():
        return str(found)
    on_path = shutil.which("openapi-python-client")
    if on_path is None:
        pytest.fail("openapi-python-client is missing: pip install -e '.[dev]'")
    return on_path


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generated client, importable under a unique name."""
    folder = tmp_path_factory.mktemp("generated")
    spec_file = folder / "crm.json"
    spec_file.write_text(json.dumps(crm_spec().document), encoding="utf-8")
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")
    name = f"crm_client_{uuid.uuid4().hex[:8]}"
    completed = subprocess.run(
        [_generator(), "generate", "--path", str(spec_file), "--meta", "none",
         "--output-path", str(folder / name), "--config", str(config)],
        capture_output=True, text=True, timeout=180, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Warning" not in completed.stdout + completed.stderr, completed.stdout
    sys.path.insert(0, str(folder))
    try:
        yield name
    finally:
        sys.path.remove(str(folder))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


@pytest.fixture(scope="module")
def crm() -> Iterator[LiveCRM]:
    with database_url("sqlite") as url, live_crm(url) as server:
        yield server


def _module(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def test_generated_client_create_read_update_delete(client_package: str, crm: LiveCRM) -> None:
    token = admin_cli_tokens(f"sdk-{uuid.uuid4().hex[:8]}", [], crm.db_url)
    client_module = _module(client_package, "client")
    models = _module(client_package, "models")
    api: dict[str, Any] = {
        name: _module(client_package, f"api.customers.{name}")
        for name in ("create_customer", "get_customer", "update_customer", "delete_customer",
                     "list_customers")
    }
    client = client_module.AuthenticatedClient(base_url=crm.base_url, token=token,
                                               raise_on_unexpected_status=True)
    with client:
        created = api["create_customer"].sync_detailed(
            client=client, body=models.CustomerCreate(name="Ada Lovelace", email="ada@example.com"),
            idempotency_key=str(uuid.uuid4()))
        assert created.status_code == 201, created.content
        customer = created.parsed
        assert isinstance(customer, models.Customer)
        assert customer.name == "Ada Lovelace"
        assert created.headers["Location"].endswith(str(customer.id))

        read = api["get_customer"].sync_detailed(customer.id, client=client)
        assert read.status_code == 200
        assert isinstance(read.parsed, models.Customer)
        assert read.parsed.email == "ada@example.com"
        etag = read.headers["ETag"]

        listed = api["list_customers"].sync_detailed(client=client)
        assert listed.status_code == 200
        assert str(customer.id) in {str(item.id) for item in listed.parsed.data}

        updated = api["update_customer"].sync_detailed(
            customer.id, client=client, body=models.CustomerUpdate(name="Ada King"),
            if_match=etag)
        assert updated.status_code == 200, updated.content
        assert isinstance(updated.parsed, models.Customer)
        assert updated.parsed.name == "Ada King"
        assert updated.headers["ETag"] != etag

        stale = api["delete_customer"].sync_detailed(customer.id, client=client, if_match=etag)
        assert stale.status_code == 412
        assert isinstance(stale.parsed, models.Problem)

        deleted = api["delete_customer"].sync_detailed(customer.id, client=client,
                                                       if_match=updated.headers["ETag"])
        assert deleted.status_code == 204

        gone = api["get_customer"].sync_detailed(customer.id, client=client)
        assert gone.status_code == 404
        assert isinstance(gone.parsed, models.Problem)
        assert gone.headers["Content-Type"].startswith("application/problem+json")
