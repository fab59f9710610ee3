"""Token seed files: RSA ``.sdtid`` XML (via ``securid``) and PSKC, RFC 6030 (via ``pskc``)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from xml.etree import ElementTree as ET
from xml.parsers import expat

from pskc import PSKC
from pskc.exceptions import PSKCError
from pskc.key import Key
from securid import Token
from securid.exceptions import InvalidSeed, InvalidSignature, ParseException
from securid.sdtid import SdtidFile

from mfadesk.otp.tokencodes import (
    SEED_LENGTH,
    SUPPORTED_DIGITS,
    SUPPORTED_INTERVALS,
    normalize_serial,
)

MAX_SEED_FILE_BYTES = 32 * 1024 * 1024

SeedFileFormat = Literal["sdtid", "pskc"]

# securid's sdtid code trusts its input; malformed tokens surface as any of these.
_SDTID_ERRORS = (
    ParseException,
    InvalidSeed,
    AttributeError,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
)


class SeedFileError(Exception):
    """The seed file as a whole cannot be read; the message is one human sentence."""


@dataclass(frozen=True, slots=True)
class ImportedSeed:
    """One token seed read from a seed file (serial normalised to 12 digits)."""

    serial: str
    seed: bytes = field(repr=False)
    digits: int
    interval: int
    expiry: date | None


@dataclass(frozen=True, slots=True)
class Rejected:
    """A token of the file that was not imported, and why."""

    serial_or_position: str
    reason: str
    missing: str | None = None  # "password" / "pre-shared key": with it, it may be imported


@dataclass(frozen=True, slots=True)
class SeedFileContents:
    """What a seed file held: importable seeds and rejected entries."""

    format: SeedFileFormat
    seeds: tuple[ImportedSeed, ...]
    rejected: tuple[Rejected, ...]

    @property
    def missing_secret(self) -> str | None:
        """The secret ("password", "pre-shared key") entries were rejected for want of."""
        return next((r.missing for r in self.rejected if r.missing), None)


def load_seed_file(
    path: str | os.PathLike[str], password: str | None = None, *, pskc_key: bytes | None = None
) -> SeedFileContents:
    """Read a ``.sdtid`` or PSKC file, detecting the format from its content.

    ``password`` decrypts a password-protected sdtid file or a PBKDF2-protected PSKC
    file; ``pskc_key`` is the pre-shared transport key of a PSKC file.
    """
    name = f"Seed file {os.path.basename(path)!r}"
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_SEED_FILE_BYTES + 1)
    except OSError as error:
        raise SeedFileError(f"{name} cannot be read ({error.strerror}).") from None
    return parse_seed_data(data, password, pskc_key=pskc_key, name=name)


def parse_seed_data(
    data: bytes,
    password: str | None = None,
    *,
    pskc_key: bytes | None = None,
    name: str = "The seed file",
) -> SeedFileContents:
    """Like :func:`load_seed_file`, for content already in memory (e.g. an upload)."""
    if len(data) > MAX_SEED_FILE_BYTES:
        raise SeedFileError(f"{name} is larger than {MAX_SEED_FILE_BYTES // 2**20} MiB.")
    root_namespace, root_name = _check_xml(data, name)
    if root_name == "TKNBatch" and not root_namespace:
        return _read_sdtid(data, password, name)
    if root_name in ("KeyContainer", "SecretContainer"):
        return _read_pskc(data, password, pskc_key, name)
    raise SeedFileError(
        f"{name} is neither an RSA .sdtid file nor a PSKC file (root element <{root_name}>)."
    )


def _check_xml(data: bytes, name: str) -> tuple[str, str]:
    """Check well-formedness without DTDs (no entity tricks); return the root's name."""
    if not data.strip():
        raise SeedFileError(f"{name} is empty.")
    parser = expat.ParserCreate(namespace_separator=" ")
    root: list[str] = []

    def refuse_dtd(*_: object) -> None:
        raise SeedFileError(f"{name} contains a DTD, which seed files never need.")

    def start(tag: str, _attributes: object) -> None:
        if not root:
            root.append(tag)

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise SeedFileError(
            f"{name} is not well-formed XML ({expat.errors.messages[error.code]}"
            f" at line {error.lineno}, column {error.offset})."
        ) from None
    namespace, _, local = root[0].rpartition(" ")
    return namespace, local


def _validated(
    where: str,
    serial: str | None,
    *,
    seed: bytes | None,
    digits: int,
    interval: int,
    expiry: date | None,
) -> ImportedSeed | Rejected:
    if not serial:
        return Rejected(where, "no serial number")
    try:
        serial = normalize_serial(serial)
    except ValueError:
        return Rejected(where, f"serial number {serial!r} is not 1 to 12 digits")
    if not seed:
        return Rejected(serial, "no secret (seed)")
    if len(seed) != SEED_LENGTH:
        return Rejected(
            serial, f"secret is {len(seed)} bytes; a SecurID AES seed is {SEED_LENGTH} bytes"
        )
    if digits not in SUPPORTED_DIGITS:
        return Rejected(serial, f"{digits}-digit tokencodes are not supported")
    if interval not in SUPPORTED_INTERVALS:
        return Rejected(serial, f"a {interval}-second interval is not supported")
    return ImportedSeed(serial, seed, digits, interval, expiry)


