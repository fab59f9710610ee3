"""The request being answered (a context variable the HTTP edge sets) and the security event
log lines: one line per event, on the ``mfadesk.security`` logger, with fields a log shipper can
index. Never a secret in them: callers pass names, results and reasons only."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass

from mfadesk.observability import metrics

SECURITY_LOGGER = "mfadesk.security"
ACCESS_LOGGER = "mfadesk.access"
_security = logging.getLogger(SECURITY_LOGGER)


@dataclass(slots=True)
class RequestContext:
    """Filled in as the request goes: the edge sets the id and the client address, the pipeline
    that authenticates the caller its principal (accessID or client name)."""

    request_id: str
    client_address: str | None
    principal: str | None = None


current_request: ContextVar[RequestContext | None] = ContextVar("mfadesk_request", default=None)


def set_principal(principal: str | None) -> None:
    context = current_request.get()
    if context is not None and principal:
        context.principal = principal


_MAX_FIELD = 128


def _plain(value: str | int) -> str | int:
    """A field as one short printable line: some come from the request (a claimed accessID)
    and must not forge or break log lines."""
    if isinstance(value, int):
        return value
    text = "".join(c if c.isprintable() else "_" for c in value[:_MAX_FIELD])
    return text + "…" if len(value) > _MAX_FIELD else text


def security_event(event: str, **fields: str | int | None) -> None:
    """Log one security event (``event`` names it: authentication, lockout, refused_login,
    rate_limited, ...), with the request's id and client address when there is a request."""
    if not _security.isEnabledFor(logging.INFO):
        return
    context = current_request.get()
    if context is not None:
        fields.setdefault("request_id", context.request_id)
        fields.setdefault("client_address", context.client_address)
    shown = {k: _plain(v) for k, v in fields.items() if v is not None}
    text = " ".join(f'{k}="{v}"' if " " in str(v) else f"{k}={v}" for k, v in shown.items())
    _security.info("%s %s", event, text, extra={"event": event, "fields": shown})


def refused_login(edge: str, reason: str, principal: str | None = None) -> None:
    """A credential refused at an edge (admin, mfa, oauth): counted and logged."""
    metrics.refused_login(edge)
    security_event("refused_login", edge=edge, reason=reason, principal=principal)


def authentication(
    transport: str, method: str | None, result: str, reason: str, client: str, source: str | None
) -> None:
    """One authentication step (as recorded in the user event log): counted and logged. The
    user's name is not logged here: the user event log holds it, readable by administrators."""
    metrics.authentication(transport, method, result)
    security_event(
        "authentication",
        transport=transport,
        method=method,
        result=result,
        reason=reason,
        principal=client,
        source_address=source,
    )


def lockout(transport: str, client: str) -> None:
    """A user locked out of authentication by too many failures: counted and logged."""
    metrics.lockout(transport)
    security_event("lockout", transport=transport, principal=client)
