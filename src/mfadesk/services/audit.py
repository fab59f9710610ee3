"""Writing audit records: successes inside the use case's transaction, failures on their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.domain.errors import DomainError, Forbidden, NotAuthenticated
from mfadesk.services.authorization import resolve_caller
from mfadesk.services.context import Call, ServiceEnv
from mfadesk.store.audit import ChainReport
from mfadesk.store.unit_of_work import UnitOfWork

NO_COMPANY = "(no company: refused requests naming no known API key; in no export)"
P = ParamSpec("P")
T = TypeVar("T")
UowFactory = Callable[[], UnitOfWork]


def _event(call: Call, result: Result, changed: bool, message: str) -> AuditEvent:
    assert call.action is not None and call.target is not None
    actor = call.actor
    return AuditEvent(
        occurred_at=call.now,
        action=call.action,
        target=call.target,
        result=result,
        changed=changed,
        message=message,
        source_ip=call.source_ip,
        company_id=actor.company_id if actor else None,
        admin_email=actor.email if actor else None,
        admin_role=actor.role.value if actor else None,
        access_id=call.access_id,
    )


def record_success(uow: UnitOfWork, call: Call, *, changed: bool, message: str) -> None:
    uow.audit.append(_event(call, Result.SUCCESS, changed, message), call.env.random.uuid4())


def run_use_case(
    unit_of_work: UowFactory,
    fn: Callable[Concatenate[UnitOfWork, Call, P], T],
    call: Call,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run `fn` in one unit of work; if it fails after naming its target, audit the failure
    in a short transaction of its own so that the record survives the rollback."""
    try:
        with unit_of_work() as uow:
            return fn(uow, call, *args, **kwargs)
    except DomainError as error:
        if call.action is not None and call.target is not None:
            denied = isinstance(error, NotAuthenticated | Forbidden)
            event = _event(
                call, Result.DENIED if denied else Result.FAILURE, False, error.description
            )
            with unit_of_work() as uow:
                uow.audit.append(event, call.env.random.uuid4())
        raise


def record_rejected_token(
    unit_of_work: UowFactory,
    env: ServiceEnv,
    claimed_access_id: str | None,
    source_ip: str | None,
    path: str,
    reason: str,
) -> None:
    """An admin API request whose JWT was refused (bad signature, expired, unknown key…).

    When the claimed accessID is a key we know, the record names its admin and company, so
    that company's audit export shows the attempt; otherwise it belongs to no company."""
    # The claim comes from an unverified token: it may be anything, not only a string.
    access_id = claimed_access_id[:36] if isinstance(claimed_access_id, str) else None
    with unit_of_work() as uow:
        found = uow.admins.by_access_id(access_id) if access_id else None
        admin = found[0] if found else None
        if admin is None and access_id:  # an OAuth client's id (its token was refused)
            client = uow.oauth_clients.get(access_id)
            admin = client.as_admin() if client else None
        event = AuditEvent(
            occurred_at=env.clock(),
            action=Action.AUTHENTICATE,
            target=Target(TargetType.ADMIN_API, path[:64], path[:320]),
            result=Result.DENIED,
            changed=False,
            message=reason,
            source_ip=source_ip,
            company_id=admin.company_id if admin else None,
            admin_email=admin.email if admin else None,
            admin_role=admin.role.value if admin else None,
            access_id=access_id,
        )
        uow.audit.append(event, env.random.uuid4())


def record_refusal(
    unit_of_work: UowFactory, call: Call, action: Action, target: Target, message: str
) -> bool:
    """A refusal the pipeline decides before the use case runs (a missing OAuth scope, an
    API-key JWT on an OAuth-only endpoint), audited DENIED and naming the caller. False, and
    nothing written, when the caller's credential is not active (revoked, expired, unknown):
    that caller gets the security filter's 403 instead, audited as such."""
    with unit_of_work() as uow:
        found = resolve_caller(uow, call)
        if found is None or not found[1]:
            return False
        call.actor, call.action, call.target = found[0], action, target
        uow.audit.append(_event(call, Result.DENIED, False, message), call.env.random.uuid4())
    return True


def verify_chain(unit_of_work: UowFactory) -> ChainReport:
    link_pending(unit_of_work)
    with unit_of_work() as uow:
        return uow.audit.verify_chain()


def link_pending(unit_of_work: UowFactory) -> int:
    """Link audit rows left pending (a writer that stopped between its commit and linking)."""
    with unit_of_work() as uow:
        return uow.audit.chain_pending()


def events_by_company_name(unit_of_work: UowFactory, report: ChainReport) -> list[tuple[str, int]]:
    """The report's counts under each company's name (by name), then the events of no company.

    A company's count is what its admin log export counts over a window holding all its events;
    the trail also holds refused requests that named no known API key, which belong to no
    company and are in no export (docs/decisions.md, "Admin audit export")."""
    with unit_of_work() as uow:
        names = {company.id: company.name for company in uow.companies.list()}
    named = sorted(
        (names.get(company_id, company_id), count)
        for company_id, count in report.by_company.items()
        if company_id is not None
    )
    orphans = report.by_company.get(None, 0)
    return named + ([(NO_COMPANY, orphans)] if orphans else [])
