"""Upload limits: a post over the total is refused unread with a clear message; files stream to disk.

Ten files of 9.9 MB were accepted in one post (issue 11, hole 6). Each file may be at most
QYZMET_UPLOAD_MAX_FILE_BYTES (10 MB, a form error: tests/test_portal_request.py) and everything
posted at once at most QYZMET_UPLOAD_MAX_REQUEST_BYTES (25 MB).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory

from .portal_helpers import (
    person,  # noqa: F401 (fixture)
    signed_in,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _scans(count: int, size: int) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"scan-{i}.pdf", b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")
        for i in range(count)
    ]


def test_three_files_of_almost_10_mb_in_one_post_are_refused_with_413(signed_in):  # noqa: F811
    response = signed_in.post(
        "/portal/drafts/1/",
        {"document-standard-clause-9": _scans(3, int(9.9 * MB))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Too much data in one request" in page
    assert "at most 25 MB; each file at most 10 MB" in page


def test_the_refusal_is_in_the_visitors_language_and_json_for_the_api(client, settings):
    settings.QYZMET_UPLOAD_MAX_REQUEST_BYTES = 1 * MB
    ru = client.post("/office/reception/submit/", {"scans": _scans(2, MB)}, HTTP_ACCEPT_LANGUAGE="ru")
    assert ru.status_code == 413 and "не более 1 МБ" in ru.content.decode()
    api = client.post("/api/v1/portal/submissions", {"scans": _scans(2, MB)}, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 413 and "at most 1 MB" in api.json()["detail"]


def test_an_oversized_json_body_is_refused_with_413_not_400(client):
    body = '{"note": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'
    response = client.post("/api/v1/portal/submissions", body, content_type="application/json")
    assert response.status_code == 413


def test_uploads_stream_to_temporary_files_not_memory():
    request = RequestFactory().post("/portal/drafts/1/", {"scan": _scans(1, MB)[0]})
    upload = request.FILES["scan"]
    assert isinstance(upload, TemporaryUploadedFile)
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 256 * 1024
