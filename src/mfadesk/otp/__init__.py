"""OTP layer for SecurID SID700 tokens and DS100 OTP credentials.

Pure and I/O-light: tokencodes (``tokencodes``, on ``securid``), seed encryption at rest
(``seed_cipher``, AES-GCM), seed file import (``seed_files``: ``.sdtid`` via ``securid``, PSKC via
``python-pskc``) and emergency tokencodes (``emergency``). Import the module you need: this
package re-exports nothing, so that the SDK's use of ``emergency`` does not pull ``securid`` and
``python-pskc``, which come with the ``server`` extra.
"""
