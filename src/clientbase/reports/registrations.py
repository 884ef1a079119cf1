"""What the reports app registers once the apps are loaded (`clientbase.app_config.App`): its
navigation entry, shown to staff who may view work orders."""

from __future__ import annotations

from clientbase.pages import NavItem, register_nav_item


def register() -> None:
    register_nav_item(NavItem("reports", "Reports", "reports:service", "workorders.WorkOrder"))
