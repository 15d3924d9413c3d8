"""The interactive API docs, served with no CDN: Swagger UI's files come from the installed
django-ninja package through `asset` below, so the page works offline and sends nothing to third
parties (ninja itself would use a CDN unless "ninja" were an installed app)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png", "favicon.svg"}


class LocalSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        settings = {"layout": "BaseLayout", "deepLinking": True, "url": self.get_openapi_url(api, kwargs)}
        return render(request, "api/docs.html", {"api": api, "swagger_settings": json.dumps(settings)})


def asset(request, name: str):
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
