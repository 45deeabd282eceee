#!/usr/bin/env python3
"""Scale benchmark: the submit load of bench/submit.py on one web server, then on two, both
behind HAProxy running deploy/haproxy.cfg (TLS, round robin), on one PostgreSQL database.

Run with no arguments and DATABASE_URL pointing at a PostgreSQL server (``DATABASE_URL=postgres://
postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scale.py``). On SQLite it says it is
skipped and exits 0: several servers share PostgreSQL, never an SQLite file.

* It starts server A the way ``make demo`` does (``manage.py serve``: migrations, demo city, web
  server and task worker) with a fresh database, and HAProxy with both of its ``server`` lines
  pointing at A, so both phases pay the same TLS and proxy hop.
* Residents are created signed in, and every one fills a draft through HAProxy (not timed).
* one: half of them send the final POST of the check page, N clients at once, through HAProxy.
* Then server B starts (``serve --skip-setup``, same database, same secrets, its own worker) and
  HAProxy is started again with A and B.
* two: the other half send, the same way.

It prints ``submit/s one:``, ``submit/s two:``, the share of requests each server answered, and
last ``ratio:`` = two ÷ one. Both servers run on this one machine: with 2 cores, the second
server adds processes, not cores, so the ratio shows the overhead of spreading the load (about
1 or a little below), not the gain that a second host brings. It exits non-zero when a request
failed or the stored applications do not match the successful submits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# submit first: it re-runs this script under the project's virtualenv when httpx is missing.
import submit
from submit import (
    COUNT_ROWS,
    CREATE_RESIDENTS,
    HOST,
    BenchError,
    Resident,
    free_port,
    log,
    run_phase,
    spread,
)

# isort: split
import httpx

REPO = Path(__file__).resolve().parent.parent
CLIENTS = submit.CLIENTS
PER_PHASE = submit.env_int("BENCH_SCALE_SUBMITS", 300)


def certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1 (HAProxy's PEM, the clients' CA)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=6))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                ipaddress.ip_address(HOST))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (directory / "ca.pem").write_bytes(cert_pem)
    (directory / "haproxy.pem").write_bytes(cert_pem + key_pem)
    (directory / "haproxy.pem").chmod(0o600)
    return directory / "haproxy.pem", directory / "ca.pem"


class LoadBalancer:
    """HAProxy with deploy/haproxy.cfg, its two ``server`` lines at the given ports."""

    def __init__(self, directory: Path, web: tuple[int, int]) -> None:
        if shutil.which("haproxy") is None:
            raise BenchError("HAProxy is not installed (apt-get install haproxy, or "
                             "scripts/ensure-system-packages.sh test as root)")
        self.directory, self.web = directory, web
        self.port = free_port()
        self.base_url = f"https://{HOST}:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LoadBalancer:
        pem, _ca = certificate(self.directory)
        (self.directory / "global.cfg").write_text("global\n    maxconn 4096\n")
        env = {**os.environ, "MADOGUCHI_LB_HOST": HOST,
               "MADOGUCHI_LB_HTTP": f"{HOST}:{free_port()}",
               "MADOGUCHI_LB_HTTPS": f"{HOST}:{self.port}", "MADOGUCHI_LB_CERT": str(pem),
               "MADOGUCHI_WEB1": f"{HOST}:{self.web[0]}", "MADOGUCHI_WEB2": f"{HOST}:{self.web[1]}"}
        with (self.directory / "haproxy.log").open("ab") as out:
            self.proc = subprocess.Popen(
                ["haproxy", "-db", "-f", str(self.directory / "global.cfg"),
                 "-f", str(REPO / "deploy" / "haproxy.cfg")],
                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        with self.client() as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise BenchError(f"HAProxy exited with code {self.proc.returncode}")
                try:
                    if client.get("/healthz").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
        raise BenchError("HAProxy did not answer /healthz within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def client(self, served: Counter[str] | None = None) -> httpx.Client:
        def count(response: httpx.Response) -> None:
            if served is not None:
                served[response.headers.get("x-served-by", "?")] += 1

        return httpx.Client(base_url=self.base_url, verify=self._tls(), timeout=60,
                            follow_redirects=False, event_hooks={"response": [count]},
                            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))

    def _tls(self) -> Any:
        import ssl

        return ssl.create_default_context(cafile=str(self.directory / "ca.pem"))


def start_second_server(server: submit.Server, port: int) -> subprocess.Popen[bytes]:
    """Server B: the same database, var dir (so the same secrets) and settings as A."""
    env = {**server.env, "PORT": str(port)}
    with (server.var_dir / "server-b.log").open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--skip-setup", "--port", str(port)],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    submit.wait_until_healthy(proc, f"http://{HOST}:{port}")
    return proc


def measure(server: submit.Server, clients: list[httpx.Client]) -> dict[str, bool]:
    prefix = f"scale{os.getpid()}-"
    created = server.shell(CREATE_RESIDENTS, {
        "BENCH_RESIDENTS": str(2 * PER_PHASE), "BENCH_PREFIX": prefix,
        "BENCH_PASSWORD": os.urandom(8).hex()})
    residents = []
    for number, key in enumerate(created["keys"]):
        resident = Resident(number)
        httpx.Cookies(resident.jar).set(created["cookie"], key, domain=HOST)
        residents.append(resident)
    log(f"created {len(residents)} signed-in residents")
    lb_dir = Path(tempfile.mkdtemp(prefix="madoguchi-scale-lb-"))
    second: subprocess.Popen[bytes] | None = None
    try:
        served_one: Counter[str] = Counter()
        with LoadBalancer(lb_dir, (server.port, server.port)) as lb:
            one_clients = [lb.client(served_one) for _ in range(CLIENTS)]
            clients.extend(one_clients)
            prepared = run_phase("prepare", one_clients, spread(residents, CLIENTS),
                                 lambda c, r: r.prepare(c))
            served_one.clear()
            first_half = [r for r in residents[:PER_PHASE] if r.token]
            one = run_phase("one", one_clients, spread(first_half, CLIENTS),
                            lambda c, r: r.submit(c))
        port_b = free_port()
        log(f"starting server B on {HOST}:{port_b}")
        second = start_second_server(server, port_b)
        served_two: Counter[str] = Counter()
        with LoadBalancer(lb_dir, (server.port, port_b)) as lb:
            two_clients = [lb.client(served_two) for _ in range(CLIENTS)]
            clients.extend(two_clients)
            second_half = [r for r in residents[PER_PHASE:] if r.token]
            two = run_phase("two", two_clients, spread(second_half, CLIENTS),
                            lambda c, r: r.submit(c))
    finally:
        if second is not None:
            submit.stop_server(second)
        shutil.rmtree(lb_dir, ignore_errors=True)

    counts = server.shell(COUNT_ROWS, {"BENCH_PREFIX": prefix})
    stored = counts["applications"]
    errors = prepared.errors + one.errors + two.errors
    ratio = two.per_second / one.per_second if one.per_second else 0.0
    answered = sum(served_two.values()) or 1
    print(f"database: {server.db.kind}")
    print(f"clients: {CLIENTS}")
    print(f"web workers per server: {server.env.get('WEB_WORKERS', '2')}")
    print(f"cores: {os.cpu_count()}")
    print(f"load average at start: {server.load_at_start:.2f}")
    print(f"submits per phase: {PER_PHASE}")
    print(f"submit/s one: {one.per_second:.1f}")
    print(f"p50 ms one: {one.percentile_ms(50):.1f}")
    print(f"p99 ms one: {one.percentile_ms(99):.1f}")
    print(f"submit/s two: {two.per_second:.1f}")
    print(f"p50 ms two: {two.percentile_ms(50):.1f}")
    print(f"p99 ms two: {two.percentile_ms(99):.1f}")
    print(f"share answered by server A in two: {served_two['web1'] / answered:.2f}")
    print(f"share answered by server B in two: {served_two['web2'] / answered:.2f}")
    cores = os.cpu_count() or 1
    for phase in (one, two):
        share = phase.client_cpu_seconds / max(phase.seconds, 1e-9) / cores
        print(f"client CPU share {phase.name}: {share:.2f}")
    print(f"note: both servers share this machine's {os.cpu_count()} cores: two servers add "
          "processes, not CPU, so the ratio shows the overhead of spreading the load, not the "
          "gain of a second host")
    print(f"errors: {errors}")
    print(f"applications stored: {stored}")
    print(f"ratio: {ratio:.2f}", flush=True)
    return {
        "errors": errors == 0,
        f"stored applications ({stored}) != successful submits ({one.ok + two.ok})":
            stored == one.ok + two.ok,
        "both servers answered in phase two": served_two["web1"] > 0 and served_two["web2"] > 0,
    }


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("scale: skipped: bench/scale.py needs PostgreSQL (set DATABASE_URL=postgres://...); "
              "several servers share one PostgreSQL database, never an SQLite file", flush=True)
        return 0
    return submit.run_with_server(measure)


if __name__ == "__main__":
    submit.run_script(main)
