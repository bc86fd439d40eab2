"""Webhook targets: internal addresses refused in every spelling, at registration and delivery.

No real outbound traffic: names other than `localhost` go through a fake resolver, and the
only connections made are to a receiver on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from specfirst.server.crm.ssrf import (
    ALLOW_LOOPBACK_ENV,
    ALLOW_LOOPBACK_ENV_ALIAS,
    TargetRefused,
    check_url,
    guarded_client,
    loopback_allowed,
    resolve_public,
    validate_target,
)

REFUSED_URLS = [
    # loopback, in every spelling
    "http://127.0.0.1/",
    "http://127.1.2.3:8080/x",
    "http://[::1]/",
    "http://2130706433/",  # decimal 127.0.0.1
    "http://0x7f000001/",  # hex
    "http://0x7f.1/",  # hex, short form
    "http://0177.0.0.1/",  # octal
    "http://017700000001/",  # octal, one part
    "http://127.1/",  # short form
    "http://127.0.0.1./",  # trailing dot: legacy form
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:169.254.169.254]/",
    "http://[::127.0.0.1]/",  # IPv4-compatible
    # unspecified
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    # link-local, metadata services
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    # private, shared and reserved ranges
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://198.18.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.10/",  # documentation
    "http://[fd00::1]/",  # unique-local
    "http://[fc00::5]/",
    "http://[fec0::1]/",  # site-local
    "http://[2001:db8::1]/",
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[2002:a00:1::1]/",  # 6to4 of 10.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    # multicast
    "http://224.0.0.1/",
    "http://239.255.255.250/",
    "http://[ff02::1]/",
    # userinfo tricks and other forms
    "http://hooks.example.com@127.0.0.1/",
    "http://user:pass@hooks.example.com/",
    "http://127.0.0.1#@hooks.example.com/",
    "http://127.0.0.1\\@hooks.example.com/",
    "http://hooks.example.com /",
    "ftp://hooks.example.com/",
    "file:///etc/passwd",
    "gopher://hooks.example.com/",
    "http:///path-only",
    "http://hooks.example.com:0/",
    "http://hooks.example.com:99999/",
    "http://[not-an-ip]/",
    "http://exa mple.com/",
    "http://-bad-.example.com/",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_refused_at_registration(url: str) -> None:
    with pytest.raises(TargetRefused):
        validate_target(url, allow_loopback=False, resolver=public_resolver)


ACCEPTED_URLS = [
    "https://hooks.example.com/crm",
    "https://HOOKS.Example.COM:8443/crm?x=1",
    "http://93.184.216.34/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://bücher.example/hook",
]


def public_resolver(host: str, port: int) -> list[str]:
    """Every name resolves to a documentation-free public address."""
    return ["93.184.216.34", "2606:4700:4700::1111"]


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_public_targets_are_accepted(url: str) -> None:
    target = validate_target(url, allow_loopback=False, resolver=public_resolver)
    assert target.scheme in ("http", "https")


FAKE_DNS = {
    "internal.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.216.34", "192.168.0.10"],  # one bad address is enough
    "mapped.example": ["::ffff:10.0.0.1"],
    "ula.example": ["fd12:3456::1"],
    "loop.example": ["127.0.0.1"],
}


def fake_resolver(host: str, port: int) -> list[str]:
    if host not in FAKE_DNS:
        raise OSError("Name or service not known")
    return FAKE_DNS[host]


@pytest.mark.parametrize("host", sorted(FAKE_DNS))
def test_names_resolving_to_internal_addresses_are_refused(host: str) -> None:
    with pytest.raises(TargetRefused, match="resolves to"):
        validate_target(f"https://{host}/hook", allow_loopback=False, resolver=fake_resolver)


def test_unresolvable_name_is_refused_unless_allowed() -> None:
    with pytest.raises(TargetRefused, match="does not resolve"):
        validate_target("https://nowhere.example/", allow_loopback=False, resolver=fake_resolver)
    # Registration may accept a name that resolves nowhere (yet): delivery checks it again.
    target = validate_target("https://nowhere.example/", allow_loopback=False,
                             resolver=fake_resolver, allow_unresolvable=True)
    assert target.host == "nowhere.example"
    for host in sorted(FAKE_DNS):  # resolving to anything internal is still refused
        with pytest.raises(TargetRefused, match="resolves to"):
            validate_target(f"https://{host}/", allow_loopback=False, resolver=fake_resolver,
                            allow_unresolvable=True)


def test_localhost_resolves_to_loopback_and_is_refused() -> None:
    with pytest.raises(TargetRefused, match="loopback"):
        validate_target("http://localhost:8080/", allow_loopback=False)


def test_loopback_setting_allows_loopback_only() -> None:
    assert validate_target("http://127.0.0.1:9/x", allow_loopback=True).host == "127.0.0.1"
    assert validate_target("http://[::1]:9/x", allow_loopback=True).host == "::1"
    validate_target("http://localhost:9/x", allow_loopback=True)
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[::ffff:127.0.0.1]/",
                "http://2130706433/", "http://0x7f.1/", "http://0.0.0.0/"):
        with pytest.raises(TargetRefused):
            validate_target(url, allow_loopback=True)


def test_loopback_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (ALLOW_LOOPBACK_ENV, ALLOW_LOOPBACK_ENV_ALIAS):
        monkeypatch.delenv(ALLOW_LOOPBACK_ENV, raising=False)
        monkeypatch.delenv(ALLOW_LOOPBACK_ENV_ALIAS, raising=False)
        assert not loopback_allowed()
        with pytest.raises(TargetRefused):
            validate_target("http://127.0.0.1/")
        monkeypatch.setenv(name, "1")
        assert loopback_allowed()
        validate_target("http://127.0.0.1/")


def test_check_url_needs_no_resolution_for_literals() -> None:
    target = check_url("https://[2606:4700:4700::1111]:8443/x", allow_loopback=False)
    assert (target.host, target.port, str(target.address)) == ("2606:4700:4700::1111", 8443,
                                                               "2606:4700:4700::1111")
    assert resolve_public("93.184.216.34", 80, allow_loopback=False)[0].version == 4


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", "0")))
        body = (self.headers.get("host") or "").encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def echo_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


async def _post(url: str, *, allow_loopback: bool, resolver=None) -> httpx.Response:  # type: ignore[no-untyped-def]
    async with guarded_client(timeout=5, allow_loopback=allow_loopback,
                              resolver=resolver) as client:
        return await client.post(url, content=b"{}")


def test_delivery_connects_to_the_checked_address(echo_port: int) -> None:
    # The name resolves (through the fake DNS) to loopback: allowed by the setting, and the
    # connection goes to that checked address while the Host header keeps the name.
    response = asyncio.run(_post(f"http://loop.example:{echo_port}/h", allow_loopback=True,
                                 resolver=fake_resolver))
    assert response.status_code == 200
    assert response.text == f"loop.example:{echo_port}"


def test_delivery_refuses_when_dns_changes_to_an_internal_address(echo_port: int) -> None:
    # Registration saw a public address; at delivery the name now points inside.
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    rebinding = lambda host, port: next(answers)  # noqa: E731
    validate_target(f"http://rebind.example:{echo_port}/", allow_loopback=False,
                    resolver=rebinding)
    with pytest.raises(TargetRefused, match="loopback"):
        asyncio.run(_post(f"http://rebind.example:{echo_port}/", allow_loopback=False,
                          resolver=rebinding))


def test_delivery_refuses_loopback_without_the_setting(echo_port: int) -> None:
    with pytest.raises(TargetRefused):
        asyncio.run(_post(f"http://127.0.0.1:{echo_port}/", allow_loopback=False))
    ok = asyncio.run(_post(f"http://127.0.0.1:{echo_port}/", allow_loopback=True))
    assert ok.status_code == 200


def test_environment_proxies_are_ignored(echo_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://10.9.9.9:3128")
    ok = asyncio.run(_post(f"http://127.0.0.1:{echo_port}/", allow_loopback=True))
    assert ok.status_code == 200
