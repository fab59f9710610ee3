"""The server's Prometheus metrics, defined once here; everything else calls the small
functions below (never a metric object), so a name or a label set changes in one place.

Labels hold only bounded values (route templates, methods, transports, results): never a user,
an e-mail address, a serial, a key or a client address.

`mfadesk serve` sets ``PROMETHEUS_MULTIPROC_DIR`` before this module is first imported, so that
every worker process writes its values there and any worker's ``/metrics`` reports them all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # any path no route answers: its text would be unbounded

# Latency buckets from 2.5 ms to 10 s: a token flip takes about a millisecond, an import minutes.
_LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_http_requests = Counter(
    "mfadesk_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
_http_latency = Histogram(
    "mfadesk_http_request_duration_seconds",
    "Time from a request's arrival to the end of its reply, by route template and method.",
    ["route", "method"],
    buckets=_LATENCY_BUCKETS,
)
_authentications = Counter(
    "mfadesk_authentications",
    "Authentication steps recorded in the user event log, by transport (rest, radius, console),"
    " method (SECURID, ... or none) and result (SUCCESS, FAIL, CHALLENGE, CANCELLED).",
    ["transport", "method", "result"],
)
_refused_logins = Counter(
    "mfadesk_refused_logins",
    "Credentials refused at an edge (admin API JWT or access token, /mfa client-key, OAuth"
    " client), by edge.",
    ["edge"],
)
_rate_limited = Counter(
    "mfadesk_rate_limited_requests",
    "Requests held back by a rate limit, by limit (key, authfail, authn, authnfail, radius).",
    ["limit"],
)
_lockouts = Counter(
    "mfadesk_lockouts",
    "Users locked out of authentication after too many failures, by transport.",
    ["transport"],
)
_audit_appends = Counter(
    "mfadesk_audit_appends",
    "Records appended to the administration audit trail, by result.",
    ["result"],
)
_sync_runs = Counter(
    "mfadesk_directory_sync_runs",
    "Directory synchronisation runs, by source type and result (success, failure).",
    ["source_type", "result"],
)
_sync_objects = Counter(
    "mfadesk_directory_sync_objects",
    "Users a directory synchronisation changed, by source type and change (created, updated,"
    " disabled, deleted, ...).",
    ["source_type", "change"],
)
_database_errors = Counter(
    "mfadesk_database_errors",
    "Errors the database driver raised, by kind (the SQLAlchemy error class).",
    ["kind"],
)


def http_request(route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "OTHER"
    _http_requests.labels(route, method, str(status)).inc()
    _http_latency.labels(route, method).observe(seconds)


def authentication(transport: str, method: str | None, result: str) -> None:
    _authentications.labels(transport, method or "none", result).inc()


def refused_login(edge: str) -> None:
    _refused_logins.labels(edge).inc()


def rate_limited(limit: str) -> None:
    _rate_limited.labels(limit).inc()


def lockout(transport: str) -> None:
    _lockouts.labels(transport).inc()


def audit_append(result: str) -> None:
    _audit_appends.labels(result).inc()


def directory_sync(source_type: str, succeeded: bool, changes: Mapping[str, int]) -> None:
    """One synchronisation run of a directory source: whether it succeeded, and how many users
    it changed in each way (e.g. ``{"created": 3, "updated": 1, "disabled": 0}``)."""
    _sync_runs.labels(source_type, "success" if succeeded else "failure").inc()
    for change, count in changes.items():
        if count:
            _sync_objects.labels(source_type, change).inc(count)


def database_error(kind: str) -> None:
    _database_errors.labels(kind).inc()


def exposition() -> bytes:
    """The text format of every metric: of all worker processes in multi-process mode, else
    of this process (with the client library's process and runtime metrics)."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)
