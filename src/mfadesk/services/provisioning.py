"""Operator tasks run from the command line on the server's own database (not over HTTP).

They are audited like API calls, with the operator as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from mfadesk.domain.admins import Admin, ApiKey, Role
from mfadesk.domain.audit import Action, AuditEvent, Result, Target, TargetType
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.company import Company
from mfadesk.domain.ds100 import Ds100Device, OtpCredential, credential_serial
from mfadesk.domain.errors import BadRequest, Conflict, NotFound
from mfadesk.domain.hardware_tokens import MAX_SERIAL_LENGTH, HardwareToken, TokenStatus
from mfadesk.domain.users import User, UserStatus, check_email, normalize_email
from mfadesk.otp.seed_cipher import SeedCipher
from mfadesk.services.context import ServiceEnv
from mfadesk.services.local_source import ensure_local_source
from mfadesk.store.unit_of_work import UnitOfWork

OPERATOR = "operator"
MAX_COMPANY_NAME_LENGTH = 255
SEED_BYTES = 16


@dataclass(frozen=True, slots=True)
class Operator:
    """The person at the server's console; `now` is taken once per command."""

    env: ServiceEnv
    now: datetime

    @classmethod
    def start(cls, env: ServiceEnv) -> Operator:
        return cls(env=env, now=env.clock())

    def audit(
        self,
        uow: UnitOfWork,
        company: Company,
        action: Action,
        target: Target,
        message: str,
        *,
        changed: bool = True,
        result: Result = Result.SUCCESS,
    ) -> None:
        event = AuditEvent(
            occurred_at=self.now,
            action=action,
            target=target,
            result=result,
            changed=changed,
            message=message,
            source_ip="local",
            company_id=company.id,
            admin_email=OPERATOR,
            admin_role="Operator",
        )
        uow.audit.append(event, self.env.random.uuid4())

    def encrypt_seed(self, serial: str, seed: bytes | None) -> bytes:
        """Encrypt the given seed, or a fresh random one, for storage."""
        return SeedCipher(self.env.keys.seed_encryption).encrypt(
            serial, seed if seed is not None else self.env.random.token_bytes(SEED_BYTES)
        )


def resolve_company(uow: UnitOfWork, name: str | None) -> Company:
    """The named company, or without a name the only one; never a new one (companies are made
    only by `add_company`)."""
    if name is not None:
        company = uow.companies.get_by_name(name)
        if company is None:
            raise NotFound(
                f"company {name!r} not found (`mfadesk company list` shows them, "
                "`mfadesk company add` adds one)"
            )
        return company
    existing = uow.companies.list()
    if not existing:
        raise NotFound("no company yet: add one with `mfadesk company add NAME`")
    if len(existing) > 1:
        names = ", ".join(c.name for c in existing)
        raise BadRequest(f"several companies exist ({names}): choose one with --company")
    return existing[0]


def add_company(uow: UnitOfWork, op: Operator, name: str) -> Company:
    name = name.strip()
    if not name or len(name) > MAX_COMPANY_NAME_LENGTH:
        raise BadRequest(f"a company name is 1 to {MAX_COMPANY_NAME_LENGTH} characters")
    if uow.companies.get_by_name(name) is not None:
        raise Conflict(f"company {name!r} already exists")
    company = Company(id=op.env.random.uuid4(), name=name)
    uow.companies.add(company)
    target = Target(TargetType.COMPANY, company.id, name)
    op.audit(uow, company, Action.CREATE_COMPANY, target, f"Company {name} created")
    return company


def ensure_company(uow: UnitOfWork, op: Operator, name: str) -> Company:
    """The named company, added first if new (the demo's, and test and bench set-ups)."""
    return uow.companies.get_by_name(name.strip()) or add_company(uow, op, name)


def user_by_email(uow: UnitOfWork, company: Company, email: str) -> User:
    user = uow.users.get_by_email(company.id, normalize_email(email))
    if user is None:
        raise NotFound(f"User {email} not found")
    return user


def insert_user(
    uow: UnitOfWork,
    env: ServiceEnv,
    company_id: str,
    email: str,
    first_name: str,
    last_name: str,
    *,
    user_id: str,
    now: datetime,
    disabled: bool = False,
    principal_username: str | None = None,
) -> User:
    """Store a new user of `company_id` in its `local` identity source (the caller has checked
    the e-mail is free)."""
    normalized = check_email(email)
    source = ensure_local_source(uow, env, company_id, now)
    user = User(
        id=user_id,
        company_id=company_id,
        email=normalized,
        first_name=first_name,
        last_name=last_name,
        status=UserStatus.DISABLED if disabled else UserStatus.ENABLED,
        created_at=now,
        source_id=source.id,
        principal_username=principal_username,
    )
    uow.users.add(user)
    return user


def add_user(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    email: str,
    first_name: str = "",
    last_name: str = "",
    disabled: bool = False,
) -> User:
    if uow.users.get_by_email(company.id, normalize_email(email)) is not None:
        raise Conflict(f"User {email} already exists")
    user = insert_user(
        uow,
        op.env,
        company.id,
        email,
        first_name,
        last_name,
        user_id=op.env.random.uuid4(),
        now=op.now,
        disabled=disabled,
    )
    normalized = user.email
    op.audit(
        uow,
        company,
        Action.CREATE_USER,
        Target(TargetType.USER, user.id, normalized),
        f"User {normalized} created",
    )
    return user


