"""RADIUS clients: the network devices (VPN gateways, firewalls, ``pam_radius`` hosts) whose
Access-Requests are answered, each known by its source address or network and a shared secret.
"""

from __future__ import annotations

import ipaddress
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mfadesk.domain.errors import BadRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")
# A generated secret: 32 letters and digits (190 bits), typed into a device's configuration.
GENERATED_SECRET_LENGTH = 32
SECRET_ALPHABET = string.ascii_letters + string.digits
MAX_SECRET_BYTES = 128


@dataclass(frozen=True, slots=True)
class RadiusClient:
    id: str
    company_id: str
    name: str
    network: Network
    require_message_authenticator: bool
    created_at: datetime


def validate_client_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise BadRequest(
            "a RADIUS client name is 1 to 128 letters, digits or ._@- "
            "and starts with a letter or digit"
        )
    return name


def parse_network(text: str) -> Network:
    """An address (one host) or a network in CIDR notation, without host bits."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as error:
        raise BadRequest(f"{text!r} is not an IP address or CIDR network: {error}") from None
    return network


def validate_secret(secret: bytes) -> bytes:
    if not 1 <= len(secret) <= MAX_SECRET_BYTES or b"\x00" in secret:
        raise BadRequest(
            f"a RADIUS shared secret is 1 to {MAX_SECRET_BYTES} bytes, without NUL characters"
        )
    return secret


def source_address(host: str) -> Address | None:
    """A datagram's source, an IPv4-mapped IPv6 address (a dual-stack socket) as IPv4."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def most_specific(clients: Iterable[RadiusClient], address: Address) -> RadiusClient | None:
    """The client whose network holds the address with the longest prefix (as FreeRADIUS)."""
    best: RadiusClient | None = None
    for client in clients:
        network = client.network
        if (
            network.version == address.version
            and address in network
            and (best is None or network.prefixlen > best.network.prefixlen)
        ):
            best = client
    return best
