"""Voice notes with a case: recorded on the phone, checked by content, played on the desk."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.cases.models import VoiceNote
from gridgov.cases.tests.conftest import POINT_A, wav, webm
from gridgov.cases.voice import sniff_audio


def _report(client) -> int:
    answer = client.post(
        "/api/v1/cases",
        json.dumps(
            {
                "description": "楼道里有人吵闹",
                "category": "C0101",
                "lon": POINT_A[0],
                "lat": POINT_A[1],
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def test_a_reporter_adds_a_voice_note_and_the_desk_plays_it(loop, client_for):
    member = client_for(loop["member_a"])
    case_id = _report(member)
    answer = member.post(
        f"/api/v1/cases/{case_id}/voice", {"file": SimpleUploadedFile("note.bin", webm())}
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["content_type"] == "audio/webm" and body["size"] == len(webm())
    note = VoiceNote.objects.get(pk=body["id"])
    assert note.case_id == case_id and note.uploaded_by == loop["member_a"]
    assert note.event.action == "voice"

    desk = client_for(loop["op_a"])
    played = desk.get(body["url"])
    assert played.status_code == 200 and played["Content-Type"] == "audio/webm"
    assert b"".join(played.streaming_content) == webm()
    page = desk.get(f"/cases/{case_id}/").content.decode()
    assert f'src="{body["url"]}"' in page and "<audio" in page


def test_a_wav_is_accepted_and_anything_else_gets_a_clear_400(loop, client_for):
    member = client_for(loop["member_a"])
    case_id = _report(member)
    url = f"/api/v1/cases/{case_id}/voice"
    ok = member.post(url, {"file": SimpleUploadedFile("note.wav", wav())})
    assert (ok.status_code, ok.json()["content_type"]) == (201, "audio/wav")
    for name, data in (
        ("photo.webm", b"\xff\xd8\xff\xe0" + b"\x00" * 500),  # a JPEG named like a recording
        ("empty.webm", b""),
        ("script.webm", b"<script>alert(1)</script>" * 10),
    ):
        answer = member.post(url, {"file": SimpleUploadedFile(name, data)})
        assert answer.status_code == 400, name
        assert answer.json()["message"]
    assert member.post(url, {}).status_code in (400, 422)
    assert VoiceNote.objects.count() == 1


def test_a_voice_note_over_the_limit_is_refused_before_it_is_read(loop, client_for, settings):
    settings.GRIDGOV_MAX_VOICE_BYTES = 1000
    member = client_for(loop["member_a"])
    case_id = _report(member)
    answer = member.post(
        f"/api/v1/cases/{case_id}/voice", {"file": SimpleUploadedFile("n.webm", webm())}
    )
    assert answer.status_code == 400 and not VoiceNote.objects.exists()


def test_another_streets_member_can_neither_add_nor_hear_a_voice_note(loop, client_for):
    member = client_for(loop["member_a"])
    case_id = _report(member)
    url = member.post(
        f"/api/v1/cases/{case_id}/voice", {"file": SimpleUploadedFile("n.webm", webm())}
    ).json()["url"]
    outsider = client_for(loop["op_b"])
    assert outsider.get(url).status_code == 404
    added = outsider.post(
        f"/api/v1/cases/{case_id}/voice", {"file": SimpleUploadedFile("n.webm", webm())}
    )
    assert added.status_code == 404
    assert VoiceNote.objects.count() == 1
    assert client_for(loop["op_a"]).get(url).status_code == 200  # the check is live


@pytest.mark.django_db
@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.binary(max_size=32))
def test_only_the_four_audio_containers_are_recognised(head):
    kind = sniff_audio(head)
    assert kind in (None, "audio/webm", "audio/ogg", "audio/mp4", "audio/wav")
    if kind == "audio/webm":
        assert head.startswith(b"\x1a\x45\xdf\xa3")
    if kind is None:
        assert not head.startswith((b"OggS", b"\x1a\x45\xdf\xa3"))
