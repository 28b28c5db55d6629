import json
import struct
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridgov.accounts import twofactor
from gridgov.accounts.models import RecoveryCodeDevice, SM3Device
from gridgov.accounts.permissions import Role
from gridgov.accounts.sm3otp import sm3_otp
from gridgov.audit.models import ChangeLog
from gridgov.conftest import make_user


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings):
    # django-otp waits 1, 2, 4 … seconds after each wrong code; tests try codes back to back.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


# --- An SM3 of our own, straight from GB/T 32905-2016, to check the one the platform uses. ---
_IV = (
    0x7380166F,
    0x4914B2B9,
    0x172442D7,
    0xDA8A0600,
    0xA96F30BC,
    0x163138AA,
    0xE38DEE4D,
    0xB0FB0E4E,
)
_M = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _M


def _sm3(message: bytes) -> bytes:
    length = len(message) * 8
    message += b"\x80" + b"\0" * ((55 - len(message)) % 64) + struct.pack(">Q", length)
    v = list(_IV)
    for block in range(0, len(message), 64):
        w = list(struct.unpack(">16I", message[block : block + 64]))
        for j in range(16, 68):
            x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
            w.append((x ^ _rotl(x, 15) ^ _rotl(x, 23)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            t = 0x79CC4519 if j < 16 else 0x7A879D8A
            ss1 = _rotl((_rotl(a, 12) + e + _rotl(t, j)) & _M, 7)
            ss2 = ss1 ^ _rotl(a, 12)
            ff = a ^ b ^ c if j < 16 else (a & b) | (a & c) | (b & c)
            gg = e ^ f ^ g if j < 16 else (e & f) | (~e & g)
            tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) & _M
            tt2 = (gg + h + ss1 + w[j]) & _M
            a, b, c, d = tt1, a, _rotl(b, 9), c
            e, f, g, h = tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17), e, _rotl(f, 19), g
        v = [x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h), strict=True)]
    return struct.pack(">8I", *v)


def _gmt0021(key: bytes, t: int) -> str:
    """GM/T 0021: ID = T (64 bits) padded to 128 bits; OD = sum of the 8 words mod 2^32."""
    digest = _sm3(key + t.to_bytes(8, "big") + bytes(8))
    od = sum(int.from_bytes(digest[i : i + 4], "big") for i in range(0, 32, 4)) % 2**32
    return f"{od % 1_000_000:06d}"


def test_sm3_otp_known_answers():
    # The hash itself: the two examples of the SM3 standard.
    assert _sm3(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert _sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )
    key = bytes(range(1, 9)) * 2
    for t in (0, 1, 29_000_000, 2**40 + 7):
        assert sm3_otp(key, t) == _gmt0021(key, t)
    assert sm3_otp(key, 29_000_000) == "239643"


@pytest.mark.parametrize(
    ("name", "asked"),
    [
        ("admin", True),
        ("district", True),
        ("op_a", True),
        ("member_a", True),
        ("leader", False),
        ("auditor", False),
    ],
)
def test_who_needs_two_factor(tree, users, name, asked, settings):
    assert twofactor.requires_two_factor(users[name]) is asked
    settings.GRIDGOV_REQUIRE_2FA = False
    assert twofactor.requires_two_factor(users[name]) is False


def _login(username: str) -> Client:
    client = Client()
    answer = client.post("/accounts/login/", {"username": username, "password": f"pw-{username}"})
    assert answer.status_code == 302
    return client


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, drift=offset_steps):06d}"


def test_without_a_device_every_page_leads_to_setup(tree, users):
    client = _login("op_a")
    answer = client.get("/registry/people/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/2fa/?next=")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/accounts/users/").status_code == 302
    # a role without the requirement goes straight in (liveness of the check above)
    assert _login("leader").get("/api/v1/me").status_code == 200


