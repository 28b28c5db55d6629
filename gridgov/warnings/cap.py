"""CAP 1.2 XML: every warning exports as an alert valid against the OASIS schema (shipped beside
this module as CAP-v1.2.xsd), and an alert from an outside system imports as a draft."""

import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from gridgov.areas.models import Area
from gridgov.warnings import services
from gridgov.warnings.models import (
    CAP_SEVERITY_URGENCY,
    CapStatus,
    Certainty,
    Colour,
    Kind,
    Warning,
)
from gridgov.warnings.services import WarningInput

NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_FILE = Path(__file__).resolve().parent / "CAP-v1.2.xsd"
MAX_CAP_BYTES = 1024 * 1024
COLOUR_OF_SEVERITY = {sev: colour for colour, (sev, _u) in CAP_SEVERITY_URGENCY.items()}
# CAP's language tag for our two languages.
LANGUAGE = "zh-CN"


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def cap_time(value: datetime.datetime) -> str:
    """CAP wants local time with an explicit offset and no fractions: 2026-12-02T10:00:00+08:00."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _el(parent, name: str, text=None):
    node = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        node.text = str(text)
    return node


def _references(warning: Warning) -> str:
    original = warning.original
    if original is None or original.sent is None:
        return ""
    return f"{original.sender},{original.identifier},{cap_time(original.sent)}"


def to_xml(warning: Warning, base_url: str = "") -> bytes:
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})
    _el(root, "identifier", warning.identifier)
    _el(root, "sender", warning.sender)
    _el(root, "sent", cap_time(warning.sent or warning.created_at))
    _el(root, "status", warning.status)
    _el(root, "msgType", warning.msg_type)
    _el(root, "source", warning.sender_name)
    _el(root, "scope", "Restricted")
    _el(root, "restriction", _("Staff of the target areas"))
    references = _references(warning)
    if references:
        _el(root, "references", references)
    info = _el(root, "info")
    _el(info, "language", LANGUAGE)
    _el(info, "category", "Safety")
    _el(info, "event", warning.event)
    if warning.kind == Kind.ALL_CLEAR:
        _el(info, "responseType", "AllClear")
    elif warning.kind != Kind.CANCEL:
        _el(info, "responseType", "Monitor")
    _el(info, "urgency", warning.urgency)
    _el(info, "severity", warning.severity)
    _el(info, "certainty", warning.certainty)
    _el(info, "eventCode").extend(_pair("valueName", "gridgov:colour", "value", warning.colour))
    if warning.onset:
        _el(info, "onset", cap_time(warning.onset))
    if warning.expires:
        _el(info, "expires", cap_time(warning.expires))
    _el(info, "senderName", warning.sender_name)
    _el(info, "headline", warning.headline)
    if warning.description:
        _el(info, "description", warning.description)
    if warning.instruction:
        _el(info, "instruction", warning.instruction)
    for attachment in warning.attachments.all():
        resource = _el(info, "resource")
        _el(resource, "resourceDesc", attachment.description or attachment.file.name)
        _el(resource, "mimeType", attachment.mime_type or "application/octet-stream")
        _el(resource, "size", attachment.size)
        _el(resource, "uri", base_url + settings.MEDIA_URL + attachment.file.name)
        if attachment.digest:
            _el(resource, "digest", attachment.digest)
    codes = list(warning.targets.values_list("code", flat=True)) or list(warning.target_codes)
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    area = _el(info, "area")
    _el(area, "areaDesc", "、".join(names.get(c, c) for c in codes) or warning.sender_name)
    for polygon in warning.polygons:
        for rings in _polygon_list(polygon):
            _el(area, "polygon", " ".join(f"{lat},{lon}" for lon, lat in rings[0]))
    for code in warning.target_codes:  # the chosen subtrees; the polygons say the rest
        _el(area, "geocode").extend(_pair("valueName", "gridgov:area", "value", code))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _pair(name_tag: str, name: str, value_tag: str, value: str) -> list:
    a = etree.Element(f"{{{NS}}}{name_tag}")
    a.text = name
    b = etree.Element(f"{{{NS}}}{value_tag}")
    b.text = value
    return [a, b]


def _polygon_list(geometry: dict) -> list:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry.get("coordinates", []))


def validate(document: bytes) -> etree._Element:
    """The parsed alert, or ValidationError listing what the schema refuses."""
    if len(document) > MAX_CAP_BYTES:
        raise ValidationError(_("The CAP file is larger than 1 MB."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        tree = etree.fromstring(document, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(_("This is not well-formed XML: %(e)s") % {"e": exc}) from exc
    checker = schema()
    if not checker.validate(tree):
        problems = [f"line {e.line}: {e.message}" for e in list(checker.error_log)[:10]]
        raise ValidationError([_("Not a valid CAP 1.2 alert."), *problems])
    return tree


def _text(node, path: str) -> str:
    found = node.find(path, {"c": NS})
    return (found.text or "").strip() if found is not None else ""


def _time(node, path: str) -> datetime.datetime | None:
    text = _text(node, path)
    return datetime.datetime.fromisoformat(text) if text else None


def parse(document: bytes) -> dict:
    """The fields of a draft from a CAP alert (its first info block), checked by the schema."""
    tree = validate(document)
    info = tree.find("c:info", {"c": NS})
    if info is None:
        raise ValidationError(_("The alert has no info block to turn into a warning."))
    colour = ""
    for code in info.findall("c:eventCode", {"c": NS}):
        if _text(code, "c:valueName") == "gridgov:colour":
            colour = _text(code, "c:value")
    if colour not in Colour.values:
        colour = COLOUR_OF_SEVERITY.get(_text(info, "c:severity"), Colour.BLUE)
    certainty = _text(info, "c:certainty")
    status = _text(tree, "c:status")
    targets, polygons = [], []
    for area in info.findall("c:area", {"c": NS}):
        for geocode in area.findall("c:geocode", {"c": NS}):
            if _text(geocode, "c:valueName") == "gridgov:area":
                targets.append(_text(geocode, "c:value"))
        for polygon in area.findall("c:polygon", {"c": NS}):
            ring = []
            for pair in (polygon.text or "").split():
                lat, _sep, lon = pair.partition(",")
                try:
                    ring.append([float(lon), float(lat)])
                except ValueError as exc:
                    raise ValidationError(_("A CAP polygon point is not a number.")) from exc
            polygons.append({"type": "Polygon", "coordinates": [ring]})
    return {
        "external_ref": " ".join(
            [_text(tree, "c:sender"), _text(tree, "c:identifier"), _text(tree, "c:sent")]
        )[:300],
        "event": _text(info, "c:event")[:100],
        "colour": colour,
        "certainty": certainty if certainty in Certainty.values else Certainty.UNKNOWN,
        "status": status if status in CapStatus.values else CapStatus.ACTUAL,
        "onset": _time(info, "c:onset"),
        "expires": _time(info, "c:expires"),
        "headline": (_text(info, "c:headline") or _text(info, "c:event"))[:160],
        "description": _text(info, "c:description"),
        "instruction": _text(info, "c:instruction"),
        "target_codes": targets,
        "polygons": polygons,
    }


def import_draft(document: bytes, *, acting_user, area_code: str) -> Warning:
    """A draft of the area `area_code` from an outside CAP alert (e.g. a meteorological feed):
    its target areas are those of its geocodes inside the area, else the whole area."""
    fields = parse(document)
    targets = [c for c in fields["target_codes"] if c.startswith(area_code)]
    if not targets and not fields["polygons"]:
        targets = [area_code]
    data = WarningInput(
        event=fields["event"] or _("Imported alert"),
        colour=fields["colour"],
        headline=fields["headline"] or _("Imported alert"),
        description=fields["description"],
        instruction=fields["instruction"],
        certainty=fields["certainty"],
        status=fields["status"],
        onset=fields["onset"],
        expires=fields["expires"],
        target_codes=targets,
        polygons=fields["polygons"],
    )
    return services.create_draft(
        acting_user=acting_user,
        area_code=area_code,
        data=data,
        external_ref=fields["external_ref"],
    )
