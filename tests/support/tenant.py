"""A tenant built through the operator services, as `mfadesk` commands would build it."""

from __future__ import annotations

from dataclasses import dataclass, field

from mfadesk.domain.admins import Role
from mfadesk.domain.pins import PinPolicy
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import (
    Operator,
    add_admin,
    add_ds100,
    add_hardware_token,
    add_user,
    ensure_company,
)
from mfadesk.store.database import Database
from tests.support.keys import key_pair

TOKEN_ALICE = "000200000001"
TOKEN_BOB = "000200000002"
TOKEN_SPARE = "000200000003"
DEVICE_DAVE = "140100080"
CREDENTIAL_DAVE = "014010008031"
DEVICE_SPARE_OWNER_BOB = "140100081"


@dataclass(frozen=True)
class AdminKey:
    email: str
    role: Role
    access_id: str
    private_pem: str


@dataclass
class Tenant:
    company_id: str
    user_ids: dict[str, str] = field(default_factory=dict)
    admins: dict[str, AdminKey] = field(default_factory=dict)

    def user(self, name: str) -> str:
        return self.user_ids[name]


def build_tenant(db: Database, env: ServiceEnv, company_name: str = "Acme") -> Tenant:
    """Users alice, bob, dave (enabled) and carol (disabled); tokens; DS100; two admins; PINs
    optional."""
    op = Operator.start(env)
    with db.unit_of_work() as uow:
        company = ensure_company(uow, op, company_name)
        # PINs optional: the tenant's credentials (which have none) take the tokencode alone,
        # as every test written before PINs expects. PIN tests require them (`require_pins`).
        uow.companies.save_pin_policy(company.id, PinPolicy(required=False))
        tenant = Tenant(company_id=company.id)
        for name, disabled in (("alice", False), ("bob", False), ("carol", True), ("dave", False)):
            user = add_user(
                uow,
                op,
                company,
                f"{name}@{company_name.lower()}.example",
                name.title(),
                "Test",
                disabled,
            )
            tenant.user_ids[name] = user.id
        add_hardware_token(uow, op, company, TOKEN_ALICE, f"alice@{company_name.lower()}.example")
        add_hardware_token(uow, op, company, TOKEN_BOB, f"bob@{company_name.lower()}.example")
        add_hardware_token(uow, op, company, TOKEN_SPARE)
        add_ds100(uow, op, company, DEVICE_DAVE, f"dave@{company_name.lower()}.example")
        add_ds100(uow, op, company, DEVICE_SPARE_OWNER_BOB, f"bob@{company_name.lower()}.example")
        for index, (name, role) in enumerate(
            (("super", Role.SUPER_ADMIN), ("helpdesk", Role.HELP_DESK_ADMIN))
        ):
            private, public = key_pair(index)
            email = f"{name}@{company_name.lower()}.example"
            _, access_id = add_admin(uow, op, company, email, role, public, "test key")
            tenant.admins[name] = AdminKey(email, role, access_id, private)
    return tenant
