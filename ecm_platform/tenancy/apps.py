from django.apps import AppConfig
from django.db.models.signals import post_migrate

from ecm_platform.tenancy.row_security import row_security_apply


class TenancyConfig(AppConfig):
    name = "ecm_platform.tenancy"
    label = "tenancy"
    verbose_name = "Plans, users and API keys"

    def ready(self):
        # After every migrate (all apps' tables exist by then) and flush: new tables get the policy.
        post_migrate.connect(row_security_apply, sender=self, dispatch_uid="tenancy.row_security")
