"""`mfadesk serve`: run the API with uvicorn, and RADIUS beside it in the same workers."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from typing import Any

import click
import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from mfadesk.cli.runtime import CommandError, load_settings, open_database
from mfadesk.settings import DEFAULT_HOST, DEFAULT_PORT

STARTUP_FAILURE = 3  # uvicorn's status when a worker could not start
RADIUS_RECEIVE_BUFFER = 4 * 1024 * 1024  # bursts of Access-Requests wait here (capped by rmem_max)

# The RADIUS socket this worker process serves, handed over by `_WorkerConfig.load`.
_radius_socket: socket.socket | None = None


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
        global _radius_socket  # noqa: PLW0603  (one per worker process, read by its app factory)
        _radius_socket = self.radius_socket
        super().load()


def create_worker_app() -> Starlette:
    """The app of one `mfadesk serve` worker, with RADIUS beside it when a socket was handed
    over."""
    from mfadesk.api.app import create_app_from_env
    from mfadesk.console import console_edge

    if _radius_socket is None:
        return create_app_from_env(edges=[console_edge])
    from mfadesk.radius import radius_service

    return create_app_from_env([radius_service(_radius_socket)], edges=[console_edge])


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--access-log/--no-access-log", default=False, show_default=True)
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
def serve(
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    radius_port: int | None,
    radius_host: str | None,
) -> None:
    """Serve the admin API (creating or migrating the database first)."""
    settings = load_settings()
    open_database(settings, create=True).db.close()  # before the workers: they only open it
    # Workers read their settings from the environment: pass on what the command line decided.
    os.environ["MFADESK_PUBLIC_URL"] = settings.effective_public_url(host, port)
    os.environ["MFADESK_DATABASE_URL"] = settings.database_url
    os.environ["MFADESK_SECRET_KEY_FILE"] = str(settings.secret_key_file)
    os.environ["MFADESK_WORKERS"] = str(workers)
    public_url = os.environ["MFADESK_PUBLIC_URL"]
    radius_host = radius_host or host
    radius = bind_radius(radius_host, radius_port) if radius_port is not None else None
    config = _WorkerConfig(
        "mfadesk.cli.serve:create_worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        radius_socket=radius,
    )
    sock = listen(host, port, config.backlog)
    click.echo(f"mfadesk serving {public_url}/AdminInterface/restapi/ and {public_url}/mfa/v1_1/")
    click.echo(f"API documentation (Swagger UI): {public_url}/AdminInterface/restapi/docs")
    if radius is not None:
        click.echo(f"RADIUS (Access-Request, PAP) on {radius_host}:{radius_port}/udp")
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
