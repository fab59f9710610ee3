"""Every admin endpoint, as a method of both `AdminClient` and `AsyncAdminClient`.

Adding an endpoint: write its builder in the noun's module (path, wire models, idempotency,
docstring) and add one line here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Self

from mfadesk.client import ds100, emergency_tokencodes, hardware_tokens, users
from mfadesk.client.binding import endpoint
from mfadesk.client.credentials import Credentials


class AdminMethods:
    # users
    lookup_user = endpoint(users.lookup_user)
    # emergency tokencodes
    enable_emergency_tokencode_v1 = endpoint(emergency_tokencodes.enable_emergency_tokencode_v1)
    disable_emergency_tokencode = endpoint(emergency_tokencodes.disable_emergency_tokencode)
    # SID700 hardware tokens
    disable_hardware_token = endpoint(hardware_tokens.disable_hardware_token)
    enable_hardware_token = endpoint(hardware_tokens.enable_hardware_token)
    # SecurID DS100
    disable_ds100_otp = endpoint(ds100.disable_ds100_otp)
    enable_ds100_otp = endpoint(ds100.enable_ds100_otp)

    def __init__(self, credentials: Credentials, **options: Any) -> None:
        raise NotImplementedError

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str], **options: Any) -> Self:
        """A client for the key file at `path` (``*.key`` as the console hands it out)."""
        return cls(Credentials.from_key_file(path), **options)

    @classmethod
    def from_dict(cls, contents: Mapping[str, Any], **options: Any) -> Self:
        """A client for a key file's parsed JSON (e.g. from a secrets manager)."""
        return cls(Credentials.from_dict(contents), **options)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """A client for the key file named by ``MFADESK_KEY_FILE``."""
        return cls(Credentials.from_env(environ), **options)
