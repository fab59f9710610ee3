"""Cross-checks against Debian's ``stoken`` (an independent C implementation).

stoken is asked for the code at a fixed moment with
``stoken tokencode --token=<CTF> --use-time=<unix seconds> --force --batch``
(``--force`` because test tokens may be "expired"), or ``--file=<sdtid>`` for sdtid files.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from securid import Token
from securid.stoken import StokenFile

from mfadesk.otp.seed_files import load_seed_file
from mfadesk.otp.tokencodes import tokencode

StokenRunner = Callable[..., str]  # the `stoken` fixture (conftest.py)
SdtidBuilder = Callable[..., bytes]  # the `sdtid_builder` fixture

TIMES = [0, 239, 240, 978310861, 1700000000, 1700000059, 1700000060, 2147483647]


def random_serial() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(12))


def sample_times() -> list[int]:
    rng = random.Random()
    return TIMES + [rng.randrange(0, 2**31) for _ in range(4)]


def ctf_string(seed: bytes, serial: str, digits: int, interval: int) -> str:
    """The 81-digit CTF token string stoken imports (encoded by securid's stoken writer)."""
    token = Token(
        serial=serial, seed=seed, digits=digits, interval=interval, exp_date=date(2040, 1, 1)
    )
    ctf = StokenFile(token=token)
    ctf.v2_encode_token()
    assert ctf.data is not None
    return ctf.data.decode("ascii")


@pytest.mark.parametrize(("digits", "interval"), [(8, 60), (6, 60), (8, 30)])
def test_codes_match_stoken(stoken: StokenRunner, digits: int, interval: int) -> None:
    seed, serial = secrets.token_bytes(16), random_serial()
    ctf = ctf_string(seed, serial, digits, interval)
    for at in sample_times():
        expected = stoken("tokencode", f"--token={ctf}", f"--use-time={at}", "--force").strip()
        assert tokencode(seed, serial, at, digits=digits, interval=interval) == expected, at
        if digits == 8:
            assert tokencode(seed, serial, at, interval=interval) == expected[-6:]


def test_public_vector_matches_stoken(stoken: StokenRunner) -> None:
    seed = bytes.fromhex("0f3f7439c2f122e0443ca8ea9bc263a7")
    ctf = ctf_string(seed, "530965299048", 8, 60)
    output = stoken("tokencode", f"--token={ctf}", "--use-time=1700000000", "--force")
    assert output.strip() == "19602005"


@pytest.mark.parametrize("password", [None, "s3cret pass"])
def test_sdtid_exported_by_stoken_round_trips(
    stoken: StokenRunner, tmp_path: Path, password: str | None
) -> None:
    seed, serial = secrets.token_bytes(16), random_serial()
    args = ["export", "--sdtid", f"--token={ctf_string(seed, serial, 8, 60)}"]
    if password:
        args.append(f"--new-password={password}")
    path = tmp_path / "exported.sdtid"
    path.write_text(stoken(*args))

    contents = load_seed_file(path, password)

    assert contents.rejected == ()
    [imported] = contents.seeds
    assert (imported.serial, imported.seed, imported.digits) == (serial, seed, 8)


def test_sdtid_issued_by_stoken_gives_stoken_codes(stoken: StokenRunner, tmp_path: Path) -> None:
    """stoken picks the seed; we parse its sdtid file and must compute its codes."""
    serial = random_serial()
    template = tmp_path / "template.sdtid"
    template.write_text(
        "<?xml version='1.0'?><TKNBatch><TKNHeader><DefDigits>6</DefDigits>"
        "<DefAddPIN>0</DefAddPIN><DefDeath>2035/01/31</DefDeath></TKNHeader>"
        f"<TKN><SN>{serial}</SN></TKN></TKNBatch>"
    )
    path = tmp_path / "issued.sdtid"
    path.write_text(stoken("issue", f"--template={template}", "--new-password=pw"))

    [imported] = load_seed_file(path, "pw").seeds

    assert (imported.serial, imported.digits, imported.expiry) == (serial, 6, date(2035, 1, 31))
    for at in sample_times():
        expected = stoken(
            "tokencode", f"--file={path}", "--password=pw", f"--use-time={at}", "--force"
        ).strip()
        assert tokencode(imported.seed, imported.serial, at) == expected, at


def test_stoken_reads_the_test_sdtid_writer(
    stoken: StokenRunner, sdtid_builder: SdtidBuilder, tmp_path: Path
) -> None:
    """Validates the helper the multi-token sdtid tests rely on."""
    seed, serial = secrets.token_bytes(16), random_serial()
    path = tmp_path / "built.sdtid"
    path.write_bytes(sdtid_builder([(serial, seed)], password="pw"))
    output = stoken(
        "tokencode", f"--file={path}", "--password=pw", "--use-time=1700000000", "--force"
    )
    assert output.strip() == tokencode(seed, serial, 1700000000)
