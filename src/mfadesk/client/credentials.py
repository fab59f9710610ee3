"""The administrator's key file, and the short-lived JWTs signed with it.

The private key is parsed once; a JWT (RS256, ``sub`` = accessID, ``aud`` = the key file's
``adminRestApiUrl``) is reused for many requests and replaced `renew_before` seconds ahead of its
expiry, on the injected clock.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import ValidationError

from mfadesk.client.errors import KeyFileError
from mfadesk.wire.key_file import KeyFile

KEY_FILE_ENV = "MFADESK_KEY_FILE"
MAX_TOKEN_LIFETIME = 3600.0
DEFAULT_TOKEN_LIFETIME = 600.0
DEFAULT_RENEW_BEFORE = 60.0

Clock = Callable[[], float]
"""Seconds since the epoch, like `time.time` (the default)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """A parsed key file. The private key never appears in `repr`."""

    access_id: str
    admin_rest_api_url: str
    customer_name: str
    description: str
    private_key: RSAPrivateKey = field(repr=False)

    @classmethod
    def from_dict(cls, contents: Mapping[str, Any]) -> Credentials:
        try:
            key_file = KeyFile.model_validate(dict(contents))
        except ValidationError as error:
            fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"])
            raise KeyFileError(f"not an API key file (check: {fields or 'contents'})") from None
        try:
            private_key = load_pem_private_key(key_file.accessKey.encode(), password=None)
        except (ValueError, TypeError):
            raise KeyFileError("accessKey is not an unencrypted PEM private key") from None
        if not isinstance(private_key, RSAPrivateKey):
            raise KeyFileError("accessKey is not an RSA private key")
        if not key_file.adminRestApiUrl.startswith(("https://", "http://")):
            raise KeyFileError("adminRestApiUrl is not an http(s) URL")
        return cls(
            access_id=key_file.accessID,
            admin_rest_api_url=key_file.adminRestApiUrl,
            customer_name=key_file.customerName,
            description=key_file.description,
            private_key=private_key,
        )

    @classmethod
    def from_key_file(cls, path: str | os.PathLike[str]) -> Credentials:
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise KeyFileError(f"cannot read key file {path}: {error.strerror}") from None
        try:
            contents = json.loads(raw)
        except ValueError:
            raise KeyFileError(f"key file {path} is not JSON") from None
        if not isinstance(contents, dict):
            raise KeyFileError(f"key file {path} is not a JSON object")
        try:
            return cls.from_dict(contents)
        except KeyFileError as error:
            raise KeyFileError(f"key file {path}: {error}") from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        path = (os.environ if environ is None else environ).get(KEY_FILE_ENV)
        if not path:
            raise KeyFileError(f"{KEY_FILE_ENV} is not set")
        return cls.from_key_file(path)


class TokenSource:
    """Mints the JWT and renews it before it expires; safe to share between threads."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        lifetime: float = DEFAULT_TOKEN_LIFETIME,
        renew_before: float = DEFAULT_RENEW_BEFORE,
        clock: Clock = time.time,
    ) -> None:
        if not 0 < lifetime <= MAX_TOKEN_LIFETIME:
            raise ValueError(f"token lifetime must be in (0, {MAX_TOKEN_LIFETIME:.0f}] seconds")
        if not 0 <= renew_before < lifetime:
            raise ValueError("renew_before must be shorter than the token lifetime")
        self._credentials = credentials
        self._lifetime = int(lifetime)
        self._renew_before = renew_before
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ""
        self._issued_at = 0
        self._expires_at = 0

    def token(self) -> str:
        now = self._clock()
        with self._lock:
            stale = now >= self._expires_at - self._renew_before
            if stale or now < self._issued_at:  # also renew if the clock went backwards
                self._mint(int(now))
            return self._token

    def _mint(self, now: int) -> None:
        credentials = self._credentials
        claims = {
            "sub": credentials.access_id,
            "aud": credentials.admin_rest_api_url,
            "iat": now,
            "exp": now + self._lifetime,
        }
        self._token = jwt.encode(claims, credentials.private_key, algorithm="RS256")
        self._issued_at, self._expires_at = now, now + self._lifetime
