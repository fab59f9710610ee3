"""`mfadesk api …`: remote administration through the SDK, from an administrator's key file.

Exit status: 0 ok · 1 the service refused (API error) · 2 usage (options, key file, bulk
file) · 3 bulk finished with failed rows · 4 service unreachable / still rate-limited ·
130 bulk interrupted (run it again to resume).
"""

from __future__ import annotations

from pathlib import Path

import click

from mfadesk.cli.lazy import LazyGroup
from mfadesk.cli.remote.session import Remote
from mfadesk.client import KEY_FILE_ENV, OAUTH_CLIENT_FILE_ENV, RetryPolicy

COMMANDS = {
    "user": "mfadesk.cli.remote.users:user_group",
    "eac": "mfadesk.cli.remote.emergency:eac_group",
    "token": "mfadesk.cli.remote.tokens:token_group",
    "ds100": "mfadesk.cli.remote.ds100:ds100_group",
    "audit": "mfadesk.cli.remote.audit:audit_group",
    "bulk": "mfadesk.cli.remote.bulk:bulk",
}


@click.group("api", cls=LazyGroup, lazy_commands=COMMANDS)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=KEY_FILE_ENV,
    default=None,
    help=f"The administrator's API key file (or ${KEY_FILE_ENV}).",
)
@click.option(
    "--oauth-client",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=OAUTH_CLIENT_FILE_ENV,
    default=None,
    help=(
        "Call as an OAuth API client: its private JWK file, with client_id and issuer members"
        f" as `mfadesk oauth-client add` writes it (or ${OAUTH_CLIENT_FILE_ENV})."
    ),
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for each answer.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(1, 20),
    default=6,
    show_default=True,
    help="Tries per request (429s, connection failures; timeouts only when idempotent).",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Longest single wait before a retry; a longer Retry-After gives up at once.",
)
@click.pass_context
def api_group(
    ctx: click.Context,
    key_file: Path | None,
    oauth_client: Path | None,
    as_json: bool,
    timeout: float,
    max_attempts: int,
    max_wait: float,
) -> None:
    """Administer a remote mfadesk (or the cloud service) with an API key file or as an
    OAuth API client.

    \b
    Exit status: 0 ok, 1 API error, 2 usage error, 3 bulk finished with failed rows,
    4 service unreachable or still rate-limited, 130 bulk interrupted (resumable).
    """
    retry = RetryPolicy(max_attempts=max_attempts, max_wait=max_wait)
    from_env = click.core.ParameterSource.ENVIRONMENT
    ctx.obj = Remote(
        key_file=key_file,
        as_json=as_json,
        timeout=timeout,
        retry=retry,
        oauth_client=oauth_client,
        key_file_from_env=ctx.get_parameter_source("key_file") is from_env,
        oauth_client_from_env=ctx.get_parameter_source("oauth_client") is from_env,
    )


__all__ = ["api_group"]
