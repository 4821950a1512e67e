"""Which address a request comes from, for rate limits, lockout counters and logs.

The TCP peer, unless the peer is one of TELEHALL_TRUSTED_PROXIES: then X-Forwarded-For is read
from the right, skipping trusted proxies, and the first address not trusted is the client (what
a client writes itself sits further left and is never believed). With no trusted proxies (the
default) the header is ignored, so a client cannot rotate it to shed its limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

Networks = Sequence[IPv4Network | IPv6Network]


def _trusted(address: str, networks: Networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str, forwarded_for: str | None, networks: Networks) -> str:
    if not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ip_address(hop))
            except ValueError:
                return peer  # garbage from the proxy chain: fall back to what we know
    return hops[0] if hops else peer


def scope_client(scope, networks: Networks) -> str:
    """The client address of an ASGI scope (cached in the scope for the app below)."""
    known = scope.get("telehall.client")
    if known is not None:
        return known
    peer = (scope.get("client") or ("unknown", 0))[0]
    forwarded = None
    if networks:
        for name, value in scope.get("headers") or []:
            if name == b"x-forwarded-for":
                forwarded = (
                    value.decode("latin-1")
                    if forwarded is None
                    else (forwarded + "," + value.decode("latin-1"))
                )
    address = client_address(peer, forwarded, networks)
    scope["telehall.client"] = address
    return address
