"""What every `mfadesk api …` command shares: the key file, the client, errors, exit codes.

These commands speak to a remote service through the SDK only (`mfadesk.client`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from mfadesk.cli.remote.actions import ActionRefused
from mfadesk.client import (
    KEY_FILE_ENV,
    OAUTH_CLIENT_FILE_ENV,
    ApiError,
    AsyncAdminClient,
    Credentials,
    KeyFileError,
    MfadeskClientError,
    OAuthCredentials,
    RetryPolicy,
    TransportError,
)

EXIT_OK = 0
EXIT_API_ERROR = 1  # the service refused the request (4xx/5xx), or answered off-contract
EXIT_USAGE = 2  # bad options or arguments, unusable key file, invalid bulk file
EXIT_PARTIAL = 3  # bulk: some rows failed, the others were applied (see the results file)
EXIT_UNREACHABLE = 4  # no answer from the service (connection, timeout, still rate-limited)
EXIT_INTERRUPTED = 130  # bulk stopped by Ctrl-C / SIGTERM: run it again to resume

T = TypeVar("T")


class RemoteError(click.ClickException):
    """An API error: one line on stderr (a JSON object with --json); exit status 1."""

    exit_code = EXIT_API_ERROR

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}
        self.as_json = False

    def show(self, file: Any = None) -> None:
        if self.as_json:
            body = {"error": {"message": self.format_message(), **self.details}}
            click.echo(json.dumps(body), err=True)
        else:
            click.echo(f"mfadesk: error: {self.format_message()}", err=True)


class RemoteUsageError(RemoteError):
    exit_code = EXIT_USAGE


class ServiceUnreachable(RemoteError):
    exit_code = EXIT_UNREACHABLE


def from_client_error(error: MfadeskClientError, hint: str = "") -> RemoteError:
    """`hint` is added where the request may have been applied without an answer (a
    `TransportError` after it was sent): an API error or a failed connect applied nothing."""
    if isinstance(error, ApiError):
        details = {"status": error.status, "code": error.code, "description": error.description}
        return RemoteError(str(error), details)
    if isinstance(error, TransportError):
        suffix = f" ({hint})" if hint and error.request_sent else ""
        return ServiceUnreachable(f"{error}{suffix}", {"requestSent": error.request_sent})
    if isinstance(error, KeyFileError):
        return RemoteUsageError(str(error))
    return RemoteError(str(error))


@dataclass
class Remote:
    """The group's options, completed by each command's own `--key-file` / `--json`.

    The caller is an API key file or an OAuth client's file (`oauth_client`); when both are
    named, one given on the command line beats one from the environment."""

    key_file: Path | None = None
    as_json: bool = False
    oauth_client: Path | None = None
    key_file_from_env: bool = False
    oauth_client_from_env: bool = False
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    said_retrying: bool = False

    def tagged(self, error: RemoteError) -> RemoteError:
        error.as_json = self.as_json
        return error

    def usage(self, message: str) -> RemoteError:
        return self.tagged(RemoteUsageError(message))

    def _uses_oauth(self) -> bool:
        if self.oauth_client is None:
            return False
        if self.key_file is None or (self.key_file_from_env and not self.oauth_client_from_env):
            return True
        if self.oauth_client_from_env and not self.key_file_from_env:
            return False
        raise self.usage("give either an API key file or --oauth-client, not both")

    def credentials(self) -> Credentials | OAuthCredentials:
        try:
            if self._uses_oauth():
                assert self.oauth_client is not None
                return OAuthCredentials.from_jwk_file(self.oauth_client)
            if self.key_file is None:
                raise self.usage(
                    f"no key file: give --key-file PATH or set {KEY_FILE_ENV} (or, for an "
                    f"OAuth client, --oauth-client FILE or {OAUTH_CLIENT_FILE_ENV})"
                )
            return Credentials.from_key_file(self.key_file)
        except KeyFileError as error:
            raise self.tagged(from_client_error(error)) from None

    def client(self) -> AsyncAdminClient:
        return AsyncAdminClient(
            self.credentials(), timeout=self.timeout, retry=self.retry, on_retry=self._retrying
        )

    def _retrying(self, why: str, _delay: float) -> None:
        """Say once that the command is waiting, so a wait is not mistaken for a hang (not
        with --json: stderr then carries only the JSON error)."""
        if not self.as_json and not self.said_retrying:
            self.said_retrying = True
            what = f"the service answered {why}" if why.startswith("HTTP") else f"no answer ({why})"
            click.echo(f"mfadesk: {what}, retrying…", err=True)

    def run(self, work: Callable[[AsyncAdminClient], Awaitable[T]], hint: str = "") -> T:
        """Run `work` with a client; SDK errors become `RemoteError`s of their exit status
        (and a refusal of the command's own, such as `--user` naming someone else, exit 1)."""
        client = self.client()

        async def main() -> T:
            async with client:
                return await work(client)

        try:
            return asyncio.run(main())
        except MfadeskClientError as error:
            raise self.tagged(from_client_error(error, hint)) from None
        except ActionRefused as refused:
            raise self.tagged(RemoteError(str(refused))) from None


def remote_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--key-file` and `--json` on a command (they may also be given to `mfadesk api`)."""
    command = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(
        command
    )
    return click.option(
        "--key-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"The administrator's API key file (default: ${KEY_FILE_ENV}).",
    )(command)


def remote(key_file: Path | None, as_json: bool) -> Remote:
    """The command's options over the group's."""
    group = click.get_current_context().find_object(Remote) or Remote()
    return Remote(
        key_file=key_file or group.key_file,
        as_json=as_json or group.as_json,
        timeout=group.timeout,
        retry=group.retry,
        oauth_client=group.oauth_client,
        key_file_from_env=key_file is None and group.key_file_from_env,
        oauth_client_from_env=group.oauth_client_from_env,
    )
