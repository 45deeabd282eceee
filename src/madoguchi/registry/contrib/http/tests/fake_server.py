"""A fake 住民記録 API on 127.0.0.1 (ephemeral port, a thread), plain HTTP or mutual TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def resident(record_id: str, name: str, kana: str, *, household: str = "H1",
             relationship: str = "世帯主", birth: str = "1980-04-01",
             **extra: Any) -> dict[str, Any]:
    return {"record_id": record_id, "name": name, "kana": kana, "birth_date": birth,
            "sex": "男", "address": "緑ヶ丘市若葉町2丁目14番3号", "household_id": household,
            "relationship": relationship, "resident_code": f"0000000000{record_id[-1]}",
            **extra}


RESIDENTS = [
    resident("R1", "山田 太郎", "ヤマダ タロウ"),
    resident("R2", "山田 花子", "ヤマダ ハナコ", relationship="妻", birth="1982-05-06",
             sex="女"),
    resident("R3", "山田 一郎", "ヤマダ イチロウ", relationship="子", birth="2012-01-02"),
    resident("R4", "髙橋 次郎", "タカハシ ジロウ", household="H2",
             changed_at="2026-03-01T09:00:00"),
    resident("R5", "山田 梅", "ヤマダ ウメ", relationship="母", birth="1950-01-01",
             reason="死亡", changed_at="2026-02-01T00:00:00+09:00"),
]


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # encoded as JSON unless bytes
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeRegistry:
    """What the fake API answers: queued replies first, then the RESIDENTS above."""

    queue: list[Reply] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    page_size: int = 2

    def answer(self, path: str, params: dict[str, str]) -> Reply:
        if self.queue:
            return self.queue.pop(0)
        if path == "/api/residents":
            found = [r for r in RESIDENTS
                     if all(r.get(k) == params[k] for k in ("name", "kana", "birth_date")
                            if k in params)
                     and ("code" not in params or r["resident_code"] == params["code"])]
            return Reply(body={"records": found})
        if path.startswith("/api/households/"):
            household = unquote(path.removeprefix("/api/households/"))
            members = [r for r in RESIDENTS if r["household_id"] == household]
            return Reply(body={"records": members[::-1]}) if members else Reply(404, {})
        if path == "/api/changes":
            start = int(params.get("cursor", "0"))
            page = RESIDENTS[start:start + self.page_size]
            more = start + self.page_size < len(RESIDENTS)
            return Reply(body={"records": page,
                               "next": str(start + self.page_size) if more else None})
        return Reply(404, {"error": "unknown"})


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query))
        fake = self.server.fake
        fake.seen.append(Seen(parts.path, params, dict(self.headers)))
        reply = fake.answer(parts.path, params)
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (a timeout test)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeRegistry, tls: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.tls = tls

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(5)
        with self.tls.wrap_socket(request, server_side=True) as wrapped:  # handshake here
            super().finish_request(wrapped, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a refused handshake (the mutual TLS test) is expected


class RunningServer:
    def __init__(self, fake: FakeRegistry, tls: ssl.SSLContext | None = None) -> None:
        self.fake = fake
        self.httpd = _Server(fake, tls)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}/api"

    def __enter__(self) -> RunningServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    """A port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- certificates for mutual TLS -------------------------------------------------------------
@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def _write_cert(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def make_pki(folder: Path) -> Pki:
    """A throw-away CA, a server certificate for 127.0.0.1 and a client certificate."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(_name("Test registry CA"))
               .issuer_name(_name("Test registry CA")).public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(hours=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                            crl_sign=True, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                              critical=False)
               .sign(ca_key, hashes.SHA256()))

    def leaf(common_name: str, usage: x509.ObjectIdentifier, san: list[x509.GeneralName]
             ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(_name(common_name))
                   .issuer_name(ca_cert.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(hours=1))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True)
                   .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       ca_key.public_key()), critical=False))
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(ca_key, hashes.SHA256()), key

    server_cert, server_key = leaf("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH,
                                   [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_cert, client_key = leaf("madoguchi", ExtendedKeyUsageOID.CLIENT_AUTH, [])
    return Pki(
        ca=_write_cert(folder / "ca.pem", ca_cert),
        server_cert=_write_cert(folder / "server.pem", server_cert),
        server_key=_write_key(folder / "server.key", server_key),
        client_cert=_write_cert(folder / "client.pem", client_cert),
        client_key=_write_key(folder / "client.key", client_key),
    )


def server_tls(pki: Pki) -> ssl.SSLContext:
    """The fake API's TLS: its certificate, and a client certificate from the CA required."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server_cert, pki.server_key)
    context.load_verify_locations(pki.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    return context
