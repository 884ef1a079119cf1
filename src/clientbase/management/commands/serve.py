"""`clientbase serve`: the production web server (gunicorn), static files through whitenoise."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from clientbase import logs, metrics

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'


def gunicorn_logging(log_format: str) -> dict[str, Any]:
    """gunicorn's own loggers (`gunicorn.error`, `gunicorn.access`) to stderr in `log_format`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"clientbase": logs.formatter_config(log_format)},
        "filters": {"request_id": {"()": "clientbase.logs.RequestIdFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "clientbase",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


def worker_exit(server: Any, worker: Any) -> None:
    """gunicorn's hook as a worker process leaves: one told to stop (Ctrl+C, SIGTERM) ends at once,
    its logs flushed, instead of tearing the interpreter down module by module, which on a busy
    machine outlasted the 3 seconds the server gives it and ended in a SIGKILL."""
    if not worker.alive:
        logging.shutdown()
        os._exit(0)


class QuickStopWorker(ThreadWorker):
    """gunicorn's threaded worker, but a quick stop (Ctrl+C's SIGINT, SIGQUIT) ends the process
    there and then: the standard streams flushed, nothing else. gunicorn's own `handle_quit` first
    shuts its thread pool down, taking the pool's lock, which the main thread may hold at that moment
    (handing a connection to the pool, starting a thread): on a busy machine the process then
    waited for itself until the server killed it."""

    def handle_quit(self, sig: int, frame: Any) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(0)


class ClientbaseServer(BaseApplication):
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from clientbase.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve clientbase with gunicorn (not Django's development server)."
    requires_migrations_checks = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("CLIENTBASE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("CLIENTBASE_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--no-collectstatic", action="store_true", help="Skip collecting static files.")

    def handle(self, *args: Any, **options: Any) -> None:
        if metrics.MULTIPROCESS:  # figures of processes that ended since the last start go
            metrics.remove_ended_processes(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"clientbase serving at http://{bind}/ (Ctrl+C to stop)")
        # The workers are forked with the application loaded (preload_app): none of them spends its
        # first seconds importing it, when a stop signal could catch it half-way; the connections
        # this process opened (the migration check) are not handed down to them.
        connections.close_all()
        ClientbaseServer(
            {
                "bind": bind,
                "workers": options["workers"],
                "threads": 4,
                "preload_app": True,
                "timeout": 60,
                # Ctrl+C or SIGTERM: requests in flight get 3 s, then the workers are stopped.
                "graceful_timeout": 3,
                # No control socket: it would be shared by every server of the user (~/.gunicorn).
                "control_socket_disable": True,
                # A worker process ended: its figures leave /metrics' gauges.
                "child_exit": lambda server, worker: metrics.process_ended(worker.pid),
                "worker_exit": worker_exit,
                # Ctrl+C (SIGINT) or SIGQUIT: a quick stop, the process ends there and then.
                "worker_class": "clientbase.management.commands.serve.QuickStopWorker",
                "accesslog": "-",
                "errorlog": "-",
                # Each access line ends with the request's id (clientbase.logs), in the log format chosen.
                "access_log_format": ACCESS_LOG_FORMAT,
                "logconfig_dict": gunicorn_logging(settings.CLIENTBASE_LOG_FORMAT),
            }
        ).run()
