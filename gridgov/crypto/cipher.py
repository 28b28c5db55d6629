"""The software cipher: SM4 in GCM mode (GB/T 32907 block cipher, NIST SP 800-38D mode) with a
random 96-bit nonce per value, through the `cryptography` package (OpenSSL).

Why GCM: it is an authenticated mode, so a wrong key or an altered value fails loudly instead of
decrypting to garbage, and the column's name is bound in as associated data, so a sealed value
copied into another column does not open. ECB would give equal ciphertexts for equal numbers
(and leak them); CBC or CTR would need a separate HMAC-SM3 tag for the same guarantee.

A sealed value is text: `VERSION$BASE64(nonce ‖ ciphertext ‖ tag)`, 12 + n + 16 bytes.
"""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from gridgov.crypto.blind_index import BlindIndexer
from gridgov.crypto.keys import DataKeyError, keyring

NONCE = 12
TAG = 16


def sealed_length(max_chars: int) -> int:
    """Characters a sealed value of at most `max_chars` characters (UTF-8) can take."""
    raw = NONCE + 4 * max_chars + TAG
    return 6 + 4 * ((raw + 2) // 3)


class SoftwareCipher:
    """Keys in this process's memory (see gridgov.crypto.keys for where they come from)."""

    def __init__(self):
        self._algorithms: dict[tuple[int, bytes], algorithms.SM4] = {}
        self._indexers: dict[tuple[int, bytes], BlindIndexer] = {}

    def current_version(self) -> int:
        return keyring().current.version

    def versions(self) -> list[int]:
        return sorted(keyring().keys, reverse=True)

    def _algorithm(self, version: int) -> algorithms.SM4:
        key = keyring().get(version) if version in keyring().keys else keyring(True).get(version)
        found = self._algorithms.get((version, key.sm4))
        if found is None:
            found = self._algorithms[(version, key.sm4)] = algorithms.SM4(key.sm4)
        return found

    def seal(self, values: list[str], context: bytes) -> list[str]:
        version = self.current_version()
        algorithm = self._algorithm(version)
        prefix = f"{version}$"
        nonces = os.urandom(NONCE * len(values))
        out = []
        for i, value in enumerate(values):
            nonce = nonces[i * NONCE : (i + 1) * NONCE]
            encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(context)
            body = encryptor.update(value.encode()) + encryptor.finalize()
            out.append(prefix + base64.b64encode(nonce + body + encryptor.tag).decode())
        return out

    def open(self, tokens: list[str], context: bytes) -> list[str]:
        out = []
        for token in tokens:
            version, sep, text = token.partition("$")
            if not sep or not version.isdigit():
                raise DataKeyError("not a sealed value")
            raw = base64.b64decode(text)
            nonce, body, tag = raw[:NONCE], raw[NONCE:-TAG], raw[-TAG:]
            decryptor = Cipher(self._algorithm(int(version)), modes.GCM(nonce, tag)).decryptor()
            decryptor.authenticate_additional_data(context)
            try:
                out.append((decryptor.update(body) + decryptor.finalize()).decode())
            except InvalidTag:
                raise DataKeyError(
                    f"a value sealed with data key version {version} does not open with it "
                    "(wrong key, or the value was altered)"
                ) from None
        return out

    def index(self, values: list[str], kind: bytes, version: int | None = None) -> list[str]:
        key = keyring().get(self.current_version() if version is None else version)
        indexer = self._indexers.get((key.version, key.index))
        if indexer is None:
            indexer = self._indexers[(key.version, key.index)] = BlindIndexer(key.index)
        return indexer.index(values, kind)
