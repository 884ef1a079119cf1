from clientbase import app_config


class AuditConfig(app_config.App):
    name = "clientbase.audit"
    label = "audit"
    verbose_name = "Audit log"
