"""The edge: what every request passes before any face sees it.

Admission control (a surge gets a waiting room instead of a stall), refusal of bytes no view can
store (NUL, broken Unicode) and of oversized posts, the request id every log line and every
response carries, and the pages that say so in kk, ru and en.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdgeConfig(AppConfig):
    name = "qyzmet.edge"
    verbose_name = _("Request edge")

    def ready(self) -> None:
        from . import logs

        logs.connect()
