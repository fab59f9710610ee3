"""Seed file import: PSKC written with python-pskc, sdtid written with securid's primitives."""

from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from pskc import PSKC

from mfadesk.otp.seed_files import (
    ImportedSeed,
    Rejected,
    SeedFileError,
    load_seed_file,
    parse_seed_data,
)

SdtidBuilder = Callable[..., bytes]  # the `sdtid_builder` fixture (conftest.py)

SECURID_AES = "http://www.rsa.com/names/2008/04/algorithms/SecurID#SecurID-AES"


def random_serial() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(12))


def pskc_bytes(container: PSKC) -> bytes:
    buffer = io.BytesIO()
    container.write(buffer)
    return buffer.getvalue()


def add_securid_key(container: PSKC, **fields: object) -> None:
    values: dict[str, object] = {
        "algorithm": SECURID_AES,
        "response_length": 6,
        "response_encoding": "DECIMAL",
        "time_interval": 60,
    }
    values.update(fields)
    container.add_key(**values)  # type: ignore[arg-type]


# --- PSKC --------------------------------------------------------------------------------


def test_pskc_round_trip(tmp_path: Path) -> None:
    container = PSKC()
    expected = []
    for digits in (6, 8):
        serial, seed = random_serial(), secrets.token_bytes(16)
        expiry = datetime(2031, 5, 1, tzinfo=UTC)
        add_securid_key(
            container, serial=serial, secret=seed, response_length=digits, expiry_date=expiry
        )
        expected.append(ImportedSeed(serial, seed, digits, 60, date(2031, 5, 1)))
    # a key that only carries its serial as the key Id, short form
    seed = secrets.token_bytes(16)
    add_securid_key(container, id="123456789", secret=seed, time_interval=30)
    expected.append(ImportedSeed("000123456789", seed, 6, 30, None))
    path = tmp_path / "tokens.pskcxml"
    container.write(str(path))

    contents = load_seed_file(path)

    assert contents.format == "pskc"
    assert contents.rejected == ()
    assert list(contents.seeds) == expected


def test_pskc_with_password(tmp_path: Path) -> None:
    container = PSKC()
    serial, seed = random_serial(), secrets.token_bytes(16)
    add_securid_key(container, serial=serial, secret=seed)
    container.encryption.setup_pbkdf2("correct horse", iterations=1000)
    path = tmp_path / "protected.xml"
    container.write(str(path))

    assert load_seed_file(path, "correct horse").seeds[0].seed == seed

    [missing] = load_seed_file(path).rejected
    assert missing.serial_or_position == serial
    assert "password was not given" in missing.reason

    [wrong] = load_seed_file(path, "wrong").rejected
    assert "cannot be decrypted" in wrong.reason


def test_pskc_with_preshared_key() -> None:
    key = secrets.token_bytes(16)
    container = PSKC()
    seed = secrets.token_bytes(16)
    add_securid_key(container, serial=random_serial(), secret=seed)
    container.encryption.setup_preshared_key(key=key)
    data = pskc_bytes(container)

    assert parse_seed_data(data, pskc_key=key).seeds[0].seed == seed
    [rejected] = parse_seed_data(data, "a password").rejected
    assert "pre-shared key was not given" in rejected.reason


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"secret": None}, "no secret"),
        ({"secret": secrets.token_bytes(20)}, "20 bytes"),
        ({"algorithm": "urn:ietf:params:xml:ns:keyprov:pskc:hotp"}, "unsupported algorithm"),
        ({"algorithm": SECURID_AES + "-Counter"}, "unsupported algorithm"),
        ({"algorithm": None}, "unsupported algorithm"),
        ({"response_length": 4}, "4-digit"),
        ({"response_encoding": "ALPHANUMERIC"}, "response encoding"),
        ({"time_interval": 120}, "120-second"),
        ({"serial": "SN-42"}, "not 1 to 12 digits"),
    ],
)
def test_pskc_rejections(fields: dict[str, object], reason: str) -> None:
    container = PSKC()
    good_serial = random_serial()
    add_securid_key(container, serial=good_serial, secret=secrets.token_bytes(16))
    add_securid_key(container, **{"serial": random_serial(), "secret": b"x" * 16, **fields})

    contents = parse_seed_data(pskc_bytes(container))

    assert [seed.serial for seed in contents.seeds] == [good_serial]
    [rejected] = contents.rejected
    assert reason in rejected.reason


def test_pskc_key_without_serial_is_named_by_position() -> None:
    container = PSKC()
    add_securid_key(container, secret=secrets.token_bytes(16))
    assert parse_seed_data(pskc_bytes(container)).rejected == (
        Rejected("key 1", "no serial number"),
    )


def test_pskc_duplicate_serial_is_rejected() -> None:
    container = PSKC()
    serial = random_serial()
    add_securid_key(container, serial=serial, secret=secrets.token_bytes(16))
    add_securid_key(container, serial=serial, secret=secrets.token_bytes(16))
    contents = parse_seed_data(pskc_bytes(container))
    assert len(contents.seeds) == 1
    assert contents.rejected == (Rejected(serial, "serial number appears twice in the file"),)


