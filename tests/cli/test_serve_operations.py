"""`mfadesk serve` as an operator runs it: HTTPS, two workers, PostgreSQL and Redis, behind a
trusted proxy, logs to a file (JSON: not a terminal). One server for the module: probes,
metrics, logs and client addresses are checked against it with real requests."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import create_engine, text

from mfadesk.domain.audit import Action
from mfadesk.otp.tokencodes import tokencode
from mfadesk.services.audit import link_pending
from mfadesk.store.database import Database
from tests.support.databases import empty_postgres_database, unavailable
from tests.support.live_server import free_port
from tests.support.redis_server import RedisServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PROXY = "127.0.0.2"  # a loopback address of its own: the trusted proxy's
SEED = "0f3f7439c2f122e0443ca8ea9bc263a7"  # the demo's public test vector token
PIN = "739152"
ALICE = "alice@example.com"


@dataclass
class Served:
    base: str
    cert: Path
    log: Path
    database_url: str
    redis: RedisServer
    admin_key: dict[str, str]
    client_key: str
    secrets: list[str]
    authenticated: bool = False

    def client(self, *, source: str = "127.0.0.1") -> httpx.Client:
        trust = ssl.create_default_context(cafile=str(self.cert))
        transport = httpx.HTTPTransport(local_address=source, verify=trust)
        return httpx.Client(base_url=self.base, transport=transport, timeout=30)

    def jwt(self) -> str:
        now = time.time()
        claims = {"sub": self.admin_key["accessID"], "iat": now, "exp": now + 600}
        claims["aud"] = self.admin_key["adminRestApiUrl"]
        token = jwt.encode(claims, self.admin_key["accessKey"], algorithm="RS256")
        self.secrets.append(token)
        return token

    def log_lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "tls.crt", directory / "tls.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return cert_file, key_file


def _wait_ready(base: str, cert: Path, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "mfadesk serve exited"
        try:
            trust = ssl.create_default_context(cafile=str(cert))
            if httpx.get(f"{base}/health/ready", verify=trust).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("mfadesk serve did not become ready")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve-ops")
    redis = RedisServer()
    redis.start()
    cert, key = _certificate(root)
    port = free_port()
    base = f"https://localhost:{port}"
    with empty_postgres_database() as database_url:
        (root / "tmp").mkdir()
        env = {
            **os.environ,
            "TMPDIR": str(root / "tmp"),
            "MFADESK_DATABASE_URL": database_url,
            "MFADESK_PUBLIC_URL": base,
            "MFADESK_SECRET_KEY_FILE": str(root / "var" / "secret.key"),
            "MFADESK_REDIS_URL": redis.url,
            "MFADESK_TRUSTED_PROXIES": f"{PROXY}/32, 10.9.0.0/16",
            "MFADESK_AUTH_FAILURE_PER_SECOND": "0.001",
            "MFADESK_AUTH_FAILURE_BURST": "3",
            "MFADESK_OFFLINE_HASH_COST": "10",
        }
        command = [sys.executable, "-m", "mfadesk"]
        subprocess.run([*command, "demo"], cwd=root, env=env, check=True, capture_output=True)
        subprocess.run(
            [*command, "token", "add", "--serial", "000123456789", "--user", ALICE, "--seed", SEED],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
        added = subprocess.run(
            [*command, "authn-key", "add", "--name", "ops-test", "--json"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
        client_key = json.loads(added.stdout)["clientKey"]
        admin_key = json.loads((root / "var" / "keys" / "help-desk-admin.key").read_text())
        log = root / "serve.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [
                    *command,
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    "2",
                    "--ssl-certfile",
                    str(cert),
                    "--ssl-keyfile",
                    str(key),
                ],
                cwd=root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=output,
            )
        try:
            _wait_ready(base, cert, server)
            yield Served(
                base,
                cert,
                log,
                database_url,
                redis,
                admin_key,
                client_key,
                [client_key, admin_key["accessKey"].splitlines()[1], SEED],
            )
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
            redis.stop()
        assert "Traceback" not in log.read_text()
        assert not list((root / "tmp").glob("mfadesk-metrics-*"))  # removed when serving ends


def _authenticate(served: Served) -> None:
    """A New PIN exchange on /mfa (once): a passcode and a PIN go over the wire."""
    if served.authenticated:
        return
    served.authenticated = True
    code = tokencode(bytes.fromhex(SEED), "000123456789", int(time.time()))
    served.secrets.append(code)
    served.secrets.append(PIN)

    def body(method: str, value: str, last: dict[str, object] | None = None) -> object:
        context: dict[str, object] = {"messageId": str(uuid.uuid4())}
        if last is not None:
            previous = last["context"]
            assert isinstance(previous, dict)
            context["authnAttemptId"] = previous["authnAttemptId"]
            context["inResponseTo"] = previous["messageId"]
        return {
            "subjectName": "alice@example.com",
            "context": context,
            "subjectCredentials": [
                {"methodId": method, "collectedInputs": [{"name": method, "value": value}]}
            ],
        }

    with served.client() as api:
        headers = {"client-key": served.client_key}
        first = api.post(
            "/mfa/v1_1/authn/initialize", headers=headers, json=body("SECURID", code)
        ).json()
        assert first["attemptResponseCode"] == "CHALLENGE"
        second = api.post(
            "/mfa/v1_1/authn/verify", headers=headers, json=body("SECURID_NEWPIN", PIN, first)
        ).json()
        assert second["attemptResponseCode"] == "CHALLENGE"


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        named = line.startswith((name + "{", name + " "))
        if named and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_proxied_clients_have_their_own_refused_login_budget_and_audit_rows(
    served: Served,
) -> None:
    bad = {"Authorization": "Bearer not-a-jwt"}
    url = "/AdminInterface/restapi/v1/users/lookup"
    with served.client(source=PROXY) as proxy:
        for forwarded in ("203.0.113.7", "198.51.100.9, 203.0.113.7"):  # the rightmost counts
            assert proxy.post(url, headers={**bad, "X-Forwarded-For": forwarded}).status_code == 403
        # forged left of a trusted hop (10.9.0.0/16 is a proxy too): the rightmost untrusted
        hop = {**bad, "X-Forwarded-For": "203.0.113.7, 10.9.1.1"}
        assert proxy.post(url, headers=hop).status_code == 403
        assert proxy.post(url, headers=hop).status_code == 429  # 203.0.113.7's burst of 3 is gone
        other = {**bad, "X-Forwarded-For": "203.0.113.8"}
        assert proxy.post(url, headers=other).status_code == 403  # a budget of its own
    with served.client() as direct:  # not a trusted proxy: its X-Forwarded-For is ignored
        spoofed = {**bad, "X-Forwarded-For": "203.0.113.9"}
        assert direct.post(url, headers=spoofed).status_code == 403
    reader = Database(served.database_url)
    try:
        link_pending(reader.unit_of_work)  # as the export does: every committed event
        with reader.unit_of_work() as uow:
            events = uow.audit.iter_all()
            seen = {e.event.source_ip for e in events if e.event.action is Action.AUTHENTICATE}
    finally:
        reader.close()
    assert {"203.0.113.7", "203.0.113.8", "127.0.0.1"} <= seen
    assert "203.0.113.9" not in seen
    assert PROXY not in seen


def test_metrics_count_the_whole_server_and_pass_promtool(served: Served) -> None:
    with served.client() as api:
        before = api.get("/metrics").text
        token = served.jwt()
        auth = {"Authorization": f"Bearer {token}"}
        for _ in range(6):
            found = api.post(
                "/AdminInterface/restapi/v1/users/lookup",
                headers=auth,
                json={"email": "alice@example.com"},
            )
            assert found.status_code == 200
        code = api.put(
            f"/AdminInterface/restapi/v1/users/{found.json()['id']}/emergencyTokencode",
            headers=auth,
            json={"expirationDays": "2"},
        )
        assert code.status_code == 200
        served.secrets.append(code.json()["emergencyTokencode"])
        refused = api.get("/mfa/v1_1/authn/resources", headers={"client-key": "wrong"})
        assert refused.status_code in (401, 429)
        _authenticate(served)
        scrapes = [api.get("/metrics") for _ in range(6)]  # both workers answer some
    for scrape in scrapes:
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain")
    after = scrapes[-1].text
    route = "/AdminInterface/restapi/v1/users/lookup"
    lookups = {
        _metric(s.text, "mfadesk_http_requests_total", route=route, method="POST", status="200")
        for s in scrapes
    }
    assert len(lookups) == 1, "every worker reports the same, whole-server count"
    counted = lookups.pop()
    was = _metric(before, "mfadesk_http_requests_total", route=route, status="200")
    assert counted - was == 6
    assert _metric(after, "mfadesk_http_request_duration_seconds_count", route=route) >= 6
    assert _metric(after, "mfadesk_refused_logins_total", edge="mfa") >= 1
    assert _metric(after, "mfadesk_audit_appends_total") > _metric(
        before, "mfadesk_audit_appends_total"
    )
    assert (
        _metric(after, "mfadesk_authentications_total", transport="rest", result="CHALLENGE") >= 2
    )
    for secret in ("alice", "example.com", "000123456789", served.admin_key["accessID"]):
        assert secret not in after
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable("promtool", FileNotFoundError("the prometheus package is not installed"))
    assert promtool is not None
    checked = subprocess.run(
        [promtool, "check", "metrics"], check=False, input=after.encode(), capture_output=True
    )
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()


def test_logs_are_json_with_one_access_line_per_request_and_no_secret(served: Served) -> None:
    with served.client() as api:
        given = api.get("/health/live", headers={"X-Request-ID": "ops-check-42"})
        assert given.headers["x-request-id"] == "ops-check-42"
        odd = api.get("/health/live", headers={"X-Request-ID": "a b" + "x" * 300})
        assert odd.headers["x-request-id"] != "a b" + "x" * 300
        assert len(odd.headers["x-request-id"]) == 32
        token = served.jwt()
        found = api.post(
            "/AdminInterface/restapi/v1/users/lookup",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "ops-lookup-1"},
            json={"email": "bob@example.com"},
        )
        code = api.put(  # an audited change, whose reply carries a secret
            f"/AdminInterface/restapi/v1/users/{found.json()['id']}/emergencyTokencode",
            headers={"Authorization": f"Bearer {token}"},
            json={"expirationDays": "2"},
        )
        served.secrets.append(code.json()["emergencyTokencode"])
        unknown = f"/AdminInterface/restapi/v1/users/{uuid.uuid4()}/sidTokens/disable"
        refused = api.patch(unknown, json={}, headers={"X-Request-ID": "u1"})
        assert refused.status_code == 403
    _authenticate(served)
    time.sleep(0.5)  # the workers' last lines reach the file
    lines = served.log_lines()  # every line parses as JSON
    access = [line for line in lines if line.get("event") == "access"]
    tagged = [line for line in access if line["request_id"] == "ops-check-42"]
    assert len(tagged) == 1
    assert tagged[0]["route"] == "/health/live"
    assert tagged[0]["status"] == 200
    assert tagged[0]["method"] == "GET"
    assert tagged[0]["client_address"] == "127.0.0.1"
    assert isinstance(tagged[0]["duration_ms"], float)
    assert "time" in tagged[0]
    lookup = next(line for line in access if line["request_id"] == "ops-lookup-1")
    assert lookup["principal"] == served.admin_key["accessID"]
    templated = next(line for line in access if line["request_id"] == "u1")
    assert templated["route"] == "/AdminInterface/restapi/v1/users/{userId}/sidTokens/disable"
    assert templated["status"] == 403
    events = {line.get("event") for line in lines}
    assert {"authentication", "refused_login", "audit"} <= events
    authn = [line for line in lines if line.get("event") == "authentication"]
    assert any(line["principal"] == "ops-test" for line in authn)
    text_of_logs = served.log.read_text()
    for secret in served.secrets:
        assert secret not in text_of_logs, "a secret reached the log"


def test_probes_follow_the_database_schema_and_redis(served: Served) -> None:
    with served.client() as api:
        assert api.get("/health/live").status_code == 200
        ready = api.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "UP",
            "checks": [{"name": "database", "status": "UP"}, {"name": "redis", "status": "UP"}],
        }
        engine = create_engine(served.database_url)
        with engine.begin() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        try:
            behind = api.get("/health/ready")
            assert behind.status_code == 503
            assert behind.json()["status"] == "DOWN"
            assert {"name": "database", "status": "DOWN"} in behind.json()["checks"]
        finally:
            with engine.begin() as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            engine.dispose()
        assert api.get("/health/ready").status_code == 200

        served.redis.stop()
        try:
            down = api.get("/health/ready")
            assert down.status_code == 503
            assert down.json()["status"] == "DOWN"
            assert {"name": "redis", "status": "DOWN"} in down.json()["checks"]
            assert {"name": "database", "status": "UP"} in down.json()["checks"]
            assert api.get("/health/live").status_code == 200
        finally:
            served.redis.start()
        deadline = time.monotonic() + 10
        while api.get("/health/ready").status_code != 200:
            assert time.monotonic() < deadline, "still not ready after Redis came back"
            time.sleep(0.1)
