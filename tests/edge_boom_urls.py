"""The site's URLs plus one view that fails, to see how a server error is answered and logged."""

from django.db import OperationalError
from django.urls import path

from qyzmet.urls import handler500, urlpatterns  # noqa: F401 (handler500 is read from this module)


def boom(request):
    raise RuntimeError("the database said no")


def database_gone(request):
    raise OperationalError("terminating connection due to administrator command")


urlpatterns = [
    path("boom/", boom),
    path("api/boom/", boom),
    path("database-gone/", database_gone),
    path("api/database-gone/", database_gone),
    *urlpatterns,
]
