import importlib
import io
import wave

import pytest
from django.apps import apps as django_apps
from PIL import Image

from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import create_department
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area
from gridgov.cases.models import Category, GradeRule
from gridgov.conftest import make_user

POINT_A = (113.605, 34.7175)  # street A, grid 41010500100101
POINT_B = (113.625, 34.7175)  # street B, grid 41010500200101


def jpeg(color=(200, 30, 30), gps: bool = False) -> bytes:
    image = Image.new("RGB", (64, 48), color)
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (34.0, 42.0, 3.0), 3: "E", 4: (113.0, 36.0, 18.0)}
        exif[0x010F] = "TestCam"
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def webm(seconds: int = 1) -> bytes:
    """The start of a WebM recording (EBML header with DocType "webm") and opaque frames: what
    the voice-note check looks at; browsers send this container from MediaRecorder."""
    header = bytes.fromhex("1a45dfa3 9f 4286 81 01 42f7 81 01 42f2 81 04 42f3 81 08 4282 84")
    return header + b"webm" + bytes.fromhex("4287 81 04 4285 81 02") + b"\x00" * (2000 * seconds)


def wav(seconds: float = 0.5) -> bytes:
    """A real WAV file of silence."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * int(8000 * seconds))
    return out.getvalue()


@pytest.fixture
def taxonomy(db):
    """The seeded taxonomy, put back when a live-server test before this one flushed it."""
    if not Category.objects.exists():
        seed = importlib.import_module("gridgov.cases.migrations.0002_seed_taxonomy")
        seed.load(django_apps, None)
    if not GradeRule.objects.exists():
        importlib.import_module("gridgov.cases.migrations.0005_seed_grade_rules").load(
            django_apps, None
        )


@pytest.fixture
def loop(taxonomy, tree, users):
    """Departments and people of the loop: street A's urban-management squad and the district's water company."""
    street_a = Area.objects.get(code="410105001")
    district = Area.objects.get(code="410105")
    squad = create_department(
        actor=system_user(SETUP),
        code="410105001-ZF",
        name="经八路街道综合行政执法中队",
        level="street",
        area=street_a,
        line="城市管理",
    )
    water = create_department(
        actor=system_user(SETUP),
        code="410105-GS",
        name="自来水公司",
        level="district",
        area=district,
        line="供水",
    )
    other = create_department(
        actor=system_user(SETUP),
        code="410105002-ZF",
        name="花园路街道综合行政执法中队",
        level="street",
        area=Area.objects.get(code="410105002"),
        line="城市管理",
    )
    handler = make_user(
        "handler", Role.DEPARTMENT_HANDLER, ["410105001"], department=squad, phone="13900000001"
    )
    plumber = make_user("plumber", Role.DEPARTMENT_HANDLER, ["410105"], department=water)
    community = make_user("community_a", Role.COMMUNITY_STAFF, ["410105001001"])
    return {
        "squad": squad,
        "water": water,
        "other": other,
        "handler": handler,
        "plumber": plumber,
        "community": community,
        **users,
    }


__all__ = ["POINT_A", "POINT_B", "Department", "jpeg", "wav", "webm"]
