"""`make bench`: clientbase's workloads on SQLite and PostgreSQL, side by side, against baselines.

`python -m bench [--rows N] [--import-rows N] [--database sqlite|postgres|both] [--only W1,W7]`: one child
process per database creates a database of its own (`clientbase_bench` on PostgreSQL, a file in a
temporary directory on SQLite), fills it with N generated contacts (`bench.generate`, default
1,000,000 or BENCH_ROWS), runs the workloads (`bench.workloads`) and drops it again. Results go to
bench/results/latest.json (every figure) and latest.md (a table per workload, with ratios against
the baselines: the API's own SQL replayed on a cursor, a bare Django view replaying it, a naive
scan, OFFSET paging, a plain COPY); progress to stderr. W7 times the data-quality dashboard: the
worker's refresh, its reads and the page. `--only W7` runs only the workloads named.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import markdown


def run_database(label: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every workload on the database this process is configured for; answers the results."""
    import django
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    django.setup()
    from bench import workloads
    from bench.generate import analyze, generate, main_progress

    setup_test_environment()
    started = time.perf_counter()
    progress = main_progress(label, started)
    phases: dict[str, float] = {}

    def wanted(workload: str) -> bool:
        return not args.only or workload in args.only

    def phase(name: str, since: float) -> None:
        phases[name] = round(time.perf_counter() - since, 3)

    var_dir = Path(settings.VAR_DIR)
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":  # a file, so that the import's process sees the same data
        connection.settings_dict["TEST"] = {
            **connection.settings_dict.get("TEST", {}),
            "NAME": str(var_dir / "bench.sqlite3"),
        }
    progress(f"creating the database ({connection.settings_dict['TEST'].get('NAME') or 'test_' + old_name})")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    results: dict[str, Any] = {"database": label, "vendor": connection.vendor}
    try:
        since = time.perf_counter()
        facts = generate(args.rows, progress)
        phase("generate", since)
        results["generate"] = facts.as_dict()
        progress(f"generated {facts.contacts:,} contacts in {facts.seconds:.1f} s")
        since = time.perf_counter()
        analyze()
        phase("analyze", since)

        from django.contrib.auth import get_user_model

        from clientbase.api.authentication import create_token

        user = get_user_model().objects.create_superuser("bench", "bench@bench.example", "bench-password-1")
        client = Client(headers={"authorization": f"Token {create_token(user, via='command line')}"})
        with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
            repeat = args.repeat
            for code, key, name, run in (
                ("W1", "w1_search", "W1 search", lambda: workloads.search(client, facts, repeat, progress)),
                ("W3", "w3_pages", "W3 pages", lambda: workloads.pages(client, args.rows, repeat, progress)),
                (
                    "W5",
                    "w5_requests",
                    "W5 requests/s",
                    lambda: workloads.requests_per_second(client, facts, args.requests, progress),
                ),
                ("W6", "w6_routing", "W6 routing", lambda: workloads.routing(client, repeat, progress)),
                (
                    "W7",
                    "w7_quality",
                    "W7 quality",
                    lambda: workloads.quality(client, user, facts, repeat, progress),
                ),
            ):
                if wanted(code):
                    since = time.perf_counter()
                    results[key] = run()
                    phase(name, since)
        since = time.perf_counter()
        if args.import_rows and wanted("W4"):
            results["w4_import"] = workloads.import_csv(args.import_rows, var_dir, user.username, progress)
        phase("W4 import", since)
    finally:
        connection.close()
        since = time.perf_counter()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        phase("drop database", since)
        results["phases"] = phases
        progress("done, database dropped")
    return results


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        default=int(os.environ.get("BENCH_ROWS", "1000000")),
        help="contacts generated (default 1,000,000 or BENCH_ROWS)",
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=int(os.environ["BENCH_IMPORT_ROWS"]) if os.environ.get("BENCH_IMPORT_ROWS") else None,
        help="rows of the W4 import file (default BENCH_IMPORT_ROWS, else as many as --rows, so "
        "1,000,000 by default; 0: no W4)",
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each query (after a warm-up)")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint in W5")
    parser.add_argument(
        "--only",
        type=lambda text: [w.strip().upper() for w in text.split(",") if w.strip()],
        default=[],
        help="the workloads to run, e.g. W1,W7 (default: all)",
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--out", default="bench/results/latest.md", help="the Markdown; the JSON beside it")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_rows is None:
        args.import_rows = args.rows
    return args


def main() -> None:
    args = arguments()
    if args.child:  # one database per process: settings are read once
        results = run_database(args.child, args)
        Path(args.child_out).write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
        return

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    runs = []
    for database in databases:
        var_dir = Path(tempfile.mkdtemp(prefix=f"bench-{database}-"))
        (var_dir / "static").mkdir()  # served files: none, but the directory is expected
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CLIENTBASE_TESTING")}
        env.update(DJANGO_SETTINGS_MODULE="clientbase.settings", CLIENTBASE_VAR_DIR=str(var_dir))
        if database == "postgres":
            if subprocess.run(["scripts/postgres-ready", args.postgres_url]).returncode != 0:
                print(f"PostgreSQL not reachable at {args.postgres_url}: skipping it.", file=sys.stderr)
                shutil.rmtree(var_dir, ignore_errors=True)
                continue
            env.update(DATABASE_URL=args.postgres_url, CLIENTBASE_TEST_DB_NAME="clientbase_bench")
        child_out = var_dir / "results.json"
        command = [sys.executable, "-m", "bench", "--child", database, "--child-out", str(child_out)]
        for option in ("rows", "import_rows", "repeat", "requests"):
            command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
        if args.only:
            command += ["--only", ",".join(args.only)]
        try:
            if subprocess.run(command, env=env).returncode != 0:
                raise SystemExit(f"benchmark on {database} failed")
            runs.append(json.loads(child_out.read_text()))
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)

    everything = {
        "rows": args.rows,
        "import_rows": args.import_rows,
        "repeat": args.repeat,
        "requests": args.requests,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "databases": runs,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
    text = markdown(everything)
    out.write_text(text)
    print(text)
    print(f"written to {out} and {out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
