"""Two web servers and two task workers on ONE PostgreSQL database behind HAProxy (round robin),
started from the files in deploy/ exactly as docs/deploy.md installs them:

* the web servers and workers run the ``ExecStart`` lines of deploy/systemd/*.service (the venv
  path replaced by this interpreter), each server with a var dir of its own, so nothing can be
  shared through a local file; what must be shared is set by the environment, as in production;
* HAProxy runs deploy/haproxy.cfg itself (TLS with a throw-away certificate, health checks),
  with ports of this run in the environment variables the file reads.

Then, with every request alternating between the servers: a resident signs in on one and fills
a form draft page by page across both; residents submit at once and each receipt e-mail goes
out exactly once with two workers polling the queue; a crowd books exactly the seats there are;
a waiting-room ticket issued by one server is honoured by the other.

PostgreSQL only (DATABASE_URL): SQLite is one file on one host, not a multi-server setup.
Skipped, saying why, when HAProxy is not installed (``scripts/ensure-system-packages.sh test``
installs it for ``make test``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import os
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNIT_PYTHON = "/srv/madoguchi/.venv/bin/python"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.skipif(not DATABASE_URL.startswith(("postgres://", "postgresql://")),
                       reason="the two-server test needs PostgreSQL (DATABASE_URL=postgres://…): "
                              "several servers share one PostgreSQL database, not an SQLite file"),
    pytest.mark.skipif(shutil.which("haproxy") is None,
                       reason="HAProxy is not installed: `scripts/ensure-system-packages.sh test` "
                              "(as root) or `apt-get install haproxy` installs it"),
]


def _bench_module(name: str) -> ModuleType:
    """bench/<name>.py, whose server, database and client helpers this test shares."""
    sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def unit_commands(unit: str) -> list[list[str]]:
    """The ExecStartPre and ExecStart lines of a systemd unit in deploy/systemd, in order, for
    this checkout and interpreter."""
    commands = []
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        key, _, value = line.partition("=")
        if key in {"ExecStartPre", "ExecStart"}:
            argv = shlex.split(value)
            assert argv[0] == UNIT_PYTHON, line
            commands.append([sys.executable, *argv[1:]])
    return commands


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1: the PEM HAProxy serves and the one clients trust."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (directory / "ca.pem").write_bytes(cert_pem)
    (directory / "haproxy.pem").write_bytes(cert_pem + key_pem)
    (directory / "haproxy.pem").chmod(0o600)
    return directory / "haproxy.pem", directory / "ca.pem"


class Cluster:
    """The processes of the run, each in its own session, all stopped at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((name, process))
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {name}:\n" + (self.tmp / f"{name}.log").read_text(
            errors="replace")[-2000:] for name, _ in self.processes)

    def dead(self) -> list[str]:
        return [name for name, p in self.processes if p.poll() is not None]

    def stop(self) -> None:
        for _, process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_for(what: str, check: Any, cluster: Cluster, seconds: float = 90.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cluster.dead():
            pytest.fail(f"{', '.join(cluster.dead())} exited while waiting for {what}\n"
                        + cluster.logs())
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n" + cluster.logs())


@pytest.fixture(scope="module")
def cluster() -> Iterator[dict[str, Any]]:
    submit = _bench_module("submit")
    tmp = Path(tempfile.mkdtemp(prefix="madoguchi-two-servers-"))
    db = submit.Database.from_environment()
    db.create()
    procs = Cluster(tmp)
    try:
        lb_port, http_port, web_ports = submit.free_port(), submit.free_port(), []
        while len(web_ports) < 2:
            port = submit.free_port()
            if port not in {lb_port, http_port, *web_ports}:
                web_ports.append(port)
        base_url = f"https://127.0.0.1:{lb_port}"
        shared = {k: v for k, v in os.environ.items()
                  if k not in {"MADOGUCHI_TESTING", "MADOGUCHI_DEBUG", "DATABASE_URL", "HOST",
                               "PORT", "MADOGUCHI_VAR_DIR"}}
        # What every server must share, from the environment (docs/deploy.md): never per host.
        shared.update({
            "DATABASE_URL": db.url, "MADOGUCHI_DEMO": "1", "MADOGUCHI_HTTPS": "1",
            "MADOGUCHI_SECRET_KEY": "two-servers-" + os.urandom(16).hex(),
            "MADOGUCHI_ENCRYPTION_KEYS": "k1:dHdvLXNlcnZlcnMtdGVzdC1rZXktMzItYnl0ZXMtbG8=",
            "MADOGUCHI_REGISTRY_INDEX_KEY": "two-servers-index-key",
            "MADOGUCHI_TRUSTED_PROXIES": "127.0.0.1", "MADOGUCHI_SITE_URL": base_url,
            "WEB_WORKERS": "1", "WEB_THREADS": "4", "PYTHONUNBUFFERED": "1",
            # granian imports the project by name: this checkout's, not another install's.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "src"),
                                                        os.environ.get("PYTHONPATH")])),
        })

        def env_for(name: str, **extra: str) -> dict[str, str]:
            var = tmp / name
            var.mkdir(exist_ok=True)
            return {**shared, "MADOGUCHI_VAR_DIR": str(var), **extra}

        began = time.monotonic()
        setup = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from django.core.management import call_command as c; "
             "c('migrate', interactive=False, verbosity=0); "
             "c('collectstatic', interactive=False, verbosity=0)"],
            cwd=REPO, env=env_for("setup"), capture_output=True, text=True, timeout=300,
            check=False)
        assert setup.returncode == 0, setup.stderr[-3000:]
        print(f"database migrated in {time.monotonic() - began:.1f} s")
        # The demo city (departments, the tsugaku-hojo form) loads while the servers start,
        # with the test settings' fast password hasher for its staff accounts (not signed in here).
        demo = subprocess.Popen([sys.executable, "manage.py", "load_demo_city"],
                                cwd=REPO, env=env_for("demo", MADOGUCHI_TESTING="1"),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

        web_argv = unit_commands("madoguchi-web.service")[-1]  # collectstatic ran in setup
        worker_pre, worker_argv = unit_commands("madoguchi-worker@.service")
        # Both workers start their clocks at the same moment: still one clock queued.
        pres = [subprocess.Popen(worker_pre, cwd=REPO, env=env_for(f"worker{i}"),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for i in (1, 2)]
        for i, port in enumerate(web_ports, start=1):
            procs.start(f"web{i}", web_argv, env_for(f"web{i}", HOST="127.0.0.1",
                                                     PORT=str(port)))
        for pre in pres:
            assert pre.wait(timeout=120) == 0, pre.stdout.read() if pre.stdout else ""
        for i in (1, 2):
            procs.start(f"worker{i}", worker_argv, env_for(f"worker{i}"))

        pem, ca = make_certificate(tmp)
        tls = ssl.create_default_context(cafile=str(ca))
        (tmp / "global.cfg").write_text("global\n    maxconn 4096\n")
        lb_env = {**os.environ, "MADOGUCHI_LB_HOST": "127.0.0.1",
                  "MADOGUCHI_LB_HTTP": f"127.0.0.1:{http_port}",
                  "MADOGUCHI_LB_HTTPS": f"127.0.0.1:{lb_port}", "MADOGUCHI_LB_CERT": str(pem),
                  "MADOGUCHI_WEB1": f"127.0.0.1:{web_ports[0]}",
                  "MADOGUCHI_WEB2": f"127.0.0.1:{web_ports[1]}"}
        procs.start("haproxy", ["haproxy", "-db", "-f", str(tmp / "global.cfg"),
                                "-f", str(DEPLOY / "haproxy.cfg")], lb_env)

        def both_up() -> bool:
            seen = set()
            with httpx.Client(base_url=base_url, verify=tls, timeout=5) as client:
                for _ in range(4):
                    try:
                        response = client.get("/healthz")
                    except httpx.HTTPError:
                        return False
                    if response.status_code != 200:
                        return False
                    seen.add(response.headers.get("x-served-by"))
            return seen == {"web1", "web2"}

        wait_for("both web servers behind HAProxy", both_up, procs, seconds=180)
        assert demo.wait(timeout=300) == 0, demo.stdout.read() if demo.stdout else ""
        print(f"both servers up behind HAProxy after {time.monotonic() - began:.1f} s")
        yield {"base_url": base_url, "tls": tls, "db": db, "submit": submit,
               "env": env_for("shell"), "procs": procs, "http_port": http_port}
    finally:
        procs.stop()
        db.drop()
        shutil.rmtree(tmp, ignore_errors=True)


class Served:
    """Which server answered each request of a client (HAProxy's X-Served-By)."""

    def __init__(self) -> None:
        self.by: list[str] = []
        self.lock = threading.Lock()

    def hook(self, response: httpx.Response) -> None:
        with self.lock:
            self.by.append(response.headers.get("x-served-by", "?"))


def client(cluster: dict[str, Any], served: Served | None = None) -> httpx.Client:
    hooks = {"response": [served.hook]} if served else {}
    return httpx.Client(base_url=cluster["base_url"], verify=cluster["tls"], timeout=60,
                        follow_redirects=False, event_hooks=hooks,
                        headers={"Origin": cluster["base_url"]},
                        limits=httpx.Limits(max_connections=1))


def sql(cluster: dict[str, Any], query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(cluster["db"].url) as conn:
        return conn.execute(query, params).fetchall()


def in_threads(work: list[Any], action: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(item: Any) -> None:
        try:
            action(item)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_plain_http_is_sent_to_https(cluster):
    response = httpx.get(f"http://127.0.0.1:{cluster['http_port']}/my/", timeout=10)
    assert response.status_code == 301
    assert response.headers["location"].startswith("https://127.0.0.1")


def test_one_clock_is_queued_when_two_workers_start_together(cluster):
    rows = sql(cluster, "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                        "WHERE task_path LIKE %s AND status IN ('READY', 'RUNNING')",
               "%reservation_clock")
    assert rows == [(1,)]


def test_session_and_draft_follow_the_resident_and_each_receipt_mail_goes_once(cluster):
    submit = cluster["submit"]
    password = "two-servers-" + os.urandom(6).hex()
    prefix = f"two{os.getpid()}-"
    created = submit.manage_shell(cluster["env"], submit.CREATE_RESIDENTS, {
        "BENCH_RESIDENTS": "8", "BENCH_PREFIX": prefix, "BENCH_PASSWORD": password})

    # The first resident signs in over HTTP on one server, then fills the draft page by page;
    # every request goes to the other server than the one before.
    served = Served()
    first = submit.Resident(0)
    with client(cluster, served) as c:
        c.cookies = first.jar
        page = c.get("/account/login/")
        csrf = submit.hidden_value(submit.CSRF_INPUT, page.text)
        response = c.post("/account/login/", data={
            "csrfmiddlewaretoken": csrf, "email": f"{prefix}00000@bench.example.jp",
            "password": password})
        assert response.status_code == 302, cluster["procs"].logs()
        assert "/account/login/" not in response.headers["location"]
        my_page = c.get("/my/")
        assert my_page.status_code == 200 and "/account/login/" not in str(my_page.url)
        first.prepare(c)  # raises unless every page leads to the next one with the answers kept
        check = c.get("/apply/tsugaku-hojo/check/").text
        assert "緑川" in check and "緑ヶ丘県立緑ヶ丘高等学校" in check
    assert set(served.by) == {"web1", "web2"}
    assert all(a != b for a, b in zip(served.by, served.by[1:], strict=False)), served.by

    # Seven more residents (sessions made in the database) fill drafts at once; then all eight
    # submit at the same moment.
    others = []
    for number, key in enumerate(created["keys"][1:], start=1):
        resident = submit.Resident(number)
        httpx.Cookies(resident.jar).set(created["cookie"], key, domain="127.0.0.1")
        others.append(resident)

    def prepare(resident: Any) -> None:
        with client(cluster) as c:
            resident.prepare(c)

    assert in_threads(others, prepare) == []

    def send(resident: Any) -> None:
        with client(cluster) as c:
            resident.submit(c)

    assert in_threads([first, *others], send) == []

    receipts = [r for (r,) in sql(
        cluster, "SELECT a.receipt_number FROM applications_application a "
                 "JOIN core_user u ON u.id = a.applicant_id WHERE u.email LIKE %s",
        prefix + "%")]
    assert len(receipts) == 8 and all(receipts)

    def mails() -> Counter:
        bodies = [b for (b,) in sql(cluster, "SELECT body FROM core_mailboxmessage "
                                             "WHERE \"to\" LIKE %s", prefix + "%")]
        return Counter(r for r in receipts for body in bodies if r in body)

    wait_for("the receipt e-mails", lambda: len(mails()) == 8, cluster["procs"], seconds=60)
    time.sleep(3)  # both workers poll every second: a second sending would show by now
    assert mails() == Counter(dict.fromkeys(receipts, 1))
    assert not cluster["procs"].dead()


def test_a_rush_across_both_servers_books_exactly_the_seats(cluster):
    submit, rush = cluster["submit"], _bench_module("reservation_rush")
    created = submit.manage_shell(cluster["env"], rush.CREATE_SERVICE, {
        "BENCH_SEATS": "12", "BENCH_SEATS_PER_SLOT": "4", "BENCH_RATE": "0"})
    outcomes = rush.Outcomes()
    attempts = list(range(48))

    def attempt(n: int) -> None:
        with client(cluster) as c:
            rush.book_attempt(c, created["code"], created["slots"][n % 3], n, outcomes)

    assert in_threads(attempts, attempt) == []
    assert outcomes.counts == Counter({"booked": 12, "full": 36})
    checked = submit.manage_shell(cluster["env"], rush.CHECK_BOOKINGS,
                                  {"BENCH_SERVICE": str(created["service"])})
    assert checked == {"bookings": 12, "capacity": 12, "overbooked": 0, "counter_mismatch": 0}


def test_a_waiting_room_ticket_is_honoured_by_both_servers(cluster):
    submit, rush = cluster["submit"], _bench_module("reservation_rush")
    created = submit.manage_shell(cluster["env"], rush.CREATE_SERVICE, {
        "BENCH_SEATS": "2", "BENCH_SEATS_PER_SLOT": "1", "BENCH_RATE": "1"})
    booking_path = f"/reservations/{created['code']}/slot/{created['slots'][0]}/"
    served = Served()

    def visit(jar: CookieJar) -> str:
        """GET the booking page, following the gate's redirects: "admitted" or "waiting"."""
        with client(cluster, served) as c:
            c.cookies = jar
            path = booking_path
            for _ in range(4):
                response = c.get(path)
                if response.status_code == 302:
                    path = response.headers["location"]
                    continue
                assert response.status_code == 200, (path, response.status_code)
                return "admitted" if path.startswith(booking_path) else "waiting"
        raise AssertionError("too many redirects")

    # One a minute, one at the opening: the first visitor is in, the second waits.
    admitted, waiting = CookieJar(), CookieJar()
    assert visit(admitted) == "admitted"
    assert visit(waiting) == "waiting"
    def ticket(jar: CookieJar) -> tuple[str, str]:
        [cookie] = [(c.name, c.value) for c in jar if c.name.startswith("mg_queue_")]
        return cookie

    tickets = (ticket(admitted), ticket(waiting))
    assert tickets[0][0] == tickets[1][0] and tickets[0][1] != tickets[1][1]
    # Each ticket, taken on one server, is honoured as it is on the other: no new ticket.
    for _ in range(3):
        assert visit(admitted) == "admitted"
        assert visit(waiting) == "waiting"
    assert (ticket(admitted), ticket(waiting)) == tickets
    assert set(served.by) == {"web1", "web2"}
    assert sql(cluster, "SELECT issued FROM reservations_queuecounter WHERE service_id = %s",
               created["service"]) == [(2,)]
    # The admitted visitor books: the form from one server, the POST (gated too) to the other.
    before = len(served.by)
    outcomes = rush.Outcomes()
    with client(cluster, served) as c:
        assert rush.book_attempt(c, created["code"], created["slots"][0], 1, outcomes,
                                 jar=admitted) == "booked"
    assert served.by[before] != served.by[before + 1]
