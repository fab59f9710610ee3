"""Encryption of token seeds at rest (AES-256-GCM, bound to the token serial) — and, under
their own key and label, of other small secrets bound to a name (RADIUS shared secrets)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_LENGTH = 32
_VERSION = 1
_NONCE_LENGTH = 12
_TAG_LENGTH = 16
_HEADER_LENGTH = 1 + _NONCE_LENGTH
_AAD_LABEL = b"mfadesk/otp-seed\x00"
RADIUS_SECRET_LABEL = b"mfadesk/radius-secret\x00"


class SeedDecryptionError(Exception):
    """An encrypted seed could not be decrypted: wrong key, other serial, or tampered blob."""


class SeedCipher:
    """Encrypts seeds as ``version(1) || nonce(12) || ciphertext+tag``.

    The serial is authenticated data, so a blob only decrypts for the token it was
    made for.
    """

    __slots__ = ("_aead", "_label")

    def __init__(self, key: bytes, label: bytes = _AAD_LABEL) -> None:
        if not isinstance(key, bytes) or len(key) != KEY_LENGTH:
            raise ValueError(f"SeedCipher needs a {KEY_LENGTH}-byte key")
        self._aead = AESGCM(key)
        self._label = label

    def __repr__(self) -> str:
        return "SeedCipher(<key hidden>)"

    def encrypt(self, serial: str, seed: bytes) -> bytes:
        """Encrypt ``seed`` for the token ``serial`` with a fresh random nonce."""
        nonce = os.urandom(_NONCE_LENGTH)
        sealed = self._aead.encrypt(
            nonce, bytes(seed), _associated_data(self._label, _VERSION, serial)
        )
        return bytes([_VERSION]) + nonce + sealed

    def encrypt_many(self, items: Iterable[tuple[str, bytes]]) -> list[bytes]:
        """`encrypt` for many (serial, seed) pairs, the nonces drawn from the OS in one go."""
        pairs = list(items)
        nonces = os.urandom(_NONCE_LENGTH * len(pairs))
        prefix = bytes([_VERSION])
        label = _associated_data(self._label, _VERSION, "")
        encrypt = self._aead.encrypt
        sealed = []
        for index, (serial, seed) in enumerate(pairs):
            nonce = nonces[index * _NONCE_LENGTH : (index + 1) * _NONCE_LENGTH]
            sealed.append(prefix + nonce + encrypt(nonce, bytes(seed), label + serial.encode()))
        return sealed

    def decrypt(self, serial: str, blob: bytes) -> bytes:
        """Decrypt a blob made by :meth:`encrypt` for the same ``serial``."""
        if len(blob) < _HEADER_LENGTH + _TAG_LENGTH:
            raise SeedDecryptionError("encrypted seed is too short")
        if blob[0] != _VERSION:
            raise SeedDecryptionError(f"unknown encrypted seed version {blob[0]}")
        nonce = bytes(blob[1:_HEADER_LENGTH])
        try:
            return self._aead.decrypt(
                nonce, bytes(blob[_HEADER_LENGTH:]), _associated_data(self._label, _VERSION, serial)
            )
        except InvalidTag:
            raise SeedDecryptionError(
                "encrypted seed does not authenticate: wrong key, other serial, or tampered data"
            ) from None


def _associated_data(label: bytes, version: int, serial: str) -> bytes:
    return label + bytes([version]) + serial.encode("utf-8")
