"""The phone app over HTTPS with a district's own certificate authority, as a phone reaches it:
`gridgov serve --cert --key` on loopback under a host name that is not `localhost` (browsers
treat http://localhost as secure, so it would prove nothing), a test CA installed in the
browser's certificate store the way docs/field.md tells a district to put it on phones. The
page is a secure context, its service worker is active and controls it, the cookies travel
only over TLS and the answers carry HSTS (after which the browser refuses plain HTTP to that
name). Two counter-checks keep the test honest: the same host name over plain HTTP is not a
secure context, and a browser without the CA refuses the site."""

import datetime
import http.server
import ipaddress
import os
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gridgov.conftest import browser_login, screenshot
from gridgov.jobs.tests.served import Served, free_port, migrated  # noqa: F401 (fixture)
from gridgov.mobile.tests.test_browser_mobile import PHONE, wait_for_worker

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.own_sqlite]

HOST = "gridgov.test"
PASSWORD = "pw-https-Member-1"
BROWSER_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
]
SEED = """
from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff, create_user
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.testing import build_tree
grid = build_tree().grids[0]
member = create_user(actor=system_user(SETUP), username="https_member", password={password!r},
    role=Role.GRID_MEMBER, scope_codes=[grid.code], full_name="网格员")
assign_staff(member, grid, ForceType.GRID_MEMBER, actor=system_user(SETUP))
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def certificate_authority(folder: Path) -> tuple[Path, Path, Path]:
    """A root CA and a server certificate it signs for HOST and 127.0.0.1 (subjectAltName, as
    browsers require); the server key in PKCS#8, as `gridgov serve --key` takes it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("gridgov test district root CA"))
        .issuer_name(_name("gridgov test district root CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(HOST))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def home_trusting(ca: Path, home: Path) -> Path:
    """A home folder whose NSS database (what Chromium on Linux reads, like a phone's user
    certificate store) trusts the CA for web sites."""
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    store = f"sql:{nssdb}"
    subprocess.run(["certutil", "-d", store, "-N", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-d", store, "-A", "-t", "C,,", "-n", "gridgov test CA", "-i", str(ca)],
        check=True,
    )
    return home


@pytest.fixture
def https_server(tmp_path, migrated):  # noqa: F811 (the fixture)
    ca, cert, key = certificate_authority(tmp_path)
    folder = tmp_path / "served"
    folder.mkdir()
    seeded = folder / "seed.sqlite3"
    seeded.write_bytes(migrated.read_bytes())
    env = {
        **os.environ,
        "GRIDGOV_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{seeded}",
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
    }
    code = SEED.format(password=PASSWORD)
    subprocess.run([sys.executable, "-m", "gridgov", "shell", "-c", code], env=env, check=True)
    client = ssl.create_default_context(cafile=str(ca))
    server = Served(
        folder,
        seeded,
        args=("--cert", str(cert), "--key", str(key), "--no-worker"),
        env={"GRIDGOV_REQUIRE_2FA": "0", "GRIDGOV_ALLOWED_HOSTS": f"{HOST},127.0.0.1"},
        tls=client,
    )
    yield server, ca
    server.stop()


@pytest.fixture
def plain_http_port():
    """Any page over plain HTTP, to open under the same host name."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>plain</title>")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()


def test_the_phone_app_over_https_with_the_districts_own_ca(
    https_server, plain_http_port, tmp_path
):
    from playwright.sync_api import Error, sync_playwright

    server, ca = https_server
    base = f"https://{HOST}:{server.port}"
    hsts = server.fetch("/accounts/login/").getheader("Strict-Transport-Security")
    assert hsts and "max-age=31536000" in hsts

    home = home_trusting(ca, tmp_path / "phone-home")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=BROWSER_ARGS,
            env={**os.environ, "HOME": str(home)},
        )
        page = browser.new_page(viewport=PHONE, locale="zh-CN")
        page.set_default_timeout(15_000)
        # First the same host name over plain HTTP: no secure context, no service worker.
        plain = f"http://{HOST}:{plain_http_port}/"
        page.goto(plain)
        assert page.evaluate("[window.isSecureContext, 'serviceWorker' in navigator]") == [
            False,
            False,
        ]

        browser_login(page, base, "https_member", PASSWORD)
        page.goto(f"{base}/m/")
        assert page.evaluate("[window.isSecureContext, location.protocol]") == [True, "https:"]
        wait_for_worker(page)
        page.reload()
        assert page.evaluate("!!navigator.serviceWorker.controller")
        page.wait_for_selector(".m-tabs a")
        screenshot(page, "mobile-https")
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["sessionid"]["secure"] and cookies["csrftoken"]["secure"], cookies

        # Having seen HSTS, the browser no longer goes to that host name over plain HTTP: it asks
        # for TLS on the plain server's port (which speaks none).
        with pytest.raises(Error, match="ERR_SSL_PROTOCOL_ERROR"):
            page.goto(plain)
        browser.close()

        # A phone that never got the district's CA refuses the site.
        stranger = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=BROWSER_ARGS,
            env={**os.environ, "HOME": str(tmp_path / "stranger-home")},
        )
        with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
            stranger.new_page().goto(f"{base}/accounts/login/")
        stranger.close()
