"""The cryptography of exchange packages (docs/exchange.md): hashes, the platform's signing and
recipient keys, signatures and encryption for a recipient, in two suites — `sm` (SM3, SM2 with
SM3, SM4-GCM under a key wrapped with SM2) and `common` (SHA-256, Ed25519, AES-256-GCM under a
key wrapped with X25519 and HKDF-SHA256).
"""

import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import IntegrityError, transaction
from gmssl import sm2  # type: ignore[import-untyped]

from gridgov.exchange.models import PlatformKey


class PackageRefused(ValueError):
    """A package that does not verify, or that this system cannot open."""


# Hashes, keys, signatures, encryption ----------------------------------------------------------


def digest(suite: str, data: bytes) -> str:
    if suite == "sm":
        return _sm3(data).hex()
    return hashlib.sha256(data).hexdigest()


def _sm2(private: str = "", public: str = ""):
    crypt = sm2.CryptSM2(private_key=private, public_key="", mode=1)
    # Set after construction: gmssl's constructor lstrip()s "04" from a key that starts with it,
    # which also eats leading 0s and 4s of the key itself.
    crypt.public_key = public
    return crypt


def _sm3(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def _sm2_kdf(z: bytes, length: int) -> bytes:
    """The KDF of GB/T 32918.4 (SM3, a 32-bit counter from 1)."""
    out = b""
    counter = 1
    while len(out) < length:
        out += _sm3(z + counter.to_bytes(4, "big"))
        counter += 1
    return out[:length]


def sm2_encrypt(public: str, message: bytes) -> bytes:
    """SM2 public-key encryption (GB/T 32918.4), C1‖C3‖C2 with C1 uncompressed (04‖x1‖y1).
    gmssl's own `encrypt` derives its key stream from the hex text of the point, so it is
    done here with its curve arithmetic and the standard KDF."""
    crypt = _sm2("", public)
    n = int(sm2.default_ecc_table["n"], 16)
    while True:
        k = secrets.randbelow(n - 1) + 1
        c1 = crypt._kg(k, sm2.default_ecc_table["g"])
        x2y2 = bytes.fromhex(crypt._kg(k, public))
        t = _sm2_kdf(x2y2, len(message))
        if any(t):
            break
    c2 = bytes(a ^ b for a, b in zip(message, t, strict=True))
    c3 = _sm3(x2y2[:32] + message + x2y2[32:])
    return b"\x04" + bytes.fromhex(c1) + c3 + c2


def sm2_decrypt(private: str, data: bytes) -> bytes:
    """The inverse of `sm2_encrypt`; raises PackageRefused when C3 does not check."""
    if len(data) < 97 or data[0] != 4:
        raise PackageRefused("not an SM2 ciphertext")
    crypt = _sm2(private, "")
    c1, c3, c2 = data[1:65].hex(), data[65:97], data[97:]
    x2y2 = bytes.fromhex(crypt._kg(int(private, 16), c1))
    t = _sm2_kdf(x2y2, len(c2))
    message = bytes(a ^ b for a, b in zip(c2, t, strict=True))
    if not hmac.compare_digest(_sm3(x2y2[:32] + message + x2y2[32:]), c3):
        raise PackageRefused("the data key does not open with this recipient's key")
    return message


def _new_sm2() -> tuple[str, str]:
    n = int(sm2.default_ecc_table["n"], 16)
    d = secrets.randbelow(n - 2) + 1
    private = f"{d:064x}"
    public = _sm2(private)._kg(d, sm2.default_ecc_table["g"])
    return private, public


def _new_key(algorithm: str) -> tuple[str, str]:
    if algorithm == "sm2":
        return _new_sm2()
    raw = serialization.Encoding.Raw
    if algorithm == "ed25519":
        ed = Ed25519PrivateKey.generate()
        priv = ed.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        return priv.hex(), ed.public_key().public_bytes(raw, serialization.PublicFormat.Raw).hex()
    if algorithm == "x25519":
        x = X25519PrivateKey.generate()
        priv = x.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        return priv.hex(), x.public_key().public_bytes(raw, serialization.PublicFormat.Raw).hex()
    raise ValueError(algorithm)


def platform_key(algorithm: str) -> PlatformKey:
    """The platform's key of this algorithm (sm2, ed25519, x25519), made on first use."""
    found = PlatformKey.objects.filter(algorithm=algorithm).first()
    if found is not None:
        return found
    private, public = _new_key(algorithm)
    try:
        with transaction.atomic():
            return PlatformKey.objects.create(algorithm=algorithm, private=private, public=public)
    except IntegrityError:  # made at the same moment elsewhere
        return PlatformKey.objects.get(algorithm=algorithm)


def platform_public_keys() -> dict[str, str]:
    """What another system registers for this one: its signing and recipient keys."""
    return {alg: platform_key(alg).public for alg in ("sm2", "ed25519", "x25519")}


def sign(suite: str, data: bytes) -> tuple[str, str]:
    """(signature, signer public key), both hex."""
    if suite == "sm":
        key = platform_key("sm2")
        return _sm2(key.private, key.public).sign_with_sm3(data), key.public
    key = platform_key("ed25519")
    ed = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key.private))
    return ed.sign(data).hex(), key.public


