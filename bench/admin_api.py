"""Admin API throughput and latency, side by side with a bare ASGI ceiling (run by hand).

Starts the real server (`mfadesk serve`, one worker, SQLite in a temporary directory, the demo
tenant from `mfadesk demo`) and `bench/ceiling_app.py` under the same uvicorn (uvloop +
httptools), mints a JWT from the demo super-admin's key file, and drives both with wrk:

- flips: ``PATCH /v1/users/{id}/sidTokens/disable`` and ``/enable`` in turn on alice's token;
- PUT: ``PUT /v1/users/{id}/emergencyTokencode``, at the server's default offline-hash cost
  (scrypt log2 N = 14, ~40 ms of CPU per request, which dominates) and at a lower cost.

Usage: ``.venv/bin/python bench/admin_api.py [--rounds 3] [--duration 10] [--connections 32]
[--sync full,normal] [--baseline DIR] [--oauth]``. ``--sync`` serves one mfadesk per
``MFADESK_SQLITE_SYNC`` mode (the first is the one the target is judged on), ``--baseline`` one
more from another source tree (e.g. ``git archive main src | tar -x -C DIR``), all on copies of
the same database and measured in the same rounds. ``--oauth`` also drives the flips
of each mfadesk with an OAuth access token (an ``mfadesk oauth-client add`` client's, from the
server's token endpoint) as the target ``<name>+oauth``, beside the legacy JWT, in the same
rounds. Any non-2xx reply or socket error is counted and reported as an error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import jwt

OAUTH_SCOPES = "rsa.authenticator.sidtoken.manage rsa.user.read rsa.authenticator.emergency.manage"

BENCH = Path(__file__).resolve().parent
BASE = "/AdminInterface/restapi"
SERIAL, USER_EMAIL = "000100000001", "alice@example.com"
DEFAULT_COST = 14
FLIP_P99_TARGET_MS, FLIP_RATIO_TARGET = 25.0, 0.60


@dataclass(frozen=True)
class Result:
    scenario: str
    target: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    cpu_us: float = 0.0  # the server process's CPU time per request (all its threads)

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str, scenario: str, target: str) -> Result:
    def find(pattern: str) -> re.Match[str] | None:
        return re.search(pattern, output, re.MULTILINE)

    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    requests = find(r"^\s+(\d+) requests in")
    rps = find(r"^Requests/sec:\s+([\d.]+)")
    if not percentiles or requests is None or rps is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    non_2xx = find(r"Non-2xx or 3xx responses: (\d+)")
    sockets = find(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
    return Result(
        scenario,
        target,
        float(rps.group(1)),
        _ms(percentiles["50"]),
        _ms(percentiles["99"]),
        int(requests.group(1)),
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """A server we started, stopped by its own pid."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._log_file = log.open("wb")
        self.popen = subprocess.Popen(argv, env=env, stdout=self._log_file, stderr=self._log_file)

    def wait_ready(self, port: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                break
            try:
                httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()[-3000:]}")

    def event_loop_and_parser(self) -> str:
        """What uvicorn really runs on, read from the libraries mapped into the process."""
        maps = Path(f"/proc/{self.popen.pid}/maps").read_text()
        loop = "uvloop" if "/uvloop/loop." in maps else "asyncio"
        http = "httptools" if "/httptools/parser/parser." in maps else "h11"
        return f"{loop}+{http}"

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log_file.close()


def wrk(args: argparse.Namespace, url: str, script: str, env: dict[str, str], duration: int) -> str:
    argv = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(BENCH / "wrk" / script),
        url,
    ]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit(
            "bench: wrk is not installed. Install it with `apt-get install -y wrk` (Debian/Ubuntu)"
            " or `brew install wrk` (macOS), then run again."
        )


