"""The site's URLs plus one view that fails, to see how a server error is answered and logged."""

from django.urls import path

from qyzmet.urls import handler500, urlpatterns  # noqa: F401 (handler500 is read from this module)


def boom(request):
    raise RuntimeError("the database said no")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), *urlpatterns]
