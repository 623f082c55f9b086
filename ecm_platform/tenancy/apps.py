from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "ecm_platform.tenancy"
    label = "tenancy"
    verbose_name = "Plans, users and API keys"
