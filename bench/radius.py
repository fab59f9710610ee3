"""RADIUS throughput beside REST: PAP Access-Requests with accepted passcodes and one-step
``/mfa/v1_1`` initialize calls, 32 outstanding requests each, one server, side by side in one run.

Run by hand (not in CI), e.g.::

    .venv/bin/python bench/radius.py --workers 1 --slices 4 --duration 5 --users 6000

Two companies in one database (SQLite unless ``--database-url``), provisioned as
``bench/authn.py`` does (users with a seeded SID700 token each, PINs optional: the tokencode
alone is the passcode): one is driven over REST by ``wrk`` (``authn.drive``), the other over
RADIUS by the load generator below, from one RADIUS client (127.0.0.1, Message-Authenticator
required, as by default). The server is one ``mfadesk serve --radius-port``; the two alternate,
a slice of ``--duration`` seconds each, ``--slices`` times, the order alternating.

The RADIUS load generator: every Access-Request is encoded before the slice starts (pyrad:
User-Password hidden, Message-Authenticator), one per user — each code is accepted once, so
every request is a full verification. 32 UDP sockets each keep one request outstanding (as wrk's
32 connections), so the server sees 32 at a time; a reply counts when it is an Access-Accept
whose Response Authenticator checks. Python spends a few tens of µs per request here, and the
server's CPU time per answer (all its processes, from ``/proc``) is reported beside the rate as
the measure the load generator's own CPU does not disturb.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pyrad.packet import AccessAccept, AuthPacket

sys.path.insert(0, str(Path(__file__).parent))
import authn

from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.otp.tokencodes import TokenGenerator
from mfadesk.radius.packets import DICTIONARY
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator, resolve_company
from mfadesk.services.radius_clients import add_radius_client
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade

SECRET = b"bench-radius-shared-secret"
REST = authn.Scenario("REST /mfa", pins=False)
RADIUS = authn.Scenario("RADIUS PAP", pins=False)


@dataclass
class Encoded:
    packet: bytes
    authenticator: bytes


def encode(people: list[authn.Person], now: int) -> list[Encoded]:
    """One Access-Request per user, with the user's tokencode for the current minute."""
    out: list[Encoded] = []
    for index, (email, serial, seed) in enumerate(people):
        request = AuthPacket(id=index % 256, secret=SECRET, dict=DICTIONARY)
        request["User-Name"] = email
        request["User-Password"] = request.PwCrypt(TokenGenerator(seed, serial).at(now))
        request.add_message_authenticator()
        out.append(Encoded(request.RequestPacket(), request.authenticator))
    return out


class _Socket(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.waiting: asyncio.Future[bytes] | None = None

    def datagram_received(self, data: bytes, addr: object) -> None:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_result(data)


@dataclass
class Slice:
    accepted: int = 0
    others: int = 0
    seconds: float = 0.0
    latencies: list[float] | None = None


async def _load(port: int, packets: list[Encoded], outstanding: int, duration: float) -> Slice:
    loop = asyncio.get_running_loop()
    result = Slice(latencies=[])
    queue = iter(packets)
    deadline = time.perf_counter() + duration

    async def one_socket() -> None:
        transport, protocol = await loop.create_datagram_endpoint(
            _Socket, remote_addr=("127.0.0.1", port)
        )
        try:
            while time.perf_counter() < deadline:
                item = next(queue, None)
                if item is None:
                    return
                protocol.waiting = loop.create_future()
                sent = time.perf_counter()
                transport.sendto(item.packet)
                try:
                    reply = await asyncio.wait_for(protocol.waiting, 5)
                except TimeoutError:
                    result.others += 1
                    continue
                assert result.latencies is not None
                result.latencies.append(time.perf_counter() - sent)
                expected = hashlib.md5(  # the Response Authenticator (RFC 2865 §3)
                    reply[:4] + item.authenticator + reply[20:] + SECRET
                ).digest()
                ours = reply[1] == item.packet[1] and reply[4:20] == expected
                if reply[0] == AccessAccept and ours:
                    result.accepted += 1
                else:
                    result.others += 1
        finally:
            transport.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_socket() for _ in range(outstanding)))
    result.seconds = time.perf_counter() - started
    return result


