"""A refused SECURID passcode costs the same cryptographic work whoever it was sent for: a real
user's wrong code, an unknown, disabled or locked user, a user without usable credentials or
with a locked token. Otherwise the answer's latency tells who exists (bench/authn_timing.py
measures the latencies; this counts the work, which is what makes them equal): the seed
decryptions, the tokencode blocks and the two failure-count writes (a refused check's match no
row)."""

from __future__ import annotations

import cProfile
import pstats
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest

from mfadesk.api.authn import lockout_policy
from mfadesk.domain.hardware_tokens import TokenStatus
from mfadesk.domain.lockout import Lockout
from mfadesk.domain.securid_credentials import VerificationState
from mfadesk.otp.secret_key import load_or_create_server_keys
from mfadesk.services.authn_attempts import CredentialInput, InitializeInput, initialize
from mfadesk.services.authn_call import AuthnCall, AuthnConfig
from mfadesk.services.authn_keys import create_authn_key
from mfadesk.services.context import ServiceEnv
from mfadesk.services.provisioning import Operator, add_hardware_token, add_user, resolve_company
from mfadesk.settings import Settings
from mfadesk.store.database import Database
from mfadesk.store.migrate import upgrade
from mfadesk.store.tables import ds100_credentials, hardware_tokens, users
from tests.support.clock import MutableClock
from tests.support.tenant import build_tenant

FRANKS_TOKEN, GRACES_TOKEN = "000200000008", "000200000009"
# Who each case sends the wrong passcode for (see `tenant`).
CASES = {
    "unknown user": "nobody@acme.example",
    "disabled user": "carol@acme.example",
    "locked user": "dave@acme.example",
    "user without credentials": "erin@acme.example",
    "disabled token": "grace@acme.example",
    "locked token": "frank@acme.example",
}


@dataclass
class Tenant:
    db: Database
    env: ServiceEnv
    client_key: str


@pytest.fixture
def tenant(sqlite_url: str, tmp_path: Path, clock: MutableClock) -> Iterator[Tenant]:
    """The tenant's users in the states of CASES (alice is the real user, with her token)."""
    env = ServiceEnv(keys=load_or_create_server_keys(tmp_path / "secret.key"), clock=clock)
    db = Database(sqlite_url)
    upgrade(db.engine)
    users = build_tenant(db, env)
    locked = Lockout(failures=10, locked_until=clock() + timedelta(hours=1))
    with db.unit_of_work() as uow:
        op = Operator.start(env)
        company = resolve_company(uow, "Acme")
        add_user(uow, op, company, "erin@acme.example")
        frank = add_user(uow, op, company, "frank@acme.example")
        add_hardware_token(uow, op, company, FRANKS_TOKEN, frank.email)
        (franks,) = uow.securid_credentials.of_user(company.id, frank.id)
        uow.securid_credentials.save_state(franks, VerificationState(lockout=locked))
        grace = add_user(uow, op, company, "grace@acme.example")
        graces = add_hardware_token(uow, op, company, GRACES_TOKEN, grace.email)
        uow.hardware_tokens.save_status(replace(graces, status=TokenStatus.DISABLED))
        uow.users.save_authn_lockout(users.user("dave"), locked)
        _, client_key = create_authn_key(uow, op, company, "agent")
    yield Tenant(db, env, client_key)
    db.close()


def work(tenant: Tenant, subject: str) -> tuple[int, int, int, int]:
    """(seed decryptions, AES tokencode blocks, credential and user failure-count writes) of one
    one-step initialize with a wrong code, run in this thread, where the profiler counts the
    calls."""
    config = AuthnConfig.build(tenant.env, lockout_policy(Settings()))
    call = AuthnCall.start(config, tenant.client_key, "127.0.0.1")
    request = InitializeInput(
        subject, str(uuid.uuid4()), 60, credentials=(CredentialInput("SECURID", "000000"),)
    )
    profile = cProfile.Profile()
    with tenant.db.unit_of_work() as uow:
        profile.runcall(initialize, uow, call, request)
    counts = {
        (Path(file).name, name): calls
        for (file, _, name), (_, calls, *_) in pstats.Stats(profile).stats.items()
    }
    return (
        counts.get(("seed_cipher.py", "decrypt"), 0),
        counts.get(("token.py", "generate_otp"), 0),
        counts.get(("securid_credentials.py", "save_state"), 0),
        counts.get(("users.py", "save_authn_lockout"), 0),
    )


def test_every_refused_passcode_costs_what_a_real_users_wrong_code_does(
    tenant: Tenant,
) -> None:
    real = work(tenant, "alice@acme.example")
    # One seed; the ±3 window spans two or three blocks; the token's and the user's failures.
    assert real[0] == 1 and real[1] >= 2 and real[2:] == (1, 1)
    assert {case: work(tenant, subject) for case, subject in CASES.items()} == {
        case: real for case in CASES
    }


def test_a_refused_passcode_the_user_does_not_count_changes_no_row(tenant: Tenant) -> None:
    """The failure-count writes of an unknown, disabled or locked user's check match no row."""

    def rows() -> list[object]:
        with tenant.db.engine.connect() as connection:
            return [
                sorted(map(tuple, connection.execute(table.select()).all()))
                for table in (users, hardware_tokens, ds100_credentials)
            ]

    before = rows()
    for case in ("unknown user", "disabled user", "locked user"):
        work(tenant, CASES[case])
    assert rows() == before
