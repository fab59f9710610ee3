"""Identity sources of a company: the `local` one every company has, the CSV ones imports
create, and listing and removing them (operator tasks)."""

from __future__ import annotations

from dataclasses import dataclass

from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import Company
from mfadesk.domain.errors import BadRequest, Conflict, NotFound
from mfadesk.domain.identity_sources import (
    LOCAL_SOURCE_NAME,
    IdentitySource,
    SourceKind,
    check_source_name,
)
from mfadesk.domain.scim import TOKEN_HASH_KEY as SCIM_TOKEN_HASH_KEY
from mfadesk.domain.users import UserStatus
from mfadesk.services.local_source import ensure_local_source
from mfadesk.services.provisioning import Operator
from mfadesk.store.unit_of_work import UnitOfWork


def source_target(source: IdentitySource) -> Target:
    return Target(TargetType.IDENTITY_SOURCE, source.id, source.name)


def source_for_import(
    uow: UnitOfWork, op: Operator, company: Company, name: str | None
) -> tuple[IdentitySource, bool]:
    """The source a CSV import writes to: `local` when unnamed; a new name makes a `csv`
    source (audited). Directory and SCIM sources keep their users themselves: refused.
    Also says whether the source was created."""
    if name is None or name.strip() == LOCAL_SOURCE_NAME:
        return ensure_local_source(uow, op.env, company.id, op.now), False
    name = check_source_name(name)
    source = uow.sources.by_name(company.id, name)
    if source is not None:
        if not source.kind.imports_csv:
            raise BadRequest(
                f"identity source {name!r} is an {source.kind.value} source: its users come "
                "from there, not from CSV files"
            )
        return source, False
    source = IdentitySource(op.env.random.uuid4(), company.id, name, SourceKind.CSV, op.now)
    if not uow.sources.add(source):
        raise Conflict(f"identity source {name!r} was created meanwhile: import again")
    op.audit(
        uow,
        company,
        Action.CREATE_IDENTITY_SOURCE,
        source_target(source),
        f"Identity source {name!r} ({source.kind.value}) created",
    )
    return source, True


@dataclass(frozen=True, slots=True)
class SourceListing:
    source: IdentitySource
    users: int


def list_sources(uow: UnitOfWork, company: Company) -> list[SourceListing]:
    return [
        SourceListing(source, uow.sources.count_users(source.id))
        for source in uow.sources.list(company.id)
    ]


def remove_source_step(
    uow: UnitOfWork, op: Operator, company: Company, name: str, *, force: bool, moved: int = 0
) -> int | None:
    """One step of removing a source, in its own transaction (call it again until it answers
    None). While the source has users it is refused unless `force`; then its users move to
    `local`, Disabled (nobody vouches for them any more), keeping their authenticators — a
    batch per step, each audited — and the last step removes the source. `moved` is how many
    earlier steps moved, for the final record; answers how many this step moved."""
    source = uow.sources.by_name(company.id, name)
    if source is None:
        raise NotFound(f"identity source {name!r} not found")
    if source.is_local:
        raise BadRequest(f"the {LOCAL_SOURCE_NAME!r} source cannot be removed")
    if not force and (users := uow.sources.count_users(source.id)):
        raise Conflict(
            f"identity source {name!r} has {users} users: remove them first, or use --force "
            f"to move them to {LOCAL_SOURCE_NAME!r}, disabled"
        )
    local = ensure_local_source(uow, op.env, company.id, op.now)
    target = source_target(source)
    if _revoke_scim_token(uow, source):
        message = f"Bearer token of identity source {name!r} revoked, to remove the source"
        op.audit(uow, company, Action.REMOVE_IDENTITY_SOURCE, target, message)
    batch = uow.sources.move_users(source.id, local.id, UserStatus.DISABLED.value)
    if batch:
        message = (
            f"{batch} users of identity source {name!r} moved to {LOCAL_SOURCE_NAME!r}, "
            "disabled, to remove the source"
        )
        op.audit(uow, company, Action.REMOVE_IDENTITY_SOURCE, target, message)
        return batch
    uow.sources.delete(source.id)
    detail = f" ({moved} users moved to {LOCAL_SOURCE_NAME!r})" if moved else ""
    message = f"Identity source {name!r} ({source.kind.value}) removed{detail}"
    op.audit(uow, company, Action.REMOVE_IDENTITY_SOURCE, target, message)
    return None


def _revoke_scim_token(uow: UnitOfWork, source: IdentitySource) -> bool:
    """Forget a SCIM source's token hash first: no request authenticates with the token while
    the source's users move out. Whether there was one."""
    if not source.managed_by_scim or SCIM_TOKEN_HASH_KEY not in source.config:
        return False
    config = {k: v for k, v in source.config.items() if k != SCIM_TOKEN_HASH_KEY}
    uow.sources.set_config(source.id, config)
    return True
