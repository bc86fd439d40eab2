"""Per-tenant rate limiting, shared by the workers of one database."""

from __future__ import annotations

import httpx
import pytest
from specfirst.server.tests.conftest import BACKENDS
from specfirst.server.tests.live import LiveServer


@pytest.mark.parametrize("backend_url", BACKENDS, indirect=True)
def test_quota_is_per_tenant_and_shared_by_workers(backend_url: str) -> None:
    env = {"SPECFIRST_SERVER_RATE_LIMIT": "6", "SPECFIRST_SERVER_RATE_WINDOW": "3600"}
    with LiveServer.start(backend_url, env=env, workers=2) as server:
        busy = server.token("busy")
        calm = server.token("calm")
        statuses = []
        remaining = []
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for _ in range(12):  # new connections spread over both workers
                response = http.get("/api/v1/customers", headers={
                    **LiveServer.auth(busy), "Connection": "close"})
                statuses.append(response.status_code)
                if response.status_code == 429:
                    limited = response
                else:  # every counted answer says what is left, not only the 429
                    assert response.headers["ratelimit-policy"] == '"default";q=6;w=3600'
                    remaining.append(int(response.headers["ratelimit"].split(";")[1][2:]))
            assert statuses.count(200) == 6 and statuses.count(429) == 6, statuses
            assert remaining == sorted(remaining, reverse=True) and remaining[-1] == 0
            assert limited.headers["content-type"] == "application/problem+json"
            assert int(limited.headers["retry-after"]) >= 1
            assert limited.headers["ratelimit"].startswith('"default";r=0;t=')
            assert limited.headers["ratelimit-policy"] == '"default";q=6;w=3600'
            assert limited.headers.get_list("ratelimit") == [limited.headers["ratelimit"]]
            other = http.get("/api/v1/customers", headers=LiveServer.auth(calm))
            assert other.status_code == 200 and other.headers["ratelimit"].startswith(
                '"default";r=5;t=')
            refused = http.get("/api/v1/customers/nope", headers=LiveServer.auth(calm))
            assert refused.status_code == 400 and "ratelimit" in refused.headers  # not a uuid
            health = http.get("/api/v1/health/live")
            assert health.status_code == 200 and "ratelimit" not in health.headers
            unknown = http.get("/api/v1/customers", headers=LiveServer.auth("sf_" + "x" * 40))
            assert unknown.status_code == 401 and "ratelimit" not in unknown.headers
