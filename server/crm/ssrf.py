"""Webhook target validation: only public addresses, checked at registration and at delivery.

A webhook URL is attacker-chosen, so the server must never be made to call itself, the cloud
metadata service (169.254.169.254) or anything else on an internal network. Three layers:

1. `check_url` refuses anything but a plain `http(s)://host[:port]/path` URL: no userinfo,
   no non-canonical IPv4 spellings (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`), no zone ids;
   an IP literal must itself be a public address.
2. `resolve_public` resolves a name and refuses it if ANY of its addresses is not public.
3. `GuardedTransport` (an httpx transport) does that resolution itself when it opens a
   connection and connects to the address it checked, so DNS cannot answer differently
   between the check and the connection (rebinding). No proxies from the environment.

`SPECFIRST_SERVER_WEBHOOKS_ALLOW_LOOPBACK=1` also allows loopback addresses (127.0.0.0/8,
::1), for local development and tests; every other internal range stays refused.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

ALLOW_LOOPBACK_ENV = "SPECFIRST_SERVER_WEBHOOKS_ALLOW_LOOPBACK"
# The same switch under the name the server settings table uses.
ALLOW_LOOPBACK_ENV_ALIAS = "SPECFIRST_SERVER_ALLOW_LOOPBACK_WEBHOOKS"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# Ranges that embed or translate to an IPv4 address (so could reach an internal one), or that
# Python's `is_global` still counts as public although they are not ordinary unicast targets.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local-use NAT64
        "2002::/16",  # 6to4
        "2001::/32",  # Teredo
        "::/96",  # IPv4-compatible (deprecated)
        "::ffff:0:0/96",  # IPv4-mapped
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
    )
)

# One part of a legacy inet_aton() spelling: decimal, 0x-hex or 0-octal.
_IPV4_PART = r"(?:0[xX][0-9a-fA-F]*|[0-9]+)"
_LEGACY_IPV4 = re.compile(rf"^{_IPV4_PART}(?:\.{_IPV4_PART}){{0,3}}\.?$")
_CANONICAL_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
                             r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$")
_HOSTNAME = re.compile(r"^(?=.{1,253}\.?$)(?:[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?\.)*"
                       r"[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?\.?$")


class TargetRefused(ValueError):
    """A webhook target that the server will not call; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # a hostname (lower case, IDNA) or an IP address without brackets
    port: int
    address: IPAddress | None  # set when the host is an IP literal


def loopback_allowed() -> bool:
    """Whether `SPECFIRST_SERVER_WEBHOOKS_ALLOW_LOOPBACK` (or its alias) is set to true."""
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
        for name in (ALLOW_LOOPBACK_ENV, ALLOW_LOOPBACK_ENV_ALIAS)
    )


