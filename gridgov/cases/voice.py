"""Voice notes with a case: a short recording from the phone (MediaRecorder) or the citizen
portal, checked by its content (not its name or the type the browser claims) and size-limited.

Browsers record WebM/Opus (Chromium, Firefox) or MP4/AAC (Safari); Ogg and WAV come from other
recorders. A two-minute Opus note is about 0.5 MB; the limit leaves room for AAC."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _


@dataclass
class CheckedVoiceNote:
    file: ContentFile
    content_type: str
    size: int


def sniff_audio(head: bytes) -> str | None:
    """The audio container the bytes start with, as a content type; None for anything else."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


EXTENSIONS = {"audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a", "audio/wav": "wav"}


def check_voice_note(data: bytes) -> CheckedVoiceNote:
    limit = settings.GRIDGOV_MAX_VOICE_BYTES
    if len(data) > limit:
        raise ValidationError(
            _("The voice note is too long (limit %(mb).1f MB).") % {"mb": limit / 2**20}
        )
    content_type = sniff_audio(data[:16])
    if content_type is None or len(data) < 64:
        raise ValidationError(_("This is not a voice recording (WebM, Ogg, MP4 or WAV)."))
    name = f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
    return CheckedVoiceNote(ContentFile(data, name=name), content_type, len(data))
