import io
import re

import pytest
from PIL import Image

from gridgov.accounts.system import PORTAL, SETUP, system_user
from gridgov.cases.tests.conftest import loop, taxonomy  # noqa: F401 (fixtures)
from gridgov.notify.models import Outbox
from gridgov.portal import services
from gridgov.portal.models import PublicCategory

# A point inside grid 1 of street A's north community (see areas/testing.py).
POINT_A = (113.6025, 34.7175)
POINT_B = (113.6325, 34.7175)  # street B


@pytest.fixture
def portal(taxonomy, tree, users):  # noqa: F811
    services.seed_public_categories(actor=system_user(SETUP))
    return system_user(PORTAL)


def category(code="C0110") -> PublicCategory:
    return PublicCategory.objects.get(category__code=code)


def last_code(phone: str) -> str:
    body = (
        Outbox.objects.filter(destination=phone).order_by("-id").values_list("body", flat=True)[0]
    )
    return re.search(r"[0-9]{6}", body).group(0)


def confirmed(phone: str, portal_user):
    services.send_code(phone, actor=portal_user)
    return services.confirm_code(phone, last_code(phone), actor=portal_user)


def jpeg_with_metadata(text: str = "") -> bytes:
    """A JPEG whose EXIF holds `text` (a description, an artist) and a GPS block."""
    image = Image.new("RGB", (64, 48), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010E] = text  # ImageDescription
    exif[0x013B] = text  # Artist
    exif[0x8825] = {1: "N", 2: (34.0, 43.0, 3.0), 3: "E", 4: (113.0, 36.0, 9.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()
