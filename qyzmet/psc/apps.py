from django.apps import AppConfig


class PscConfig(AppConfig):
    name = "qyzmet.psc"
