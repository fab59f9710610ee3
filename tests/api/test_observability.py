"""Metrics moved by real requests to the in-process server, the metrics module's own functions
(which other features call), and the client address behind proxies."""

from __future__ import annotations

import shutil
import subprocess
from ipaddress import ip_network

import pytest

from mfadesk.api.edge import ClientAddresses
from mfadesk.observability import metrics
from tests.conftest import StackFactory
from tests.support.authn import Agent, add_client_key, email
from tests.support.databases import unavailable

WRONG_CODE = "000000"


def value(name: str, **labels: str) -> float:
    total = 0.0
    for line in metrics.exposition().decode().splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_lockouts_authentications_and_refusals_are_counted(make_stack: StackFactory) -> None:
    stack = make_stack(authn_lockout_failures=2)
    agent = Agent(stack, add_client_key(stack))
    locks = value("mfadesk_lockouts_total", transport="rest")
    fails = value("mfadesk_authentications_total", transport="rest", result="FAIL")
    refused = value("mfadesk_refused_logins_total", edge="admin")
    agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    agent.initialize(email("alice"), "SECURID", WRONG_CODE)
    agent.initialize(email("alice"), "SECURID", WRONG_CODE)  # locked already: no new lockout
    with stack.client() as api:
        api.headers["Authorization"] = "Bearer nonsense"
        assert api.post("v1/users/lookup", json={"email": "a@b.c"}).status_code == 403
    assert value("mfadesk_lockouts_total", transport="rest") == locks + 1
    assert value("mfadesk_authentications_total", transport="rest", result="FAIL") == fails + 3
    assert value("mfadesk_refused_logins_total", edge="admin") == refused + 1


def test_the_functions_other_features_call_define_valid_metrics() -> None:
    runs = value("mfadesk_directory_sync_runs_total", source_type="ldap", result="success")
    metrics.directory_sync("ldap", True, {"created": 3, "updated": 1, "disabled": 0})
    metrics.directory_sync("ldap", False, {})
    metrics.authentication("console", "SECURID", "SUCCESS")
    metrics.database_error("OperationalError")
    metrics.rate_limited("key")
    metrics.http_request("/x/{id}", "BREW", 418, 0.01)
    assert value("mfadesk_directory_sync_runs_total", source_type="ldap", result="success") == (
        runs + 1
    )
    assert value("mfadesk_directory_sync_objects_total", change="created") >= 3
    assert value("mfadesk_http_requests_total", route="/x/{id}", method="OTHER") >= 1
    promtool = shutil.which("promtool")
    if promtool is None:
        unavailable("promtool", FileNotFoundError("the prometheus package is not installed"))
    assert promtool is not None
    checked = subprocess.run(
        [promtool, "check", "metrics"], check=False, input=metrics.exposition(), capture_output=True
    )
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()


PROXIES = ClientAddresses([ip_network("10.0.0.0/8"), ip_network("2001:db8::/32")])


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("192.0.2.1", ["203.0.113.5"], "192.0.2.1"),  # not a proxy: its header is ignored
        ("10.0.0.1", [], "10.0.0.1"),  # a proxy that forwarded nothing
        ("10.0.0.1", ["203.0.113.5"], "203.0.113.5"),
        ("10.0.0.1", ["1.1.1.1, 203.0.113.5"], "203.0.113.5"),  # the rightmost untrusted hop
        ("10.0.0.1", ["203.0.113.5, 10.2.2.2"], "203.0.113.5"),  # through two proxies
        ("10.0.0.1", ["203.0.113.5", "10.2.2.2"], "203.0.113.5"),  # in two headers
        ("10.0.0.1", ["203.0.113.5, junk"], "10.0.0.1"),  # garbage: nothing left of it counts
        ("10.0.0.1", ["203.0.113.5:4711"], "203.0.113.5"),
        ("2001:db8::1", ["[2001:db8:1::7]:80, 2001:db9::5"], "2001:db9::5"),
        ("10.0.0.1", ["10.1.1.1"], "10.1.1.1"),  # only proxies: the farthest one
    ],
)
def test_the_client_address_is_the_rightmost_untrusted_hop(
    peer: str, forwarded: list[str], client: str
) -> None:
    assert PROXIES.resolve(peer, forwarded) == client


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert ClientAddresses([]).resolve("10.0.0.1", ["203.0.113.5"]) == "10.0.0.1"
