"""LDAP sync time, and token flips while a large directory is synchronised. Run by hand, not in
CI (it needs Debian's `slapd`):

    .venv/bin/python bench/ldap_sync.py [--entries 10000] [--flip-entries 100000] [--postgres URL]

It starts a slapd of its own (a temporary configuration, loopback port; tests/support/slapd.py)
holding ENTRIES inetOrgPerson entries, makes the demo tenant in a fresh SQLite file
(`mfadesk demo`), adds the directory with `mfadesk source add-ldap` and times
`mfadesk source sync` as an operator runs it (a process each, wall clock and CPU):

1. the first sync (ENTRIES created);
2. the same again (ENTRIES unchanged: each user's sync time is still written);
3. after 1 % of the entries changed their given name and 1 % were deleted (updated, disabled).

With --flip-entries N (0 skips it), a second slapd holds N entries; `mfadesk serve` runs (one
worker, the periodic sync off) and one client flips alice's token (PATCH …/disable, …/enable in
turn, one request at a time) for a few seconds alone, then while `mfadesk source sync` brings the
N entries in from another process; it prints p50 / p99 / max of the flips in both phases.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.slapd import ROOT_DN, ROOT_PASSWORD, SUFFIX, Slapd  # noqa: E402

from mfadesk.domain.identity_sources import IdentitySource, SourceKind  # noqa: E402
from mfadesk.domain.ldap_sources import PLAIN_USER_FILTER, AttributeMap, LdapSettings  # noqa: E402
from mfadesk.services.directory import DirectoryAccess, read_directory  # noqa: E402

BASE = "/AdminInterface/restapi"
SERIAL, USER_EMAIL = "000100000001", "alice@example.com"
MFADESK = [sys.executable, "-m", "mfadesk"]


def entries_ldif(count: int, domain: str, unit: str = "people") -> str:
    parts = [f"dn: ou={unit},{SUFFIX}\nobjectClass: organizationalUnit\nou: {unit}\n"]
    for index in range(count):
        parts.append(
            f"dn: uid=u{index:07d},ou={unit},{SUFFIX}\nobjectClass: inetOrgPerson\n"
            f"uid: u{index:07d}\ncn: User {index}\ngivenName: First\nsn: Last {index}\n"
            f"mail: u{index:07d}@{domain}\n"
        )
    return "\n".join(parts)


def run(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one `mfadesk` command, and its output."""
    before = os.times()
    started = time.perf_counter()
    result = subprocess.run([*MFADESK, *args], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    if result.returncode != 0:
        raise SystemExit(f"mfadesk {' '.join(args)} failed: {result.stderr.strip()}")
    return elapsed, cpu, result.stdout


def add_source(env: dict[str, str], slapd: Slapd, name: str, password: Path) -> None:
    run(
        env, "source", "add-ldap", "--name", name, "--url", slapd.url, "--bind-dn", ROOT_DN,
        "--bind-password-file", str(password), "--base-dn", f"ou=people,{SUFFIX}",
    )  # fmt: skip


def timed_sync(env: dict[str, str], name: str, what: str) -> None:
    elapsed, cpu, out = run(env, "source", "sync", name, "--json")
    [counts] = json.loads(out)
    names = ("created", "updated", "disabled", "unchanged", "conflicts")
    shown = ", ".join(f"{counts[k]} {k}" for k in names)
    print(f"{what:<28} {elapsed:7.2f} s wall  {cpu:6.2f} s CPU   ({shown})")


def sync_time(args: argparse.Namespace, workdir: Path, env: dict[str, str]) -> None:
    slapd = Slapd()
    started = time.perf_counter()
    slapd.start(entries_ldif(args.entries, "corp.example.com"))
    print(f"slapd with {args.entries} entries loaded in {time.perf_counter() - started:.1f} s")
    try:
        password = slapd.password_file(workdir)
        read_alone(slapd)
        add_source(env, slapd, "Corp", password)
        timed_sync(env, "Corp", f"first sync ({args.entries})")
        timed_sync(env, "Corp", "second sync (no change)")
        connection = slapd.connection()
        step = 100
        for index in range(0, args.entries, step):
            dn = f"uid=u{index:07d},ou=people,{SUFFIX}"
            connection.modify(dn, {"givenName": [("MODIFY_REPLACE", ["Changed"])]})
            connection.delete(f"uid=u{index + 1:07d},ou=people,{SUFFIX}")
        timed_sync(env, "Corp", "1 % changed, 1 % deleted")
    finally:
        slapd.remove()


def read_alone(slapd: Slapd) -> None:
    """The directory read by itself (paged search, in this process): the sync's share that
    is waiting for the directory."""
    source = IdentitySource("bench", "bench", "Corp", SourceKind.LDAP, datetime.now(UTC))
    settings = LdapSettings(
        slapd.url, ROOT_DN, f"ou=people,{SUFFIX}", PLAIN_USER_FILTER, AttributeMap.defaults(False)
    )
    started, cpu = time.perf_counter(), time.process_time()
    read = read_directory(DirectoryAccess(source, settings, ROOT_PASSWORD))
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    label = "directory read alone"
    print(f"{label:<28} {elapsed:7.2f} s wall  {used:6.2f} s CPU   ({len(read.entries)} entries)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def token_for(keys: Path) -> str:
    key = json.loads((keys / "super-admin.key").read_text())
    now = int(time.time())
    claims = {"sub": key["accessID"], "aud": key["adminRestApiUrl"], "iat": now, "exp": now + 3000}
    return jwt.encode(claims, key["accessKey"], algorithm="RS256")


def flips(client: httpx.Client, user: str, stop: threading.Event, out: list[float]) -> None:
    body = {"tokenSerialNumber": SERIAL}
    n = 0
    while not stop.is_set():
        action = ("disable", "enable")[n % 2]
        started = time.perf_counter()
        reply = client.patch(f"{BASE}/v1/users/{user}/sidTokens/{action}", json=body)
        out.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()
        n += 1


def describe(label: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label:<28} {len(ordered):6d} flips  p50 {statistics.median(ordered):6.2f} ms  "
        f"p99 {p99:6.2f} ms  max {ordered[-1]:7.2f} ms"
    )


def flips_during_sync(args: argparse.Namespace, workdir: Path, env: dict[str, str]) -> None:
    slapd = Slapd()
    started = time.perf_counter()
    slapd.start(entries_ldif(args.flip_entries, "big.example.com"))
    print(f"slapd with {args.flip_entries} entries loaded in {time.perf_counter() - started:.1f} s")
    port = args.port
    serve_env = env
    server = subprocess.Popen(
        [*MFADESK, "serve", "--port", str(port)],
        env=serve_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        add_source(serve_env, slapd, "Big", slapd.password_file(workdir))
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("mfadesk serve did not start") from None
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token_for(workdir / 'keys')}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            lookup = client.post(f"{BASE}/v1/users/lookup", json={"email": USER_EMAIL})
            lookup.raise_for_status()
            user = str(lookup.json()["id"])
            alone: list[float] = []
            stop = threading.Event()
            worker = threading.Thread(target=flips, args=(client, user, stop, alone))
            worker.start()
            time.sleep(args.baseline_seconds)
            stop.set()
            worker.join()
            describe("flips alone", alone)
            during: list[float] = []
            stop = threading.Event()
            worker = threading.Thread(target=flips, args=(client, user, stop, during))
            worker.start()
            try:
                timed_sync(serve_env, "Big", f"sync of {args.flip_entries}")
            finally:
                stop.set()
                worker.join()
            describe("flips during the sync", during)
    finally:
        server.terminate()
        server.wait(timeout=30)
        slapd.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--flip-entries", type=int, default=100_000)
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database instead")
    args = parser.parse_args()
    args.port = free_port()
    with tempfile.TemporaryDirectory(prefix="mfadesk-ldap-bench-") as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            "MFADESK_DATABASE_URL": args.postgres or f"sqlite:///{workdir / 'mfadesk.db'}",
            "MFADESK_SECRET_KEY_FILE": str(workdir / "secret.key"),
            "MFADESK_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_RATE_LIMIT_BURST": "1000000",
            "MFADESK_LDAP_SYNC_TICK_SECONDS": "0",
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{args.port}",
        }
        run(env, "demo", "--keys-dir", str(workdir / "keys"))
        print(f"load average {os.getloadavg()[0]:.2f}")
        sync_time(args, workdir, env)
        if args.flip_entries:
            flips_during_sync(args, workdir, env)
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
