"""The client address: X-Forwarded-For is believed only when the peer is a trusted proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from madoguchi.core.client_address import real_client_ip

PROXIES = ["10.0.0.0/8", "192.0.2.254", "fd00::/8"]


def ip_of(remote: str | None, forwarded: str | None = None) -> str | None:
    meta = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return real_client_ip(request)


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    ("203.0.113.9", None, "203.0.113.9"),
    # Not from a trusted proxy: the header is the visitor's own words, ignored.
    ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
    ("203.0.113.9", "10.0.0.1", "203.0.113.9"),
    ("2001:db8::1", "198.51.100.7", "2001:db8::1"),
    ("::ffff:203.0.113.9", None, "203.0.113.9"),
    (None, "198.51.100.7", None),
    ("", None, None),
    ("not-an-address", "198.51.100.7", None),
])
def test_without_a_trusted_proxy_the_peer_is_the_client(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = PROXIES
    assert ip_of(remote, forwarded) == expected


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
    # The right-most hop that is not a trusted proxy: what the client wrote on the left is
    # not believed, the hops our proxies appended on the right are skipped.
    ("10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),
    ("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.9.9.9, 192.0.2.254", "198.51.100.7"),
    ("10.0.0.2", " 198.51.100.7 ,10.1.1.1 ", "198.51.100.7"),
    ("fd00::5", "2001:db8::7", "2001:db8::7"),
    ("10.0.0.2", "::ffff:198.51.100.7", "198.51.100.7"),
    ("192.0.2.254", "198.51.100.7", "198.51.100.7"),
    # Unknown: no header, only proxies, or a broken hop before the client.
    ("10.0.0.2", None, None),
    ("10.0.0.2", "", None),
    ("10.0.0.2", "10.0.0.3, 10.0.0.4", None),
    ("10.0.0.2", "198.51.100.7, garbage", None),
    ("10.0.0.2", "198.51.100.7:4711", None),
])
def test_through_a_trusted_proxy_the_forwarded_client_is_used(settings, remote, forwarded,
                                                               expected):
    settings.TRUSTED_PROXIES = PROXIES
    assert ip_of(remote, forwarded) == expected


def test_no_proxy_is_trusted_by_default(settings):
    assert settings.TRUSTED_PROXIES == []
    assert ip_of("127.0.0.1", "198.51.100.7") == "127.0.0.1"
