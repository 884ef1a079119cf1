"""What the customers app registers once the apps are loaded (`clientbase.app_config.App`)."""

from __future__ import annotations

from clientbase import access
from clientbase.customers.policies import POLICIES


def register() -> None:
    access.register(*POLICIES)
