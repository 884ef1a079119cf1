"""Jobs the mail worker (`clientbase worker`) runs every so often beside delivering mail, which
apps register once loaded (`register`): a worker is the one long-running process of every
installation, so work that must not wait for a request (refreshing figures that take seconds to
count) runs there. Each worker runs each job at most once per its interval; several workers may
each run it (the jobs are idempotent)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger("clientbase.periodic")


@dataclass
class Job:
    """`run()` every `every` seconds (the first time when a worker starts)."""

    name: str
    every: float
    run: Callable[[], object]
    due: float = field(default=0.0)


_JOBS: dict[str, Job] = {}


def register(name: str, every: float, run: Callable[[], object]) -> None:
    """Run `run()` every `every` seconds in each worker (registering a name again replaces it)."""
    _JOBS[name] = Job(name, every, run)


def jobs() -> list[Job]:
    return list(_JOBS.values())


def run_due(now: float | None = None) -> list[str]:
    """Run the jobs that are due (`now`: `time.monotonic()`); answers their names. A job that
    fails is logged and tried again at its next time: it never stops the worker."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in _JOBS.values():
        if now < job.due:
            continue
        job.due = now + job.every
        try:
            job.run()
        except Exception:
            logger.exception("periodic job %s failed; trying again in %s s", job.name, job.every)
        ran.append(job.name)
    return ran
