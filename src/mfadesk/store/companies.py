"""Companies (tenants), their emergency-access settings and their PIN policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from mfadesk.domain.company import Company, EmergencyAccessSettings
from mfadesk.domain.pins import PinPolicy
from mfadesk.store.prepared import Prepared
from mfadesk.store.tables import companies

_SELECT_BY_ID = select(companies).where(companies.c.id == bindparam("id"))
_BY_ID = Prepared(_SELECT_BY_ID)
_BY_ID_FOR_UPDATE = Prepared(_SELECT_BY_ID.with_for_update())
_BY_NAME = Prepared(select(companies).where(companies.c.name == bindparam("name")))


def _settings_columns(settings: EmergencyAccessSettings) -> dict[str, Any]:
    return {
        "eac_locked": settings.locked,
        "eac_default_validity_minutes": int(settings.default_validity.total_seconds() // 60),
        "eac_one_time_use": settings.one_time_use,
        "eac_code_length": settings.code_length,
        "eac_alphabet": settings.alphabet,
        "eac_offline_validity_minutes": int(settings.offline_validity.total_seconds() // 60),
    }


def _pin_policy_columns(policy: PinPolicy) -> dict[str, Any]:
    return {
        "pin_required": policy.required,
        "pin_min_length": policy.min_length,
        "pin_max_length": policy.max_length,
        "pin_alphanumeric": policy.alphanumeric,
    }


def _to_company(row: Any) -> Company:
    return Company(
        id=row.id,
        name=row.name,
        emergency_access=EmergencyAccessSettings(
            locked=row.eac_locked,
            default_validity=timedelta(minutes=row.eac_default_validity_minutes),
            one_time_use=row.eac_one_time_use,
            code_length=row.eac_code_length,
            alphabet=row.eac_alphabet,
            offline_validity=timedelta(minutes=row.eac_offline_validity_minutes),
        ),
        pin_policy=PinPolicy(
            required=bool(row.pin_required),
            min_length=row.pin_min_length,
            max_length=row.pin_max_length,
            alphanumeric=bool(row.pin_alphanumeric),
        ),
    )


class CompanyRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, company_id: str, *, for_update: bool = False) -> Company | None:
        statement = _BY_ID_FOR_UPDATE if for_update else _BY_ID
        row = statement.one_or_none(self._c, {"id": company_id})
        return None if row is None else _to_company(row)

    def get_by_name(self, name: str) -> Company | None:
        row = _BY_NAME.one_or_none(self._c, {"name": name})
        return None if row is None else _to_company(row)

    def list(self) -> list[Company]:
        return [
            _to_company(r) for r in self._c.execute(select(companies).order_by(companies.c.name))
        ]

    def add(self, company: Company) -> None:
        self._c.execute(
            insert(companies).values(
                id=company.id,
                name=company.name,
                **_settings_columns(company.emergency_access),
                **_pin_policy_columns(company.pin_policy),
            )
        )

    def save_settings(self, company_id: str, settings: EmergencyAccessSettings) -> None:
        self._c.execute(
            update(companies)
            .where(companies.c.id == company_id)
            .values(**_settings_columns(settings))
        )

    def save_pin_policy(self, company_id: str, policy: PinPolicy) -> None:
        self._c.execute(
            update(companies)
            .where(companies.c.id == company_id)
            .values(**_pin_policy_columns(policy))
        )