def _collect(
    file_format: SeedFileFormat, results: list[ImportedSeed | Rejected]
) -> SeedFileContents:
    seeds: list[ImportedSeed] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for result in results:
        if isinstance(result, Rejected):
            rejected.append(result)
        elif result.serial in seen:
            rejected.append(Rejected(result.serial, "serial number appears twice in the file"))
        else:
            seen.add(result.serial)
            seeds.append(result)
    return SeedFileContents(file_format, tuple(seeds), tuple(rejected))


# --- RSA .sdtid -------------------------------------------------------------------------


class _SdtidToken(SdtidFile):
    """One ``<TKN>`` of a batch, for securid's ``SdtidFile`` (which only opens paths and
    reads single-token files).

    The header and token MACs cover their own sections, so a batch can be split per token.
    """

    def __init__(
        self, header: ET.Element, token: ET.Element, password_hashes: dict[tuple[str, ...], bytes]
    ) -> None:
        batch = ET.Element("TKNBatch")
        batch.extend((header, token))
        self.filename = "<memory>"
        self.values = self.xml_to_dict(batch)
        self.token = Token(serial=self.get("SN") or "")
        self._password_hashes = password_hashes

    # The password hash (1000 AES-CBC passes) only depends on header fields: do it once.
    def hash_password(self, password: str, salt0: str, salt1: str) -> bytes:  # type: ignore[override]
        key = (password, salt0, salt1)
        if key not in self._password_hashes:
            self._password_hashes[key] = SdtidFile.hash_password(password, salt0, salt1)
        return self._password_hashes[key]


def _read_sdtid(data: bytes, password: str | None, name: str) -> SeedFileContents:
    # _check_xml has refused DTDs, so there are no entities to expand.
    root = ET.fromstring(data)  # noqa: S314
    header = root.find("TKNHeader")
    tokens = root.findall("TKN")
    if header is None or not tokens:
        raise SeedFileError(f"{name} is an .sdtid file without a TKNHeader or any TKN.")
    password_hashes: dict[tuple[str, ...], bytes] = {}
    results: list[ImportedSeed | Rejected] = []
    for position, element in enumerate(tokens, start=1):
        results.append(_sdtid_token(header, element, password, password_hashes, position))
    return _collect("sdtid", results)


def _sdtid_token(
    header: ET.Element,
    element: ET.Element,
    password: str | None,
    password_hashes: dict[tuple[str, ...], bytes],
    position: int,
) -> ImportedSeed | Rejected:
    where = f"token {position}"
    try:
        document = _SdtidToken(header, element, password_hashes)
        serial: str | None = document.get("SN")
        where = serial or where
        death = document.get("Death")
        expiry: date | None = document.get("Death", kind="date") if death else None
        digits: int = document.get("Digits", default=6, kind="int")
        interval: int = document.get("Interval", default=60, kind="int")
    except _SDTID_ERRORS:
        return Rejected(where, "malformed token entry")
    if not serial:
        return Rejected(where, "no serial number (SN)")
    try:
        seed = document.get_token(password).seed
    except InvalidSignature:
        if password:
            return Rejected(where, "MAC check failed (wrong password?)")
        return Rejected(where, "MAC check failed (the file may need a password)", "password")
    except _SDTID_ERRORS:
        return Rejected(where, "the seed cannot be decrypted (malformed token entry)")
    return _validated(where, serial, seed=seed, digits=digits, interval=interval, expiry=expiry)


# --- PSKC (RFC 6030) --------------------------------------------------------------------


def _read_pskc(
    data: bytes, password: str | None, pskc_key: bytes | None, name: str
) -> SeedFileContents:
    try:
        container = PSKC(io.BytesIO(data))
    except (PSKCError, ValueError) as error:
        raise SeedFileError(f"{name} is not a valid PSKC file ({error}).") from None
    if not container.keys:
        raise SeedFileError(f"{name} is a PSKC file without any key.")
    encryption = container.encryption
    if pskc_key is not None:
        encryption.key = pskc_key
    elif password is not None and encryption.derivation.algorithm:
        try:
            encryption.derive_key(password)
        except (PSKCError, ValueError) as error:
            raise SeedFileError(f"{name} names a key derivation that fails ({error}).") from None
    results = [_pskc_key(key, position) for position, key in enumerate(container.keys, 1)]
    return _collect("pskc", results)


def _pskc_key(key: Key, position: int) -> ImportedSeed | Rejected:
    serial: str | None = key.serial or key.id
    where = serial or f"key {position}"
    algorithm: str = key.algorithm or ""
    # RSA has used several URI prefixes (rsa.com/names/2008/04/…, rsasecurity.com/…/otps-wst);
    # the fragment names the algorithm. SecurID-AES-Counter (event-based) is not time-based.
    if algorithm.rpartition("#")[2].lower() != "securid-aes":
        return Rejected(where, f"unsupported algorithm {algorithm or '(none)'!r}")
    encoding = key.response_encoding
    if encoding and encoding.upper() != "DECIMAL":
        return Rejected(where, f"unsupported response encoding {encoding!r}")
    try:
        secret: bytes | None = key.secret
        interval: int = key.time_interval or 60
    except PSKCError as error:
        encryption = key.device.pskc.encryption
        if encryption.key is None:
            needed = "password" if encryption.derivation.algorithm else "pre-shared key"
            reason = f"the secret is encrypted and the {needed} was not given"
            return Rejected(where, reason, needed)
        return Rejected(where, f"the secret cannot be decrypted (wrong password or key?): {error}")
    expiry_time: datetime | None = key.expiry_date or key.policy.expiry_date
    expiry = expiry_time.date() if expiry_time else None
    digits = key.response_length or 6
    return _validated(where, serial, seed=secret, digits=digits, interval=interval, expiry=expiry)
