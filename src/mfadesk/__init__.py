"""mfadesk — a self-hostable RSA SecurID Cloud Administration REST API."""

__version__ = "0.1.0"
