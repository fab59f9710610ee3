"""OTP layer for SecurID SID700 tokens and DS100 OTP credentials.

Pure and I/O-light: tokencodes (``securid``), seed encryption at rest (AES-GCM) and
seed file import (``.sdtid`` via ``securid``, PSKC via ``python-pskc``).
"""

from mfadesk.otp.seed_cipher import SeedCipher, SeedDecryptionError
from mfadesk.otp.seed_files import (
    ImportedSeed,
    Rejected,
    SeedFileContents,
    SeedFileError,
    load_seed_file,
    parse_seed_data,
)
from mfadesk.otp.tokencodes import (
    Match,
    TokenGenerator,
    epoch_seconds,
    find_interval,
    find_match,
    normalize_serial,
    tokencode,
)

__all__ = [
    "ImportedSeed",
    "Match",
    "Rejected",
    "SeedCipher",
    "SeedDecryptionError",
    "SeedFileContents",
    "SeedFileError",
    "TokenGenerator",
    "epoch_seconds",
    "find_interval",
    "find_match",
    "load_seed_file",
    "normalize_serial",
    "parse_seed_data",
    "tokencode",
]
