"""The SDK's emergency tokencode v2 against the real server, sync and async."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from mfadesk.client import BadRequest, NotFound
from mfadesk.domain.clock import format_timestamp
from mfadesk.domain.company import EmergencyAccessSettings
from mfadesk.wire.emergency_tokencodes import EnableEmergencyTokencodeV2Response
from tests.conftest import Stack
from tests.support.sdk import assert_api_error


async def test_unit_value_and_one_time_use(stack: Stack, connect: Any) -> None:
    helpdesk = connect(stack, "helpdesk")
    alice = stack.tenant.user("alice")
    issued = await helpdesk.enable_emergency_tokencode_v2(
        alice, expiry_unit="hours", expiry_value=36, one_time_use=True
    )
    assert isinstance(issued, EnableEmergencyTokencodeV2Response)
    assert issued.expirationDate == format_timestamp(stack.clock() + timedelta(hours=36))
    assert issued.oneTimeUse is True and issued.configurationsLocked is False
    assert issued.configurationsUsed.model_dump() == {
        "expiryValue": 36,
        "expiryUnit": "hours",
        "oneTimeUse": True,
    }
    details = await helpdesk.lookup_user("alice@acme.example")
    assert details.emergencyTokencodeId == issued.emergencyTokencodeId

    defaults = await helpdesk.enable_emergency_tokencode_v2(alice)  # the company's defaults
    assert defaults.configurationsUsed.model_dump() == {
        "expiryValue": 7,
        "expiryUnit": "days",
        "oneTimeUse": False,
    }
    minutes = await helpdesk.enable_emergency_tokencode_v2(
        alice, expiry_unit="minutes", expiry_value=90
    )
    assert minutes.expirationDate == format_timestamp(stack.clock() + timedelta(minutes=90))


async def test_a_locked_configuration_wins(stack: Stack, api: Any) -> None:
    with stack.db.unit_of_work() as uow:
        uow.companies.save_settings(
            stack.tenant.company_id,
            EmergencyAccessSettings(locked=True, default_validity=timedelta(hours=12)),
        )
    issued = await api.enable_emergency_tokencode_v2(
        stack.tenant.user("bob"), expiry_unit="days", expiry_value=3, one_time_use=True
    )
    assert issued.configurationsLocked is True and issued.oneTimeUse is False
    assert (issued.configurationsUsed.expiryValue, issued.configurationsUsed.expiryUnit) == (
        12,
        "hours",
    )


RANGE = "The validity must be between 1 minute and 7 days."


@pytest.mark.parametrize(
    ("options", "description"),
    [
        ({"expiry_unit": "hours"}, "expiryUnit and expiryValue must be given together."),
        ({"expiry_unit": "weeks", "expiry_value": 1}, "expiryUnit must be days, hours or minutes."),
        ({"expiry_unit": "days", "expiry_value": 8}, RANGE),
        ({"expiry_unit": "minutes", "expiry_value": 0}, RANGE),
    ],
)
async def test_bad_requests(
    stack: Stack, api: Any, options: dict[str, Any], description: str
) -> None:
    with pytest.raises(BadRequest) as invalid:
        await api.enable_emergency_tokencode_v2(stack.tenant.user("alice"), **options)
    assert_api_error(invalid.value, 400, "BAD_REQUEST", description)


async def test_disabled_or_unknown_user(stack: Stack, api: Any) -> None:
    with pytest.raises(BadRequest) as disabled:
        await api.enable_emergency_tokencode_v2(stack.tenant.user("carol"), one_time_use=True)
    assert_api_error(disabled.value, 400, "BAD_REQUEST", "User is disabled.")
    nobody = str(uuid.uuid4())
    with pytest.raises(NotFound) as missing:
        await api.enable_emergency_tokencode_v2(nobody)
    assert_api_error(missing.value, 404, "NOT_FOUND", f"User {nobody} not found")
