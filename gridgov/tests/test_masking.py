"""Masking in one place: gridgov/masking.py (its function and its template filter) is the only code
that masks, and every output of a personal field is masked for a user without the right to see
it in full and shown in full to one who has it."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.template import Context, Template

from gridgov import masking
from gridgov.cases import services as case_services
from gridgov.cases.tests.conftest import POINT_A, loop, taxonomy  # noqa: F401 (fixtures)
from gridgov.registry.tests.conftest import ID_A, homes  # noqa: F401 (fixtures)

ROOT = Path(masking.__file__).parent
# A string of stars, or stars multiplied, or stars between two slices of a value.
MASKING = re.compile(
    r"""["']\*{3,}["']|["']\*["']\s*\*|\*\s*["']\*["']|\[:\d\]\s*\+\s*["']\*|\*{4,}\{"""
)


def _sources():
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in (".py", ".html", ".js") or path == Path(masking.__file__):
            continue
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations", "vendor", "node_modules", "locale"}:
            continue
        yield path


def test_nothing_but_masking_py_masks():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MASKING.search(line)
    ]
    assert not found, "mask through gridgov/masking.py instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (masking.ID, "11010519491231002X", "1101**********002X"),
        (masking.ID, "TMP-1", "*****"),
        (masking.ID, "12345678", "********"),  # too short to keep both ends and hide a part
        (masking.PHONE, "13800001111", "138****1111"),
        (masking.PHONE, "1234567", "*******"),
        (masking.NAME, "张三丰", "张**"),
        (masking.HIDDEN, "anything", "***"),
        (masking.PHONE, "", ""),
        (masking.PHONE, None, ""),
    ],
)
def test_the_function_and_its_template_filter_agree(kind, value, shown):
    assert masking.mask(value, kind) == shown
    template = Template("{% load masking %}{{ value|mask:kind }}")
    assert template.render(Context({"value": value, "kind": kind})) == shown


def _text(response) -> str:
    return response.content.decode()


def test_personal_fields_are_masked_on_every_output_without_the_right(homes, users, client_for):  # noqa: F811
    """Street A's person 张三 (ID_A, 13800001111) as op_a (no right to unmasked exports) reads
    them: page, API, house, export; the reveal and the full export show them to those who may."""
    person = homes["person_a"]
    op = client_for(users["op_a"])
    masked_id, masked_phone = masking.mask(ID_A, masking.ID), masking.mask("13800001111", "phone")
    outputs = {
        "people page": _text(op.get("/registry/people/")),
        "person page": _text(op.get(f"/registry/people/{person.pk}/")),
        "house page": _text(op.get(f"/registry/houses/{homes['house_a'].pk}/")),
    }
    for name, text in outputs.items():
        assert ID_A not in text and "13800001111" not in text, name
        assert masked_id in text, name
    api = json.loads(op.get("/api/v1/people").content)["items"][0]
    assert (api["id_number"], api["phone"]) == (masked_id, masked_phone)
    house = json.loads(op.get(f"/api/v1/houses/{homes['house_a'].pk}").content)
    assert house["residents"][0]["id_number"] == masked_id
    rows = list(csv.reader(io.StringIO(op.get("/registry/people/export.csv").content.decode())))
    assert rows[1][1] == masked_id and rows[1][4] == masked_phone
    # Those who may see them in full: the logged reveal, the full export.
    district = client_for(users["district"])
    revealed = json.loads(
        district.post(
            f"/api/v1/people/{person.pk}/reveal",
            json.dumps({"reason": "核对身份"}),
            content_type="application/json",
        ).content
    )
    assert (revealed["id_number"], revealed["phone"]) == (ID_A, "13800001111")
    full = district.post("/registry/people/export.csv?personal=1&q=张", {"reason": "核对"})
    rows = list(csv.reader(io.StringIO(full.content.decode())))
    assert rows[1][1] == ID_A and rows[1][4] == "13800001111"


def test_a_reporters_details_are_masked_unless_the_reader_may_call_back(loop, users, client_for):  # noqa: F811
    case, _created = case_services.report_case(
        actor=users["op_a"],
        channel="hotline",
        description="路灯不亮",
        lon=POINT_A[0],
        lat=POINT_A[1],
        reporter_name="王小明",
        reporter_phone="13912345678",
    )
    leader = _text(client_for(users["leader"]).get(f"/cases/{case.pk}/"))
    assert "王**" in leader and "139****5678" in leader
    assert "王小明" not in leader and "13912345678" not in leader
    command = _text(client_for(users["op_a"]).get(f"/cases/{case.pk}/"))
    assert "王小明" in command and "13912345678" in command
