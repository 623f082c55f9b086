from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ecm_platform.audit"
    label = "audit"
    verbose_name = "Audit trail and PHI access log"
