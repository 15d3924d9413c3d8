from django.apps import AppConfig


class GatewayConfig(AppConfig):
    name = "qyzmet.gateway"
