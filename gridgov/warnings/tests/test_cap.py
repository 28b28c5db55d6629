"""CAP 1.2: every warning exports valid against the OASIS schema, and imports back as a draft."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from lxml import etree

from gridgov.warnings import cap, services
from gridgov.warnings.models import Kind, State
from gridgov.warnings.tests.helpers import issued

pytestmark = pytest.mark.django_db
SHARED_XSD = Path(__file__).resolve().parents[4] / "shared" / "cap" / "CAP-v1.2.xsd"
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[113.601, 34.701], [113.61, 34.701], [113.61, 34.71], [113.601, 34.701]]],
}


def _official_schema() -> etree.XMLSchema:
    path = SHARED_XSD if SHARED_XSD.exists() else cap.SCHEMA_FILE
    return etree.XMLSchema(etree.parse(str(path)))


def test_the_shipped_schema_is_the_official_one():
    if SHARED_XSD.exists():
        assert cap.SCHEMA_FILE.read_bytes() == SHARED_XSD.read_bytes()


def test_export_is_valid_and_round_trips(staff, users):
    w = issued(
        users["district"],
        "410105",
        "orange",
        targets=["410105001"],
        polygons=[POLYGON],
        description="预计未来6小时降雨量50毫米以上",
    )
    xml = cap.to_xml(w)
    assert _official_schema().validate(etree.fromstring(xml))
    draft = cap.import_draft(xml, acting_user=users["district"], area_code="410105")
    assert draft.state == State.DRAFT
    for name in ("event", "colour", "headline", "description", "instruction", "certainty"):
        assert getattr(draft, name) == getattr(w, name), name
    assert draft.target_codes == ["410105001"]
    corners = {(round(x, 4), round(y, 4)) for x, y in draft.polygons[0]["coordinates"][0]}
    assert corners == {(113.601, 34.701), (113.61, 34.701), (113.61, 34.71)}
    assert w.identifier in draft.external_ref


def test_update_and_all_clear_reference_the_original(staff, users):
    w = issued(users["district"], "410105", "red")
    clear = services.follow_up(w, acting_user=users["district"], kind=Kind.ALL_CLEAR)
    services.approve(clear, acting_user=users["district"])
    clear = services.issue(clear, acting_user=users["district"])
    tree = etree.fromstring(cap.to_xml(clear))
    assert _official_schema().validate(tree)
    ns = {"c": cap.NS}
    assert tree.findtext("c:msgType", namespaces=ns) == "Update"
    assert tree.findtext("c:info/c:responseType", namespaces=ns) == "AllClear"
    assert w.identifier in tree.findtext("c:references", namespaces=ns)


def test_an_outside_alert_without_our_codes_imports_as_a_draft_of_the_area(users):
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>43000041600000_20261202090000</identifier><sender>hn-weather@example.cn</sender>
  <sent>2026-12-02T09:00:00+08:00</sent><status>Actual</status><msgType>Alert</msgType>
  <scope>Public</scope>
  <info><category>Met</category><event>Heavy rain</event><urgency>Expected</urgency>
  <severity>Severe</severity><certainty>Likely</certainty><headline>Rainstorm orange</headline>
  <area><areaDesc>Jinshui</areaDesc></area></info>
</alert>"""
    draft = cap.import_draft(xml, acting_user=users["district"], area_code="410105")
    assert draft.colour == "orange" and draft.target_codes == ["410105"]


def test_invalid_cap_is_refused_with_reasons(users):
    with pytest.raises(ValidationError):
        cap.import_draft(b"<alert>", acting_user=users["district"], area_code="410105")
    bad = b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>'
    with pytest.raises(ValidationError) as err:
        cap.import_draft(bad, acting_user=users["district"], area_code="410105")
    assert len(err.value.messages) >= 2
