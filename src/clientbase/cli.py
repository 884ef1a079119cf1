"""The `clientbase` command: every Django management command (`clientbase migrate`,
`clientbase createsuperuser`, ...) plus the project's own (`serve`, `demo`, `token`, ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientbase.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
