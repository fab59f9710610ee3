"""Process configuration, read once from the environment (``MFADESK_*``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from mfadesk.otp.emergency import DEFAULT_OFFLINE_COST_LOG2

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_DATABASE_URL = "sqlite:///var/mfadesk.db"
DEFAULT_SECRET_KEY_FILE = "var/secret.key"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class SettingsError(ValueError):
    """An environment variable holds a value we cannot use."""


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from error
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value


def _sqlite_sync(env: Mapping[str, str]) -> Literal["full", "normal"]:
    raw = (env.get("MFADESK_SQLITE_SYNC") or "full").strip().lower()
    if raw == "full":
        return "full"
    if raw == "normal":
        return "normal"
    raise SettingsError(f"MFADESK_SQLITE_SYNC must be full or normal, not {raw!r}")


AuditLink = Literal["auto", "inline", "after-commit"]


def _audit_link(env: Mapping[str, str]) -> AuditLink:
    raw = (env.get("MFADESK_AUDIT_LINK") or "auto").strip().lower()
    if raw == "auto":
        return "auto"
    if raw == "inline":
        return "inline"
    if raw == "after-commit":
        return "after-commit"
    raise SettingsError(f"MFADESK_AUDIT_LINK must be auto, inline or after-commit, not {raw!r}")


def _trusted_proxies(env: Mapping[str, str]) -> tuple[IPv4Network | IPv6Network, ...]:
    raw = env.get("MFADESK_TRUSTED_PROXIES") or ""
    networks = []
    for part in raw.split(","):
        if part.strip():
            try:
                networks.append(ip_network(part.strip(), strict=False))
            except ValueError as error:
                raise SettingsError(
                    f"MFADESK_TRUSTED_PROXIES: {part.strip()!r} is not an address or CIDR"
                ) from error
    return tuple(networks)


def _absolute_sqlite(url: str) -> str:
    """Relative SQLite paths are taken from the working directory once, at start."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(Path(url[len(prefix) :]).resolve())
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = _absolute_sqlite(DEFAULT_DATABASE_URL)
    # "full": a write is acknowledged once it is on disk; "normal" (opt-in): an OS crash or
    # power loss may take back the last acknowledged writes (see docs/architecture.md).
    sqlite_sync: Literal["full", "normal"] = "full"
    # How audit rows join the hash chain (store/audit.py): "auto" links them inline on SQLite
    # and after the commit on PostgreSQL; "inline" on PostgreSQL serialises every write.
    audit_link: AuditLink = "auto"
    public_url: str | None = None
    secret_key_file: Path = Path(DEFAULT_SECRET_KEY_FILE)
    redis_url: str | None = None
    rate_limit_per_second: float = 100.0
    rate_limit_burst: float = 200.0
    auth_failure_per_second: float = 1.0
    auth_failure_burst: float = 60.0
    offline_hash_cost_log2: int = DEFAULT_OFFLINE_COST_LOG2
    workers: int = 1
    authn_lockout_failures: int = 10
    authn_lockout_minutes: float = 15.0  # 0: locked until an administrator enables it again
    authn_next_tokencode_failures: int = 3
    # Per client-key token bucket on /mfa; far above what one agent sends (see decisions.md).
    authn_rate_limit_per_second: float = 200.0
    authn_rate_limit_burst: float = 400.0
    # Larger request bodies are refused (413) before they are read whole (see decisions.md).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # How often the service looks for users marked deleted seven days ago (0: never; then
    # `mfadesk user purge` does it).
    purge_interval_seconds: float = 3600.0
    # Only from these addresses is X-Forwarded-For believed (MFADESK_TRUSTED_PROXIES, CIDRs).
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    # Set by `mfadesk serve --metrics-port`: /metrics is then served there, not on the API.
    metrics_port: int | None = None
    # How often the service looks for LDAP sources due for their sync (each source has its own
    # interval; 0: never, then `mfadesk source sync` does it).
    ldap_sync_tick_seconds: float = 60.0

    @property
    def audit_after_commit(self) -> bool | None:
        """`Database`'s choice: None lets it pick by the kind of database."""
        return None if self.audit_link == "auto" else self.audit_link == "after-commit"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        public_url = env.get("MFADESK_PUBLIC_URL") or None
        return cls(
            database_url=_absolute_sqlite(env.get("MFADESK_DATABASE_URL") or DEFAULT_DATABASE_URL),
            sqlite_sync=_sqlite_sync(env),
            audit_link=_audit_link(env),
            public_url=public_url.rstrip("/") if public_url else None,
            secret_key_file=Path(
                env.get("MFADESK_SECRET_KEY_FILE") or DEFAULT_SECRET_KEY_FILE
            ).resolve(),
            redis_url=env.get("MFADESK_REDIS_URL") or None,
            rate_limit_per_second=_number(env, "MFADESK_RATE_LIMIT_PER_SECOND", 100.0, 0.001),
            rate_limit_burst=_number(env, "MFADESK_RATE_LIMIT_BURST", 200.0, 1),
            auth_failure_per_second=_number(env, "MFADESK_AUTH_FAILURE_PER_SECOND", 1.0, 0.001),
            auth_failure_burst=_number(env, "MFADESK_AUTH_FAILURE_BURST", 60.0, 1),
            offline_hash_cost_log2=int(
                _number(env, "MFADESK_OFFLINE_HASH_COST", DEFAULT_OFFLINE_COST_LOG2, 10)
            ),
            workers=int(_number(env, "MFADESK_WORKERS", 1, 1)),
            authn_lockout_failures=int(_number(env, "MFADESK_AUTHN_LOCKOUT_FAILURES", 10, 1)),
            authn_lockout_minutes=_number(env, "MFADESK_AUTHN_LOCKOUT_MINUTES", 15.0, 0),
            authn_next_tokencode_failures=int(
                _number(env, "MFADESK_AUTHN_NEXT_TOKENCODE_FAILURES", 3, 1)
            ),
            authn_rate_limit_per_second=_number(
                env, "MFADESK_AUTHN_RATE_LIMIT_PER_SECOND", 200.0, 0.001
            ),
            authn_rate_limit_burst=_number(env, "MFADESK_AUTHN_RATE_LIMIT_BURST", 400.0, 1),
            max_body_bytes=int(
                _number(env, "MFADESK_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024)
            ),
            purge_interval_seconds=_number(env, "MFADESK_PURGE_INTERVAL_SECONDS", 3600.0, 0),
            trusted_proxies=_trusted_proxies(env),
            metrics_port=int(_number(env, "MFADESK_METRICS_PORT", 0, 0)) or None,
            ldap_sync_tick_seconds=_number(env, "MFADESK_LDAP_SYNC_TICK_SECONDS", 60.0, 0),
        )

    def with_public_url(self, url: str) -> Settings:
        return replace(self, public_url=url.rstrip("/"))

    def effective_public_url(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
        """The configured public URL, or the address we serve on when none is configured."""
        if self.public_url:
            return self.public_url
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        return f"http://{shown}:{port}"

    @property
    def admin_rest_api_url(self) -> str:
        return f"{self.effective_public_url()}/AdminInterface/restapi/"
