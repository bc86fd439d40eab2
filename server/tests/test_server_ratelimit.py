"""Per-tenant rate limiting, shared by the workers of one database."""

from __future__ import annotations

import httpx
import pytest

from server.tests.conftest import BACKENDS
from server.tests.live import LiveServer


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_quota_is_per_tenant_and_shared_by_workers(backend_url: str) -> None:
    env = {"SPECFIRST_SERVER_RATE_LIMIT": "6", "SPECFIRST_SERVER_RATE_WINDOW": "3600"}
    with LiveServer.start(backend_url, env=env, workers=2) as server:
        busy = server.token("busy")
        calm = server.token("calm")
        statuses = []
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for _ in range(12):  # new connections spread over both workers
                response = http.get("/api/v1/customers", headers={
                    **LiveServer.auth(busy), "Connection": "close"})
                statuses.append(response.status_code)
                if response.status_code == 429:
                    limited = response
            assert statuses.count(200) == 6 and statuses.count(429) == 6, statuses
            assert limited.headers["content-type"] == "application/problem+json"
            assert int(limited.headers["retry-after"]) >= 1
            assert limited.headers["ratelimit"].startswith('"default";r=0;t=')
            assert limited.headers["ratelimit-policy"] == '"default";q=6;w=3600'
            other = http.get("/api/v1/customers", headers=LiveServer.auth(calm))
            assert other.status_code == 200
            assert http.get("/api/v1/health/live").status_code == 200