def drive_radius(
    people: list[authn.Person],
    server: object,
    args: argparse.Namespace,
    totals: authn.Totals,
) -> None:
    packets = encode(people, int(time.time()))
    pid = server.pid  # type: ignore[attr-defined]
    cpu_before = authn.cpu_seconds(pid)
    done = asyncio.run(_load(args.radius_port, packets, args.connections, args.duration))
    totals.cpu += authn.cpu_seconds(pid) - cpu_before
    assert done.latencies is not None
    if done.accepted + done.others >= len(people):
        print(f"  note: {RADIUS.name}: every user's request was sent (give --users more)")
    totals.answers += done.accepted
    totals.others += done.others
    totals.seconds += done.seconds
    totals.requests += done.accepted + done.others
    quantiles = statistics.quantiles(done.latencies, n=100)
    totals.p50_ms.append(quantiles[49] * 1000)
    totals.p99_ms.append(quantiles[98] * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32, help="outstanding requests")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=5, help="seconds per slice (at most 50)")
    parser.add_argument("--slices", type=int, default=4, help="slices per transport")
    parser.add_argument("--users", type=int, default=6000, help="per slice")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--radius-port", type=int, default=18766)
    args = parser.parse_args()
    if args.duration > 50:
        raise SystemExit("codes are for the current minute: keep --duration at most 50")
    with tempfile.TemporaryDirectory(prefix="mfadesk-bench-") as scratch:
        work = Path(scratch)
        url = args.database_url or f"sqlite:///{work / 'bench.db'}"
        env = {
            **os.environ,
            "MFADESK_DATABASE_URL": url,
            "MFADESK_SECRET_KEY_FILE": str(work / "secret.key"),
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{args.port}",
            "MFADESK_RADIUS_PORT": str(args.radius_port),
            # One key / one RADIUS client sends everything: measure the server, not a bucket.
            "MFADESK_AUTHN_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_AUTHN_RATE_LIMIT_BURST": "1000000",
        }
        service_env = ServiceEnv(keys=load_or_create_server_keys(work / "secret.key"))
        db = Database(url)
        upgrade(db.engine)
        first = int(time.time()) % 1000
        try:
            tenants = {}
            for number, scenario in enumerate((REST, RADIUS), start=first * 10):
                print(f"[{scenario.name}] provisioning {args.slices} x {args.users} users…")
                tenants[scenario] = authn.provision(
                    db, service_env, number, scenario, args.slices, args.users
                )
            with db.unit_of_work() as uow:
                op = Operator.start(service_env)
                company = resolve_company(uow, f"Bench {first * 10 + 1} ({RADIUS.name})")
                add_radius_client(uow, op, company, f"bench-{first}", "127.0.0.1", SECRET)
        finally:
            db.close()
        server = authn.serve(env, args.port, args.workers)
        totals = {scenario: authn.Totals() for scenario in (REST, RADIUS)}
        loads = []
        try:
            time.sleep(1)  # the RADIUS socket is served once the app has started
            for index in range(args.slices):
                loads.append(os.getloadavg()[0])
                for scenario in (REST, RADIUS) if index % 2 == 0 else (RADIUS, REST):
                    people = tenants[scenario].slices[index]
                    if scenario is REST:
                        authn.drive(REST, tenants[REST], people, server, work, args, totals[REST])
                    else:
                        drive_radius(people, server, args, totals[RADIUS])
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    base = totals[REST]
    print(
        f"Accepted passcodes, {backend}, {args.workers} worker(s), {args.connections} outstanding,"
        f" {args.slices} x {args.duration} s per transport, "
        f"load average {min(loads):.1f}..{max(loads):.1f}"
    )
    print(f"  {'transport':<12} {'accepted/s':>10} {'ratio':>6} {'CPU µs':>7} {'ratio':>6}"
          f"  p50 / p99 ms (median)  other answers")  # fmt: skip
    for scenario in (REST, RADIUS):
        t = totals[scenario]
        print(
            f"  {scenario.name:<12} {t.rate:10.1f} {t.rate / base.rate:6.2f}"
            f" {t.cpu_us:7.0f} {t.cpu_us / base.cpu_us:6.2f}"
            f"  {statistics.median(t.p50_ms):5.1f} / {statistics.median(t.p99_ms):6.1f}"
            f"          {t.others}"
        )


if __name__ == "__main__":
    main()
