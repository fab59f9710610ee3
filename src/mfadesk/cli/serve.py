"""`mfadesk serve`: run the API with uvicorn."""

from __future__ import annotations

import os

import click
import uvicorn

from mfadesk.cli.runtime import CommandError
from mfadesk.otp.secret_key import SecretKeyError, load_server_keys
from mfadesk.settings import DEFAULT_HOST, DEFAULT_PORT, Settings, SettingsError
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--access-log/--no-access-log", default=False, show_default=True)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the admin API (migrating the database first)."""
    try:
        settings = Settings.from_env()
        load_server_keys(settings.secret_key_file)  # created here, before workers race for it
        database = Database(settings.database_url)
        try:
            upgrade(database.engine)
        finally:
            database.close()
    except (SettingsError, SecretKeyError) as error:
        raise CommandError(str(error)) from error
    except Exception as error:  # an unusable URL, an unreachable server…
        raise CommandError(f"cannot open the database: {error}") from error
    # Workers read their settings from the environment: pass on what the command line decided.
    os.environ["MFADESK_PUBLIC_URL"] = settings.effective_public_url(host, port)
    os.environ["MFADESK_DATABASE_URL"] = settings.database_url
    os.environ["MFADESK_SECRET_KEY_FILE"] = str(settings.secret_key_file)
    os.environ["MFADESK_WORKERS"] = str(workers)
    public_url = os.environ["MFADESK_PUBLIC_URL"]
    click.echo(f"mfadesk serving {public_url}/AdminInterface/restapi/ and {public_url}/mfa/v1_1/")
    click.echo(f"API documentation (Swagger UI): {public_url}/AdminInterface/restapi/docs")
    uvicorn.run(
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
