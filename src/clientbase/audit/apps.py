from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clientbase.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from clientbase import access
        from clientbase.audit.policies import POLICIES
        from clientbase.audit.signals import signed_in
        from clientbase.pages import NavItem, register_nav_item

        access.register(*POLICIES)
        user_logged_in.connect(signed_in, dispatch_uid="clientbase.audit.signed_in")
        register_nav_item(NavItem("audit", "Audit log", "audit:list", "audit.AuditEvent"))
