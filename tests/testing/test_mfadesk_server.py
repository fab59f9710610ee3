"""The `mfadesk_server` fixture of the pytest plugin, used here as any project uses it (the
guide's example runs in tests/docs/test_testing_docs.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from mfadesk.client import AdminClient, AuthenticationFailed, Forbidden
from mfadesk.otp.tokencodes import tokencode
from mfadesk.testing import MfadeskServer

SEED = "00112233445566778899aabbccddeeff"


def test_key_files_of_both_roles(mfadesk_server: MfadeskServer) -> None:
    mfadesk_server.add_user("ann@example.com", "Ann")
    mfadesk_server.add_token("000100000009", user="ann@example.com")
    helpdesk = mfadesk_server.key_file("help-desk-admin")
    assert mfadesk_server.key_file("help-desk-admin") == helpdesk  # one per role
    with AdminClient.from_key_file(helpdesk) as api:
        assert api.credentials.admin_rest_api_url == mfadesk_server.admin_url
        assert api.lookup_hardware_token("000100000009").tokenStatus == "Enabled"
        with pytest.raises(Forbidden, match="Help Desk Admin"):
            api.delete_hardware_token("000100000009")
    with AdminClient.from_key_file(mfadesk_server.key_file("super-admin")) as api:
        api.delete_hardware_token("000100000009")
    assert httpx.get(mfadesk_server.base_url + "/AdminInterface/restapi/openapi.json").is_success


def test_tokencodes_are_the_tokens(mfadesk_server: MfadeskServer) -> None:
    assert mfadesk_server.add_token("000100000010", seed=SEED) == SEED
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    expected = tokencode(bytes.fromhex(SEED), "000100000010", at)
    assert mfadesk_server.tokencode("000100000010", at) == expected
    assert mfadesk_server.tokencode("000100000010", at.timestamp()) == expected


def test_reset_forgets_callers(mfadesk_server: MfadeskServer) -> None:
    client = mfadesk_server.oauth_client("rsa.user.read", "help-desk-admin")
    assert (client.role.value, client.scopes) == ("Help Desk Admin", "rsa.user.read")
    mfadesk_server.add_user("gone@example.com")
    mfadesk_server.reset()
    assert [e.activityKey for e in mfadesk_server.audit_events()] == ["CREATE_COMPANY"]
    api = AdminClient.from_oauth_client(client.jwk_file)
    with api, pytest.raises(AuthenticationFailed) as refused:
        api.lookup_user("gone@example.com")
    assert refused.value.code == "401 invalid_client"  # the client is gone with the rest
