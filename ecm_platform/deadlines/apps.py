from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "ecm_platform.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines"
