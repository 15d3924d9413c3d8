from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "qyzmet.portal"
