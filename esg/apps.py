from django.apps import AppConfig


class EsgConfig(AppConfig):
    name = "esg"
    verbose_name = "ESG categories and customizations"
