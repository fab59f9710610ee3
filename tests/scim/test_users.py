"""SCIM /Users as provisioning clients use it (Entra ID's PATCH, Okta's PUT, the filters they
send), on SQLite and PostgreSQL, against one live server per database."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from mfadesk.domain.audit import Action
from mfadesk.domain.users import UserStatus
from tests.support.databases import reset_postgres
from tests.support.keys import mint
from tests.support.scim import (
    ERROR_SCHEMA,
    SCIM_JSON,
    ScimServer,
    new_user,
    patch,
    scim_server,
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def scim(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScimServer]:
    folder = tmp_path_factory.mktemp("scim")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'mfadesk.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        reset_postgres(url)
    with scim_server(url, folder) as server:
        yield server


@pytest.fixture
def client(scim: ScimServer) -> Iterator[httpx.Client]:
    with scim.client() as http:
        yield http


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def create(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    name = unique("u")
    body = new_user(
        extra.pop("userName", name), extra.pop("email", f"{name}@acme.example"), **extra
    )
    reply = client.post("Users", json=body)
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


def stored(scim: ScimServer, user_id: str) -> Any:
    with scim.db.unit_of_work() as uow:
        return uow.users.get(scim.tenant.company_id, user_id)


def error_of(reply: httpx.Response, status: int) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith(SCIM_JSON)
    body: dict[str, Any] = reply.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    return body


def test_create_stores_the_user_in_the_scim_source_with_its_audit_record(
    scim: ScimServer, client: httpx.Client
) -> None:
    reply = client.post(
        "Users",
        json=new_user(
            "Erin.Entra",
            "Erin.Entra@Acme.example",
            externalId="0f3c-erin",
            name={"givenName": "Erin", "familyName": "Entra", "formatted": "Erin Entra"},
            active=True,
            displayName="Erin Entra",  # not kept: dropped, not refused
        ),
    )
    assert reply.status_code == 201, reply.text
    assert reply.headers["content-type"].startswith(SCIM_JSON)
    body = reply.json()
    assert reply.headers["location"] == f"{scim.base_url}/Users/{body['id']}"
    assert body["userName"] == "Erin.Entra"
    assert body["emails"] == [{"value": "erin.entra@acme.example", "type": "work"}]
    assert body["name"] == {"givenName": "Erin", "familyName": "Entra"}
    assert body["externalId"] == "0f3c-erin"
    assert body["active"] is True
    assert body["meta"]["resourceType"] == "User"
    user = stored(scim, body["id"])
    assert (user.email, user.principal_username, user.primary_unique_identifier) == (
        "erin.entra@acme.example",
        "Erin.Entra",
        "0f3c-erin",
    )
    with scim.db.unit_of_work() as uow:
        source = uow.sources.get(user.source_id)
    assert source is not None and source.name == "Entra ID"
    [event] = [e.event for e in scim.audited(Action.CREATE_USER) if e.event.target.id == user.id]
    assert (event.admin_email, event.admin_role) == ("scim:Entra ID", "SCIM")


def test_a_missing_or_wrong_token_is_a_401_scim_error(scim: ScimServer) -> None:
    for token in ("", "mfscim.nope.00", scim.token[:-2] + "00", "Basic abc"):
        with scim.client(token) as http:
            body = error_of(http.get("Users"), 401)
            assert "bearer token" in body["detail"]


def test_entra_patch_capitalised_ops_string_booleans_and_filtered_paths(
    scim: ScimServer, client: httpx.Client
) -> None:
    user = create(client, active=True)
    work = f"{unique('new')}@acme.example"
    reply = client.patch(
        f"Users/{user['id']}",
        json=patch(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": work},
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": "name.givenName", "value": "Gina"},
            {"op": "Replace", "value": {"name.familyName": "Green", "externalId": "ext-gina"}},
            {
                "op": "Add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "IT",
            },
        ),
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["emails"] == [{"value": work, "type": "work"}]
    assert body["active"] is False
    assert body["name"] == {"givenName": "Gina", "familyName": "Green"}
    assert body["externalId"] == "ext-gina"
    kept = stored(scim, user["id"])
    assert (kept.email, kept.status, kept.first_name, kept.primary_unique_identifier) == (
        work,
        UserStatus.DISABLED,
        "Gina",
        "ext-gina",
    )
    again = client.patch(
        f"Users/{user['id']}", json=patch({"op": "replace", "value": {"active": "True"}})
    )
    assert again.json()["active"] is True
    assert stored(scim, user["id"]).status is UserStatus.ENABLED
    events = [e.event for e in scim.audited(Action.ENABLE_USER) if e.event.target.id == user["id"]]
    assert len(events) == 1


def test_patch_refusals_change_nothing(scim: ScimServer, client: httpx.Client) -> None:
    user = create(client)
    cases = [
        (patch({"op": "remove", "path": "emails"}), 400),
        (patch({"op": "remove", "path": "active"}), 400),
        (patch({"op": "replace", "path": "active", "value": "maybe"}), 400),
        (patch({"op": "replace", "path": "userName", "value": "alice@acme.example"}), 409),
        (patch({"op": "move", "path": "userName", "value": "x"}), 400),
        ({"Operations": "nope"}, 400),
    ]
    for body, status in cases:
        error_of(client.patch(f"Users/{user['id']}", json=body), status)
    assert client.get(f"Users/{user['id']}").json() == user | {"meta": user["meta"]}


def test_okta_put_replaces_the_user(scim: ScimServer, client: httpx.Client) -> None:
    user = create(client, externalId="okta-1", name={"givenName": "Olga"})
    email = f"{unique('olga')}@acme.example"
    replacement = new_user(
        "olga.okta", email, active=False, name={"familyName": "Okta"}, id=user["id"]
    )
    reply = client.put(f"Users/{user['id']}", json=replacement)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["userName"] == "olga.okta"
    assert body["name"] == {"familyName": "Okta"}
    assert body["active"] is False
    assert "externalId" not in body  # not given: cleared, as a replacement does
    assert stored(scim, user["id"]).primary_unique_identifier is None


def test_filters_the_clients_send(scim: ScimServer, client: httpx.Client) -> None:
    user = create(client, externalId=unique("ext"))
    email = user["emails"][0]["value"]
    for expression in (
        f'userName eq "{user["userName"].upper()}"',
        f'externalId eq "{user["externalId"]}"',
        f'emails[type eq "work"].value eq "{email.upper()}"',
        f'emails.value eq "{email}"',
        f'userName eq "{user["userName"]}" and active eq true',
        f'id eq "{user["id"]}"',
    ):
        reply = client.get("Users", params={"filter": expression})
        assert reply.status_code == 200, (expression, reply.text)
        listing = reply.json()
        assert listing["totalResults"] == 1, expression
        assert [r["id"] for r in listing["Resources"]] == [user["id"]]
    for expression in ('userName eq "nobody"', f'emails[type eq "home"].value eq "{email}"'):
        assert client.get("Users", params={"filter": expression}).json()["totalResults"] == 0
    for expression in ('userName co "u"', 'userName eq "a" or userName eq "b"', "userName eq"):
        body = error_of(client.get("Users", params={"filter": expression}), 400)
        assert body["scimType"] == "invalidFilter"


def test_paging_with_start_index_and_count(scim: ScimServer) -> None:
    token = scim.add_source(unique("paging"))
    with scim.client(token) as http:
        ids = [create(http)["id"] for _ in range(5)]
        page = http.get("Users", params={"startIndex": 2, "count": 2}).json()
        assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
        assert [r["id"] for r in page["Resources"]] == ids[1:3]
        assert http.get("Users", params={"count": 0}).json()["totalResults"] == 5
        assert http.get("Users", params={"startIndex": 9}).json()["itemsPerPage"] == 0
        searched = http.post(
            "Users/.search",
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "startIndex": 5,
            },
        ).json()
        assert [r["id"] for r in searched["Resources"]] == ids[4:]


def test_uniqueness_conflicts(scim: ScimServer, client: httpx.Client) -> None:
    user = create(client, externalId=unique("ext"))
    for body in (
        new_user(user["userName"].upper(), f"{unique('x')}@acme.example"),
        new_user(unique("x"), user["emails"][0]["value"]),
        new_user(unique("x"), f"{unique('x')}@acme.example", externalId=user["externalId"]),
        new_user(unique("x"), "alice@acme.example"),  # a local user's address
    ):
        assert error_of(client.post("Users", json=body), 409)["scimType"] == "uniqueness"


def test_bad_requests(client: httpx.Client) -> None:
    assert error_of(client.post("Users", content=b"{nope"), 400)["scimType"] == "invalidSyntax"
    assert error_of(client.post("Users", json=[1]), 400)["scimType"] == "invalidSyntax"
    error_of(client.post("Users", json=new_user("", "a@acme.example")), 400)
    error_of(client.post("Users", json={"userName": "x"}), 400)
    error_of(client.post("Users", json=new_user("x", "not-an-address")), 400)
    error_of(client.get("Groups"), 404)
    error_of(client.delete("ServiceProviderConfig"), 405)


def test_users_of_another_source_are_not_there(scim: ScimServer, client: httpx.Client) -> None:
    user = create(client)
    with scim.client(scim.add_source(unique("okta"))) as other:
        error_of(other.get(f"Users/{user['id']}"), 404)
        error_of(other.delete(f"Users/{user['id']}"), 404)
        assert (
            other.get("Users", params={"filter": f'userName eq "{user["userName"]}"'}).json()[
                "totalResults"
            ]
            == 0
        )
    error_of(client.get("Users/alice"), 404)


def admin_jwt(scim: ScimServer) -> str:
    admin = scim.tenant.admins["super"]
    audience = f"{scim.settings.public_url}/AdminInterface/restapi/"
    return mint(admin.private_pem, admin.access_id, audience, time.time())


def test_the_admin_api_shows_where_a_scim_user_comes_from(
    scim: ScimServer, client: httpx.Client
) -> None:
    user = create(client, userName="Hal.Help", externalId="entra-oid-1")
    looked_up = httpx.post(
        f"{scim.server.base_url}/AdminInterface/restapi/v1/users/lookup",
        json={"email": user["emails"][0]["value"]},
        headers={"Authorization": f"Bearer {admin_jwt(scim)}"},
    )
    assert looked_up.status_code == 200, looked_up.text
    body = looked_up.json()
    assert body["identitySource"] == "Entra ID"
    assert body["principalUsername"] == "Hal.Help"
    assert body["primaryUniqueIdentifier"] == "entra-oid-1"
    assert body["lastSyncTime"] is not None


def test_delete_removes_the_user_and_the_admin_api_refuses_with_405(
    scim: ScimServer, client: httpx.Client
) -> None:
    user = create(client, active=False)
    jwt = admin_jwt(scim)
    refused = httpx.delete(
        f"{scim.server.base_url}/AdminInterface/restapi/v1/users/{user['id']}",
        headers={"Authorization": f"Bearer {jwt}"},
    )
    assert refused.status_code == 405, refused.text
    reply = client.delete(f"Users/{user['id']}")
    assert reply.status_code == 204
    error_of(client.get(f"Users/{user['id']}"), 404)
    assert stored(scim, user["id"]) is None
    deletions = [
        e.event for e in scim.audited(Action.DELETE_USER) if e.event.target.id == user["id"]
    ]
    assert [(e.admin_email, e.result.value) for e in deletions] == [
        ("super@acme.example", "FAILURE"),
        ("scim:Entra ID", "SUCCESS"),
    ]


def test_only_the_hash_of_the_token_is_stored(scim: ScimServer) -> None:
    with scim.db.unit_of_work() as uow:
        source = uow.sources.by_name(scim.tenant.company_id, "Entra ID")
        assert source is not None
        stored_bytes = json.dumps(dict(source.config)) + repr(uow.sources.secrets(source.id))
    secret = scim.token.rsplit(".", 1)[1]
    assert secret not in stored_bytes
    assert len(secret) == 64  # 256 bits
    assert len(source.config["tokenSha256"]) == 64


def test_concurrent_creations_of_one_user_make_one_and_409s(scim: ScimServer) -> None:
    name = unique("race")
    body = new_user(name, f"{name}@acme.example", externalId=name)

    def post(_: int) -> int:
        with scim.client() as http:
            return http.post("Users", json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(post, range(8)))
    assert statuses == [201] + [409] * 7


def test_a_value_object_may_hold_filtered_paths(scim: ScimServer, client: httpx.Client) -> None:
    user = create(client)
    work = f"{unique('obj')}@acme.example"
    operation = {
        "op": "Add",
        "value": {'emails[type eq "work"].value': work, "name.givenName": "Val", "title": "x"},
    }
    reply = client.patch(f"Users/{user['id']}", json=patch(operation))
    assert reply.status_code == 200, reply.text
    assert reply.json()["emails"] == [{"value": work, "type": "work"}]
    assert reply.json()["name"] == {"givenName": "Val"}
