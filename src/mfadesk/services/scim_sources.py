"""SCIM identity sources: made by the operator with a bearer token shown once, and the token's
check on every SCIM request."""

from __future__ import annotations

from dataclasses import dataclass, field

from mfadesk.domain.audit import Action
from mfadesk.domain.company import Company
from mfadesk.domain.errors import Conflict
from mfadesk.domain.identity_sources import IdentitySource, SourceKind, check_source_name
from mfadesk.domain.scim import (
    SCIM_TOKEN_BYTES,
    TOKEN_HASH_KEY,
    ScimUnauthorized,
    make_token,
    source_id_of,
    token_hash,
    token_matches,
)
from mfadesk.services.identity_sources import source_target
from mfadesk.services.provisioning import Operator
from mfadesk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class NewScimSource:
    source: IdentitySource
    token: str = field(repr=False)  # shown once; only its hash is kept


def add_scim_source(uow: UnitOfWork, op: Operator, company: Company, name: str) -> NewScimSource:
    """A new SCIM source of the company and its bearer token (audited, without the token)."""
    name = check_source_name(name)
    if uow.sources.by_name(company.id, name) is not None:
        raise Conflict(f"identity source {name!r} already exists")
    source_id = op.env.random.uuid4()
    token = make_token(source_id, op.env.random.token_bytes(SCIM_TOKEN_BYTES))
    config = {TOKEN_HASH_KEY: token_hash(token)}
    source = IdentitySource(source_id, company.id, name, SourceKind.SCIM, op.now, config)
    if not uow.sources.add(source):
        raise Conflict(f"identity source {name!r} already exists")
    op.audit(
        uow,
        company,
        Action.CREATE_IDENTITY_SOURCE,
        source_target(source),
        f"Identity source {name!r} (scim) created with a new bearer token",
    )
    return NewScimSource(source, token)


def authenticate_scim(uow: UnitOfWork, token: str | None) -> IdentitySource:
    """The SCIM source whose bearer token this is, or a 401."""
    source_id = source_id_of(token) if token else None
    source = uow.sources.get(source_id) if source_id else None
    if (
        token is None
        or source is None
        or source.kind is not SourceKind.SCIM
        or not token_matches(token, source.config.get(TOKEN_HASH_KEY))
    ):
        raise ScimUnauthorized()
    return source
