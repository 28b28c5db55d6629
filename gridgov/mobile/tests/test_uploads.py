"""Resumable uploads: a file sent in chunks goes on from the last acknowledged chunk after a cut,
and becomes a case photo or voice note once."""

import json
import uuid

import pytest

from gridgov.cases.models import Attachment, VoiceNote
from gridgov.cases.tests.conftest import POINT_A, jpeg, loop, taxonomy, webm  # noqa: F401 (fixtures)
from gridgov.mobile.models import Upload
from gridgov.mobile.services import upload_path

pytestmark = pytest.mark.django_db


def put(client, upload_id, data: bytes, offset: int, size: int):
    return client.put(
        f"/api/v1/uploads/{upload_id}",
        data,
        content_type="application/offset+octet-stream",
        headers={"Upload-Offset": str(offset), "Upload-Length": str(size)},
    )


def _case(client) -> int:
    answer = client.post(
        "/api/v1/cases",
        json.dumps(
            {"description": "路面塌陷", "category": "C0101", "lon": POINT_A[0], "lat": POINT_A[1]}
        ),
        content_type="application/json",
    )
    return answer.json()["id"]


def test_an_upload_cut_at_half_goes_on_from_the_last_acknowledged_chunk(
    loop,  # noqa: F811
    client_for,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    member = client_for(loop["member_a"])
    photo = jpeg() * 1  # a real JPEG
    photo = photo + b"\0" * (3000 - len(photo)) if len(photo) < 3000 else photo
    upload_id = uuid.uuid4()
    size = len(photo)
    first = put(member, upload_id, photo[:1000], 0, size)
    assert first.status_code == 200 and first.json()["received"] == 1000
    # The second chunk was lost on the way (the phone never heard back): it asks where to go on.
    asked = member.get(f"/api/v1/uploads/{upload_id}").json()
    assert (asked["received"], asked["complete"]) == (1000, False)
    # A chunk from the wrong place is refused with where to go on from.
    wrong = put(member, upload_id, photo[2000:], 2000, size)
    assert wrong.status_code == 409 and wrong.json()["received"] == 1000
    # The same chunk twice (its answer was lost) is not counted twice.
    assert put(member, upload_id, photo[1000:2000], 1000, size).json()["received"] == 2000
    assert put(member, upload_id, photo[1000:2000], 1000, size).status_code == 409
    done = put(member, upload_id, photo[2000:], 2000, size).json()
    assert (done["received"], done["complete"]) == (size, True)
    assert upload_path(upload_id).read_bytes() == photo

    case_id = _case(member)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        attached = member.post(
            f"/api/v1/cases/{case_id}/photos", {"upload": str(upload_id), "kind": "report"}
        )
    assert attached.status_code == 201, attached.content
    assert Attachment.objects.filter(case_id=case_id).count() == 1
    assert not Upload.objects.exists() and not upload_path(upload_id).exists()
    again = member.post(f"/api/v1/cases/{case_id}/photos", {"upload": str(upload_id)})
    assert again.status_code == 404  # used once


def test_a_voice_note_by_upload_and_the_refusals(loop, client_for, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    member = client_for(loop["member_a"])
    case_id = _case(member)
    recording = webm(3)
    upload_id = uuid.uuid4()
    half = len(recording) // 2
    put(member, upload_id, recording[:half], 0, len(recording))
    early = member.post(f"/api/v1/cases/{case_id}/voice", {"upload": str(upload_id)})
    assert early.status_code == 400 and str(half) in early.json()["message"]  # what arrived
    put(member, upload_id, recording[half:], half, len(recording))
    made = member.post(f"/api/v1/cases/{case_id}/voice", {"upload": str(upload_id)})
    assert made.status_code == 201 and VoiceNote.objects.get().size == len(recording)

    other = uuid.uuid4()
    assert put(member, other, b"x" * 10, 5, 100).status_code == 409  # not started at 0
    assert put(member, other, b"", 0, 100).status_code == 400
    assert put(member, other, b"x" * 200, 0, 100).status_code == 400  # past the end
    too_big = settings.GRIDGOV_MAX_PHOTO_BYTES + 1
    assert put(member, other, b"x", 0, too_big).status_code == 400
    bad = member.put(
        f"/api/v1/uploads/{other}",
        b"x",
        content_type="application/offset+octet-stream",
        headers={"Upload-Offset": "-1", "Upload-Length": "abc"},
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    neither = member.post(f"/api/v1/cases/{case_id}/voice", {})
    assert neither.status_code == 400


def test_another_users_upload_is_unknown_to_them(loop, client_for, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    member = client_for(loop["member_a"])
    upload_id = uuid.uuid4()
    put(member, upload_id, webm(), 0, len(webm()))
    outsider = client_for(loop["op_b"])
    assert outsider.get(f"/api/v1/uploads/{upload_id}").status_code == 404
    assert put(outsider, upload_id, webm(), 0, len(webm())).status_code == 404
    assert member.get(f"/api/v1/uploads/{upload_id}").status_code == 200  # the check is live
    case_id = _case(client_for(loop["op_a"]))
    used = client_for(loop["op_a"]).post(
        f"/api/v1/cases/{case_id}/voice", {"upload": str(upload_id)}
    )
    assert used.status_code == 404 and not VoiceNote.objects.exists()
