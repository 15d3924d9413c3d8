"""The API under /api/: version 1 at /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from django.urls import include, path

from .api import api
from .docs import asset

app_name = "api"
# ninja's URL names (openapi-json, openapi-view, ...) are reversed as "api:<name>", so its patterns
# go straight into this app's namespace rather than nesting a second one.
urlpatterns = [
    path("v1/docs/assets/<str:name>", asset, name="docs-asset"),
    path("v1/", include(api.urls[0])),
]
