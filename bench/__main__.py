"""`make bench`: time clientbase's contact endpoints against a baseline run side by side.

For each case the same answer is produced three ways, each timed the same way (median of
repeated runs, after a warm-up):
- raw SQL: the hand-written query of bench/queries.py on a cursor;
- bare view: a Django view running that query and returning JSON (the least Django can do);
- clientbase: the real API endpoint, with authentication, access scope, serializer, pagination.
Figures are written as ratios (clientbase / raw SQL, clientbase / bare view), never as pass/fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CASES = [
    # name, API query string, baseline query name
    ("list, first page", "page_size=50", "list", {}),
    ("one customer's contacts", "customer={customer}&page_size=50", "customer", {}),
    ("search by name", "search=martin&page_size=20", "search", {"search": "martin"}),
    ("search by phone digits", "search=555-0142&page_size=20", "search", {"search": "555-0142"}),
]


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def generate(rows: int) -> dict[str, int]:
    """Customers (one per 50 contacts), two locations each, contacts with names, e-mails, titles
    and phones, written in bulk."""
    import random

    from django.db import transaction

    from clientbase.contacts.models import Contact, ContactLocation
    from clientbase.customers.models import Customer, Location
    from clientbase.phones import phone_search_digits

    rng = random.Random(7)
    first = [
        "Mike",
        "Susan",
        "David",
        "Lisa",
        "Robert",
        "Maria",
        "James",
        "Linda",
        "Ahmed",
        "Yuki",
        "Olga",
        "Pedro",
    ]
    last = [
        "Johnson",
        "Williams",
        "Chen",
        "Martinez",
        "Taylor",
        "Smith",
        "Garcia",
        "Müller",
        "Okafor",
        "Nguyen",
        "Kowalski",
        "Martin",
        "Rossi",
        "Brown",
        "Singh",
        "Dubois",
    ]
    titles = [
        "Facilities Technician",
        "Accounts Payable Coordinator",
        "Facilities Manager",
        "Office Manager",
        "Building Manager",
        "Chief Engineer",
        "Property Manager",
    ]
    with transaction.atomic():
        customers = Customer.objects.bulk_create(
            [
                Customer(name=f"{rng.choice(last)} {kind} {n}", number=f"C-{n + 1:06d}")
                for n, kind in enumerate(
                    rng.choice(["Hospitals", "Offices", "Hotels", "Schools"])
                    for _ in range(max(1, rows // 50))
                )
            ],
            batch_size=1000,
        )
        locations = Location.objects.bulk_create(
            [Location(customer=c, name=f"Site {s}", code=f"S{s}") for c in customers for s in (1, 2)],
            batch_size=1000,
        )
        batch: list[Contact] = []
        links: list[ContactLocation] = []
        for n in range(rows):
            customer = customers[n % len(customers)]
            f, la = rng.choice(first), rng.choice(last)
            phone = f"+1312555{n % 10000:04d}"
            contact = Contact(
                customer=customer,
                first_name=f,
                last_name=la,
                title=rng.choice(titles),
                email=f"{f.lower()}.{la.lower()}{n}@example.com",
                phone=phone,
                phone_digits=phone_search_digits(phone),
                role_site=n % 3 == 0,
                role_billing=n % 5 == 0,
            )
            # What Contact.save() would keep (bulk_create does not call it).
            contact.search_document = contact.searched_text(customer_name=customer.name)
            batch.append(contact)
            if len(batch) == 5000:
                created = Contact.objects.bulk_create(batch)
                links += [
                    ContactLocation(
                        contact=c, location=locations[2 * ((c.customer_id or 1) - customers[0].pk)]
                    )
                    for c in created[::3]
                ]
                batch = []
        if batch:
            Contact.objects.bulk_create(batch)
        ContactLocation.objects.bulk_create(links, batch_size=5000)
    return {"customers": len(customers), "contacts": rows, "customer": customers[len(customers) // 2].pk}


def run_database(label: str, rows: int, repeat: int) -> list[tuple[str, float, float, float]]:
    import django
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    django.setup()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"[{label}] generating {rows} contacts ...", file=sys.stderr)
        facts = generate(rows)
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench")
        client = Client()
        client.force_login(user)
        results = []
        with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
            from bench.queries import BASELINE_QUERIES

            for name, query, baseline, params in CASES:
                query = query.format(customer=facts["customer"])
                params = {**params, "customer": facts["customer"]}
                sql, sql_params = BASELINE_QUERIES[baseline](params)

                def raw(sql: str = sql, sql_params: list = sql_params) -> None:
                    with connection.cursor() as cursor:
                        cursor.execute(sql, sql_params)
                        cursor.fetchall()

                def bare(baseline: str = baseline, query: str = query) -> None:
                    assert client.get(f"/bench/bare/{baseline}/?{query}").status_code == 200

                def api(query: str = query) -> None:
                    response = client.get(f"/api/v1/contacts/?{query}")
                    assert response.status_code == 200, response.content[:300]

                timings = [median_seconds(fn, repeat) for fn in (raw, bare, api)]
                results.append((name, *timings))
                print(
                    f"[{label}] {name}: raw {timings[0] * 1000:.1f} ms, bare {timings[1] * 1000:.1f} ms, "
                    f"api {timings[2] * 1000:.1f} ms",
                    file=sys.stderr,
                )
        return results
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        del settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ROWS", "100000")))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
    )
    parser.add_argument("--out", default="bench/results/latest.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:  # one database per process: settings are read once
        results = run_database(args.child, args.rows, args.repeat)
        for name, raw, bare, api in results:
            print(f"RESULT\t{args.child}\t{name}\t{raw}\t{bare}\t{api}")
        return

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    lines = []
    for database in databases:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="clientbase.settings", CLIENTBASE_VAR_DIR=tempfile.mkdtemp(prefix="bench-")
        )
        if database == "postgres":
            if subprocess.run(["scripts/postgres-ready", args.postgres_url]).returncode != 0:
                print(f"PostgreSQL not reachable at {args.postgres_url}: skipping it.", file=sys.stderr)
                continue
            env.update(DATABASE_URL=args.postgres_url, CLIENTBASE_TEST_DB_NAME="clientbase_bench")
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench",
                "--child",
                database,
                "--rows",
                str(args.rows),
                "--repeat",
                str(args.repeat),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        sys.stderr.write(child.stderr)
        if child.returncode != 0:
            raise SystemExit(f"benchmark on {database} failed")
        lines += [line.split("\t")[1:] for line in child.stdout.splitlines() if line.startswith("RESULT\t")]

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table = [
        f"# clientbase benchmarks ({args.rows:,} contacts, median of {args.repeat} runs)",
        "",
        "| database | case | raw SQL ms | bare view ms | clientbase ms | ÷ raw SQL | ÷ bare view |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for database, name, raw, bare, api in lines:
        r, b, a = float(raw), float(bare), float(api)
        table.append(
            f"| {database} | {name} | {r * 1000:.1f} | {b * 1000:.1f} | {a * 1000:.1f} "
            f"| {a / r:.1f}x | {a / b:.1f}x |"
        )
    out.write_text("\n".join(table) + "\n")
    print("\n".join(table))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
