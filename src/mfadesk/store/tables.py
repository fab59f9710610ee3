"""SQLAlchemy Core schema. Alembic migrations in ``migrations/`` create exactly this."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Timestamps are stored timezone-aware; SQLite keeps them as text and the repositories restore UTC.
Timestamp = DateTime(timezone=True)

companies = Table(
    "companies",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("eac_locked", Boolean, nullable=False, default=False),
    Column("eac_default_validity_minutes", Integer, nullable=False),
    Column("eac_one_time_use", Boolean, nullable=False, default=False),
    Column("eac_code_length", Integer, nullable=False),
    Column("eac_alphabet", String(64), nullable=False),
    Column("eac_offline_validity_minutes", Integer, nullable=False),
    # The PIN policy (migration 0011). Only server defaults: inserts written against older
    # revisions (tests) stay valid.
    Column("pin_required", Boolean, nullable=False, server_default="1"),
    Column("pin_min_length", Integer, nullable=False, server_default="4"),
    Column("pin_max_length", Integer, nullable=False, server_default="8"),
    Column("pin_alphanumeric", Boolean, nullable=False, server_default="0"),
)

# Where users come from: `local` (one per company, the command line's), CSV imports, and the
# LDAP / SCIM sources. `config` is JSON of the plain settings; `secrets` the AES-GCM sealed JSON
# of the secret ones (a bind password), under a key derived from the master key.
identity_sources = Table(
    "identity_sources",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("config", Text, nullable=False),
    Column("secrets", LargeBinary, nullable=True),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("company_id", "name", name="uq_identity_sources_company_name"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("email", String(320), nullable=False),
    Column("first_name", String(255), nullable=False, default=""),
    Column("last_name", String(255), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("mark_deleted", Boolean, nullable=False, default=False),
    # Nullable only because rows older than migration 0002 had none; that migration fills them.
    Column("created_at", Timestamp, nullable=True),
    Column("mark_deleted_at", Timestamp, nullable=True),
    Column("mark_deleted_by", String(320), nullable=True),
    # Consecutive failed verifications across all of the user's methods, and the lock they led
    # to (the per-credential counts are on the credentials).
    # Only a server default: inserts written against older revisions (tests) stay valid.
    Column("authn_failed_attempts", Integer, nullable=False, server_default="0"),
    Column("authn_locked_until", Timestamp, nullable=True),
    Column("source_id", String(36), ForeignKey("identity_sources.id"), nullable=False),
    # What the source calls the user; NULL: the e-mail (principal), "" (alternate), the id
    # (unique identifier: local and CSV users have no directory id).
    Column("principal_username", String(320), nullable=True),
    Column("alternate_username", String(320), nullable=True),
    Column("primary_unique_identifier", String(255), nullable=True),
    Column("last_sync_time", Timestamp, nullable=True),
    UniqueConstraint("company_id", "email", name="uq_users_company_email"),
    # A directory's users are matched by their unique id; also serves "the users of a source".
    UniqueConstraint("source_id", "primary_unique_identifier", name="uq_users_source_uid"),
)

# A user named by their principal username (any case): RADIUS's User-Name, /mfa's subjectName.
Index(
    "ix_users_company_principal_username",
    users.c.company_id,
    func.lower(users.c.principal_username),
)

# The purge's candidates: a partial index holds only the users marked deleted.
MARKED_DELETED = users.c.mark_deleted.is_(True)
Index(
    "ix_users_marked_deleted_at",
    users.c.mark_deleted_at,
    sqlite_where=MARKED_DELETED,
    postgresql_where=MARKED_DELETED,
)

admins = Table(
    "admins",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("email", String(320), nullable=False),
    Column("role", String(32), nullable=False),
    UniqueConstraint("company_id", "email", name="uq_admins_company_email"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("access_id", String(36), primary_key=True),
    Column("admin_id", String(36), ForeignKey("admins.id"), nullable=False, index=True),
    Column("public_key_pem", Text, nullable=False),
    Column("description", String(255), nullable=False, default=""),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp, nullable=True),
    Column("expires_at", Timestamp, nullable=True),
)


def lockout_columns() -> list[Column[Any]]:
    """Consecutive failures of a credential and the lock they led to."""
    return [
        Column("failed_attempts", Integer, nullable=False, default=0, server_default="0"),
        Column("locked_until", Timestamp, nullable=True),
    ]


def pin_columns() -> list[Column[Any]]:
    """A credential's PIN: both null (no PIN), or a random salt and the HMAC over it under a
    key derived from the master key file (``mfadesk.otp.pins``) — never the PIN."""
    return [
        Column("pin_salt", LargeBinary, nullable=True),
        Column("pin_digest", LargeBinary, nullable=True),
    ]


def verification_columns() -> list[Column[Any]]:
    """Per-credential tokencode verification state: learned clock offset (intervals), last
    accepted interval (replay protection) and lockout."""
    return [
        Column("clock_offset", Integer, nullable=False, default=0, server_default="0"),
        Column("last_interval", BigInteger, nullable=True),
        *lockout_columns(),
    ]


hardware_tokens = Table(
    "hardware_tokens",
    metadata,
    Column("serial", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=True, index=True),
    Column("name", String(255), nullable=True),
    Column("status_changed_at", Timestamp, nullable=False),
    Column("status_changed_by", String(320), nullable=False),
    Column("expiry_date", Date, nullable=True),
    Column("seed_ciphertext", LargeBinary, nullable=True),
    Column("digits", Integer, nullable=False, default=6),
    Column("interval_seconds", Integer, nullable=False, default=60),
    Column("assigned_at", Timestamp, nullable=True),
    Column("assigned_by", String(320), nullable=True),
    *verification_columns(),
    *pin_columns(),
)

ds100_devices = Table(
    "ds100_devices",
    metadata,
    Column("serial", String(9), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=True, index=True),
)

ds100_credentials = Table(
    "ds100_credentials",
    metadata,
    Column("serial", String(12), primary_key=True),
    Column(
        "device_serial", String(9), ForeignKey("ds100_devices.serial"), nullable=False, index=True
    ),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_changed_at", Timestamp, nullable=False),
    Column("status_changed_by", String(320), nullable=False),
    Column("seed_ciphertext", LargeBinary, nullable=True),
    *verification_columns(),
    *pin_columns(),
)

emergency_tokencodes = Table(
    "emergency_tokencodes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=False),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("online_hash", LargeBinary, nullable=False),
    Column("offline_verifier", String(255), nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("offline_expires_at", Timestamp, nullable=False),
    Column("status", String(16), nullable=False),
    Column("one_time_use", Boolean, nullable=False, default=False),
    Column("created_at", Timestamp, nullable=False),
    Column("used_at", Timestamp, nullable=True),
    *lockout_columns(),
    Index("ix_emergency_tokencodes_user_status", "user_id", "status"),
)


def _audit_event_columns() -> list[Column[Any]]:
    """An audit event's own columns: in the chain, and in the rows waiting to join it."""
    return [
        Column("event_id", String(36), nullable=False),  # a UUID4; no index: see migration 0006
        Column("occurred_at", Timestamp, nullable=False),
        Column("company_id", String(36), nullable=True),
        Column("admin_email", String(320), nullable=True),
        Column("admin_role", String(32), nullable=True),
        Column("access_id", String(36), nullable=True),
        Column("action", String(64), nullable=False),
        Column("target_type", String(32), nullable=False),
        Column("target_id", String(64), nullable=False),
        Column("target_name", String(320), nullable=False),
        Column("result", String(16), nullable=False),
        Column("changed", Boolean, nullable=False),
        Column("message", Text, nullable=False),
        Column("source_ip", String(64), nullable=True),
    ]


