"""Importing SID700 tokens from a seed file (RSA ``.sdtid`` or PSKC).

Each token goes through the same storage path as ``mfadesk token add --seed``, in its own
transaction: a token already present is skipped (importing a file twice changes nothing), a
token that cannot be stored is rejected with the reason, and the rest of the file goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

from mfadesk.domain.company import Company
from mfadesk.domain.errors import BadRequest, Conflict, NotFound
from mfadesk.domain.hardware_tokens import HardwareToken
from mfadesk.otp.seed_files import ImportedSeed, Rejected, SeedFileContents
from mfadesk.services.provisioning import (
    Operator,
    TokenSeed,
    add_hardware_token,
    resolve_company,
)
from mfadesk.store.unit_of_work import UnitOfWork

T = TypeVar("T")


class Transaction(Protocol):
    def __call__(self, fn: Callable[[UnitOfWork, Operator], T], /) -> T: ...


@dataclass(slots=True)
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def import_token(
    uow: UnitOfWork, op: Operator, company: Company, seed: ImportedSeed, user_email: str | None
) -> HardwareToken:
    """One token: unassigned and Disabled, or assigned to ``user_email`` and Enabled."""
    return add_hardware_token(
        uow,
        op,
        company,
        seed.serial,
        user_email,
        TokenSeed(seed.seed, seed.digits, seed.interval, seed.expiry),
    )


def import_seeds(
    transaction: Transaction,
    contents: SeedFileContents,
    company_name: str | None,
    user_map: Mapping[str, str],
    on_progress: Callable[[], None] = lambda: None,
) -> ImportReport:
    """An unknown company stops the import before any token (`NotFound`)."""
    company = transaction(lambda uow, op: resolve_company(uow, company_name))
    report = ImportReport(rejected=list(contents.rejected))
    for seed in contents.seeds:
        email = user_map.get(seed.serial)
        try:
            transaction(partial(import_token, company=company, seed=seed, user_email=email))
        except Conflict:
            report.skipped.append(seed.serial)
        except (NotFound, BadRequest) as error:
            report.rejected.append(Rejected(seed.serial, error.description))
        else:
            report.imported.append(seed.serial)
        on_progress()
    return report
