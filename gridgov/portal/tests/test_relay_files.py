"""The relay by exchange files for one-way gateways, in one process (the same database plays the
public instance and the core, as in test_relay.py): signed, encrypted files up and down, each
item made once however often a file is read, tampered or unknown files refused."""

import datetime
import io
import shutil
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.accounts.system import OPEN311, SETUP, system_user
from gridgov.cases.models import Case, Channel
from gridgov.exchange.models import ClientKind
from gridgov.exchange.services.clients import issue_client
from gridgov.exchange.services.open311 import PostedRequest
from gridgov.portal.models import RelayOut, RelayPeer, RelayRequest, RelayState
from gridgov.portal.services import relay, relay_files, relay_open311
from gridgov.portal.tests import test_relay as relay_tests
from gridgov.portal.tests.conftest import POINT_A
from gridgov.portal.tests.test_relay import PUBLIC, core_reports, public_report

core_key = relay_tests.core_key  # the public instance's client system on the core


@pytest.fixture
def trusted(portal, core_key):
    """Both sides trust each other's keys (here: the same platform keys)."""
    keys = relay_files.own_keys()
    relay_files.trust_peer(keys, client=relay.client_for_key(core_key), actor=portal)
    relay_files.trust_peer(keys, client=None, actor=portal)
    return keys


def test_reports_and_open311_requests_go_through_files_once(portal, trusted, tmp_path):
    up, down = tmp_path / "up", tmp_path / "down"
    local = public_report(portal)
    o311, _key = issue_client(
        system_user(SETUP), name="市民App", kind=ClientKind.OPEN311, area_codes=["410105001"]
    )
    posted = PostedRequest(service_code="C0110", lat=POINT_A[1], long=POINT_A[0], phone="139")
    request, _new = relay_open311.accept_request(o311, posted, actor=system_user(OPEN311))
    with PUBLIC:
        written = relay_files.export_up(up, actor=portal)  # SM2/SM3/SM4
    assert written["items"] == 2 and (up / written["file"]).exists()
    row = RelayOut.objects.get(report=local)
    assert row.state == RelayState.PENDING and row.attempts == 1  # until the core answers
    with PUBLIC:
        assert relay_files.export_up(up, actor=portal)["items"] == 0  # not due again yet

    done = relay_files.import_up(up, actor=portal)
    assert done["files"] == 2 and done["items"] == 2 and done["refused"] == 0
    assert core_reports().count() == 1
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 1
    # the gateway delivers the same file again: it is known, not read again
    shutil.copy(up / "imported" / written["file"], up / written["file"])
    again = relay_files.import_up(up, actor=portal)
    assert (again["files"], again["known_files"], again["items"]) == (0, 1, 0)
    # the items written again in a new file (the answer was late): made once per UUID
    RelayOut.objects.update(next_attempt_at=timezone.now())
    RelayRequest.objects.update(next_attempt_at=timezone.now())
    with PUBLIC:
        assert relay_files.export_up(up, actor=portal)["items"] == 2
    assert relay_files.import_up(up, actor=portal)["items"] == 2
    assert core_reports().count() == 1
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 1

    answers = relay_files.export_down(down, actor=portal, suite="common")
    assert len(answers["files"]) == 1
    with PUBLIC:
        copied = relay_files.import_down(down, actor=portal)
    assert copied["files"] == 1
    row.refresh_from_db()
    request.refresh_from_db()
    assert row.state == RelayState.SENT and row.core_number == core_reports().get().number
    case = Case.objects.get(channel=Channel.OPEN311)
    assert request.state == RelayState.SENT and request.core_number == case.number
    assert request.public["status"] == "open"


def test_tampered_or_unknown_files_are_refused(portal, trusted, tmp_path):
    up = tmp_path / "up"
    public_report(portal)
    with PUBLIC:
        name = relay_files.export_up(up, actor=portal, suite="common")["file"]
    path = up / name
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["relay.jsonl"] = parts["relay.jsonl"][:-1] + bytes([parts["relay.jsonl"][-1] ^ 1])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    path.write_bytes(out.getvalue())
    done = relay_files.import_up(up, actor=portal)
    assert done["files"] == 0 and len(done["refused_files"]) == 1
    assert (up / "refused" / name).exists() and not core_reports().exists()

    RelayPeer.objects.filter(client__isnull=False).delete()  # the core no longer trusts it
    RelayOut.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=1))
    with PUBLIC:
        name = relay_files.export_up(up, actor=portal, suite="common")["file"]
    assert "trust" in relay_files.import_up(up, actor=portal)["refused_files"][0]
    assert not core_reports().exists()
    with pytest.raises(ValidationError):
        relay_files.trust_peer({"sm2_public": "zz"}, client=None, actor=portal)
    assert RelayRequest.objects.count() == 0
