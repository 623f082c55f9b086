from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AuditConfig(AppConfig):
    name = "ecm_platform.audit"
    label = "audit"
    verbose_name = "Audit trail and PHI access log"

    def ready(self):
        from ecm_platform.audit import guard

        connection_created.connect(guard.install, dispatch_uid="audit.append_only_guard")