def refusal_reason(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why an address may not be called, or None when it is a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return "an IPv4-mapped IPv6 address"
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if any(address in net for net in _REFUSED_NETWORKS if net.version == address.version):
        return "an address of an internal or translated range"
    if address.is_private or address.is_reserved or not address.is_global:
        return "a private or reserved address"
    return None


def check_address(address: IPAddress | str, *, allow_loopback: bool) -> IPAddress:
    """The address, parsed, if it may be called; `TargetRefused` otherwise."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    reason = refusal_reason(ip, allow_loopback=allow_loopback)
    if reason is not None:
        raise TargetRefused(f"the target resolves to {reason} ({ip})")
    return ip


def check_url(url: str, *, allow_loopback: bool) -> Target:
    """Parse a webhook URL and refuse the forms that can smuggle an internal address."""
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in url):
        raise TargetRefused("the URL contains whitespace, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"the URL cannot be parsed: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TargetRefused("only http and https URLs can receive webhooks")
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL must not contain user information ('user@host')")
    raw_host = parts.hostname
    if not raw_host:
        raise TargetRefused("the URL has no host")
    if port is None:
        port = 443 if scheme == "https" else 80
    if port == 0:
        raise TargetRefused("port 0 cannot be called")
    if parts.netloc.rsplit(":", 1)[0].startswith("["):  # IPv6 literal
        if "%" in raw_host:
            raise TargetRefused("IPv6 zone identifiers are not allowed")
        try:
            ip6 = ipaddress.IPv6Address(raw_host)
        except ValueError:
            raise TargetRefused(f"{raw_host!r} is not a valid IPv6 address") from None
        return Target(scheme, str(ip6), port, check_address(ip6, allow_loopback=allow_loopback))
    if _LEGACY_IPV4.match(raw_host):
        if not _CANONICAL_IPV4.match(raw_host):
            raise TargetRefused(
                f"{raw_host!r} is a non-canonical IP address form; write it as a dotted quad"
            )
        ip4 = ipaddress.IPv4Address(raw_host)
        return Target(scheme, str(ip4), port, check_address(ip4, allow_loopback=allow_loopback))
    try:
        host = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise TargetRefused(f"{raw_host!r} is not a valid host name") from None
    if not _HOSTNAME.match(host):
        raise TargetRefused(f"{raw_host!r} is not a valid host name")
    return Target(scheme, host, port, None)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (A and AAAA), via the system resolver."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve_public(
    host: str, port: int, *, allow_loopback: bool, resolver: Resolver | None = None
) -> list[IPAddress]:
    """Resolve `host`; refuse it unless EVERY address it resolves to may be called."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return [check_address(literal, allow_loopback=allow_loopback)]
    try:
        found = (resolver or system_resolver)(host, port)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"the host {host!r} does not resolve ({exc})") from None
    if not found:
        raise Unresolvable(f"the host {host!r} does not resolve")
    addresses = [ipaddress.ip_address(addr.split("%", 1)[0]) for addr in found]
    return [check_address(ip, allow_loopback=allow_loopback) for ip in addresses]


class Unresolvable(TargetRefused):
    """The host name does not resolve (now)."""


def validate_target(
    url: str,
    *,
    allow_loopback: bool | None = None,
    resolver: Resolver | None = None,
    allow_unresolvable: bool = False,
) -> Target:
    """Full check of a webhook URL at registration: its form, then what it resolves to.

    With `allow_unresolvable`, a name that does not resolve at all is accepted: it points
    nowhere yet, so nowhere internal, and every delivery resolves and checks it again.
    A name that resolves to any internal address is always refused.
    """
    allow = loopback_allowed() if allow_loopback is None else allow_loopback
    target = check_url(url, allow_loopback=allow)
    if target.address is None:
        try:
            resolve_public(target.host, target.port, allow_loopback=allow, resolver=resolver)
        except Unresolvable:
            if not allow_unresolvable:
                raise
    return target


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that only opens TCP connections to checked addresses."""

    def __init__(self, *, allow_loopback: bool, resolver: Resolver | None = None) -> None:
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await anyio.to_thread.run_sync(
            lambda: resolve_public(
                host, port, allow_loopback=self._allow_loopback, resolver=self._resolver
            )
        )
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise TargetRefused("unix sockets are not webhook targets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool built on `GuardedBackend`.

    Keep-alive connections are not reused across deliveries, so every delivery resolves and
    checks its target again.
    """

    def __init__(self, *, allow_loopback: bool, resolver: Resolver | None = None) -> None:
        super().__init__(trust_env=False)
        ssl_context = httpx.create_ssl_context(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=0,
            network_backend=GuardedBackend(allow_loopback=allow_loopback, resolver=resolver),
        )


def guarded_client(
    *, timeout: float, allow_loopback: bool | None = None, resolver: Resolver | None = None
) -> httpx.AsyncClient:
    """An httpx client for webhook deliveries: guarded connections, no redirects, no proxies."""
    allow = loopback_allowed() if allow_loopback is None else allow_loopback
    return httpx.AsyncClient(
        transport=GuardedTransport(allow_loopback=allow, resolver=resolver),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        headers={"user-agent": "specfirst-webhooks/1"},
    )


__all__ = [
    "ALLOW_LOOPBACK_ENV",
    "ALLOW_LOOPBACK_ENV_ALIAS",
    "GuardedBackend",
    "GuardedTransport",
    "Target",
    "TargetRefused",
    "Unresolvable",
    "check_address",
    "check_url",
    "guarded_client",
    "loopback_allowed",
    "refusal_reason",
    "resolve_public",
    "validate_target",
]
