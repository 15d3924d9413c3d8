from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qyzmet.notifications"

    def ready(self):
        from . import subscribers  # noqa: F401 - registers the handlers of the engine's events