@dataclass(frozen=True)
class Server:
    """One mfadesk to measure: its own copy of the database, its durability mode, its code."""

    name: str
    port: int
    db_path: Path
    sqlite_sync: str
    source: Path | None = None  # another source tree (its `src` first on PYTHONPATH)


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        modes = [mode.strip() for mode in args.sync.split(",") if mode.strip()]
        self.servers = [
            Server(
                "mfadesk" if i == 0 else f"mfadesk/{mode}",
                free_port(),
                workdir / f"mfadesk-{mode}.db",
                mode,
            )
            for i, mode in enumerate(modes)
        ]
        if args.baseline:
            source = Path(args.baseline).resolve()
            self.servers.append(
                Server("baseline", free_port(), workdir / "baseline.db", "", source)
            )
        self.ceiling_port = free_port()
        self.db_path = workdir / "mfadesk.db"  # `mfadesk demo` fills it; each server a copy
        self.env = {
            **os.environ,
            "MFADESK_DATABASE_URL": f"sqlite:///{self.db_path}",
            "MFADESK_SECRET_KEY_FILE": str(workdir / "secret.key"),
            # One public URL (the JWT's audience) for all, whichever port each listens on.
            "MFADESK_PUBLIC_URL": f"http://127.0.0.1:{self.servers[0].port}",
            # Generous limits: the bench measures the work, not the limiter.
            "MFADESK_RATE_LIMIT_PER_SECOND": "1000000",
            "MFADESK_RATE_LIMIT_BURST": "1000000",
        }
        self.key_file = workdir / "keys" / "super-admin.key"
        self.runtime = ""
        self.jwt = ""
        self.user = ""
        self.oauth_file = workdir / "keys" / "bench.jwk"
        self.oauth_tokens: dict[int, str] = {}  # per port: each server has its own database

    def mfadesk(self, *argv: str) -> list[str]:
        return [sys.executable, "-m", "mfadesk", *argv]

    def prepare(self) -> None:
        subprocess.run(
            self.mfadesk("demo", "--keys-dir", str(self.workdir / "keys")),
            env=self.env,
            check=True,
            capture_output=True,
        )
        if self.args.oauth:
            subprocess.run(
                self.mfadesk(
                    "oauth-client", "add", "--name", "bench", "--role", "super-admin",
                    "--scopes", OAUTH_SCOPES, "--jwk-file", str(self.oauth_file),
                ),
                env=self.env,
                check=True,
                capture_output=True,
            )  # fmt: skip
        for server in self.servers:
            for suffix in ("", "-wal"):  # the demo has exited: its WAL should be checkpointed
                if Path(f"{self.db_path}{suffix}").exists():
                    shutil.copyfile(f"{self.db_path}{suffix}", f"{server.db_path}{suffix}")
        self.mint()

    def mint(self) -> None:
        """A JWT as a client makes one from its key file (good for 50 minutes)."""
        key = json.loads(self.key_file.read_text())
        now = int(time.time())
        self.jwt = jwt.encode(
            {"sub": key["accessID"], "aud": key["adminRestApiUrl"], "iat": now, "exp": now + 3000},
            key["accessKey"],
            algorithm="RS256",
        )

    def oauth_token(self, port: int) -> str:
        """An access token from this server's token endpoint, as a client gets one."""
        key = json.loads(self.oauth_file.read_text())
        now = int(time.time())
        assertion = jwt.encode(
            {
                "iss": key["client_id"],
                "sub": key["client_id"],
                "aud": key["issuer"] + "/token",
                "iat": now,
                "exp": now + 300,
                "jti": os.urandom(16).hex(),
            },
            jwt.PyJWK.from_dict(key).key,
            algorithm=key["alg"],
            headers={"kid": key["kid"]},
        )
        reply = httpx.post(
            f"http://127.0.0.1:{port}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": key["client_id"],
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion,
            },
        )
        reply.raise_for_status()
        return str(reply.json()["access_token"])

    def with_oauth(self, targets: list[tuple[str, int, Process]]) -> list[tuple[str, int, Process]]:
        """Each mfadesk of this tree again as ``<name>+oauth``, driven with an access token."""
        if not self.args.oauth:
            return targets
        ours = {s.name for s in self.servers if s.source is None}
        extra = [(f"{n}+oauth", port, p) for n, port, p in targets if n in ours]
        for _, port, _ in extra:
            self.oauth_tokens[port] = self.oauth_token(port)  # good for an hour
        return targets + extra

    def start(self, cost: int) -> list[tuple[str, int, Process]]:
        """The mfadesk servers, then the ceiling, as (name, port, process)."""
        env = {**self.env, "MFADESK_OFFLINE_HASH_COST": str(cost)}
        started: list[tuple[str, int, Process]] = []
        try:
            for server in self.servers:
                started.append((server.name, server.port, self.serve(server, env, cost)))
            self.user = self.user_id()
            started.append(("ceiling", self.ceiling_port, self.ceiling(env, cost)))
        except Exception:
            for _, _, process in started:
                process.stop()
            raise
        self.runtime = ", ".join(
            f"{name} {process.event_loop_and_parser()}" for name, _, process in started
        )
        return started

    def serve(self, server: Server, env: dict[str, str], cost: int) -> Process:
        env = {
            **env,
            "MFADESK_DATABASE_URL": f"sqlite:///{server.db_path}",
            "MFADESK_SQLITE_SYNC": server.sqlite_sync,
        }
        if server.source is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(server.source / "src"), os.environ.get("PYTHONPATH")])
            )
        process = Process(
            server.name,
            self.mfadesk("serve", "--port", str(server.port), "--workers", "1"),
            env,
            self.workdir / f"{server.name.replace('/', '-')}-{cost}.log",
        )
        try:
            process.wait_ready(server.port)
        except Exception:
            process.stop()
            raise
        return process

    def ceiling(self, env: dict[str, str], cost: int) -> Process:
        ceiling_env = {
            **env,
            "BENCH_KEY_FILE": str(self.key_file),
            "BENCH_CEILING_DB": str(self.workdir / "ceiling.db"),
            "BENCH_TOKENS": f"{SERIAL}={self.user}",
        }
        ceiling = Process(
            "ceiling",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "ceiling_app:app",
                "--app-dir",
                str(BENCH),
                "--port",
                str(self.ceiling_port),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--no-proxy-headers",  # as `mfadesk serve`: no proxy middleware,
                "--no-server-header",  # no server header
                "--log-level",
                "warning",
            ],
            ceiling_env,
            self.workdir / f"ceiling-{cost}.log",
        )
        try:
            ceiling.wait_ready(self.ceiling_port)
        except Exception:
            ceiling.stop()
            raise
        return ceiling

    def user_id(self) -> str:
        reply = httpx.post(
            f"http://127.0.0.1:{self.servers[0].port}{BASE}/v1/users/lookup",
            json={"email": USER_EMAIL},
            headers={"Authorization": f"Bearer {self.jwt}"},
        )
        reply.raise_for_status()
        return str(reply.json()["id"])

    def measure(
        self, scenario: str, script: str, targets: list[tuple[str, int, Process]]
    ) -> list[Result]:
        """Warm each target up, then load each in turn for the full duration."""
        self.mint()  # however long the whole run takes
        env = {
            **os.environ,
            "BENCH_JWT": self.jwt,
            "BENCH_BASE": BASE,
            "BENCH_USER_ID": self.user,
            "BENCH_SERIAL": SERIAL,
        }
        results = []
        for name, port, process in targets:
            if name.endswith("+oauth") and script != "flip.lua":
                continue  # the PUT's cost is the hash; the flips tell the tokens apart
            if name.endswith("+oauth"):
                env = {**env, "BENCH_JWT": self.oauth_tokens[port]}
            else:
                env = {**env, "BENCH_JWT": self.jwt}
            url = f"http://127.0.0.1:{port}"
            wrk(self.args, url, script, env, self.args.warmup)
            cpu = process.cpu_seconds()
            output = wrk(self.args, url, script, env, self.args.duration)
            cpu = process.cpu_seconds() - cpu
            result = parse_wrk(output, scenario, name)
            results.append(replace(result, cpu_us=cpu / max(1, result.requests) * 1e6))
        return results

    def run(self) -> list[list[Result]]:
        self.prepare()
        costs = [DEFAULT_COST] + ([self.args.low_cost] if self.args.low_cost else [])
        rounds: list[list[Result]] = [[] for _ in range(self.args.rounds)]
        for cost in costs:
            targets = self.start(cost)
            if cost == DEFAULT_COST:
                targets = self.with_oauth(targets)
            try:
                for i in range(self.args.rounds):
                    order = targets if i % 2 == 0 else targets[::-1]
                    if cost == DEFAULT_COST:
                        rounds[i] += self.measure("flips", "flip.lua", order)
                    rounds[i] += self.measure(f"PUT cost {cost}", "issue.lua", order)
            finally:
                for _, _, process in targets:
                    process.stop()
        return rounds

    def flip_audit_counts(self) -> str:
        import sqlite3

        counts = []
        for server in self.servers:
            with sqlite3.connect(server.db_path) as db:
                rows = dict(
                    db.execute(
                        "SELECT changed, COUNT(*) FROM audit_events WHERE action IN"
                        " ('ENABLE_HARDWARE_TOKEN', 'DISABLE_HARDWARE_TOKEN') GROUP BY changed"
                    ).fetchall()
                )
            counts.append(
                f"{server.name}: {rows.get(1, 0)} changed the token,"
                f" {rows.get(0, 0)} found it already so"
            )
        return "; ".join(counts)


