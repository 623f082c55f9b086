from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "ecm_platform.jobs"
    label = "jobs"
    verbose_name = "Background imports"
