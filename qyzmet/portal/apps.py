"""The applicant portal: catalogue, requests signed in the browser, the personal cabinet."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "qyzmet.portal"
    verbose_name = _("Applicant portal")
