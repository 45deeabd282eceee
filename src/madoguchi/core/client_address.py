"""The address of the client that sent a request, through trusted reverse proxies only.

``REMOTE_ADDR`` is the peer of this process. When it is one of ``TRUSTED_PROXIES``
(``MADOGUCHI_TRUSTED_PROXIES``: addresses or CIDR ranges), the client is the right-most hop of
``X-Forwarded-For`` that is not itself a trusted proxy: every hop to its right was appended by
a proxy we trust, every hop to its left could have been written by the client. The header is
never read when the peer is not a trusted proxy, so a visitor cannot choose their address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The networks of the setting (checked when the settings load: a typo stops the start)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str) -> IPAddress | None:
    """One address as a proxy writes it (no port), IPv4-mapped IPv6 read as IPv4; else None."""
    value = value.strip()
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])  # drop an IPv6 zone ("%eth0")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)


def real_client_ip(request: HttpRequest) -> str | None:
    """The client's address, or None when it is not known.

    Unknown: ``REMOTE_ADDR`` is missing or not an address, or it is a trusted proxy whose
    ``X-Forwarded-For`` is missing, holds only trusted proxies, or is broken before the first
    untrusted hop (a hop that is not an address).
    """
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(peer, trusted):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            return None
        if not _is_trusted(address, trusted):
            return str(address)
    return None
