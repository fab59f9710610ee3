"""The secret settings of an identity source (an LDAP bind password…), sealed at rest.

AES-256-GCM under a key derived from the master key for this purpose only, with the source's id
as authenticated data: a sealed blob opens only for the source it was made for. The plain
settings stay readable in the source's `config`; only these are sealed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = 1
_NONCE_LENGTH = 12
_AAD_LABEL = b"mfadesk/source-secrets\x00"


class SourceSecretsError(Exception):
    """Sealed secrets that do not open: wrong key, another source, or altered data."""


class SourceSecrets:
    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "SourceSecrets(<key hidden>)"

    def seal(self, source_id: str, secrets: Mapping[str, str]) -> bytes:
        nonce = os.urandom(_NONCE_LENGTH)
        plain = json.dumps(dict(secrets), sort_keys=True).encode()
        return bytes([_VERSION]) + nonce + self._aead.encrypt(nonce, plain, _aad(source_id))

    def open(self, source_id: str, blob: bytes) -> dict[str, str]:
        if len(blob) < 1 + _NONCE_LENGTH or blob[0] != _VERSION:
            raise SourceSecretsError("not sealed source secrets")
        nonce, sealed = blob[1 : 1 + _NONCE_LENGTH], blob[1 + _NONCE_LENGTH :]
        try:
            plain = self._aead.decrypt(nonce, sealed, _aad(source_id))
        except InvalidTag:
            raise SourceSecretsError(
                "source secrets do not authenticate: wrong key, other source, or altered data"
            ) from None
        opened: dict[str, str] = json.loads(plain)
        return opened


def _aad(source_id: str) -> bytes:
    return _AAD_LABEL + bytes([_VERSION]) + source_id.encode()
