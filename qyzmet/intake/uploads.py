"""Checking uploaded documents: PDF, JPEG or PNG by their first bytes, at most
QYZMET_UPLOAD_MAX_FILE_BYTES (10 MB unless set).

The browser's content type and the file name are what the user's machine claims; the first bytes
are what the file is. A file that only says it is a PDF is refused.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = settings.QYZMET_UPLOAD_MAX_FILE_BYTES
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, or None when they are none of the accepted ones."""
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def check(upload) -> dict:
    """Read and check one uploaded file; a ValidationError worded for the applicant on failure."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; a file may be at most %(max)s MB.")
            % {
                "name": upload.name,
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "max": f"{settings.QYZMET_UPLOAD_MAX_FILE_BYTES / 1024 / 1024:g}",
            },
            code="too_large",
        )
    content = upload.read()
    content_type = sniff(content[:16])
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG or PNG file. Scan or save the document in one of these formats.")
            % {"name": upload.name},
            code="wrong_type",
        )
    return {
        "name": upload.name[:255],
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
    }
