"""`mfadesk radius-client …` as a shell runs them, then radclient against a server on what they
made: a generated secret works and is shown once, never listed, never stored readable."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from mfadesk.api.app import create_app
from mfadesk.domain.audit import Action
from mfadesk.radius import radius_service
from mfadesk.settings import Settings
from tests.support.live_server import LiveServer, free_port
from tests.support.operator_cli import Cli
from tests.support.radius import REJECT, radclient, radclient_path, udp_socket


def test_add_list_remove_and_the_secret_shown_once(tmp_path: Path, sqlite_url: str) -> None:
    radclient_path()
    cli = Cli(tmp_path, sqlite_url).prepare()
    added = cli.json("radius-client", "add", "--name", "vpn-1", "--address", "127.0.0.0/8")
    secret = added["secret"]
    assert added == {"name": "vpn-1", "address": "127.0.0.0/8", "secret": secret}
    assert len(secret) == 32 and secret.isalnum()
    (tmp_path / "secret.txt").write_text("a-given-shared-secret\n")
    given = cli.json(
        "radius-client",
        "add",
        "--name",
        "pam",
        "--address",
        "192.0.2.7",
        "--secret-file",
        str(tmp_path / "secret.txt"),
        "--no-require-message-authenticator",
    )
    assert given == {"name": "pam", "address": "192.0.2.7/32", "secret": None}
    listed = cli.run("radius-client", "list", "--json").stdout
    assert secret not in listed and "a-given-shared-secret" not in listed
    assert [(c["name"], c["requireMessageAuthenticator"]) for c in json.loads(listed)] == [
        ("pam", False),
        ("vpn-1", True),
    ]
    assert (
        "vpn-1\t127.0.0.0/8\tAcme\tMessage-Authenticator required"
        in cli.run("radius-client", "list").stdout
    )

    assert "already exists" in cli.fails(
        "radius-client", "add", "--name", "pam", "--address", "::1"
    )
    assert "already has the address" in cli.fails(
        "radius-client", "add", "--name", "other", "--address", "192.0.2.7/32"
    )
    assert "not an IP address or CIDR" in cli.fails(
        "radius-client", "add", "--name", "other", "--address", "192.0.2.7/24"
    )

    # The printed secret is the one the server answers with.
    settings = Settings.from_env(cli.env)
    sock, port = udp_socket(), free_port()
    port_udp = int(sock.getsockname()[1])
    app = create_app(
        settings.with_public_url(f"http://127.0.0.1:{port}"), companions=[radius_service(sock)]
    )
    with LiveServer(app, port):
        reply = radclient(
            port_udp, {"User-Name": '"x@acme.example"', "User-Password": '"1"'}, secret=secret
        )
    assert reply.code == REJECT, reply.output

    assert cli.run("radius-client", "remove", "pam").stdout == "RADIUS client pam removed\n"
    assert "not found" in cli.fails("radius-client", "remove", "pam")
    assert [c["name"] for c in cli.json("radius-client", "list")] == ["vpn-1"]

    engine = create_engine(sqlite_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT secret_ciphertext FROM radius_clients")).one()
        audited = list(connection.execute(text("SELECT action, message FROM audit_events")))
    engine.dispose()
    assert secret.encode() not in bytes(stored[0])
    actions = [row[0] for row in audited]
    assert actions.count(Action.CREATE_RADIUS_CLIENT.value) == 2
    assert actions.count(Action.REMOVE_RADIUS_CLIENT.value) == 1
    assert not any(secret in row[1] or "a-given" in row[1] for row in audited)
