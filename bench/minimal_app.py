"""The baseline of bench/portal.py: one Django JSON view and nothing else, served the same way.

The same Django, the same gunicorn (processes, threads, keep-alive) and the same client as the
platform in the portal benchmark, but no middleware, no authentication and no database: what a
GET costs on this stack before the platform does any work of its own. The platform's
authenticated GET is measured against it (`minimal_get_per_s=`).

    gunicorn bench.minimal_app:application   (bench/portal.py starts it)
"""

from __future__ import annotations

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-minimal",  # noqa: S106 (no session, cookie or signature uses it)
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def minimal(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("minimal", minimal)]
application = get_wsgi_application()
