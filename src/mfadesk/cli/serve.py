"""`mfadesk serve`: run the API with uvicorn."""

from __future__ import annotations

import os
import socket
import sys

import click
import uvicorn
from uvicorn.supervisors import Multiprocess

from mfadesk.cli.runtime import CommandError, load_settings, open_database
from mfadesk.settings import DEFAULT_HOST, DEFAULT_PORT

STARTUP_FAILURE = 3  # uvicorn's status when a worker could not start


def listen(host: str, port: int, backlog: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is one line before anything
    starts (and connections made from now on wait for the workers, not fail)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        raise CommandError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.set_inheritable(True)  # the workers serve it
    return sock


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--access-log/--no-access-log", default=False, show_default=True)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the admin API (creating or migrating the database first)."""
    settings = load_settings()
    open_database(settings, create=True).db.close()  # before the workers: they only open it
    # Workers read their settings from the environment: pass on what the command line decided.
    os.environ["MFADESK_PUBLIC_URL"] = settings.effective_public_url(host, port)
    os.environ["MFADESK_DATABASE_URL"] = settings.database_url
    os.environ["MFADESK_SECRET_KEY_FILE"] = str(settings.secret_key_file)
    os.environ["MFADESK_WORKERS"] = str(workers)
    public_url = os.environ["MFADESK_PUBLIC_URL"]
    config = uvicorn.Config(
        "mfadesk.api.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        proxy_headers=False,
        server_header=False,
    )
    sock = listen(host, port, config.backlog)
    click.echo(f"mfadesk serving {public_url}/AdminInterface/restapi/ and {public_url}/mfa/v1_1/")
    click.echo(f"API documentation (Swagger UI): {public_url}/AdminInterface/restapi/docs")
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
    if workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)
