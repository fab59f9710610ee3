"""RADIUS packets on the wire (RFC 2865, RFC 3579 §3.2, RFC 5080), through ``pyrad``.

What is read from an Access-Request, what makes one malformed (dropped, never answered), and
how a reply is built: Message-Authenticator first (the "Blast-RADIUS" hardening), the request's
Proxy-State attributes copied in order, the Response Authenticator over it all. The hashing
itself is pyrad's; the tests check it against FreeRADIUS's ``radclient``.
"""

from __future__ import annotations

import io
import struct
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.resources import files

from pyrad.dictionary import Dictionary
from pyrad.packet import AccessRequest, AuthPacket, PacketError

from mfadesk.services.radius_clients import KnownClient

ACCESS_ACCEPT, ACCESS_REJECT, ACCESS_CHALLENGE = 2, 3, 11
MIN_LENGTH, MAX_LENGTH = 20, 4096  # RFC 2865 §3
HEADER = struct.Struct("!BBH16s")
MESSAGE_AUTHENTICATOR = 80
MAX_PASSWORD_BYTES = 128  # RFC 2865 §5.2: 16 to 128 octets, a multiple of 16
MAX_NAME_BYTES = 253

DICTIONARY = Dictionary(io.StringIO(files("mfadesk.radius").joinpath("dictionary").read_text()))


class Malformed(Exception):
    """Dropped without an answer. The text names what was wrong, never a value."""


class Credential(StrEnum):
    """What the request proves the user with. Only PAP carries a password we can check."""

    PAP = "PAP"
    CHAP = "CHAP"
    MS_CHAP = "MS-CHAP"
    EAP = "EAP"


@dataclass(frozen=True, slots=True)
class Header:
    code: int
    identifier: int
    length: int
    authenticator: bytes


def read_header(data: bytes) -> Header:
    """The fixed header, checked before a client is looked up."""
    if not MIN_LENGTH <= len(data) <= MAX_LENGTH:
        raise Malformed("datagram shorter than 20 or longer than 4096 bytes")
    code, identifier, length, authenticator = HEADER.unpack_from(data)
    if not MIN_LENGTH <= length <= len(data):
        raise Malformed("Length field outside the datagram")
    if code != AccessRequest:
        raise Malformed(f"packet code {code} (only Access-Request is served)")
    return Header(code, identifier, length, authenticator)


@dataclass(frozen=True, slots=True)
class AccessRequestPacket:
    """A verified Access-Request. ``password`` is the decoded User-Password (PAP): never in a
    log line, a repr or an exception."""

    packet: AuthPacket = field(repr=False)
    header: Header
    user_name: str
    credential: Credential
    password: str = field(repr=False)
    state: bytes | None
    nas_identifier: str | None


def _raw(packet: AuthPacket, code: int) -> list[bytes]:
    values: list[bytes] = OrderedDict.get(packet, code, [])
    return values


def _one(packet: AuthPacket, name: str, code: int) -> bytes | None:
    values = _raw(packet, code)
    if len(values) > 1:
        raise Malformed(f"{name} more than once")
    return values[0] if values else None


def _text(value: bytes | None, name: str) -> str | None:
    if value is None:
        return None
    text = value.rstrip(b"\x00")  # some clients pad names with NULs
    if b"\x00" in text:
        raise Malformed(f"{name} holds a NUL character")
    return text.decode("utf-8", errors="replace")


def _credential(packet: AuthPacket) -> Credential:
    if "EAP-Message" in packet:
        return Credential.EAP
    if "MS-CHAP-Response" in packet or "MS-CHAP2-Response" in packet:
        return Credential.MS_CHAP
    if "CHAP-Password" in packet:
        return Credential.CHAP
    return Credential.PAP


def parse_request(data: bytes, header: Header, client: KnownClient) -> AccessRequestPacket:
    """Decode and authenticate an Access-Request from ``client``; `Malformed` if it must be
    dropped: undecodable, a Message-Authenticator that is wrong (or missing where the client
    requires one), a User-Password of a length no client sends."""
    try:
        packet = AuthPacket(packet=data, dict=DICTIONARY, secret=client.secret)
    except (PacketError, KeyError, ValueError, UnicodeDecodeError, struct.error):
        raise Malformed("undecodable attributes") from None
    authenticator = _one(packet, "Message-Authenticator", MESSAGE_AUTHENTICATOR)
    if authenticator is None:
        if client.client.require_message_authenticator:
            raise Malformed("no Message-Authenticator (the client requires one)")
    elif len(authenticator) != 16 or not packet.verify_message_authenticator():
        raise Malformed("wrong Message-Authenticator (wrong shared secret?)")
    hidden = _one(packet, "User-Password", 2)
    credential = _credential(packet)
    password = ""
    if hidden is not None and credential is Credential.PAP:
        if not 16 <= len(hidden) <= MAX_PASSWORD_BYTES or len(hidden) % 16:
            raise Malformed("User-Password of a length RFC 2865 does not allow")
        password = packet.PwDecrypt(hidden)
    name = _one(packet, "User-Name", 1)
    state = _one(packet, "State", 24)
    return AccessRequestPacket(
        packet=packet,
        header=header,
        user_name=_text(name, "User-Name") or "",
        credential=credential,
        password=password,
        state=state,
        nas_identifier=_text(_one(packet, "NAS-Identifier", 32), "NAS-Identifier"),
    )


def build_reply(
    request: AccessRequestPacket, code: int, message: str | None, state: bytes | None = None
) -> bytes:
    """The reply: Message-Authenticator first, Proxy-State copied in order (pyrad's
    ``CreateReply``), then Reply-Message and State; the Response Authenticator over it all."""
    reply = request.packet.CreateReply()
    reply.code = code
    if message is not None:
        reply.AddAttribute("Reply-Message", message)
    if state is not None:
        reply.AddAttribute("State", state)
    raw: bytes = reply.ReplyPacket()
    return raw
