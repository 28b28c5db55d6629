"""The SM3-based one-time password of GM/T 0021-2012 (动态口令密码应用技术规范), time mode.

    ID = T as a 64-bit big-endian number, zero-padded to 128 bits (no counter, no challenge)
    S  = SM3(K ‖ ID)
    OD = (S1 + S2 + … + S8) mod 2^32, S1…S8 the eight 32-bit big-endian words of S
    P  = OD mod 10^N, written with N digits

T counts time steps of `step` seconds since `t0` (Unix time), as in TOTP (RFC 6238).
"""

import struct

from cryptography.hazmat.primitives import hashes

ID_BYTES = 16


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def time_step(unix_time: float, step: int, t0: int = 0) -> int:
    return int((unix_time - t0) // step)


def sm3_otp(key: bytes, t: int, digits: int = 6) -> str:
    ident = struct.pack(">Q", t).ljust(ID_BYTES, b"\0")
    words = struct.unpack(">8I", sm3(key + ident))
    od = sum(words) % 2**32
    return str(od % 10**digits).zfill(digits)
