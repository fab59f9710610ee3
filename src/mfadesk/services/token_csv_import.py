"""`mfadesk token import FILE.csv`: SID700 tokens and their assignments from a CSV file.

``tokenSerialNumber,emailAddress[,seed]``. A new serial creates the token — assigned to the
row's user and Enabled, or a spare, Disabled, without one — with the row's seed (or a random
one), encrypted as every seed is (AES-GCM, `otp.seed_cipher`). A known spare is assigned to the
row's user. A token the row already describes is left as it is, so importing a file twice
changes nothing; a token assigned to someone else, or known with another seed, is reported.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from mfadesk.domain.audit import Action, Target, TargetType
from mfadesk.domain.company import Company
from mfadesk.domain.errors import DomainError, NotFound
from mfadesk.domain.import_rows import (
    CsvRecord,
    ImportReport,
    TokenChange,
    TokenRow,
    TokenRowParser,
    token_change,
)
from mfadesk.otp.seed_cipher import SeedCipher, SeedDecryptionError
from mfadesk.services.csv_import import (
    CHUNK_ROWS,
    ImportAudit,
    Transaction,
    parsed_chunks,
    run_import,
)
from mfadesk.services.provisioning import OPERATOR, SEED_BYTES, Operator, resolve_company
from mfadesk.store.imports import NewToken, StoredToken
from mfadesk.store.unit_of_work import UnitOfWork


def _same_seed(cipher: SeedCipher, stored: StoredToken, seed: bytes) -> bool:
    if stored.seed_ciphertext is None:
        return False
    try:
        return hmac.compare_digest(cipher.decrypt(stored.serial, stored.seed_ciphertext), seed)
    except SeedDecryptionError:
        return False


@dataclass(frozen=True, slots=True)
class _Planned:
    new: list[NewToken]
    assignments: dict[str, str]  # serial -> user id
    report: ImportReport


def _plan(
    company_id: str,
    cipher: SeedCipher,
    random_seed: Callable[[], bytes],
    rows: list[tuple[int, TokenRow]],
    user_ids: dict[str, str],
    stored: dict[str, StoredToken],
) -> _Planned:
    plan = _Planned([], {}, ImportReport())
    creating: list[tuple[str, str | None, bytes]] = []  # serial, user id, seed
    for line, row in rows:
        try:
            user_id = None
            if row.email is not None:
                user_id = user_ids.get(row.email)
                if user_id is None:
                    raise NotFound(f"User {row.email} not found")
            token = stored.get(row.serial)
            same_seed = None
            if token is not None and row.seed is not None:
                same_seed = _same_seed(cipher, token, row.seed)
            change = token_change(
                row,
                exists_here=token is not None and token.company_id == company_id,
                exists_elsewhere=token is not None and token.company_id != company_id,
                holder_id=None if token is None else token.user_id,
                user_id=user_id,
                same_seed=same_seed,
            )
        except DomainError as error:
            plan.report.reject(line, error.description)
            continue
        if change is TokenChange.CREATE:
            creating.append((row.serial, user_id, random_seed() if row.seed is None else row.seed))
        elif change is TokenChange.ASSIGN:
            assert user_id is not None
            plan.assignments[row.serial] = user_id
        else:
            plan.report.unchanged += 1
    sealed = cipher.encrypt_many((serial, seed) for serial, _, seed in creating)
    plan.new.extend(
        NewToken(serial, user_id, seed)
        for (serial, user_id, _), seed in zip(creating, sealed, strict=True)
    )
    plan.report.created, plan.report.updated = len(plan.new), len(plan.assignments)
    return plan


def _apply(
    company: Company, uow: UnitOfWork, op: Operator, rows: list[tuple[int, TokenRow]]
) -> ImportReport:
    if not rows:
        return ImportReport()
    emails = list({row.email for _, row in rows if row.email is not None})
    plan = _plan(
        company.id,
        SeedCipher(op.env.keys.seed_encryption),
        partial(op.env.random.token_bytes, SEED_BYTES),
        rows,
        uow.imports.user_ids_by_email(company.id, emails),
        uow.imports.tokens_by_serial([row.serial for _, row in rows]),
    )
    uow.imports.insert_tokens(company.id, op.now, OPERATOR, plan.new)
    uow.imports.assign_spares(op.now, OPERATOR, plan.assignments)
    return plan.report


def import_token_csv(
    transaction: Transaction,
    records: Iterable[CsvRecord],
    positions: dict[str, int],
    *,
    company: str | None,
    file_name: str,
    chunk_size: int = CHUNK_ROWS,
    on_progress: Callable[[int], None] = lambda records: None,
) -> ImportReport:
    """Import the records (after the header, whose column `positions` are given)."""
    target = transaction(lambda uow, op: resolve_company(uow, company))
    report = ImportReport()
    audit = ImportAudit(
        target,
        Action.IMPORT_HARDWARE_TOKENS,
        Target(TargetType.COMPANY, target.id, target.name),
        f"Hardware tokens imported from {file_name}",
    )
    chunks = parsed_chunks(
        records,
        TokenRowParser(positions),
        _serial,
        "tokenSerialNumber",
        report,
        chunk_size,
    )
    return run_import(transaction, chunks, report, partial(_apply, target), audit, on_progress)


def _serial(row: TokenRow) -> str:
    return row.serial
