"""A voice note with a visit: recorded on the phone's visit form or sent after the visit (as a file
or a resumable upload), checked like a case's, played on the desk through a scoped view."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.cases.tests.conftest import webm
from gridgov.mobile import services as uploads
from gridgov.patrol.models import FieldVisit, TaskKind, TaskStatus
from gridgov.patrol.services import work as services
from gridgov.patrol.tests.work_fixtures import homes, in_days, staff  # noqa: F401 (fixtures)
from gridgov.registry.tests.conftest import POINT_A

pytestmark = pytest.mark.django_db


def test_the_phone_visit_form_takes_a_voice_note_the_desk_plays(
    users,
    staff,  # noqa: F811
    homes,  # noqa: F811
    client_for,
):
    member, person = users["member_a"], homes["person_a"]
    task = services.assign_task(
        staff,
        services.TaskInput(kind=TaskKind.VISIT, title="走访李大爷", due=in_days(2), person=person),
        [member],
    )[0]
    phone = client_for(member)
    form = phone.get(f"/patrol/phone/tasks/{task.pk}/").content.decode()
    assert 'class="m-voice"' in form and 'name="voice"' in form
    answer = phone.post(
        f"/patrol/phone/tasks/{task.pk}/",
        {
            "note": "老人身体尚好，录音说明需求",
            "lon": POINT_A[0],
            "lat": POINT_A[1],
            "client_key": "visit-voice-1",
            "voice": SimpleUploadedFile("voice.webm", webm()),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    evidence = FieldVisit.objects.get(task=task)
    assert evidence.voice_type == "audio/webm"

    desk = client_for(staff)
    url = f"/patrol/visits/{evidence.pk}/voice/"
    assert f'src="{url}"' in desk.get(f"/patrol/tasks/{task.pk}/").content.decode()
    played = desk.get(url)
    assert played["Content-Type"] == "audio/webm" and b"".join(played.streaming_content) == webm()
    assert client_for(users["op_b"]).get(url).status_code == 404
    person_page = client_for(users["op_a"]).get(f"/registry/people/{person.pk}/")
    assert f'src="{url}"' in person_page.content.decode()


def test_not_audio_is_refused_and_nothing_is_recorded(users, homes):  # noqa: F811
    with pytest.raises(ValidationError):
        services.record_field_visit(
            homes["person_a"],
            actor=users["member_a"],
            voice=SimpleUploadedFile("voice.webm", b"not audio at all" * 10),
        )
    assert not FieldVisit.objects.exists()


def test_the_api_adds_a_voice_note_from_a_resumable_upload_once(
    users,
    homes,  # noqa: F811
    client_for,
):
    member, person = users["member_a"], homes["person_a"]
    phone = client_for(member)
    visit = phone.post(
        "/api/v1/patrol/visits",
        {"person_id": person.pk, "note": "走访", "client_key": "visit-voice-api"},
        content_type="application/json",
    ).json()
    data = webm(3)
    upload_id = uuid.uuid4()
    uploads.append_chunk(actor=member, upload_id=upload_id, size=len(data), offset=0, data=data)
    url = f"/api/v1/patrol/visits/{visit['id']}/voice"
    answer = phone.post(url, {"upload": str(upload_id)})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (
        body["voice_type"] == "audio/webm" and body["url"] == f"/patrol/visits/{visit['id']}/voice/"
    )
    assert FieldVisit.objects.get(pk=visit["id"]).voice.size == len(data)
    # A replay of the same note answers as before; another note is refused; others get 404.
    again = phone.post(url, {"file": SimpleUploadedFile("v.webm", data)})
    assert again.status_code == 201
    other = phone.post(url, {"file": SimpleUploadedFile("v.webm", webm(1))})
    assert other.status_code == 400 and other.json()["code"] == "invalid"
    assert (
        client_for(users["op_b"])
        .post(url, {"file": SimpleUploadedFile("v.webm", data)})
        .status_code
        == 404
    )
    assert phone.post(url, {}).status_code == 400
