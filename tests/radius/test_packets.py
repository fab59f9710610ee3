"""What `radius.packets` makes of a request's credential attributes (radclient drives CHAP and
PAP end to end; EAP and MS-CHAP here, built with pyrad), and that a password never shows in a
request's repr."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pyrad.packet import AuthPacket

from mfadesk.domain.radius_clients import RadiusClient, parse_network
from mfadesk.radius.packets import (
    DICTIONARY,
    Credential,
    Malformed,
    parse_request,
    read_header,
)
from mfadesk.services.radius_clients import KnownClient

SECRET = b"packets-test-secret"
CLIENT = KnownClient(
    RadiusClient("id", "c", "vpn", parse_network("127.0.0.1"), True, datetime.now(UTC)), SECRET
)


def request(**attributes: bytes) -> bytes:
    packet = AuthPacket(secret=SECRET, dict=DICTIONARY)
    packet["User-Name"] = "alice@acme.example"
    for name, value in attributes.items():
        packet[name.replace("_", "-")] = value
    packet.add_message_authenticator()
    raw: bytes = packet.RequestPacket()
    return raw


@pytest.mark.parametrize(
    ("attributes", "credential"),
    [
        ({"EAP_Message": b"\x02\x01\x00\x06\x01a"}, Credential.EAP),
        ({"MS_CHAP2_Response": b"\x00" * 50}, Credential.MS_CHAP),
        ({"CHAP_Password": b"\x01" * 17}, Credential.CHAP),
    ],
)
def test_other_credentials_are_recognised(
    attributes: dict[str, bytes], credential: Credential
) -> None:
    data = request(**attributes)
    assert parse_request(data, read_header(data), CLIENT).credential is credential


def test_the_password_is_decoded_and_never_shown() -> None:
    packet = AuthPacket(secret=SECRET, dict=DICTIONARY)
    packet["User-Name"] = "alice@acme.example"
    packet["User-Password"] = packet.PwCrypt("2468031337")
    packet.add_message_authenticator()
    data = packet.RequestPacket()
    parsed = parse_request(data, read_header(data), CLIENT)
    assert parsed.credential is Credential.PAP
    assert parsed.password == "2468031337"
    assert "2468031337" not in repr(parsed)
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    with pytest.raises(Malformed, match="wrong Message-Authenticator"):
        parse_request(tampered, read_header(tampered), CLIENT)
