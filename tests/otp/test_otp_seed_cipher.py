"""Seed encryption at rest."""

from __future__ import annotations

import secrets

import pytest

from mfadesk.otp.seed_cipher import SeedCipher, SeedDecryptionError

SERIAL = "000123456789"


@pytest.fixture
def cipher() -> SeedCipher:
    return SeedCipher(secrets.token_bytes(32))


def test_round_trip(cipher: SeedCipher) -> None:
    seed = secrets.token_bytes(16)
    assert cipher.decrypt(SERIAL, cipher.encrypt(SERIAL, seed)) == seed


def test_layout_and_fresh_nonces(cipher: SeedCipher) -> None:
    seed = secrets.token_bytes(16)
    first, second = cipher.encrypt(SERIAL, seed), cipher.encrypt(SERIAL, seed)
    assert first[0] == second[0] == 1
    assert len(first) == 1 + 12 + 16 + 16
    assert first[1:13] != second[1:13]
    assert seed not in first


def test_wrong_key_fails(cipher: SeedCipher) -> None:
    blob = cipher.encrypt(SERIAL, secrets.token_bytes(16))
    with pytest.raises(SeedDecryptionError):
        SeedCipher(secrets.token_bytes(32)).decrypt(SERIAL, blob)


def test_blob_cannot_move_to_another_serial(cipher: SeedCipher) -> None:
    blob = cipher.encrypt(SERIAL, secrets.token_bytes(16))
    with pytest.raises(SeedDecryptionError):
        cipher.decrypt("000123456780", blob)


def test_every_tampered_byte_is_detected(cipher: SeedCipher) -> None:
    blob = cipher.encrypt(SERIAL, secrets.token_bytes(16))
    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(SeedDecryptionError):
            cipher.decrypt(SERIAL, bytes(tampered))


@pytest.mark.parametrize("length", [0, 1, 13, 28])
def test_truncated_blob_fails(cipher: SeedCipher, length: int) -> None:
    blob = cipher.encrypt(SERIAL, secrets.token_bytes(16))
    with pytest.raises(SeedDecryptionError):
        cipher.decrypt(SERIAL, blob[:length])


@pytest.mark.parametrize("key", [b"", b"k" * 16, b"k" * 31, b"k" * 33])
def test_key_must_be_32_bytes(key: bytes) -> None:
    with pytest.raises(ValueError, match="32-byte"):
        SeedCipher(key)


def test_repr_hides_the_key() -> None:
    key = secrets.token_bytes(32)
    assert key.hex() not in repr(SeedCipher(key))
    assert repr(key) not in repr(SeedCipher(key))
