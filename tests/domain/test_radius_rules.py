"""RADIUS rules that need no server: which method a password is, which client an address is,
and the State the edge hands out."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest

from mfadesk.domain.authn_methods import Method, password_method
from mfadesk.domain.errors import BadRequest
from mfadesk.domain.radius_clients import (
    RadiusClient,
    most_specific,
    parse_network,
    source_address,
)
from mfadesk.radius.exchange import decode_state, encode_state


@pytest.mark.parametrize(
    ("password", "method"),
    [
        ("031337", Method.SECURID),
        ("1234031337", Method.SECURID),
        ("abcd12345678", Method.SECURID),
        ("ABCD-EFGH", Method.EMERGENCY_TOKENCODE),
        ("k7pq2xyz", Method.EMERGENCY_TOKENCODE),
        ("12345", Method.EMERGENCY_TOKENCODE),
    ],
)
def test_what_a_password_is(password: str, method: Method) -> None:
    assert password_method(password) is method


def client(name: str, network: str) -> RadiusClient:
    return RadiusClient(name, "c", name, parse_network(network), True, datetime.now(UTC))


def test_the_most_specific_network_wins() -> None:
    clients = [client("all", "10.0.0.0/8"), client("one", "10.1.2.3"), client("v6", "::1")]
    assert most_specific(clients, ipaddress.ip_address("10.1.2.3")) is clients[1]
    assert most_specific(clients, ipaddress.ip_address("10.9.9.9")) is clients[0]
    assert most_specific(clients, ipaddress.ip_address("192.0.2.1")) is None
    mapped = source_address("::ffff:10.1.2.3")
    assert mapped is not None and most_specific(clients, mapped) is clients[1]
    with pytest.raises(BadRequest):
        parse_network("10.1.2.3/8")  # host bits set: say what you mean


def test_the_state_round_trips_and_refuses_anything_else() -> None:
    state = encode_state("a" * 36, "b" * 36, Method.SECURID_NEWPIN)
    assert len(state) <= 253
    decoded = decode_state(state)
    assert decoded is not None and decoded.method is Method.SECURID_NEWPIN
    assert decode_state(b"\x00\x01") is None
    assert decode_state(state.replace(b"SECURID_NEWPIN", b"EVERYTHING")) is None
