from django.apps import AppConfig


class EsgConfig(AppConfig):
    name = "esg"
