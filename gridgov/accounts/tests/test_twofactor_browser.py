import base64

import pytest
from django_otp.oath import totp

from gridgov.accounts import twofactor
from gridgov.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_first_sign_in_sets_up_two_factor(live_server, tree, users, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "op_a")
    page.fill("input[name=password]", "pw-op_a")
    page.click("button[type=submit]")
    page.wait_for_selector("#twofactor-qr svg")
    assert "/accounts/2fa/" in page.url
    assert page.locator(".mainnav a").count() == 0  # nothing else is open yet
    box = page.locator("#twofactor-qr svg").bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150
    screenshot(page, "twofactor-setup")

    secret = page.inner_text("#twofactor-secret").replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.click("main button[type=submit]")
    page.wait_for_selector("#recovery-codes li")
    assert page.locator("#recovery-codes li").count() == 10
    screenshot(page, "twofactor-recovery-codes")
    assert twofactor.has_otp_device(users["op_a"])

    page.click("#twofactor-continue")
    page.wait_for_load_state("networkidle")
    assert "/accounts/2fa/" not in page.url
    assert page.locator(".mainnav a").count() > 0
