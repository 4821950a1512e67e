"""Screenshots are decoded and written anew with Pillow: what is stored is pixels only (no EXIF,
GPS, comments or trailing bytes), in the format the content really has."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from domain.errors import fail
from domain.service.attachments import check_upload

MAX_PIXELS = 40_000_000  # a 5 MB PNG can still claim a huge canvas (a decompression bomb)


@dataclass(frozen=True)
class CleanImage:
    content_type: str
    data: bytes
    width: int
    height: int


def clean(index: int, raw: bytes) -> CleanImage:
    kind = check_upload(index, len(raw), raw[:16])
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != kind or image.width * image.height > MAX_PIXELS:
                raise ValueError("format or size")
            image.load()
            pixels = image.convert("RGBA" if kind == "PNG" and "A" in image.getbands() else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise fail(
            "ATTACHMENT_NOT_IMAGE",
            "A screenshot must be a PNG or JPEG image.",
            f"attachments.{index}",
        ) from None
    out = io.BytesIO()
    if kind == "PNG":
        pixels.save(out, "PNG", optimize=False)
    else:
        pixels.save(out, "JPEG", quality=90)
    return CleanImage(f"image/{kind.lower()}", out.getvalue(), pixels.width, pixels.height)
