"""The blind index: a keyed SM3 hash (HMAC-SM3) of a normalised identifier, stored beside its
sealed value so exact searches and uniqueness checks work without decrypting anything.

Each kind of identifier (ID numbers, phone numbers) has its own index key, derived from the
data key of a version: the same phone number has the same index in every table, so a phone can
be searched across people, users and cases, but an ID number never matches a phone. Only exact
matches are possible; prefixes and substrings are not (a hash keeps no order or parts).
"""

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from gridgov.crypto.keys import hmac_sm3

INDEX_CHARS = 22  # 128 bits in URL-safe base64: no collisions in any register, a short column


def normalise(value: str) -> str:
    """The same identifier is the same text, as the services store it (they clean ID and phone
    numbers before saving; searches clean what is typed the same way), less outer spaces. No
    looser: the index carries the uniqueness constraint the plain column used to."""
    return value.strip()


class BlindIndexer:
    """HMAC-SM3 under one version's index key, one pre-keyed state per kind (copied per value)."""

    def __init__(self, index_key: bytes):
        self.index_key = index_key
        self._bases: dict[bytes, crypto_hmac.HMAC] = {}

    def _base(self, kind: bytes) -> crypto_hmac.HMAC:
        base = self._bases.get(kind)
        if base is None:
            kind_key = hmac_sm3(self.index_key, b"blind index of " + kind)
            base = self._bases[kind] = crypto_hmac.HMAC(kind_key, hashes.SM3())
        return base

    def index(self, values: list[str], kind: bytes) -> list[str]:
        base = self._base(kind)
        out = []
        for value in values:
            h = base.copy()
            h.update(normalise(value).encode())
            out.append(base64.urlsafe_b64encode(h.finalize()[:16]).decode()[:INDEX_CHARS])
        return out
