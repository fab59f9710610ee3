"""Shared helpers for the OTP tests: the ``stoken`` oracle and an sdtid writer."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from securid.sdtid import BATCH_MAC_IV, TOKEN_ENC_IV, TOKEN_MAC_IV, SdtidFile, SessionHash

StokenRunner = Callable[..., str]
SdtidBuilder = Callable[..., bytes]


@pytest.fixture
def stoken(tmp_path: Path) -> StokenRunner:
    """Run Debian's ``stoken`` with a private HOME; skip (or fail on CI) when absent."""
    executable = shutil.which("stoken")
    if executable is None:
        message = "stoken is not installed (apt-get install -y stoken)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path / "stoken-home"
    home.mkdir()

    def run(*args: str) -> str:
        result = subprocess.run(
            [executable, *args, "--batch"],
            env={"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, f"stoken {args[0]} failed: {result.stderr.strip()}"
        return result.stdout

    return run


@pytest.fixture
def sdtid_builder() -> SdtidBuilder:
    """See :func:`build_sdtid`."""
    return build_sdtid


def _mac(section: str, fields: dict[str, str], key: bytes, iv: bytes) -> str:
    session = SessionHash()
    session.recursive_hash(section, fields)
    return base64.b64encode(session.compute_hash(key, iv)).decode()


def build_sdtid(
    tokens: Sequence[tuple[str, bytes]],
    *,
    password: str | None = None,
    origin: str = "mfadesk-test",
    header_extra: dict[str, str] | None = None,
) -> bytes:
    """An RSA .sdtid batch holding ``(serial, seed)`` tokens, made with securid's primitives.

    securid has no sdtid writer; its decryption steps are XOR/CBC-MAC based, so the
    same classmethods run "backwards" encrypt. MACs cover header and each token.
    """
    dest, name = "mfadesk", "test-batch"
    batch_key = os.urandom(16)
    password_hash = SdtidFile.hash_password(password or origin, dest, name)
    secret = SdtidFile.decrypt_secret(batch_key, name, password_hash)  # type: ignore[arg-type]
    header = {
        "Version": "0",
        "Origin": origin,
        "Dest": dest,
        "Name": name,
        "Secret": base64.b64encode(secret).decode(),
        "DefDigits": "6",
        "DefInterval": "60",
        "DefDeath": "2035/12/31",
        **(header_extra or {}),
    }
    header_key = SdtidFile.calc_key("BatchMAC", name, batch_key, BATCH_MAC_IV)
    header["HeaderMAC"] = _mac("TKNHeader", header, header_key, BATCH_MAC_IV)
    root = ET.Element("TKNBatch")
    _add_fields(ET.SubElement(root, "TKNHeader"), header)
    for serial, seed in tokens:
        seed_key = SdtidFile.calc_key("TokenEncrypt", serial, batch_key, TOKEN_ENC_IV)
        encrypted = SdtidFile.decrypt_enc_seed(seed, serial, seed_key)
        token = {"SN": serial, "Seed": "=" + base64.b64encode(encrypted).decode()}
        token_key = SdtidFile.calc_key("TokenMAC", serial, batch_key, TOKEN_MAC_IV)
        token["TokenMAC"] = _mac("TKN", token, token_key, TOKEN_MAC_IV)
        _add_fields(ET.SubElement(root, "TKN"), token)
    # stoken insists on a trailer; nobody checks its RSA signature.
    _add_fields(ET.SubElement(root, "TKNTrailer"), {"BatchSignature": "", "BatchCertificate": ""})
    return b'<?xml version="1.0"?>\n' + ET.tostring(root)


def _add_fields(parent: ET.Element, fields: dict[str, str]) -> None:
    for tag, text in fields.items():
        ET.SubElement(parent, tag).text = text
