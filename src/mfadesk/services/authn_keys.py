"""Agents' API keys: created, listed and revoked by the operator; checked on every agent call."""

from __future__ import annotations

from dataclasses import replace

from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.authn_agents import Agent, Transport
from mfadesk.domain.authn_keys import (
    KEY_BYTES,
    AuthnKey,
    hash_client_key,
    new_client_key,
    validate_key_name,
)
from mfadesk.domain.company import Company
from mfadesk.domain.errors import ClientNotAuthenticated, Conflict, NotFound
from mfadesk.services.authn_call import AuthnCall
from mfadesk.services.provisioning import Operator
from mfadesk.services.radius_clients import radius_agent
from mfadesk.store.unit_of_work import UnitOfWork


def authenticate_client(uow: UnitOfWork, call: AuthnCall) -> Agent:
    """The calling agent — its client-key, or its RADIUS client — read in the use case's
    transaction: a revoked key or a removed RADIUS client is refused at once."""
    ref = call.agent
    if ref.transport is Transport.CONSOLE:
        agent: Agent | None = console_agent(ref.ref)
    elif ref.transport is Transport.RADIUS:
        agent = radius_agent(uow, ref.ref)
    else:
        agent = _key_agent(uow, ref.ref)
    if agent is None:
        raise ClientNotAuthenticated()
    call.key = agent
    return agent


CONSOLE_AGENT_NAME = "mfadesk console"


def console_agent(company_id: str) -> Agent:
    """The console's sign-in, as the agent of an administrator's company (the user event log
    names it)."""
    return Agent("console", company_id, CONSOLE_AGENT_NAME, Transport.CONSOLE)


def _key_agent(uow: UnitOfWork, key_hash: str) -> Agent | None:
    key = uow.authn_keys.by_hash(key_hash)
    if key is None or key.revoked:
        return None
    return Agent(key.id, key.company_id, key.name, Transport.REST)


def client_key_accepted(uow: UnitOfWork, key_hash: str) -> bool:
    key = uow.authn_keys.by_hash(key_hash)
    return key is not None and not key.revoked


def create_authn_key(
    uow: UnitOfWork, op: Operator, company: Company, name: str
) -> tuple[AuthnKey, str]:
    """A new key for an agent; the key itself is returned here and never stored."""
    validate_key_name(name)
    if uow.authn_keys.by_name(company.id, name) is not None:
        raise Conflict(f"An authentication key named {name!r} already exists")
    client_key = new_client_key(op.env.random.token_bytes(KEY_BYTES))
    key = AuthnKey(id=op.env.random.uuid4(), company_id=company.id, name=name, created_at=op.now)
    uow.authn_keys.add(key, hash_client_key(client_key))
    target = Target(TargetType.AUTHN_KEY, key.id, name)
    op.audit(uow, company, Action.CREATE_AUTHN_KEY, target, f"Authentication key {name} created")
    return key, client_key


def revoke_authn_key(uow: UnitOfWork, op: Operator, company: Company, name: str) -> AuthnKey:
    key = uow.authn_keys.by_name(company.id, name)
    if key is None:
        raise NotFound(f"Authentication key {name!r} not found")
    if uow.authn_keys.revoke(key.id, op.now):
        target = Target(TargetType.AUTHN_KEY, key.id, name)
        op.audit(
            uow, company, Action.REVOKE_AUTHN_KEY, target, f"Authentication key {name} revoked"
        )
        return replace(key, revoked_at=op.now)
    return key
