"""The `clientbase` command: every Django management command (`clientbase migrate`,
`clientbase createsuperuser`, ...) plus the project's own (`serve`, `demo`, `token`, ...)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The long-running commands count their metrics in files shared by the processes of this machine
# (`clientbase.metrics`); prometheus-client reads the setting when it is first imported.
SERVING_COMMANDS = ("serve", "worker", "run")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientbase.settings")
    args = argv if argv is not None else sys.argv
    if len(args) > 1 and args[1] in SERVING_COMMANDS and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        var_dir = Path(os.environ.get("CLIENTBASE_VAR_DIR", Path.cwd() / "var")).resolve()
        var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        metrics_dir = var_dir / "metrics"
        metrics_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
