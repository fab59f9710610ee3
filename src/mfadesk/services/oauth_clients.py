"""OAuth API clients: registered, listed and revoked by the operator; access tokens issued to
them at the token endpoint. Every change is audited in its own transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from mfadesk.domain.admins import Role
from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.domain.company import Company
from mfadesk.domain.errors import BadRequest, Conflict, NotFound
from mfadesk.domain.oauth_clients import (
    ACCESS_TOKEN_BYTES,
    ACCESS_TOKEN_LIFETIME_SECONDS,
    ASSERTION_SKEW_SECONDS,
    AccessToken,
    OAuthClient,
    OAuthRefusal,
    format_scopes,
    hash_access_token,
    new_access_token,
    parse_scopes,
    validate_client_name,
)
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator
from mfadesk.store.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def _target(client_id: str, name: str) -> Target:
    return Target(TargetType.OAUTH_CLIENT, client_id[:64], name[:320])


def create_oauth_client(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    name: str,
    role: Role,
    scopes: frozenset[str],
    public_jwk: str,
    key_id: str | None,
) -> OAuthClient:
    """Register a client with the public half of its key (a JWK, checked by the caller)."""
    validate_client_name(name)
    if not scopes:
        raise BadRequest("an OAuth client needs at least one scope")
    if uow.oauth_clients.by_name(company.id, name) is not None:
        raise Conflict(f"An OAuth client named {name!r} already exists")
    client = OAuthClient(
        id=op.env.random.uuid4(),
        company_id=company.id,
        name=name,
        role=role,
        scopes=scopes,
        public_jwk=public_jwk,
        key_id=key_id,
        created_at=op.now,
    )
    uow.oauth_clients.add(client, format_scopes(scopes))
    message = f"OAuth client {name} ({client.id}) created: {role}, scopes {format_scopes(scopes)}"
    op.audit(uow, company, Action.CREATE_OAUTH_CLIENT, _target(client.id, name), message)
    return client


def revoke_oauth_client(uow: UnitOfWork, op: Operator, client_id: str) -> OAuthClient:
    """Revoke a client: its access tokens stop working at the next request."""
    client = uow.oauth_clients.get(client_id)
    if client is None:
        raise NotFound(f"OAuth client {client_id} not found")
    if not uow.oauth_clients.revoke(client.id, op.now):
        return client
    company = uow.companies.get(client.company_id)
    assert company is not None
    target = _target(client.id, client.name)
    message = f"OAuth client {client.name} ({client.id}) revoked"
    op.audit(uow, company, Action.REVOKE_OAUTH_CLIENT, target, message)
    return replace(client, revoked_at=op.now)


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A token request whose assertion has been verified against `client`'s key."""

    client: OAuthClient
    jti: str
    assertion_expires: datetime
    requested_scope: str | None  # None: the client's registered scopes
    source_ip: str | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    scopes: frozenset[str]
    expires_in: int


def _audit_token_event(
    uow: UnitOfWork,
    env: ServiceEnv,
    client: OAuthClient | None,
    claimed_id: str | None,
    source_ip: str | None,
    result: Result,
    message: str,
    changed: bool = False,
) -> None:
    actor = client.as_admin() if client else None
    client_id = client.id if client else (claimed_id or "unknown")[:64]
    event = AuditEvent(
        occurred_at=env.clock(),
        action=Action.ISSUE_OAUTH_TOKEN,
        target=_target(client_id, client.name if client else client_id),
        result=result,
        changed=changed,
        message=message[:200],
        source_ip=source_ip,
        company_id=actor.company_id if actor else None,
        admin_email=actor.email if actor else None,
        admin_role=actor.role.value if actor else None,
        access_id=client.id if client else None,
    )
    uow.audit.append(event, env.random.uuid4())


def issue_access_token(uow: UnitOfWork, env: ServiceEnv, request: TokenRequest) -> IssuedToken:
    """Issue a token to a client whose assertion verified: the client is read again here (a
    revocation made meanwhile bites), the assertion's `jti` is recorded (a replay, on any
    worker, is refused) and the granted scope is the requested one, all of it or none."""
    now = env.clock()
    client = uow.oauth_clients.get(request.client.id)
    if client is None or client.revoked:
        raise OAuthRefusal("invalid_client", "The client is unknown or revoked.")
    keep_until = request.assertion_expires + timedelta(seconds=ASSERTION_SKEW_SECONDS)
    if not uow.oauth_clients.record_jti(client.id, request.jti, keep_until):
        raise OAuthRefusal("invalid_client", "The client assertion was used before (jti).")
    if request.requested_scope is None:
        scopes = client.scopes
    else:
        try:
            scopes = parse_scopes(request.requested_scope, allowed=client.scopes)
        except BadRequest as error:
            raise OAuthRefusal("invalid_scope", error.description) from error
        if not scopes:
            scopes = client.scopes
    uow.oauth_clients.purge_expired(client.id, now)
    value = new_access_token(env.random.token_bytes(ACCESS_TOKEN_BYTES))
    token = AccessToken(
        token_hash=hash_access_token(value),
        client_id=client.id,
        scopes=scopes,
        expires_at=now + timedelta(seconds=ACCESS_TOKEN_LIFETIME_SECONDS),
    )
    uow.oauth_clients.add_token(token, format_scopes(scopes), now)
    message = f"Access token issued, scopes {format_scopes(scopes)}"
    _audit_token_event(
        uow, env, client, None, request.source_ip, Result.SUCCESS, message, changed=True
    )
    return IssuedToken(value, scopes, ACCESS_TOKEN_LIFETIME_SECONDS)


def record_token_refusal(
    unit_of_work: UowFactory,
    env: ServiceEnv,
    claimed_id: str | None,
    source_ip: str | None,
    refusal: OAuthRefusal,
) -> None:
    """A refused client authentication or scope, in a transaction of its own; named after
    the client when `claimed_id` is one of ours (its company sees the attempt)."""
    claimed = claimed_id[:36] if isinstance(claimed_id, str) else None
    with unit_of_work() as uow:
        client = uow.oauth_clients.get(claimed) if claimed else None
        message = f"{refusal.error}: {refusal.description}"
        _audit_token_event(uow, env, client, claimed, source_ip, Result.DENIED, message)


def client_for_assertion(uow: UnitOfWork, client_id: str) -> OAuthClient | None:
    """The registered client an assertion names, for its public key (read-only)."""
    return uow.oauth_clients.get(client_id)
