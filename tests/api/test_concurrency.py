"""Concurrent admins cannot lose an update, and every real transition is audited exactly once."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import httpx

from mfadesk.domain.audit import Action
from tests.conftest import Stack
from tests.support.tenant import TOKEN_ALICE

FLIPS = 64


def test_64_concurrent_flips_on_one_token(stack: Stack) -> None:
    alice = stack.tenant.user("alice")
    token = stack.jwt()
    verbs = [random.choice(["disable", "enable"]) for _ in range(FLIPS)]
    verbs[:2] = ["disable", "enable"]  # at least one real transition each way

    def flip(verb: str) -> httpx.Response:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            return client.patch(
                f"{stack.admin_base}/v1/users/{alice}/sidTokens/{verb}",
                json={"tokenSerialNumber": TOKEN_ALICE},
            )

    with ThreadPoolExecutor(max_workers=FLIPS) as pool:
        responses = list(pool.map(flip, verbs))

    assert [r.status_code for r in responses] == [200] * FLIPS
    flips = [
        e.event
        for e in stack.audit_events()
        if e.event.action in (Action.DISABLE_HARDWARE_TOKEN, Action.ENABLE_HARDWARE_TOKEN)
    ]
    assert len(flips) == FLIPS
    changed = [e.action for e in flips if e.changed]
    # Real transitions alternate, starting from the token's initial Enabled state.
    expected_cycle = [Action.DISABLE_HARDWARE_TOKEN, Action.ENABLE_HARDWARE_TOKEN]
    assert changed == [expected_cycle[i % 2] for i in range(len(changed))]
    assert len(changed) >= 1
    with stack.db.unit_of_work() as uow:
        final = uow.hardware_tokens.get(stack.tenant.company_id, TOKEN_ALICE)
    assert final is not None
    assert final.status.value == (
        "Disabled" if changed[-1] is Action.DISABLE_HARDWARE_TOKEN else "Enabled"
    )
    with stack.db.unit_of_work() as uow:
        assert uow.audit.verify_chain().ok
