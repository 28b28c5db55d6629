"""The data keys that seal personal identifiers, their versions, and where a hardware security
module takes the place of the software key.

A key is 32 random bytes with a version number. The highest version is *current*: new values
are sealed and indexed with it. Older versions stay in the keyring so rows not yet rotated can
still be read; `gridgov rotate_data_key` moves every row to the current version.

Where the keys come from, first match wins:
1. `GRIDGOV_DATA_KEYS` (environment): `VERSION:HEX[,VERSION:HEX…]`, 64 hex digits per key;
2. the key file `GRIDGOV_DATA_KEY_FILE` (default var/data_keys), one `VERSION HEX` per line,
   generated once with version 1 when missing (like the secret key).

Each process re-reads the key file when it changed, at most every `RELOAD_SECONDS`, and at once
when it meets a version it does not know, so a rotation needs no restart.

The plug point for a hardware security module is `GRIDGOV_DATA_CIPHER`: the dotted path of a
class with the methods of `DataCipher` below. The software one (gridgov.crypto.cipher) holds the
keys in memory; an HSM one keeps them inside the device and calls it for each batch.
"""

import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

KEY_BYTES = 32
RELOAD_SECONDS = 2.0
_LINE = re.compile(r"^\s*(\d+)[\s:]+([0-9a-fA-F]{64})\s*$")


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC-SM3 through the `cryptography` package's own OpenSSL (the system's may lack SM3)."""
    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(message)
    return h.finalize()


class DataKeyError(Exception):
    """A sealed value cannot be opened: unknown key version, wrong key or altered ciphertext."""


@dataclass(frozen=True)
class DataKey:
    """One version of the data key, split into its two uses (derived with HMAC-SM3)."""

    version: int
    sm4: bytes  # 128-bit SM4 key for sealing
    index: bytes  # 256-bit HMAC-SM3 key for the blind index

    @classmethod
    def derive(cls, version: int, master: bytes) -> "DataKey":
        return cls(
            version=version,
            sm4=hmac_sm3(master, b"gridgov data key: sm4-gcm")[:16],
            index=hmac_sm3(master, b"gridgov data key: hmac-sm3 blind index"),
        )


class Keyring:
    """Every version of the data key; the highest is current."""

    def __init__(self, masters: dict[int, bytes]):
        if not masters:
            raise ImproperlyConfigured("No data key: set GRIDGOV_DATA_KEYS or a key file.")
        self.keys = {v: DataKey.derive(v, m) for v, m in masters.items()}
        self.current = self.keys[max(self.keys)]

    def get(self, version: int) -> DataKey:
        try:
            return self.keys[version]
        except KeyError:
            raise DataKeyError(f"data key version {version} is not in the keyring") from None


def parse_keys(text: str) -> dict[int, bytes]:
    """`VERSION HEX` lines or `VERSION:HEX` items separated by commas."""
    masters: dict[int, bytes] = {}
    for item in re.split(r"[,\n]", text):
        if not item.strip() or item.lstrip().startswith("#"):
            continue
        match = _LINE.match(item)
        if not match:
            raise ImproperlyConfigured("A data key is VERSION and 64 hex digits.")
        masters[int(match[1])] = bytes.fromhex(match[2])
    return masters


def format_keys(masters: dict[int, bytes]) -> str:
    lines = ["# gridgov data keys: VERSION HEX; the highest version is current. Keep it secret."]
    lines += [f"{v} {masters[v].hex()}" for v in sorted(masters)]
    return "\n".join(lines) + "\n"


def key_file() -> Path:
    return Path(getattr(settings, "GRIDGOV_DATA_KEY_FILE", settings.VAR_DIR / "data_keys"))


def keys_from_environment() -> bool:
    return bool(getattr(settings, "GRIDGOV_DATA_KEYS", ""))


def _write_new(path: Path, masters: dict[int, bytes]) -> None:
    """Create the file only if nobody else did (two processes starting at once agree)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as f:
        f.write(format_keys(masters))


def _replace(path: Path, masters: dict[int, bytes]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(format_keys(masters))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class _Loaded:
    """The keyring of this process, re-read when the key file changes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.keyring: Keyring | None = None
        self.stamp: tuple[float, int] | None = None
        self.checked = 0.0

    def get(self, force: bool = False) -> Keyring:
        now = time.monotonic()
        if self.keyring is not None and not force and now - self.checked < RELOAD_SECONDS:
            return self.keyring
        with self.lock:
            if keys_from_environment():
                if self.keyring is None:
                    self.keyring = Keyring(parse_keys(settings.GRIDGOV_DATA_KEYS))
                self.checked = now
                return self.keyring
            path = key_file()
            if not path.exists():
                _write_new(path, {1: secrets.token_bytes(KEY_BYTES)})
            stat = path.stat()
            stamp = (stat.st_mtime, stat.st_size)
            if self.keyring is None or stamp != self.stamp:
                self.keyring = Keyring(parse_keys(path.read_text()))
                self.stamp = stamp
            self.checked = now
            return self.keyring

    def forget(self) -> None:
        with self.lock:
            self.keyring, self.stamp, self.checked = None, None, 0.0


_loaded = _Loaded()


def keyring(force: bool = False) -> Keyring:
    return _loaded.get(force)


def forget_keyring() -> None:
    """Drop the keys held in memory (tests, and after the key file or setting changed)."""
    _loaded.forget()
    cipher.cache_clear()


def add_key_version() -> int:
    """A new current version in the key file (older versions are kept); returns it."""
    if keys_from_environment():
        raise ImproperlyConfigured(
            "The data keys come from GRIDGOV_DATA_KEYS: add the new version there and restart."
        )
    path = key_file()
    keyring(force=True)  # makes the file when missing
    masters = parse_keys(path.read_text())
    version = max(masters) + 1
    masters[version] = secrets.token_bytes(KEY_BYTES)
    _replace(path, masters)
    keyring(force=True)
    return version


def retire_key_versions(keep: set[int]) -> list[int]:
    """Remove from the key file the versions not in `keep` (never the current one)."""
    if keys_from_environment():
        raise ImproperlyConfigured("The data keys come from GRIDGOV_DATA_KEYS: edit it there.")
    path = key_file()
    masters = parse_keys(path.read_text())
    keep = keep | {max(masters)}
    gone = sorted(set(masters) - keep)
    if gone:
        _replace(path, {v: m for v, m in masters.items() if v in keep})
        keyring(force=True)
    return gone


class DataCipher(Protocol):
    """What seals and indexes identifiers. Batches, so a hardware module is called once per
    batch of an import, not once per value. `context` names the column (bound into the seal as
    associated data); `kind` names the index domain (values of one kind share an index)."""

    def current_version(self) -> int: ...

    def versions(self) -> list[int]: ...

    def seal(self, values: list[str], context: bytes) -> list[str]: ...

    def open(self, tokens: list[str], context: bytes) -> list[str]: ...

    def index(self, values: list[str], kind: bytes, version: int | None = None) -> list[str]: ...


@cache
def cipher() -> DataCipher:
    """The configured cipher (software SM4-GCM and HMAC-SM3 unless GRIDGOV_DATA_CIPHER says)."""
    path = getattr(settings, "GRIDGOV_DATA_CIPHER", "") or "gridgov.crypto.cipher.SoftwareCipher"
    return import_string(path)()
