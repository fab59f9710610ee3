"""RADIUS clients: added, listed and removed by the operator; looked up by every worker.

A client's shared secret is encrypted at rest (AES-GCM under a key derived from the master key,
bound to the client's id). Workers keep the clients in memory, re-read every few seconds
(`load_radius_clients`); the use case looks its client up again in its own transaction
(`radius_agent`), so a removal bites at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.authn_agents import Agent, Transport
from mfadesk.domain.company import Company
from mfadesk.domain.errors import Conflict, NotFound
from mfadesk.domain.radius_clients import (
    GENERATED_SECRET_LENGTH,
    SECRET_ALPHABET,
    RadiusClient,
    parse_network,
    validate_client_name,
    validate_secret,
)
from mfadesk.otp.emergency import generate_code
from mfadesk.otp.secret_key import ServerKeys
from mfadesk.otp.seed_cipher import RADIUS_SECRET_LABEL, SeedCipher, SeedDecryptionError
from mfadesk.services.provisioning import Operator
from mfadesk.store.unit_of_work import UnitOfWork


def secret_cipher(keys: ServerKeys) -> SeedCipher:
    return SeedCipher(keys.radius_secrets, RADIUS_SECRET_LABEL)


@dataclass(frozen=True, slots=True)
class KnownClient:
    """A client as a worker holds it: with its shared secret, in memory only."""

    client: RadiusClient
    secret: bytes

    def __repr__(self) -> str:
        return f"KnownClient({self.client.name!r}, <secret hidden>)"


def add_radius_client(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    name: str,
    address: str,
    secret: bytes | None,
    *,
    require_message_authenticator: bool = True,
) -> tuple[RadiusClient, bytes]:
    """A new client; without a secret one is generated. The secret is returned here, once."""
    validate_client_name(name)
    network = parse_network(address)
    if secret is None:
        secret = generate_code(op.env.random, GENERATED_SECRET_LENGTH, SECRET_ALPHABET).encode()
    validate_secret(secret)
    if uow.radius_clients.by_name(name) is not None:
        raise Conflict(f"A RADIUS client named {name!r} already exists")
    clash = uow.radius_clients.by_network(str(network))
    if clash is not None:
        raise Conflict(f"The RADIUS client {clash.name!r} already has the address {network}")
    client = RadiusClient(
        id=op.env.random.uuid4(),
        company_id=company.id,
        name=name,
        network=network,
        require_message_authenticator=require_message_authenticator,
        created_at=op.now,
    )
    uow.radius_clients.add(client, secret_cipher(op.env.keys).encrypt(client.id, secret))
    required = "required" if require_message_authenticator else "not required"
    op.audit(
        uow,
        company,
        Action.CREATE_RADIUS_CLIENT,
        Target(TargetType.RADIUS_CLIENT, client.id, name),
        f"RADIUS client {name} added for {network} (Message-Authenticator {required})",
    )
    return client, secret


def remove_radius_client(uow: UnitOfWork, op: Operator, name: str) -> RadiusClient:
    """Remove a client; its exchanges in progress end (their State is no longer accepted)."""
    client = uow.radius_clients.by_name(name)
    if client is None:
        raise NotFound(f"RADIUS client {name!r} not found")
    company = uow.companies.get(client.company_id)
    assert company is not None
    uow.authn_attempts.remove_of_radius_client(client.id)
    uow.radius_clients.remove(client.id)
    op.audit(
        uow,
        company,
        Action.REMOVE_RADIUS_CLIENT,
        Target(TargetType.RADIUS_CLIENT, client.id, name),
        f"RADIUS client {name} removed",
    )
    return client


def radius_agent(uow: UnitOfWork, client_id: str) -> Agent | None:
    client = uow.radius_clients.get(client_id)
    if client is None:
        return None
    return Agent(client.id, client.company_id, client.name, Transport.RADIUS)


def load_radius_clients(uow: UnitOfWork, cipher: SeedCipher) -> list[KnownClient]:
    """Every client with its secret decrypted (a secret that does not decrypt — another
    master key's — leaves its client out, as unknown)."""
    known: list[KnownClient] = []
    for client, ciphertext in uow.radius_clients.all():
        try:
            known.append(KnownClient(client, cipher.decrypt(client.id, ciphertext)))
        except SeedDecryptionError:
            continue
    return known
