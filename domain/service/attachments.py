"""What a screenshot may be: PNG or JPEG by its first bytes (never by its name or the type the
client claims), at most 5 MB, at most 3 per ticket."""

from __future__ import annotations

from domain.errors import fail
from domain.service.tickets import MAX_ATTACHMENTS

MAX_BYTES = 5 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def sniff(head: bytes) -> str | None:
    """PNG or JPEG from the content's first bytes, or None."""
    if head.startswith(PNG_MAGIC):
        return "PNG"
    if head.startswith(JPEG_MAGIC):
        return "JPEG"
    return None


def check_count(count: int) -> None:
    if count > MAX_ATTACHMENTS:
        raise fail("TOO_MANY_ATTACHMENTS", f"At most {MAX_ATTACHMENTS} screenshots.", "attachments")


def check_upload(index: int, size: int, head: bytes) -> str:
    """The image format of upload number `index`, or the reason it is refused."""
    field = f"attachments.{index}"
    if size > MAX_BYTES:
        raise fail("ATTACHMENT_TOO_LARGE", "A screenshot is at most 5 MB.", field)
    kind = sniff(head)
    if kind is None:
        raise fail("ATTACHMENT_NOT_IMAGE", "A screenshot must be a PNG or JPEG image.", field)
    return kind
