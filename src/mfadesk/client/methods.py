"""Every admin endpoint, as a method of both `AdminClient` and `AsyncAdminClient`.

Adding an endpoint: write its builder in the noun's module (path, wire models, idempotency,
docstring) and add one line here (`endpoint` for one call, `listing` to walk a paged one).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Self

from mfadesk.client import (
    admin_logs,
    ds100,
    emergency_tokencodes,
    hardware_tokens,
    user_event_logs,
    users,
)
from mfadesk.client.binding import endpoint, listing
from mfadesk.client.credentials import Credentials
from mfadesk.client.engine import ClientStats, Engine
from mfadesk.client.oauth import OAuthCredentials


class AdminMethods:
    # users
    lookup_user = endpoint(users.lookup_user)
    search_users_v2 = endpoint(users.search_users_v2)
    search_users_v1 = endpoint(users.search_users_v1)
    iter_users = listing(users.iter_users)
    set_user_status = endpoint(users.set_user_status)
    mark_user_deleted = endpoint(users.mark_user_deleted)
    delete_user = endpoint(users.delete_user)
    sync_user = endpoint(users.sync_user)
    list_user_devices = endpoint(users.list_user_devices)
    # emergency tokencodes
    enable_emergency_tokencode_v1 = endpoint(emergency_tokencodes.enable_emergency_tokencode_v1)
    enable_emergency_tokencode_v2 = endpoint(emergency_tokencodes.enable_emergency_tokencode_v2)
    disable_emergency_tokencode = endpoint(emergency_tokencodes.disable_emergency_tokencode)
    # SID700 hardware tokens
    disable_hardware_token = endpoint(hardware_tokens.disable_hardware_token)
    enable_hardware_token = endpoint(hardware_tokens.enable_hardware_token)
    lookup_hardware_token = endpoint(hardware_tokens.lookup_hardware_token)
    assign_hardware_token = endpoint(hardware_tokens.assign_hardware_token)
    unassign_hardware_token = endpoint(hardware_tokens.unassign_hardware_token)
    delete_hardware_token = endpoint(hardware_tokens.delete_hardware_token)
    clear_hardware_token_pin = endpoint(hardware_tokens.clear_hardware_token_pin)
    # SecurID DS100
    disable_ds100_otp = endpoint(ds100.disable_ds100_otp)
    enable_ds100_otp = endpoint(ds100.enable_ds100_otp)
    lookup_ds100 = endpoint(ds100.lookup_ds100)
    delete_ds100_otp = endpoint(ds100.delete_ds100_otp)
    clear_ds100_otp_pin = endpoint(ds100.clear_ds100_otp_pin)
    # administration audit log
    export_admin_logs = endpoint(admin_logs.export_admin_logs)
    iter_admin_log_pages = listing(admin_logs.iter_admin_log_pages)
    iter_admin_logs = listing(admin_logs.iter_admin_logs)
    # user event log
    export_user_events = endpoint(user_event_logs.export_user_events)
    iter_user_events = listing(user_event_logs.iter_user_events)

    _engine: Engine

    def __init__(self, credentials: Credentials | OAuthCredentials, **options: Any) -> None:
        raise NotImplementedError

    @property
    def credentials(self) -> Credentials | OAuthCredentials:
        return self._engine.credentials

    @property
    def stats(self) -> ClientStats:
        """Requests, retries and 429s of this client so far."""
        return self._engine.stats

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str], **options: Any) -> Self:
        """A client for the key file at `path` (``*.key`` as the console hands it out)."""
        return cls(Credentials.from_key_file(path), **options)

    @classmethod
    def from_dict(cls, contents: Mapping[str, Any], **options: Any) -> Self:
        """A client for a key file's parsed JSON (e.g. from a secrets manager)."""
        return cls(Credentials.from_dict(contents), **options)

    @classmethod
    def from_oauth_client(
        cls,
        jwk_file: str | os.PathLike[str],
        client_id: str | None = None,
        issuer: str | None = None,
        **options: Any,
    ) -> Self:
        """An OAuth API client: its private JWK file (RS256 or ES256), its `client_id` and the
        `issuer` (``<public URL>/oauth``; default for both: the file's ``client_id`` and
        ``issuer`` members). Access tokens are fetched with a ``private_key_jwt`` assertion
        and renewed before they expire. `admin_url` (default: beside the issuer) and
        `oauth_scopes` (default: all the client's) are options too."""
        credentials = OAuthCredentials.from_jwk_file(
            jwk_file, client_id, issuer, options.pop("admin_url", None)
        )
        return cls(credentials, **options)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client for the key file named by ``MFADESK_KEY_FILE``."""
        return cls(Credentials.from_env(environ), **options)
