"""The console over plain HTTP (no browser needed): throttled sign-ins, refusals audited, the
local assets and their headers, an anonymous visit."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from mfadesk.domain.audit import Action, Result
from tests.console.conftest import PASSWORD, ConsoleStack

BURST = 4
CONSOLE_SETTINGS = {"auth_failure_burst": BURST, "auth_failure_per_second": 0.01}


@pytest.fixture
def client(console: ConsoleStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=console.base_url, timeout=30) as opened:
        yield opened


def _login_form(client: httpx.Client) -> dict[str, str]:
    page = client.get("/console/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return {"csrf": found.group(1)}


def test_assets_are_served_locally_with_the_security_headers(client: httpx.Client) -> None:
    page = client.get("/console/login")
    assert 'href="/console/static/console.css"' in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    for name, kind in (("console.css", "text/css"), ("console.js", "javascript")):
        asset = client.get(f"/console/static/{name}")
        assert asset.status_code == 200 and kind in asset.headers["content-type"]
        assert asset.headers["x-content-type-options"] == "nosniff"
    assert client.get("/console/static/../app.py").status_code == 404


def test_an_anonymous_visit_goes_to_the_sign_in_page(client: httpx.Client) -> None:
    answer = client.get("/console/users")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")
    assert client.post("/console/logout", data={"csrf": "x"}).status_code == 403


def test_a_sign_in_post_without_its_csrf_token_is_refused(client: httpx.Client) -> None:
    client.get("/console/login")
    form = {"email": "super@acme.example", "password": PASSWORD, "passcode": "1"}
    assert client.post("/console/login", data=form).status_code == 403


def test_refused_sign_ins_are_audited_and_throttled(
    client: httpx.Client, console: ConsoleStack
) -> None:
    form = {
        **_login_form(client),
        "email": "helpdesk@acme.example",
        "password": "guessing, guessing",
        "passcode": "000000",
    }
    refused = client.post("/console/login", data=form)
    assert refused.status_code == 401 and "Wrong e-mail, password or passcode." in refused.text
    with console.db.unit_of_work() as uow:
        last = list(uow.audit.iter_all())[-1].event
    assert (last.action, last.result, last.admin_email) == (
        Action.CONSOLE_SIGN_IN,
        Result.DENIED,
        "helpdesk@acme.example",
    )
    assert "guessing" not in last.message
    # The address's refused-login bucket (the admin API's) runs dry: 429, nothing checked.
    statuses = []
    for _ in range(BURST):
        form = {**form, **_login_form(client)}
        statuses.append(client.post("/console/login", data=form).status_code)
    assert statuses[-1] == 429 and set(statuses[:-1]) <= {401}
    assert "Retry-After" in client.post("/console/login", data=form).headers
