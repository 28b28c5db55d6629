"""Federation: the attachments of a notice sent down (docs/federation.md).

A notice the city publishes over a member carries its attachments in the message: each with its
name, type, size, SHA-256 and the content in base64, as long as the notice's attachments stay
within `GRIDGOV_FEDERATION_ATTACHMENT_BYTES` together (6 MB by default, which keeps the signed
request under the receiver's limit). An attachment beyond that travels as its name, size and
checksum only, and the district's notice says to ask the city for it. The district checks each
file's size and checksum (a mismatch refuses the message), then the office's own checks (a PDF or
a picture, re-encoded without its metadata) before the notice is published with them.
"""

import base64
import binascii
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.office.files import MAX_FILES, CheckedFile, check_files

DEFAULT_LIMIT = 6 * 2**20


def limit() -> int:
    return int(getattr(settings, "GRIDGOV_FEDERATION_ATTACHMENT_BYTES", DEFAULT_LIMIT))


def pack(notice) -> list[dict]:
    """The notice's attachments as they travel (oldest first)."""
    room = limit()
    packed = []
    for office_file in notice.files.order_by("pk")[:MAX_FILES]:
        checksum, size, kept = hashlib.sha256(), 0, []
        fits = office_file.size <= room
        with office_file.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(2**20), b""):
                checksum.update(chunk)
                size += len(chunk)
                if fits:
                    kept.append(chunk)
        item = {
            "name": office_file.name,
            "content_type": office_file.content_type,
            "size": size,
            "sha256": checksum.hexdigest(),
        }
        if fits and size <= room:
            item["content"] = base64.b64encode(b"".join(kept)).decode()
            room -= size
        packed.append(item)
    return packed


def unpack(items, sender: str) -> tuple[list[CheckedFile], list[str]]:
    """The checked files of a received notice, and a line for each attachment that did not
    travel. ValidationError when an attachment is malformed or does not match its checksum."""
    if not isinstance(items, list) or len(items) > MAX_FILES:
        raise ValidationError({"attachments": _("Malformed attachments.")})
    uploads, notes = [], []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValidationError({"attachments": _("Malformed attachments.")})
        name = item["name"][:150]
        size, checksum = item.get("size"), item.get("sha256")
        if not isinstance(size, int) or not isinstance(checksum, str):
            raise ValidationError({"attachments": _("Malformed attachments.")})
        if "content" not in item:
            notes.append(
                _("Attachment %(name)s (%(kb)d KB) was too large to send down; ask %(sender)s.")
                % {"name": name, "kb": (size + 1023) // 1024, "sender": sender}
            )
            continue
        try:
            content = base64.b64decode(str(item["content"]), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError({"attachments": _("Malformed attachments.")}) from exc
        if len(content) != size or hashlib.sha256(content).hexdigest() != checksum:
            raise ValidationError(
                {
                    "attachments": _("Attachment %(name)s does not match its checksum.")
                    % {"name": name}
                }
            )
        uploads.append((content, name))
    return check_files(uploads), notes
