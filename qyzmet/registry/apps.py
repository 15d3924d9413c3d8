from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "qyzmet.registry"

    def ready(self):
        from . import subscribers  # noqa: F401 - registers the handler of the engine's closing events
