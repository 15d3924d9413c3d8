from django.apps import AppConfig


class PkiConfig(AppConfig):
    name = "qyzmet.pki"
