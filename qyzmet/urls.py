"""Top-level URLs: the catalogue at the root, the back office, the API, language switching, the admin."""

from django.contrib import admin
from django.urls import include, path

from qyzmet.edge.health import HealthView

urlpatterns = [
    # probes: database, broker and gateway (edge/health.py); 503 when one fails
    path("health/", HealthView.as_view(), name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("office/", include("qyzmet.office.urls")),
    path("api/", include("qyzmet.api.urls")),
    path("register/", include("qyzmet.registry.urls")),
    path("portal/", include("qyzmet.portal.urls")),
    path("psc/", include("qyzmet.psc.urls")),
    path("", include("qyzmet.regulations.urls")),
]

# A server error gets a page (JSON under /api/) in the visitor's language with the request id
# under which its traceback was logged.
handler500 = "qyzmet.edge.views.server_error"
# Not found and forbidden: a page in the site's layout and the visitor's language, never Django's
# own (whose debug 404 lists every URL pattern); JSON under /api/.
handler404 = "qyzmet.edge.views.page_not_found"
handler403 = "qyzmet.edge.views.permission_denied"
# A request Django cannot take: the site's page too (CSRF failures: settings.CSRF_FAILURE_VIEW).
handler400 = "qyzmet.edge.views.bad_request"