def test_setup_turns_it_on_with_ten_recovery_codes(tree, users):
    client = _login("op_a")
    page = client.get("/accounts/2fa/?next=/registry/people/")
    assert page.status_code == 200 and b"<svg" in page.content
    assert client.get("/accounts/2fa/").context["secret"] == page.context["secret"]  # on reload
    pending = TOTPDevice.objects.get(user=users["op_a"], confirmed=False)
    assert client.post("/accounts/2fa/", {"code": "000000"}).status_code == 200
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed
    answer = client.post("/accounts/2fa/", {"code": _code(pending), "next": "/registry/people/"})
    assert answer.status_code == 200
    codes = answer.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed
    stored = list(RecoveryCodeDevice.objects.get(user=users["op_a"]).codes.all())
    assert len(stored) == 10 and all(
        c.code_hash not in {x.replace("-", "") for x in codes} for c in stored
    )
    assert client.get("/registry/people/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    note = ChangeLog.objects.filter(object_id=str(users["op_a"].pk)).first().note
    assert "TOTP" in note


def test_login_with_a_correct_wrong_and_replayed_code(tree, users):
    device = _device(users["district"])
    client = _login("district")
    answer = client.get("/registry/people/")
    assert answer["Location"].startswith("/accounts/2fa/verify/")
    wrong = client.post("/accounts/2fa/verify/", {"code": _code(device, 5)})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert client.get("/registry/people/").status_code == 302
    code = _code(device)
    right = client.post("/accounts/2fa/verify/", {"code": code, "next": "/registry/people/"})
    assert right.status_code == 302 and right["Location"] == "/registry/people/"
    assert client.get("/registry/people/").status_code == 200
    # the same code a second time (another browser) is refused
    again = _login("district")
    assert again.post("/accounts/2fa/verify/", {"code": code}).status_code == 200
    assert again.get("/registry/people/").status_code == 302


def test_next_never_leaves_the_site(tree, users):
    device = _device(users["district"])
    client = _login("district")
    answer = client.post(
        "/accounts/2fa/verify/", {"code": _code(device), "next": "https://evil.example/"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_a_recovery_code_signs_in_once(tree, users):
    user = users["op_a"]
    _device(user)
    codes = twofactor._new_recovery_codes(user)
    first = _login("op_a")
    assert first.post("/accounts/2fa/verify/", {"code": codes[3].upper()}).status_code == 302
    assert first.get("/registry/people/").status_code == 200
    second = _login("op_a")
    assert second.post("/accounts/2fa/verify/", {"code": codes[3]}).status_code == 200
    assert second.get("/registry/people/").status_code == 302
    assert twofactor.unused_recovery_codes(user) == 9
    assert second.post("/accounts/2fa/verify/", {"code": codes[4]}).status_code == 302


def test_new_recovery_codes_replace_the_old(tree, users, client_for):
    client = client_for(users["op_a"])
    old = twofactor._new_recovery_codes(users["op_a"])
    new = client.post("/accounts/2fa/recovery-codes/").context["codes"]
    assert len(new) == 10
    assert twofactor.verify(users["op_a"], old[0]) is None
    assert twofactor.verify(users["op_a"], new[0]) is not None


def test_administrator_resets_another_users_two_factor(tree, users, client_for):
    target = users["op_a"]
    _device(target)
    twofactor._new_recovery_codes(target)
    # a street operator of another street may not (their scope does not hold op_a)
    refused = client_for(users["op_b"]).post(f"/accounts/users/{target.pk}/2fa-reset/")
    assert refused.status_code == 404
    assert twofactor.has_otp_device(target)
    answer = client_for(users["admin"]).post(f"/accounts/users/{target.pk}/2fa-reset/")
    assert answer.status_code == 302
    assert not twofactor.has_otp_device(target)
    assert not RecoveryCodeDevice.objects.filter(user=target).exists()
    entry = ChangeLog.objects.filter(object_id=str(target.pk), actor_name="admin").first()
    assert entry.note == "Two-factor sign-in reset" or "重置" in entry.note
    # at the next sign-in they set it up again
    assert _login("op_a").get("/registry/people/")["Location"].startswith("/accounts/2fa/?")


def test_nobody_resets_their_own(tree, users):
    with pytest.raises(PermissionDenied):
        twofactor.reset_two_factor(users["admin"], actor=users["admin"])
    member = make_user("member_x", Role.GRID_MEMBER, [users["member_a"].scope_codes[0]])
    with pytest.raises(PermissionDenied):
        twofactor.reset_two_factor(users["op_a"], actor=member)


def _token(client: Client, username: str, otp: str | None = None):
    body = {"username": username, "password": f"pw-{username}"}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")


def test_token_issue_needs_the_one_time_code(tree, users, client):
    no_device = _token(client, "op_a", "123456")
    assert no_device.status_code == 401 and no_device.json()["message"]
    device = _device(users["op_a"])
    codes = twofactor._new_recovery_codes(users["op_a"])
    assert _token(client, "op_a").status_code == 401
    assert _token(client, "op_a", _code(device, 7)).status_code == 401
    assert _token(client, "op_a", codes[0]).status_code == 401  # recovery codes make no tokens
    code = _code(device)
    answer = _token(client, "op_a", code)
    assert answer.status_code == 200
    token = answer.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == "op_a"
    assert _token(client, "op_a", code).status_code == 401  # replayed
    # a role without two-factor sign-in gets its token with the password alone
    assert _token(client, "leader").status_code == 200


def test_sm3_devices_when_the_setting_says_so(tree, users, settings):
    settings.GRIDGOV_OTP_ALGORITHM = "sm3"
    client = _login("member_a")
    page = client.get("/accounts/2fa/")
    assert b"GM/T 0021" in page.content
    device = SM3Device.objects.get(user=users["member_a"], confirmed=False)
    assert "algorithm=SM3" in device.config_url and "period=60" in device.config_url
    code = _gmt0021(device.bin_key, int(time.time()) // 60)
    assert client.post("/accounts/2fa/", {"code": code}).status_code == 200
    assert SM3Device.objects.get(pk=device.pk).confirmed
    assert client.get("/api/v1/me").status_code == 200
    # the same code is not accepted twice
    assert twofactor.verify(users["member_a"], code) is None


def test_an_unknown_algorithm_stops_the_platform_at_start(settings):
    settings.GRIDGOV_OTP_ALGORITHM = "md5"
    assert [e.id for e in twofactor.check_settings()] == ["gridgov.E201"]


def test_switched_off_nobody_is_asked(tree, users, settings):
    settings.GRIDGOV_REQUIRE_2FA = False
    assert _login("op_a").get("/registry/people/").status_code == 200


def test_a_user_with_a_device_is_asked_even_when_not_required(tree, users):
    _device(users["leader"])
    assert _login("leader").get("/api/v1/me").status_code == 401
