import pytest

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (a fixture)
from gridgov.conftest import make_user

COMMUNITY_A = "410105001001"
GRID_A = "41010500100101"
GRID_B = "41010500200101"


def pdf_bytes() -> bytes:
    """A tiny valid PDF: one page with a line of text."""
    text = b"BT /F1 12 Tf 20 160 Td (Official document, page 1) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def office(tree, users):
    """Street A's community worker and grid member, street B's grid member and community worker."""
    made = dict(users)
    made["community_a"] = make_user("community_a", Role.COMMUNITY_STAFF, [COMMUNITY_A])
    made["member_b"] = make_user("member_b", Role.GRID_MEMBER, [GRID_B])
    made["community_b"] = make_user("community_b", Role.COMMUNITY_STAFF, ["410105002001"])
    assign_staff(
        made["member_b"],
        Area.objects.get(code=GRID_B),
        ForceType.GRID_MEMBER,
        actor=system_user(SETUP),
    )
    made["street_a"] = Area.objects.get(code="410105001")
    made["street_b"] = Area.objects.get(code="410105002")
    made["district_area"] = Area.objects.get(code="410105")
    return made
