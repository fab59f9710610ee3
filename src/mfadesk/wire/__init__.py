"""Wire models: the only place a JSON shape of the contract is spelled out.

Shared by the server (`mfadesk.api`) and the SDK (`mfadesk.client`). Field names are the
contract's. Requests ignore unknown fields (be tolerant in what we accept); responses are exact.
"""
