from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clientbase.audit"
    label = "audit"
    verbose_name = "Audit log"
