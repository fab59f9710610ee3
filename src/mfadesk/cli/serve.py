"""`mfadesk serve`: run the API with uvicorn, and RADIUS beside it in the same workers."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

import click
import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from mfadesk.cli.log_format import LogFormat, default_format, logging_config
from mfadesk.cli.runtime import CommandError
from mfadesk.settings import DEFAULT_HOST, DEFAULT_PORT

STARTUP_FAILURE = 3  # uvicorn's status when a worker could not start
RADIUS_RECEIVE_BUFFER = 4 * 1024 * 1024  # bursts of Access-Requests wait here (capped by rmem_max)
DEFAULT_SHUTDOWN_TIMEOUT = 30  # seconds; systemd's and Kubernetes' default stop grace is longer

# The RADIUS socket this worker process serves, handed over by `_WorkerConfig.load`.
_radius_socket: socket.socket | None = None
_shutdown_timeout: float | None = None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is one line before anything
    starts (and connections made from now on wait for the workers, not fail)."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        raise CommandError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.set_inheritable(True)  # the workers serve it
    return sock


def bind_radius(host: str, port: int) -> socket.socket:
    """The RADIUS socket, bound once here: every worker reads datagrams from this one socket
    (the kernel gives each datagram to exactly one reader), so any worker answers any packet
    and a taken port is one line before anything starts (docs/radius.md)."""
    sock = socket.socket(_family(host), socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise CommandError(
            f"cannot serve RADIUS on {host}:{port}/udp: {error.strerror or error}"
        ) from None
    with contextlib.suppress(OSError):  # the system's default buffer serves too
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RADIUS_RECEIVE_BUFFER)
    sock.set_inheritable(True)
    return sock


class _WorkerConfig(uvicorn.Config):
    """uvicorn's configuration, carrying the RADIUS socket to each worker: uvicorn hands the
    configuration to the worker processes it spawns, and multiprocessing passes a socket on
    as a duplicate of its file descriptor (as it does uvicorn's own listening socket)."""

    def __init__(self, *args: Any, radius_socket: socket.socket | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.radius_socket = radius_socket

    def load(self) -> None:
        global _radius_socket, _shutdown_timeout  # noqa: PLW0603  (one per worker process)
        _radius_socket = self.radius_socket
        _shutdown_timeout = self.timeout_graceful_shutdown
        super().load()


def create_worker_app() -> Starlette:
    """The app of one `mfadesk serve` worker, with RADIUS beside it when a socket was handed
    over."""
    from mfadesk.api.app import create_app_from_env
    from mfadesk.console import console_edge

    if _radius_socket is None:
        return create_app_from_env(edges=[console_edge])
    from mfadesk.radius import radius_service

    return create_app_from_env(
        [radius_service(_radius_socket, _shutdown_timeout)], edges=[console_edge]
    )


def _stop_quietly(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM's handler outside uvicorn's: before serving, stop; after uvicorn's graceful
    shutdown (which raises the signal it caught again, for this handler), exit 0 — a stop
    asked for is a success for systemd and orchestrators, not a death by signal."""
    raise SystemExit(0)


def _metrics_directory() -> Path:
    """Where every worker process writes its metric values (prometheus-client's multi-process
    mode); removed when serving ends."""
    directory = Path(tempfile.mkdtemp(prefix="mfadesk-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    # The client library picks where values live when it is imported, and this process (the
    # one worker, with --workers 1) may have imported it already: pick again. Every metric has
    # labels, so no value exists before its first use.
    from prometheus_client import values

    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    return directory


def _serve_metrics(host: str, port: int) -> None:
    """/metrics of the whole server on its own port, from this (the supervising) process."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        raise CommandError(
            f"cannot serve metrics on {host}:{port}: {error.strerror or error}"
        ) from None


def _check_tls(certfile: Path | None, keyfile: Path | None) -> None:
    if (certfile is None) != (keyfile is None):
        raise CommandError("--ssl-certfile and --ssl-keyfile go together")


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One log line per HTTP request.",
)
@click.option(
    "--radius-port",
    type=click.IntRange(1, 65535),
    default=None,
    envvar="MFADESK_RADIUS_PORT",
    help="Also answer RADIUS Access-Requests on this UDP port (e.g. 1812). [default: off]",
)
@click.option(
    "--radius-host",
    default=None,
    envvar="MFADESK_RADIUS_HOST",
    help="The address RADIUS listens on. [default: --host]",
)
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default=None,
    envvar="MFADESK_LOG_FORMAT",
    help="json: one object per line; text: for people. [default: text on a terminal, else json]",
)
@click.option(
    "--ssl-certfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    envvar="MFADESK_SSL_CERTFILE",
    help="Serve HTTPS with this certificate (PEM, with its chain). [default: plain HTTP]",
)
@click.option(
    "--ssl-keyfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    envvar="MFADESK_SSL_KEYFILE",
    help="The certificate's private key (PEM, unencrypted).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    envvar="MFADESK_METRICS_PORT",
    help="Serve /metrics on this port (on --host) instead of the API's port. [default: off]",
)
@click.option(
    "--shutdown-timeout",
    type=click.IntRange(1, 3600),
    default=DEFAULT_SHUTDOWN_TIMEOUT,
    show_default=True,
    envvar="MFADESK_SHUTDOWN_TIMEOUT",
    help="On SIGTERM: seconds to let requests and RADIUS exchanges in progress finish.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    radius_port: int | None,
    radius_host: str | None,
    log_format: LogFormat | None,
    ssl_certfile: Path | None,
    ssl_keyfile: Path | None,
    metrics_port: int | None,
    shutdown_timeout: int,
) -> None:
    """Serve the admin API (creating or migrating the database first).

    SIGTERM stops taking connections and datagrams, lets the requests in progress finish
    (up to --shutdown-timeout seconds), then exits 0."""
    signal.signal(signal.SIGTERM, _stop_quietly)
    _check_tls(ssl_certfile, ssl_keyfile)
    metrics_directory = _metrics_directory()  # before the app and its workers start
    try:
        _serve(
            host,
            port,
            workers,
            access_log,
            radius_port,
            radius_host,
            log_format or default_format(),
            (ssl_certfile, ssl_keyfile) if ssl_certfile and ssl_keyfile else None,
            metrics_port,
            shutdown_timeout,
        )
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(metrics_directory, ignore_errors=True)