def verify(suite: str, data: bytes, signature: str, public: str) -> bool:
    try:
        if suite == "sm":
            return bool(_sm2("", public).verify_with_sm3(signature, data))
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(
            bytes.fromhex(signature), data
        )
        return True
    except Exception:
        return False


def _hkdf(shared: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"gridgov-exchange-key-wrap"
    ).derive(shared)


def encrypt_for(suite: str, recipient_public: str, plain: bytes) -> tuple[bytes, dict]:
    """The ciphertext (with its tag) and the manifest's `encryption` entry."""
    if suite == "sm":
        key, nonce = os.urandom(16), os.urandom(12)
        enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        data = enc.update(plain) + enc.finalize() + enc.tag
        wrapped = sm2_encrypt(recipient_public, key)
        entry = {"nonce": nonce.hex(), "wrapped_key": wrapped.hex()}
    else:
        key, nonce = os.urandom(32), os.urandom(12)
        data = AESGCM(key).encrypt(nonce, plain, None)
        eph = X25519PrivateKey.generate()
        peer = X25519PublicKey.from_public_bytes(bytes.fromhex(recipient_public))
        wrap_nonce = os.urandom(12)
        wrapped = AESGCM(_hkdf(eph.exchange(peer))).encrypt(wrap_nonce, key, None)
        raw = serialization.Encoding.Raw
        entry = {
            "nonce": nonce.hex(),
            "wrapped_key": wrapped.hex(),
            "wrap_nonce": wrap_nonce.hex(),
            "ephemeral": eph.public_key().public_bytes(raw, serialization.PublicFormat.Raw).hex(),
        }
    entry["recipient"] = recipient_public
    return data, entry


def decrypt_with(suite: str, private: str, public: str, data: bytes, entry: dict) -> bytes:
    try:
        nonce = bytes.fromhex(entry["nonce"])
        if suite == "sm":
            key = sm2_decrypt(private, bytes.fromhex(entry["wrapped_key"]))
            if len(key) != 16:
                raise PackageRefused("the data key does not open with this recipient's key")
            dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, data[-16:])).decryptor()
            return dec.update(data[:-16]) + dec.finalize()
        me = X25519PrivateKey.from_private_bytes(bytes.fromhex(private))
        peer = X25519PublicKey.from_public_bytes(bytes.fromhex(entry["ephemeral"]))
        key = AESGCM(_hkdf(me.exchange(peer))).decrypt(
            bytes.fromhex(entry["wrap_nonce"]), bytes.fromhex(entry["wrapped_key"]), None
        )
        return AESGCM(key).decrypt(nonce, data, None)
    except PackageRefused:
        raise
    except Exception as exc:
        raise PackageRefused("the data file does not open with this recipient's key") from exc
