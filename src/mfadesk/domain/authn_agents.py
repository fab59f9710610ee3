"""Who asks for an authentication: an agent with a ``client-key`` on ``/mfa/v1_1`` (REST), or a
RADIUS client (a VPN gateway, a firewall, ``pam_radius``). Both drive the same conversation; the
user event log names the agent, and an attempt can be continued only by agents of its kind."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Transport(StrEnum):
    REST = "rest"
    RADIUS = "radius"
    CONSOLE = "console"  # the web console's sign-in (its ref: the administrator's company)


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    company_id: str
    name: str
    transport: Transport = Transport.REST

    @property
    def authn_key_id(self) -> str | None:
        return self.id if self.transport is Transport.REST else None

    @property
    def radius_client_id(self) -> str | None:
        return self.id if self.transport is Transport.RADIUS else None


@dataclass(frozen=True, slots=True)
class AgentRef:
    """How a call names its agent before the use case has looked it up: the SHA-256 of a
    ``client-key``, or a RADIUS client's id."""

    transport: Transport
    ref: str