def _serve(
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    radius_port: int | None,
    radius_host: str | None,
    log_format: LogFormat,
    tls: tuple[Path, Path] | None,
    metrics_port: int | None,
    shutdown_timeout: int,
) -> None:
    from mfadesk.cli.runtime import load_settings, open_database

    settings = load_settings()
    open_database(settings, create=True).db.close()  # before the workers: they only open it
    # Workers read their settings from the environment: pass on what the command line decided.
    public_url = settings.effective_public_url(host, port)
    if tls is not None and not settings.public_url:
        public_url = "https://" + public_url.removeprefix("http://")
    os.environ["MFADESK_PUBLIC_URL"] = public_url
    os.environ["MFADESK_DATABASE_URL"] = settings.database_url
    os.environ["MFADESK_SECRET_KEY_FILE"] = str(settings.secret_key_file)
    os.environ["MFADESK_WORKERS"] = str(workers)
    if metrics_port is not None:
        os.environ["MFADESK_METRICS_PORT"] = str(metrics_port)
    else:
        os.environ.pop("MFADESK_METRICS_PORT", None)
    radius_host = radius_host or host
    radius = bind_radius(radius_host, radius_port) if radius_port is not None else None
    config = _WorkerConfig(
        "mfadesk.cli.serve:create_worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # mfadesk.access writes the access lines (with route and request id)
        log_config=logging_config(log_format, access_log),
        log_level="info",
        proxy_headers=False,  # X-Forwarded-For: only from MFADESK_TRUSTED_PROXIES (api/edge.py)
        server_header=False,
        timeout_graceful_shutdown=shutdown_timeout,
        radius_socket=radius,
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
    )
    sock = listen(host, port, config.backlog)
    if metrics_port is not None:
        _serve_metrics(host, metrics_port)
    click.echo(f"mfadesk serving {public_url}/AdminInterface/restapi/ and {public_url}/mfa/v1_1/")
    click.echo(f"API documentation (Swagger UI): {public_url}/AdminInterface/restapi/docs")
    if radius is not None:
        click.echo(f"RADIUS (Access-Request, PAP) on {radius_host}:{radius_port}/udp")
    if metrics_port is not None:
        click.echo(f"Metrics (Prometheus) on http://{host}:{metrics_port}/metrics")
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        if radius is not None:
            radius.close()
    if workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)
