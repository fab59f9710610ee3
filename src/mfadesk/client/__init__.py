"""The mfadesk Python SDK for the Cloud Administration API.

Works against mfadesk and against the real cloud service. Offline agents use
`parse_offline_bundle` and `verify_offline` to check an emergency tokencode against a
downloaded bundle.
"""

from mfadesk.client.offline import parse_offline_bundle
from mfadesk.otp.emergency import OfflineBundle, verify_offline

__all__ = ["OfflineBundle", "parse_offline_bundle", "verify_offline"]
