from django.apps import AppConfig


class OnlineIntakeConfig(AppConfig):
    name = "qyzmet.intake.online"
    label = "intake_online"
    verbose_name = "Online intake"
