"""Identity sources' secret settings are sealed for one source under one key."""

from __future__ import annotations

import pytest

from mfadesk.otp.secret_key import ServerKeys
from mfadesk.otp.source_secrets import SourceSecrets, SourceSecretsError

KEYS = ServerKeys.from_master(b"m" * 32)


def test_sealed_secrets_open_only_for_their_source_and_key() -> None:
    box = SourceSecrets(KEYS.source_secrets)
    sealed = box.seal("source-1", {"bindPassword": "s3cret"})
    assert b"s3cret" not in sealed
    assert box.open("source-1", sealed) == {"bindPassword": "s3cret"}
    assert box.seal("source-1", {"bindPassword": "s3cret"}) != sealed  # a fresh nonce each time
    for source, key, blob in (
        ("source-2", KEYS.source_secrets, sealed),
        ("source-1", KEYS.seed_encryption, sealed),
        ("source-1", KEYS.source_secrets, sealed[:-1] + bytes([sealed[-1] ^ 1])),
        ("source-1", KEYS.source_secrets, b"\x02" + sealed[1:]),
    ):
        with pytest.raises(SourceSecretsError):
            SourceSecrets(key).open(source, blob)
    assert "s3cret" not in repr(box) and len({KEYS.source_secrets, KEYS.seed_encryption}) == 2
