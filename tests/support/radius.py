"""RADIUS as FreeRADIUS's ``radclient`` speaks it (an independent implementation of the packet
format, User-Password hiding, the Response Authenticator and the Message-Authenticator), against
a server started by the test: in this process beside the stack's app, or a real `mfadesk serve`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field

import pytest

from mfadesk.radius import radius_service
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator, resolve_company
from mfadesk.services.radius_clients import add_radius_client
from mfadesk.store.database import Database
from tests.conftest import Stack, StackFactory

SECRET = "radius-test-secret-0123"
ACCEPT, REJECT, CHALLENGE = "Access-Accept", "Access-Reject", "Access-Challenge"


def radclient_path() -> str:
    """``radclient`` (Debian's freeradius-utils); skipped when absent, failed on CI."""
    found = shutil.which("radclient")
    if found is None:
        message = "radclient is not installed (apt-get install -y freeradius-utils)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass
class Reply:
    """What radclient received: the code (None: no valid reply) and the attributes in order."""

    code: str | None
    attributes: list[tuple[str, str]] = field(default_factory=list)
    output: str = ""

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.attributes if key == name), None)

    @property
    def message(self) -> str | None:
        value = self.get("Reply-Message")
        return None if value is None else value.strip('"')

    @property
    def state(self) -> str | None:
        return self.get("State")


def parse_output(output: str) -> Reply:
    reply = Reply(None, output=output)
    receiving = False
    for line in output.splitlines():
        if line.startswith("Received "):
            if reply.code is not None:
                break  # a reply to a retransmit: the first one counts
            reply.code = line.split()[1]
            receiving = True
        elif receiving and line.startswith("\t") and " = " in line:
            name, _, value = line.strip().partition(" = ")
            reply.attributes.append((name, value))
        elif receiving:
            receiving = False
    return reply


def radclient(
    port: int,
    attributes: dict[str, str],
    *,
    secret: str = SECRET,
    message_authenticator: bool = True,
    timeout: float = 5,
    retries: int = 1,
) -> Reply:
    """Send one Access-Request (values given as radclient reads them: quoted strings, 0x…)."""
    pairs = dict(attributes)
    if message_authenticator:
        pairs["Message-Authenticator"] = "0x00"  # radclient computes it
    text = ", ".join(f"{name} = {value}" for name, value in pairs.items())
    result = subprocess.run(
        [
            radclient_path(),
            "-x",
            "-t",
            str(timeout),
            "-r",
            str(retries),
            f"127.0.0.1:{port}",
            "auth",
            secret,
        ],
        input=text + "\n",
        capture_output=True,
        text=True,
        timeout=timeout * retries + 30,
        check=False,
    )
    return parse_output(result.stdout + result.stderr)


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def add_client(
    db: Database,
    env: ServiceEnv,
    name: str = "vpn",
    address: str = "127.0.0.1",
    *,
    require_message_authenticator: bool = True,
    secret: str = SECRET,
) -> None:
    with db.unit_of_work() as uow:
        op = Operator.start(env)
        add_radius_client(
            uow,
            op,
            resolve_company(uow, None),
            name,
            address,
            secret.encode(),
            require_message_authenticator=require_message_authenticator,
        )


def udp_socket() -> socket.socket:
    """A bound UDP socket on a free loopback port (kept: no race for the port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class RadiusStack:
    """The stack's app with RADIUS served beside it, in this process."""

    stack: Stack
    port: int

    def send(self, attributes: dict[str, str], **kwargs: object) -> Reply:
        return radclient(self.port, attributes, **kwargs)  # type: ignore[arg-type]

    def login(self, user: str, password: str, state: str | None = None, **kwargs: object) -> Reply:
        attributes = {"User-Name": quoted(user), "User-Password": quoted(password)}
        if state is not None:
            attributes["State"] = state
        return self.send(attributes, **kwargs)


def start_radius(make_stack: StackFactory, **client: bool) -> RadiusStack:
    """The stack with RADIUS served beside it, and one client ``vpn`` for 127.0.0.1."""
    radclient_path()
    sock = udp_socket()
    port = int(sock.getsockname()[1])
    stack = make_stack(companions=[radius_service(sock)])
    add_client(stack.db, stack.env, **client)  # type: ignore[arg-type]
    return RadiusStack(stack, port)
