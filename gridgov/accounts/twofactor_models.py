"""Second factors beside django-otp's TOTP device: the SM3 one-time password (GM/T 0021) and the
single-use recovery codes. Both are django-otp devices, so a verified session is the same thing
whichever was used."""

import hashlib
import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.util import hex_validator, random_hex

from gridgov.accounts.sm3otp import sm3_otp, time_step


def _new_key() -> str:
    return random_hex(20)


def key_validator(value: str) -> None:
    hex_validator()(value)


def _throttle_factor() -> int:
    return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)


class SM3Device(TimestampMixin, ThrottlingMixin, Device):
    """A time-based one-time password made with SM3 (see gridgov.accounts.sm3otp)."""

    key = models.CharField(max_length=80, validators=[key_validator], default=_new_key)
    step = models.PositiveSmallIntegerField(default=60)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    # The time step of the last accepted code: a code is accepted once (no replay).
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "SM3 OTP device"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        token = str(token).strip()
        now = time_step(time.time(), self.step, self.t0)
        for t in range(now - self.tolerance, now + self.tolerance + 1):
            if t > self.last_t and constant_time_compare(
                sm3_otp(self.bin_key, t, self.digits), token
            ):
                self.last_t = t
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
                return True
        self.throttle_increment(commit=True)
        return False

    def get_throttle_factor(self) -> int:
        return _throttle_factor()

    @property
    def config_url(self) -> str:
        """An otpauth URI as authenticator apps read it, with SM3 as the algorithm."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "gridgov").replace(":", "")
        label = f"{issuer}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": b32encode(self.bin_key).decode(),
                "algorithm": "SM3",
                "digits": self.digits,
                "period": self.step,
                "issuer": issuer,
            },
            quote_via=quote,
        )
        return f"otpauth://totp/{quote(label)}?{params}"


def recovery_hash(code: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), 10_000).hex()


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """The user's ten recovery codes: each signs in once; only their salted hashes are kept."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalize_recovery_code(str(token))
        for row in self.codes.select_for_update().filter(used_at__isnull=True):
            if constant_time_compare(row.code_hash, recovery_hash(code, row.salt)):
                row.used_at = timezone.now()
                row.save(update_fields=["used_at"])
                self.throttle_reset()
                return True
        self.throttle_increment()
        return False

    def get_throttle_factor(self) -> int:
        return _throttle_factor()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.device.user_id} {'used' if self.used_at else 'unused'}"


def normalize_recovery_code(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
