from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "ecm_platform.outbox"
    label = "outbox"
    verbose_name = "Background work to deliver"
