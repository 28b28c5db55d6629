"""Photos with a case: checked by their content (not their name), size-limited, a copy without
metadata (GPS, camera) for public views, and a thumbnail."""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMB = (320, 320)
MAX_PIXELS = 40_000_000


@dataclass
class CheckedPhoto:
    original: ContentFile
    public: ContentFile
    thumbnail: ContentFile
    content_type: str
    size: int
    width: int
    height: int


def check_photo(data: bytes, name: str = "photo") -> CheckedPhoto:
    if len(data) > settings.GRIDGOV_MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo %(name)s is too large (limit %(mb)d MB).")
            % {"name": name, "mb": settings.GRIDGOV_MAX_PHOTO_BYTES // 2**20}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(_("The photo %(name)s has too many pixels.") % {"name": name})
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("%(name)s is not a readable JPEG, PNG or WebP photo.") % {"name": name}
        ) from exc
    if fmt not in ALLOWED:
        raise ValidationError(_("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": name})
    upright = ImageOps.exif_transpose(image)
    stem = uuid.uuid4().hex
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    public = io.BytesIO()
    clean = upright.convert("RGB") if fmt == "JPEG" else upright
    clean.save(public, format=fmt, quality=88)  # saved without EXIF: no GPS, no camera data
    thumb = upright.convert("RGB")
    thumb.thumbnail(THUMB)
    thumbnail = io.BytesIO()
    thumb.save(thumbnail, format="JPEG", quality=80)
    return CheckedPhoto(
        original=ContentFile(data, name=f"{stem}.{ext}"),
        public=ContentFile(public.getvalue(), name=f"{stem}.{ext}"),
        thumbnail=ContentFile(thumbnail.getvalue(), name=f"{stem}.jpg"),
        content_type=ALLOWED[fmt],
        size=len(data),
        width=upright.width,
        height=upright.height,
    )
