"""The store's half of "one credential, one PIN": a PIN is written only where none is."""

from __future__ import annotations

from mfadesk.domain.pins import StoredPin
from mfadesk.domain.securid_credentials import CredentialKind
from tests.conftest import Stack
from tests.support.authn import credential
from tests.support.tenant import CREDENTIAL_DAVE, TOKEN_ALICE


def test_a_pin_is_set_only_on_a_credential_without_one(stack: Stack) -> None:
    first, second = StoredPin(b"a" * 16, b"A" * 32), StoredPin(b"b" * 16, b"B" * 32)
    for kind, user, serial in (
        (CredentialKind.SID700, "alice", TOKEN_ALICE),
        (CredentialKind.DS100, "dave", CREDENTIAL_DAVE),
    ):
        with stack.db.unit_of_work() as uow:
            assert uow.securid_credentials.set_pin(kind, serial, first)
            assert not uow.securid_credentials.set_pin(kind, serial, second)
        assert credential(stack, user, serial).pin == first
