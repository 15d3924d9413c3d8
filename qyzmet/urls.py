"""Top-level URLs: the catalogue at the root, language switching, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("qyzmet.regulations.urls")),
]
