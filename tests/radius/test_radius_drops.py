"""What the RADIUS server never answers — a missing or wrong Message-Authenticator, a wrong
shared secret, an address that is no client, a malformed datagram — and that client changes
take effect without a restart. Nothing it logs holds a password."""

from __future__ import annotations

import logging
import socket
import struct
import time

import pytest

from mfadesk.services.provisioning import Operator
from mfadesk.services.radius_clients import remove_radius_client
from tests.conftest import StackFactory
from tests.support.authn import email
from tests.support.radius import REJECT, RadiusStack, Reply, add_client, start_radius

PASSWORD = "31415926"


def until_answered(radius: RadiusStack, **kwargs: object) -> Reply:
    """Workers read the clients again within a few seconds: ask until one answers."""
    deadline = time.monotonic() + 10
    while True:
        reply = radius.login(email("alice"), PASSWORD, timeout=1, **kwargs)
        if reply.code is not None or time.monotonic() > deadline:
            return reply


def test_a_missing_message_authenticator_or_a_wrong_secret_is_dropped(
    radius: RadiusStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert radius.login(email("alice"), PASSWORD).code == REJECT
    dropped = radius.login(email("alice"), PASSWORD, message_authenticator=False, timeout=1)
    assert dropped.code is None
    wrong = radius.login(email("alice"), PASSWORD, secret="not-the-secret", timeout=1)
    assert wrong.code is None
    assert "no Message-Authenticator" in caplog.text
    assert "wrong Message-Authenticator" in caplog.text
    assert PASSWORD not in caplog.text


def test_a_client_without_message_authenticator_and_the_wrong_secret_gets_no_valid_reply(
    make_stack: StackFactory,
) -> None:
    radius = start_radius(make_stack, require_message_authenticator=False)
    assert radius.login(email("alice"), PASSWORD, message_authenticator=False).code == REJECT
    wrong = radius.login(
        email("alice"), PASSWORD, secret="not-the-secret", message_authenticator=False, timeout=1
    )
    assert wrong.code is None  # radclient refuses a reply signed with another secret


def test_clients_change_without_a_restart(radius: RadiusStack) -> None:
    stack = radius.stack
    with stack.db.unit_of_work() as uow:
        remove_radius_client(uow, Operator.start(stack.env), "vpn")
    assert radius.login(email("alice"), PASSWORD, timeout=1).code is None  # removed: at once
    add_client(stack.db, stack.env, "elsewhere", "127.0.0.2")
    time.sleep(2.5)  # every worker has read the clients again
    assert radius.login(email("alice"), PASSWORD, timeout=1).code is None  # not a client
    add_client(stack.db, stack.env, "loopback", "127.0.0.0/8")
    assert until_answered(radius).code == REJECT


def test_malformed_datagrams_are_dropped(
    radius: RadiusStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    header = struct.pack("!BBH16s", 1, 7, 20, b"\x00" * 16)
    datagrams = [
        b"\x01\x02\x00",  # shorter than a header
        struct.pack("!BBH16s", 1, 7, 60, b"\x00" * 16),  # Length beyond the datagram
        header[:2] + struct.pack("!H", 23) + header[4:] + b"\x01\x01\x00",  # attribute length 1
        struct.pack("!BBH16s", 4, 7, 20, b"\x00" * 16),  # an Accounting-Request
        b"\x01" * 5000,  # longer than 4096
    ]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.5)
        for datagram in datagrams:
            probe.sendto(datagram, ("127.0.0.1", radius.port))
            with pytest.raises(TimeoutError):
                probe.recvfrom(4096)
    assert radius.login(email("alice"), PASSWORD).code == REJECT  # still serving
    assert caplog.text.count("dropped a datagram") >= len(datagrams)
