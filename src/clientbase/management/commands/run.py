"""`clientbase run`: the web server and the mail worker together, for one machine (`make run`).

Starts `clientbase worker` and `clientbase serve --host HOST --port PORT` as child processes and
stops both on Ctrl+C (SIGINT) or SIGTERM (`Command.stop`): a child that has not ended by itself
within OWN_STOP_SECONDS gets the signal passed on, and one still running STOP_SECONDS later is
killed, so the command returns within about five seconds with status 0. When either child ends
by itself (the server could not start, say), the other is stopped and the command exits with the
child's status. A port already in use is refused before anything
starts (exit status 2, with the address and how to choose another)."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

STOP_SECONDS = 3.0
# How long the children may take to end on the signal that reached them too, before it is passed on.
OWN_STOP_SECONDS = 1.0


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens at `host`:`port` (a bind there fails with EADDRINUSE)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise CommandError(f"Cannot serve at {host}:{port}: {error.strerror}.") from error
    return False


class Command(BaseCommand):
    help = "Serve clientbase and run the mail worker beside it; Ctrl+C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("CLIENTBASE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("CLIENTBASE_PORT", "8000")))
        parser.add_argument(
            "--check-port",
            action="store_true",
            help="Only check that the port is free (exit status 2 when it is not), start nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if port_in_use(host, port):
            self.stderr.write(
                f"Port {port} on {host} is in use (another clientbase, or another program). Stop it, "
                f"or choose another port: make run PORT={port + 1}"
            )
            sys.exit(2)
        if options["check_port"]:
            return
        command = [sys.executable, "-m", "clientbase.cli"]
        # Our own interpreter and commands; the host and port are the options' values, no shell.
        children = [
            subprocess.Popen([*command, "worker"]),  # noqa: S603
            subprocess.Popen([*command, "serve", "--host", host, "--port", str(port)]),  # noqa: S603
        ]
        stopping: list[int] = []

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, stop)
        ended = None
        while not stopping and ended is None:
            ended = next((child for child in children if child.poll() is not None), None)
            time.sleep(0.1)
        self.stop(children, stopping[0] if stopping else signal.SIGTERM)
        if ended is not None and not stopping:
            status = ended.returncode
            self.stderr.write(
                f"{'the worker' if ended is children[0] else 'the server'} ended (status {status})"
            )
            sys.exit(status or 1)
        self.stdout.write("clientbase stopped.")

    @staticmethod
    def stop(children: list[subprocess.Popen[bytes]], signum: int) -> None:
        """Stop the children: Ctrl+C reached them as well (one process group), so each is first
        given OWN_STOP_SECONDS to end by itself; one still running then gets the signal passed on
        (SIGINT: gunicorn's quick stop; SIGTERM: its graceful one) and is killed if it still runs
        after STOP_SECONDS. A signal sent twice would find a child past its own handler (a
        KeyboardInterrupt mid-exit), hence the wait first."""
        deadline = time.monotonic() + OWN_STOP_SECONDS
        while time.monotonic() < deadline and any(child.poll() is None for child in children):
            time.sleep(0.05)
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)
        deadline = time.monotonic() + STOP_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