# Append-only and hash-chained; `seq` is gap-free and `audit_head` holds the newest link so that
# deleting the last rows is detected as well as editing any row.
audit_events = Table(
    "audit_events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    *_audit_event_columns(),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# Audit events committed but not chained yet (PostgreSQL): writers insert here without waiting
# for one another; `store.audit` moves them into `audit_events`, numbered and hashed, in id order
# moments after their commit. See store/audit.py and docs/decisions.md.
audit_pending = Table(
    "audit_pending",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    *_audit_event_columns(),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

# One row per export in progress (key: which log, which API key, which window): the newest
# audit `seq` and the count its pages share, so totals stay put while new events arrive.
export_snapshots = Table(
    "export_snapshots",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("high_seq", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("taken_at", Timestamp, nullable=False, index=True),
)

# Time-limited locks held by one process of a deployment at a time (the purge of users marked
# deleted; directory synchronisations): taken by a conditional UPDATE, see store/leases.py.
leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", Timestamp, nullable=False),
)

# Token buckets every worker process shares when there is no Redis (`api.rate_limit`).
rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("at", Float, nullable=False),  # seconds since the epoch
)

Index("ix_audit_events_company_occurred", audit_events.c.company_id, audit_events.c.occurred_at)
# Agents' API keys (`client-key`): only the SHA-256 of the key is stored.
authn_keys = Table(
    "authn_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp, nullable=True),
    UniqueConstraint("company_id", "name", name="uq_authn_keys_company_name"),
)

# RADIUS clients (migration 0014): the devices whose Access-Requests are answered, by source
# network; the shared secret is encrypted under a key derived from the master key.
radius_clients = Table(
    "radius_clients",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("name", String(128), nullable=False, unique=True),
    Column("network", String(64), nullable=False, unique=True),
    Column("secret_ciphertext", LargeBinary, nullable=False),
    Column("require_message_authenticator", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# The reply to each RADIUS request of the last 30 s, by (client address, port, Identifier,
# Request Authenticator): a retransmit reaching any worker is answered with it, unverified.
radius_replies = Table(
    "radius_replies",
    metadata,
    Column("request_key", String(64), primary_key=True),
    Column("reply", LargeBinary, nullable=True),
    Column("expires_at", Timestamp, nullable=False, index=True),
)

# Open (CHALLENGE) attempts, and finished ones the agent asked to keep for a status call.
authn_attempts = Table(
    "authn_attempts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    # The agent that began it: a client-key (REST) or a RADIUS client (migration 0014).
    Column("authn_key_id", String(36), ForeignKey("authn_keys.id"), nullable=True),
    Column("radius_client_id", String(36), ForeignKey("radius_clients.id"), nullable=True),
    Column("client_id", String(255), nullable=True),
    Column("subject_name", String(320), nullable=False),
    Column("user_id", String(36), nullable=True),
    Column("status", String(16), nullable=False),
    Column("last_message_id", String(128), nullable=False),
    Column("timeout_seconds", Integer, nullable=False),
    Column("expires_at", Timestamp, nullable=False, index=True),
    Column("keep", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("successful_methods", String(255), nullable=False, default=""),
    Column("pending_kind", String(16), nullable=True),
    Column("pending_serial", String(36), nullable=True),
    Column("pending_interval", BigInteger, nullable=True),
    # What the attempt waits for (`domain.securid_steps.Step`; migration 0011) and how many new
    # PINs the policy refused in it.
    Column("pending_step", String(32), nullable=True),
    Column("pending_refusals", Integer, nullable=False, server_default="0"),
    Column("assurance_policy_id", String(255), nullable=True),
    Column("session_attributes", Text, nullable=False, default="[]"),
)

# Every authentication step. Rows are inserted unnumbered (no lock on the hot path); the
# sequencer gives them a gap-free `seq` before anything reads them (see store/user_events.py).
user_events = Table(
    "user_events",
    metadata,
    # Insertion order (a database sequence: never waits, may have gaps); orders the numbering.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("seq", BigInteger, nullable=True, unique=True),
    Column("occurred_at", Timestamp, nullable=False),
    Column("company_id", String(36), nullable=False),
    Column("user_id", String(36), nullable=True),
    Column("subject_name", String(320), nullable=False),
    Column("method", String(64), nullable=True),
    Column("result", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("credential_serial", String(36), nullable=True),
    Column("client_id", String(255), nullable=True),
    Column("authn_key_name", String(128), nullable=False),
    Column("source_ip", String(64), nullable=True),
    Column("attempt_id", String(36), nullable=True),
    Index("ix_user_events_company_time", "company_id", "occurred_at"),
)

# One row: a fingerprint of the master key (MFADESK_SECRET_KEY_FILE) the data is encrypted
# under, derived from the key one-way (never the key). A process started with another key
# stops before touching anything (see services/startup.py).
master_key = Table(
    "master_key",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("fingerprint", String(64), nullable=False),
)

# OAuth 2.0 API clients (`private_key_jwt`): the public JWK only; names unique per company,
# revoked ones included.
oauth_clients = Table(
    "oauth_clients",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("role", String(32), nullable=False),
    Column("scopes", Text, nullable=False),  # space-separated
    Column("public_jwk", Text, nullable=False),
    Column("key_id", String(255), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp, nullable=True),
    UniqueConstraint("company_id", "name", name="uq_oauth_clients_company_name"),
)

# Issued access tokens, by the SHA-256 of the opaque token (the token itself is never stored).
oauth_access_tokens = Table(
    "oauth_access_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("client_id", String(36), ForeignKey("oauth_clients.id"), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Index("ix_oauth_access_tokens_client_expires", "client_id", "expires_at"),
)

# The `jti`s of accepted client assertions, kept until the assertion could no longer be
# accepted anyway, so a replay is refused by every worker.
oauth_assertion_jtis = Table(
    "oauth_assertion_jtis",
    metadata,
    Column("client_id", String(36), ForeignKey("oauth_clients.id"), primary_key=True),
    Column("jti", String(255), primary_key=True),
    Column("expires_at", Timestamp, nullable=False),
)

# Console sign-in: an administrator's password (Argon2id, the hash only; migration 0016).
admin_passwords = Table(
    "admin_passwords",
    metadata,
    Column("admin_id", String(36), ForeignKey("admins.id"), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("set_at", Timestamp, nullable=False),
)

# Console sessions, by the SHA-256 of the cookie's token (the token itself is never stored).
# A sign-in that waits for a New PIN or the next tokencode is a session in that `stage`, bound
# to its authentication attempt; only `active` sessions act.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("admin_id", String(36), ForeignKey("admins.id"), nullable=False, index=True),
    Column("stage", String(16), nullable=False),
    Column("attempt_id", String(36), nullable=True),
    Column("message_id", String(128), nullable=True),
    Column("challenge", String(32), nullable=True),
    Column("source_ip", String(64), nullable=True),
    Column("created_at", Timestamp, nullable=False),
    Column("last_seen_at", Timestamp, nullable=False),
    Column("ended_at", Timestamp, nullable=True),
)
