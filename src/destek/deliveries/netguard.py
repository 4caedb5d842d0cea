"""Where an external bot's webhook may point: public internet addresses only, unless the deployment
allows private ones (DESTEK_BOT_WEBHOOK_ALLOW_PRIVATE=true, for an on-premises bot).

Checked twice: when an administrator saves the URL (the host is resolved) and again on every delivery,
where the host is resolved, every address checked, and the request sent to the checked address with
the original Host header and TLS server name. A DNS answer that changes between the check and the
connection (DNS rebinding) therefore cannot steer a delivery to an internal address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata endpoints that are not all covered by the link-local / private ranges.
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not the public internet


class BlockedAddress(ValueError):
    """The URL's host is, or resolves to, an address a webhook may not reach."""


def forbidden(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why a webhook may not connect to this address, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _METADATA:
        return "a cloud metadata address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified or address.is_reserved:
        return "a reserved address"
    if allow_private:
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private or address in _SHARED or not address.is_global:
        return "a private address"
    return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise BlockedAddress(f"the host {host} could not be resolved") from exc
    found = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    if not found:
        raise BlockedAddress(f"the host {host} could not be resolved")
    return found


@dataclass(frozen=True, slots=True)
class Target:
    """Where to send a request: `url` names the checked address; `host` goes in the Host header and
    TLS server name."""

    url: str
    host: str
    host_header: str
    address: IPAddress


async def check(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address; BlockedAddress when any is forbidden."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedAddress("the webhook URL must be an http:// or https:// URL with a host")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(host, port)
    for address in addresses:
        why = forbidden(address, allow_private=allow_private)
        if why is not None:
            raise BlockedAddress(f"the webhook host {host} is {why}; webhooks must reach the public internet")
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    bracketed = f"[{host}]" if ":" in host else host
    host_header = f"{bracketed}:{parts.port}" if parts.port else bracketed
    return Target(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host=host,
        host_header=host_header,
        address=address,
    )
