"""Addresses: the client's (for the per-address limits), and whether phones can reach the service's
public address, with a LAN address to suggest if not."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request


def client_address(request: Request) -> str:
    """The client's address for the per-address limits (proxy headers count only when trusted)."""
    return request.client.host if request.client else "ukendt"


# Any private address will do: connect() on a UDP socket only picks the route, it sends nothing.
_PROBE = ("10.255.255.255", 1)


def lan_address() -> str | None:
    """This machine's IPv4 address on the local network, read locally (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_PROBE)
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if ipaddress.ip_address(address).is_loopback else address


def is_loopback(host: str) -> bool:
    """Whether a host name or address means this computer only (127.x, ::1, localhost)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_for_host(host: str, port: int) -> str:
    """The http URL of a host and port, with an IPv6 address in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(frozen=True)
class UnreachableAddress:
    """The base URL points at this computer; what to set instead, where there is a LAN address."""

    base_url: str
    suggestion: str | None


def unreachable_from_phones(base_url: str) -> UnreachableAddress | None:
    """A warning for a loopback base URL (phones cannot open it), else None."""
    parts = urlsplit(base_url)
    if not is_loopback(parts.hostname or ""):
        return None
    lan = lan_address()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return UnreachableAddress(base_url, url_for_host(lan, port) if lan else None)
