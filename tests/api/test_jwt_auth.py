"""The legacy API-key JWT, rule by rule: every refusal is 403 with the filter body."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action, Result
from mfadesk.services.provisioning import Operator, add_admin, resolve_company, revoke_api_key
from tests.conftest import Stack, StackFactory
from tests.support.keys import key_pair, mint
from tests.support.wire import assert_auth_failure

LOOKUP = "v1/users/lookup"
ALICE = {"email": "alice@acme.example"}


def call(stack: Stack, token: str | None, scheme: str = "Bearer") -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"{scheme} {token}"}
    return httpx.post(f"{stack.admin_base}/{LOOKUP}", json=ALICE, headers=headers)


def with_claims(stack: Stack, **claims: Any) -> str:
    key = stack.admin("super")
    now = stack.clock.timestamp()
    payload = {"sub": key.access_id, "aud": stack.audience, "iat": now, "exp": now + 300}
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key.private_pem, "RS256")


def test_a_valid_token_works_and_can_be_reused(stack: Stack) -> None:
    token = stack.jwt()
    for _ in range(3):
        assert call(stack, token).status_code == 200


@pytest.mark.parametrize(
    "audience",
    [
        "{url}/AdminInterface/restapi/",
        "{url}/AdminInterface/restapi",
        "{url}/AdminInterface/restapi/v1",
        "{url}/AdminInterface/restapi/v1/",
        "{url}",
        "{url}/",
        "{localhost}/AdminInterface/restapi/",
        ["https://elsewhere.example", "{url}/AdminInterface/restapi/"],
    ],
)
def test_audience_forms_real_clients_send(stack: Stack, audience: Any) -> None:
    url = stack.settings.public_url
    assert url is not None
    localhost = url.replace("127.0.0.1", "localhost")

    def fill(value: str) -> str:
        return value.format(url=url, localhost=localhost)

    aud = [fill(a) for a in audience] if isinstance(audience, list) else fill(audience)
    assert call(stack, stack.jwt(audience=aud)).status_code == 200


@pytest.mark.parametrize(
    "audience",
    [
        "https://elsewhere.example/AdminInterface/restapi/",
        "{scheme_swapped}/AdminInterface/restapi/",
        "{other_port}/AdminInterface/restapi/",
        "{url}/AdminInterface/other/",
        "",
    ],
)
def test_audience_naming_another_service_is_refused(stack: Stack, audience: str) -> None:
    url = stack.settings.public_url
    assert url is not None
    aud = audience.format(
        url=url,
        scheme_swapped=url.replace("http://", "https://"),
        other_port=url.rsplit(":", 1)[0] + ":1",
    )
    assert_auth_failure(call(stack, stack.jwt(audience=aud)))


def test_float_numeric_dates_are_accepted(stack: Stack) -> None:
    now = stack.clock.timestamp() + 0.25
    assert call(stack, with_claims(stack, iat=now, exp=now + 600.5)).status_code == 200


@pytest.mark.parametrize(
    ("iat_offset", "lifetime", "accepted"),
    [
        (-3600 + 50, 3600, True),  # expired 50 s ago: inside the 60 s skew
        (-3600 - 61, 3600, False),  # expired 61 s ago
        (50, 300, True),  # issued 50 s in the future: skew
        (61, 300, False),  # issued 61 s in the future
        (0, 3600, True),
        (0, 3660, True),  # one hour plus the skew
        (0, 3661, False),  # longer than an hour
        (-10, 0, True),  # expired when issued, 10 s ago: inside the skew, as the contract lists
        (10, -5, False),  # expires before it was issued
    ],
)
def test_time_rules(stack: Stack, iat_offset: int, lifetime: int, accepted: bool) -> None:
    issued = stack.clock.timestamp() + iat_offset
    response = call(stack, with_claims(stack, iat=issued, exp=issued + lifetime))
    if accepted:
        assert response.status_code == 200
    else:
        assert_auth_failure(response)


@pytest.mark.parametrize("claim", ["sub", "aud", "iat", "exp"])
def test_every_required_claim_must_be_present(stack: Stack, claim: str) -> None:
    assert_auth_failure(call(stack, with_claims(stack, **{claim: None})))


@pytest.mark.parametrize("value", ["1700000000", True, None])
def test_numeric_dates_must_be_numbers(stack: Stack, value: Any) -> None:
    token = with_claims(stack, iat=value) if value is not None else with_claims(stack, exp="soon")
    assert_auth_failure(call(stack, token))


@pytest.mark.parametrize("algorithm", ["HS256", "RS512", "PS256"])
def test_only_rs256_is_accepted(stack: Stack, algorithm: str) -> None:
    assert_auth_failure(call(stack, stack.jwt(algorithm=algorithm)))


def test_unsigned_token_is_refused(stack: Stack) -> None:
    now = stack.clock.timestamp()
    claims = {
        "sub": stack.admin("super").access_id,
        "aud": stack.audience,
        "iat": now,
        "exp": now + 60,
    }
    assert_auth_failure(call(stack, jwt.encode(claims, None, algorithm="none")))


def test_token_signed_with_another_key_is_refused(stack: Stack) -> None:
    other_private, _ = key_pair(7)
    token = mint(
        other_private, stack.admin("super").access_id, stack.audience, stack.clock.timestamp()
    )
    assert_auth_failure(call(stack, token))


def test_unknown_access_id_is_refused(stack: Stack) -> None:
    assert_auth_failure(call(stack, stack.jwt(access_id="7b7e1c8e-0000-4000-8000-000000000000")))


@pytest.mark.parametrize(
    ("token", "scheme"), [(None, "Bearer"), ("x.y.z", "Bearer"), ("abc", "Basic")]
)
def test_missing_or_garbled_credentials_are_refused(
    stack: Stack, token: str | None, scheme: str
) -> None:
    assert_auth_failure(call(stack, token, scheme))


def test_cached_token_still_expires(stack: Stack) -> None:
    token = stack.jwt(lifetime=120)
    assert call(stack, token).status_code == 200
    stack.clock.advance(timedelta(seconds=120 + 61))
    assert_auth_failure(call(stack, token))


def test_revocation_takes_effect_at_once_even_for_a_cached_token(stack: Stack) -> None:
    token = stack.jwt()
    assert call(stack, token).status_code == 200
    with stack.db.unit_of_work() as uow:
        revoke_api_key(uow, Operator.start(stack.env), stack.admin("super").access_id)
    assert_auth_failure(call(stack, token))
    denied = stack.audit_events()[-1].event
    assert (denied.action, denied.result) == (Action.LOOKUP_USER, Result.DENIED)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "v1/users/{alice}/sidTokens/disable", b"{not json"),
        ("PATCH", "v1/users/{alice}/sidTokens/disable", b'{"tokenSerialNumber": ""}'),
        ("GET", "v1/adminlog/exportlogs", None),  # its required window is missing
    ],
)
def test_a_revoked_key_gets_403_before_any_400(
    stack: Stack, method: str, path: str, body: bytes | None
) -> None:
    token = stack.jwt()
    url = path.format(alice=stack.tenant.user("alice"))
    with stack.client() as api:
        assert api.request(method, url, content=body).status_code == 400
        with stack.db.unit_of_work() as uow:
            revoke_api_key(uow, Operator.start(stack.env), stack.admin("super").access_id)
        refused = api.request(
            method, url, content=body, headers={"Authorization": f"Bearer {token}"}
        )
    assert_auth_failure(refused)
    denied = stack.audit_events()[-1].event
    assert (denied.action, denied.result) == (Action.AUTHENTICATE, Result.DENIED)


def test_refusals_are_audited_without_the_token(stack: Stack) -> None:
    token = stack.jwt(algorithm="HS256")
    call(stack, token)
    event = stack.audit_events()[-1].event
    assert (event.action, event.result) == (Action.AUTHENTICATE, Result.DENIED)
    assert event.access_id == stack.admin("super").access_id
    assert event.source_ip == "127.0.0.1"
    assert token not in repr(event)


def test_an_expired_api_key_is_refused_like_a_revoked_one(stack: Stack) -> None:
    """A key registered with a validity (`mfadesk admin add --valid-days`) ends on its own."""
    private, public = key_pair(2)
    with stack.db.unit_of_work() as uow:
        op = Operator.start(stack.env)
        company = resolve_company(uow, op, None)
        _, access_id = add_admin(
            uow,
            op,
            company,
            "temp@acme.example",
            Role.HELP_DESK_ADMIN,
            public,
            "temp",
            timedelta(days=1),
        )

    def call_as_temp() -> httpx.Response:
        now = stack.clock.timestamp()
        return call(stack, mint(private, access_id, stack.audience, now))

    assert call_as_temp().status_code == 200
    stack.clock.advance(timedelta(days=1, seconds=-1))
    assert call_as_temp().status_code == 200
    stack.clock.advance(timedelta(seconds=1))
    assert_auth_failure(call_as_temp())
    denied = stack.audit_events()[-1].event
    assert (denied.result, denied.access_id) == (Result.DENIED, access_id)


def signed_payload(stack: Stack, payload: bytes) -> str:
    """A token over exactly these payload bytes (JSON a JSON encoder would not write)."""
    return jwt.api_jws.encode(payload, stack.admin("super").private_pem, algorithm="RS256")


def test_a_numeric_date_must_be_a_finite_number(make_stack: StackFactory) -> None:
    stack = make_stack(auth_failure_burst=1000)
    sub, aud = stack.admin("super").access_id, stack.audience
    now = int(stack.clock.timestamp())
    for claim in ("iat", "exp", "nbf"):
        for value in ("NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400):
            claims = {"iat": str(now), "exp": str(now + 300), "nbf": str(now), claim: value}
            body = ", ".join(f'"{name}": {literal}' for name, literal in claims.items())
            token = signed_payload(stack, f'{{"sub": "{sub}", "aud": "{aud}", {body}}}'.encode())
            for _ in range(3):  # every time, not every other time (the token cache)
                assert_auth_failure(call(stack, token))


def test_nan_issued_at_with_a_distant_expiry_is_refused(stack: Stack) -> None:
    now = stack.clock.timestamp()
    token = with_claims(stack, iat=float("nan"), exp=now + 10 * 365 * 86400)
    assert_auth_failure(call(stack, token))


def test_not_before_is_honoured_with_the_skew(stack: Stack) -> None:
    now = stack.clock.timestamp()
    assert call(stack, with_claims(stack, nbf=now + 50)).status_code == 200
    assert_auth_failure(call(stack, with_claims(stack, nbf=now + 61)))


def nested(depth: int, innermost: Any) -> Any:
    for _ in range(depth):
        innermost = [innermost]
    return innermost


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": nested(900, "{aud}")},
        {"aud": nested(2, "{aud}")},
        {"aud": {"url": "{aud}"}},
        {"sub": nested(900, "x")},
        {"jti": nested(900, "x")},
    ],
    ids=["aud-900-deep", "aud-nested", "aud-object", "sub-900-deep", "jti-900-deep"],
)
def test_a_pathological_claim_is_a_403_not_a_500(stack: Stack, claims: dict[str, Any]) -> None:
    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value.format(aud=stack.audience)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5000))  # to build and encode the claim here
    try:
        token = with_claims(stack, **{name: fill(value) for name, value in claims.items()})
    finally:
        sys.setrecursionlimit(limit)
    assert_auth_failure(call(stack, token))


def test_a_claim_too_deep_to_parse_is_a_403(stack: Stack) -> None:
    depth = 10_000  # far deeper than the parser goes, and within the header's bound
    sub, aud = stack.admin("super").access_id, stack.audience
    now = int(stack.clock.timestamp())
    payload = (
        f'{{"sub": "{sub}", "aud": "{aud}", "iat": {now}, "exp": {now + 300}, "x": '
        + "[" * depth
        + "]" * depth
        + "}"
    )
    assert_auth_failure(call(stack, signed_payload(stack, payload.encode())))


def test_two_authorization_headers_are_refused(stack: Stack) -> None:
    good = f"Bearer {stack.jwt()}"
    for pair in ([good, "Bearer x.y.z"], ["Bearer x.y.z", good], [good, good]):
        response = httpx.post(
            f"{stack.admin_base}/{LOOKUP}",
            json=ALICE,
            headers=[("Authorization", value) for value in pair],
        )
        assert_auth_failure(response)
        assert stack.audit_events()[-1].event.message == "several Authorization headers"
    assert call(stack, stack.jwt()).status_code == 200
