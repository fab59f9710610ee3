"""Loading the key file: from a path, a dict or MFADESK_KEY_FILE; refusing what is not one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mfadesk.client import AdminClient, AsyncAdminClient, Credentials, KeyFileError
from tests.conftest import Stack
from tests.support.sdk import key_file_contents, write_key_file


def test_from_key_file_and_from_env(stack: Stack, tmp_path: Path) -> None:
    path = write_key_file(stack, tmp_path, "helpdesk")
    with AdminClient.from_key_file(path) as api:
        assert api.lookup_user("bob@acme.example").firstName == "Bob"
        assert api.credentials.access_id == stack.admin("helpdesk").access_id
    with AdminClient.from_env({"MFADESK_KEY_FILE": str(path)}) as api:
        assert api.lookup_user("bob@acme.example").lastName == "Test"


async def test_async_from_key_file(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFADESK_KEY_FILE", str(write_key_file(stack, tmp_path)))
    async with AsyncAdminClient.from_env() as api:
        assert (await api.lookup_user("dave@acme.example")).firstName == "Dave"


def test_credentials_never_show_the_private_key(stack: Stack) -> None:
    credentials = Credentials.from_dict(key_file_contents(stack))
    assert "PRIVATE" not in repr(credentials)
    assert credentials.admin_rest_api_url == stack.audience


def _ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"accessKey": None}, "accessKey"),
        ({"accessID": None}, "accessID"),
        ({"accessKey": "not a key"}, "not an unencrypted PEM private key"),
        ({"accessKey": "EC"}, "not an RSA private key"),
        ({"adminRestApiUrl": "ftp://x/"}, r"not an http\(s\) URL"),
    ],
)
def test_broken_key_files_are_key_file_errors(
    stack: Stack, tmp_path: Path, change: dict[str, str | None], message: str
) -> None:
    contents = key_file_contents(stack)
    for name, value in change.items():
        if value is None:
            del contents[name]
        else:
            contents[name] = _ec_pem() if value == "EC" else value
    path = tmp_path / "broken.key"
    path.write_text(json.dumps(contents))
    with pytest.raises(KeyFileError, match=message) as broken:
        AdminClient.from_key_file(path)
    assert "PRIVATE KEY" not in str(broken.value)
    assert str(path) in str(broken.value)


def test_unreadable_key_files(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot read"):
        Credentials.from_key_file(tmp_path / "missing.key")
    (tmp_path / "text.key").write_text("hello")
    with pytest.raises(KeyFileError, match="not JSON"):
        Credentials.from_key_file(tmp_path / "text.key")
    (tmp_path / "list.key").write_text("[]")
    with pytest.raises(KeyFileError, match="not a JSON object"):
        Credentials.from_key_file(tmp_path / "list.key")
    with pytest.raises(KeyFileError, match="MFADESK_KEY_FILE is not set"):
        Credentials.from_env({})
