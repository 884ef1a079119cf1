"""What the audit app registers once the apps are loaded (`clientbase.app_config.App`)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in

from clientbase import access
from clientbase.audit.policies import POLICIES
from clientbase.audit.signals import signed_in
from clientbase.pages import NavItem, register_nav_item


def register() -> None:
    access.register(*POLICIES)
    user_logged_in.connect(signed_in, dispatch_uid="clientbase.audit.signed_in")
    register_nav_item(NavItem("audit", "Audit log", "audit:list", "audit.AuditEvent"))