def add_admin(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    email: str,
    role: Role,
    public_key_pem: str,
    description: str,
    valid_for: timedelta | None = None,
) -> tuple[Admin, str]:
    """Create the administrator if new (or update the role) and register a new API key,
    usable until revoked or, with `valid_for`, until that long from now."""
    normalized = normalize_email(email)
    admin = uow.admins.get_by_email(company.id, normalized)
    target = Target(TargetType.ADMIN, normalized, normalized)
    if admin is None:
        admin = Admin(id=op.env.random.uuid4(), company_id=company.id, email=normalized, role=role)
        uow.admins.add(admin)
        op.audit(uow, company, Action.CREATE_ADMIN, target, f"{role} {normalized} created")
    elif admin.role is not role:
        uow.admins.set_role(admin.id, role)
        admin = Admin(id=admin.id, company_id=company.id, email=normalized, role=role)
        op.audit(uow, company, Action.CREATE_ADMIN, target, f"{normalized} is now {role}")
    access_id = op.env.random.uuid4()
    expires_at = None if valid_for is None else op.now + valid_for
    key = ApiKey(access_id, admin.id, public_key_pem, expires_at=expires_at)
    uow.admins.add_key(key, description, op.now)
    until = "" if expires_at is None else f", valid until {format_timestamp(expires_at)}"
    message = f"API key {access_id} registered{until}"
    op.audit(uow, company, Action.CREATE_API_KEY, target, message)
    return admin, access_id


def revoke_api_key(uow: UnitOfWork, op: Operator, access_id: str) -> None:
    found = uow.admins.by_access_id(access_id)
    if found is None:
        raise NotFound(f"API key {access_id} not found")
    admin, _ = found
    if uow.admins.revoke_key(access_id, op.now):
        uow.console.end_sessions_of(admin.id, op.now)  # a revoked key ends console sessions
        company = uow.companies.get(admin.company_id)
        assert company is not None
        target = Target(TargetType.ADMIN, admin.email, admin.email)
        op.audit(uow, company, Action.REVOKE_API_KEY, target, f"API key {access_id} revoked")


@dataclass(frozen=True, slots=True)
class TokenSeed:
    """A token's secret and how it counts: from ``--seed`` or a seed file."""

    seed: bytes = field(repr=False)
    digits: int = 6
    interval: int = 60
    expiry: date | None = None


def add_hardware_token(
    uow: UnitOfWork,
    op: Operator,
    company: Company,
    serial: str,
    user_email: str | None = None,
    seed: TokenSeed | None = None,
) -> HardwareToken:
    """A SID700 token; assigned and Enabled when a user is given, else Disabled and unassigned.

    Without a seed, a random one is stored (the token cannot produce codes anyone knows).
    """
    if not serial or len(serial) > MAX_SERIAL_LENGTH:
        raise BadRequest(f"a token serial is 1 to {MAX_SERIAL_LENGTH} characters")
    if seed is not None and not (serial.isascii() and serial.isdigit() and len(serial) <= 12):
        raise BadRequest("a token with a seed needs a serial of 1 to 12 digits")
    if uow.hardware_tokens.exists(serial):
        raise Conflict(f"Hardware token {serial} already exists")
    user = user_by_email(uow, company, user_email) if user_email else None
    token = HardwareToken(
        serial=serial,
        company_id=company.id,
        status=TokenStatus.ENABLED if user else TokenStatus.DISABLED,
        user_id=user.id if user else None,
        name=serial if user else None,
        status_changed_at=op.now,
        status_changed_by=OPERATOR,
        expiry_date=seed.expiry if seed else None,
        assigned_at=op.now if user else None,
        assigned_by=OPERATOR if user else None,
    )
    uow.hardware_tokens.add(
        token,
        op.encrypt_seed(serial, seed.seed if seed else None),
        digits=seed.digits if seed else 6,
        interval_seconds=seed.interval if seed else 60,
    )
    assigned = f", assigned to {user.email}" if user else ""
    op.audit(
        uow,
        company,
        Action.CREATE_HARDWARE_TOKEN,
        Target(TargetType.HARDWARE_TOKEN, serial, serial),
        f"Hardware token {serial} added{assigned}",
    )
    return token


def add_ds100(
    uow: UnitOfWork, op: Operator, company: Company, device_serial: str, user_email: str
) -> tuple[User, list[OtpCredential]]:
    """A DS100 device registered to the user, with its (Enabled) OTP credential."""
    serial = credential_serial(device_serial)
    if uow.ds100.device_exists(device_serial):
        raise Conflict(f"DS100 device {device_serial} already exists")
    user = user_by_email(uow, company, user_email)
    uow.ds100.add_device(Ds100Device(serial=device_serial, company_id=company.id, user_id=user.id))
    credential = OtpCredential(
        serial=serial,
        device_serial=device_serial,
        company_id=company.id,
        status=TokenStatus.ENABLED,
        status_changed_at=op.now,
        status_changed_by=OPERATOR,
    )
    uow.ds100.add_credential(credential, op.encrypt_seed(serial, None))
    target = Target(TargetType.DS100_DEVICE, device_serial, device_serial)
    op.audit(
        uow,
        company,
        Action.CREATE_DS100_DEVICE,
        target,
        f"DS100 device {device_serial} registered to {user.email}",
    )
    return user, [credential]
