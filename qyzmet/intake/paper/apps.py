from django.apps import AppConfig


class PaperIntakeConfig(AppConfig):
    name = "qyzmet.intake.paper"
    label = "intake_paper"
    verbose_name = "Paper intake"