def print_round(results: list[Result]) -> None:
    ceilings = {r.scenario: r for r in results if r.target == "ceiling"}
    print(f"{'scenario':<14}{'target':<17}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}{'ratio':>7}{'CPU us/req':>12}")  # fmt: skip
    for r in results:
        ratio = r.rps / ceilings[r.scenario].rps if ceilings[r.scenario].rps else float("nan")
        print(
            f"{r.scenario:<14}{r.target:<17}{r.rps:>9.1f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
            f"{r.errors:>8}{ratio:>7.2f}{r.cpu_us:>12.0f}"
        )
        if r.errors:
            print(f"{'':<31}({r.non_2xx} non-2xx, {r.socket_errors} socket errors)")


def ratio_of(results: list[Result], scenario: str, target: str = "mfadesk") -> tuple[float, Result]:
    by_target = {r.target: r for r in results if r.scenario == scenario}
    return by_target[target].rps / by_target["ceiling"].rps, by_target[target]


def summarize(rounds: list[list[Result]]) -> bool:
    ratios, p99s, errors = [], [], 0
    for results in rounds:
        ratio, server = ratio_of(results, "flips")
        ratios.append(ratio)
        p99s.append(server.p99_ms)
        errors += sum(r.errors for r in results)
    best = max(range(len(rounds)), key=lambda i: ratios[i])
    spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if len(rounds) > 1 else "one round"
    median = statistics.median(ratios)
    print(
        f"\nflips: ratio to ceiling best {ratios[best]:.2f} (median {median:.2f}, range {spread});"
        f" mfadesk p99 {min(p99s):.1f}-{max(p99s):.1f} ms"
    )
    others = sorted({r.target for r in rounds[0] if r.scenario == "flips"} - {"mfadesk", "ceiling"})
    for other in others:
        theirs = [ratio_of(results, "flips", other)[0] for results in rounds]
        against = [mine / their for mine, their in zip(ratios, theirs, strict=True)]
        print(
            f"flips: {other} ratio to ceiling median {statistics.median(theirs):.2f}"
            f" ({', '.join(f'{r:.2f}' for r in theirs)}); mfadesk's req/s per round"
            f" / {other}'s: {', '.join(f'{r:.2f}' for r in against)}"
        )
    if "mfadesk+oauth" in others:
        oauth = [ratio_of(results, "flips", "mfadesk+oauth")[1] for results in rounds]
        legacy = [ratio_of(results, "flips")[1] for results in rounds]
        per_round = [o.rps / max(1e-9, lg.rps) for o, lg in zip(oauth, legacy, strict=True)]
        cpu = [f"{o.cpu_us:.0f}/{lg.cpu_us:.0f}" for o, lg in zip(oauth, legacy, strict=True)]
        print(
            f"flips: OAuth access token / legacy JWT, req/s per round: "
            f"{', '.join(f'{r:.2f}' for r in per_round)} "
            f"(median {statistics.median(per_round):.2f}, target >= 0.90); "
            f"CPU us/req OAuth/legacy: {', '.join(cpu)}"
        )
    met = ratios[best] >= FLIP_RATIO_TARGET and p99s[best] <= FLIP_P99_TARGET_MS
    verdict = "met" if met else "NOT met"
    print(
        f"target (>= {FLIP_RATIO_TARGET:.0%} of the ceiling's req/s, p99 <= "
        f"{FLIP_P99_TARGET_MS:.0f} ms) in the best round: {verdict}; errors in all runs: {errors}"
    )
    return met and errors == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every pair of runs")
    parser.add_argument(
        "--low-cost", type=int, default=10, help="extra PUT rows at this scrypt cost (0: none)"
    )
    parser.add_argument(
        "--sync",
        default="full",
        help="MFADESK_SQLITE_SYNC modes, one mfadesk each, comma-separated (first: judged)",
    )
    parser.add_argument(
        "--baseline", help="also serve this source tree's src/ (e.g. an export of main)"
    )
    parser.add_argument(
        "--oauth",
        action="store_true",
        help="also drive the flips with an OAuth access token, beside the legacy JWT",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    require_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="mfadesk-bench-"))
    bench = Bench(args, workdir)
    load = os.getloadavg()
    print(
        f"mfadesk admin API bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, load average before {load[0]:.2f}\n"
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency "
        f"(after {args.warmup}s warm-up); mfadesk serve --workers 1 on SQLite (WAL)\n"
        + "; ".join(
            f"{s.name}: MFADESK_SQLITE_SYNC={s.sqlite_sync}"
            if s.source is None
            else f"{s.name}: {s.source}/src"
            for s in bench.servers
        )
    )
    try:
        rounds = bench.run()
        print(f"event loop + HTTP parser: {bench.runtime}")
        print(
            f"offline hash: scrypt log2 N = {DEFAULT_COST} (~40 ms of CPU) is the server's default"
            " and dominates PUT; the lower cost is for comparison"
        )
        for i, results in enumerate(rounds, 1):
            print(f"\nround {i}")
            print_round(results)
        print(f"\nflip requests audited: {bench.flip_audit_counts()}")
        ok = summarize(rounds)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