def test_imported_seed_repr_hides_the_seed() -> None:
    seed = secrets.token_bytes(16)
    assert seed.hex() not in repr(ImportedSeed("000123456789", seed, 6, 60, None))
    assert repr(seed) not in repr(ImportedSeed("000123456789", seed, 6, 60, None))


# --- sdtid -------------------------------------------------------------------------------


def test_sdtid_batch_round_trip(sdtid_builder: SdtidBuilder, tmp_path: Path) -> None:
    tokens = [(random_serial(), secrets.token_bytes(16)) for _ in range(3)]
    path = tmp_path / "batch.sdtid"
    path.write_bytes(sdtid_builder(tokens))

    contents = load_seed_file(path)

    assert contents.format == "sdtid"
    assert contents.rejected == ()
    assert list(contents.seeds) == [
        ImportedSeed(serial, seed, 6, 60, date(2035, 12, 31)) for serial, seed in tokens
    ]


def test_sdtid_password(sdtid_builder: SdtidBuilder) -> None:
    serial, seed = random_serial(), secrets.token_bytes(16)
    data = sdtid_builder([(serial, seed)], password="open sesame")

    assert parse_seed_data(data, "open sesame").seeds[0].seed == seed
    assert "may need a password" in parse_seed_data(data).rejected[0].reason
    assert "wrong password" in parse_seed_data(data, "nope").rejected[0].reason


def test_sdtid_tampered_seed_fails_its_mac(sdtid_builder: SdtidBuilder) -> None:
    tokens = [(random_serial(), secrets.token_bytes(16)) for _ in range(2)]
    root = ET.fromstring(sdtid_builder(tokens))
    seed_element = root.findall("TKN")[1].find("Seed")
    assert seed_element is not None and seed_element.text is not None
    encrypted = bytearray(base64.b64decode(seed_element.text.lstrip("=")))
    encrypted[0] ^= 0x01
    seed_element.text = "=" + base64.b64encode(encrypted).decode()

    contents = parse_seed_data(ET.tostring(root))

    assert [seed.serial for seed in contents.seeds] == [tokens[0][0]]
    [rejected] = contents.rejected
    assert rejected.serial_or_position == tokens[1][0]
    assert "MAC check failed" in rejected.reason


def test_sdtid_unsupported_digits_are_rejected(sdtid_builder: SdtidBuilder) -> None:
    data = sdtid_builder(
        [(random_serial(), secrets.token_bytes(16))], header_extra={"DefDigits": "4"}
    )
    [rejected] = parse_seed_data(data).rejected
    assert "4-digit" in rejected.reason


# --- format detection and malformed files -------------------------------------------------


def test_format_is_detected_by_content(sdtid_builder: SdtidBuilder, tmp_path: Path) -> None:
    container = PSKC()
    add_securid_key(container, serial=random_serial(), secret=secrets.token_bytes(16))
    misnamed_pskc = tmp_path / "looks-like.sdtid"
    misnamed_pskc.write_bytes(pskc_bytes(container))
    misnamed_sdtid = tmp_path / "looks-like.pskcxml"
    misnamed_sdtid.write_bytes(sdtid_builder([(random_serial(), secrets.token_bytes(16))]))

    assert load_seed_file(misnamed_pskc).format == "pskc"
    assert load_seed_file(misnamed_sdtid).format == "sdtid"


MALFORMED = {
    "empty": b"",
    "blank": b"  \n",
    "binary": bytes(range(256)),
    "text": b"286510182209303756117707012447003320623006",
    "truncated": b"<?xml version='1.0'?><TKNBatch><TKNHeader>",
    "html": b"<html><body>seeds</body></html>",
    "dtd": (
        b"<?xml version='1.0'?><!DOCTYPE TKNBatch [<!ENTITY lol 'lol'>]>"
        b"<TKNBatch><TKNHeader>&lol;</TKNHeader></TKNBatch>"
    ),
    "external entity": (
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
        b"<KeyContainer>&e;</KeyContainer>"
    ),
    "sdtid without tokens": b"<TKNBatch><TKNHeader><Origin>x</Origin></TKNHeader></TKNBatch>",
    "pskc without keys": b'<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc"/>',
    "pskc of another version": (
        b'<KeyContainer xmlns="urn:ietf:params:xml:ns:keyprov:pskc" Version="2.0"/>'
    ),
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_files_raise_seed_file_error(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "seeds.sdtid"
    path.write_bytes(content)
    with pytest.raises(SeedFileError) as raised:
        load_seed_file(path)
    message = str(raised.value)
    assert message.startswith("Seed file 'seeds.sdtid' ")
    assert message.endswith(".")
    assert "\n" not in message


def test_missing_file_raises_seed_file_error(tmp_path: Path) -> None:
    with pytest.raises(SeedFileError, match="cannot be read"):
        load_seed_file(tmp_path / "absent.sdtid")


def test_malformed_token_entry_is_rejected_not_fatal(sdtid_builder: SdtidBuilder) -> None:
    serial, seed = random_serial(), secrets.token_bytes(16)
    data = sdtid_builder([(serial, seed)]).replace(b"</TKNBatch>", b"<TKN/></TKNBatch>")
    contents = parse_seed_data(data)
    assert [imported.serial for imported in contents.seeds] == [serial]
    assert contents.rejected == (Rejected("token 2", "malformed token entry"),)
