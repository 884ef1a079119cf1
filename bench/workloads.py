"""The workloads W1 to W6, each against its baselines, run in one process on one database.

Times are wall-clock (`time.perf_counter`) after one warm-up run; milliseconds in the results.
W1 search, W3 pages, W5 requests per second, W6 notification routing, W4 import (last: it
changes the data the others read).
"""

from __future__ import annotations

import base64
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import phonenumbers
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import urls as bench_urls
from bench.generate import Facts, People, analyze
from bench.queries import all_reads, capture, contact_reads, naive_search, replay
from clientbase.contacts.models import Contact, ContactLocation
from clientbase.customers.models import Customer, Location
from clientbase.keyset import keyset_ordering
from clientbase.notifications.events import WORK_ORDER_CREATED
from clientbase.notifications.routing import resolve_recipients

Progress = Callable[[str], None]

# W1: the query classes and several texts of each, all present in the generated data.
SEARCH_CLASSES: dict[str, list[str]] = {
    "1-2 characters": ["a", "mü", "li", "山"],
    "3+ characters": ["chris", "facilities", "o'brien", "ольга"],
    "e-mail fragment": ["smith@", "@gmail.com", "j.mueller", "maria.garcia"],
    "accent-free name": ["lefevre", "muller", "francois", "nunez"],
    "common surname": ["smith", "garcia", "nguyen", "johnson"],
}
PAGE_SIZE = 50
FAR_PAGE = 1000
ROUTING_RECIPIENTS = (1, 100, 10_000)


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    """Seconds of each of `repeat` runs of `run`, after one warm-up run."""
    run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return samples


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of `samples` (seconds), in milliseconds, and how many samples."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        ordered = ordered * 2
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50": round(cuts[49] * 1000, 3),
        "p95": round(cuts[94] * 1000, 3),
        "p99": round(cuts[98] * 1000, 3),
        "n": len(samples),
    }


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response


def phone_queries(facts: Facts) -> list[str]:
    """Numbers of generated contacts typed in another format than stored: US national, British
    national with the trunk 0, German with 00, French with 011, Japanese national."""
    forms = [("US", "national"), ("GB", "national"), ("DE", "00"), ("FR", "011"), ("JP", "national")]
    texts = []
    for country, form in forms:
        numbers = facts.phones.get(country)
        if not numbers:
            continue
        parsed = phonenumbers.parse(numbers[0][1], None)
        if form == "national":
            texts.append(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
        else:
            international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            prefix = f"00{parsed.country_code}" if form == "00" else f"011 {parsed.country_code}"
            texts.append(f"{prefix} {international.split(' ', 1)[1]}")
    return texts[:4]


def search(client: Client, facts: Facts, repeat: int, progress: Progress) -> dict[str, Any]:
    """W1: each query class through the API, the API's captured SQL replayed on a cursor and in a
    bare view, and the naive scan."""
    classes = {**SEARCH_CLASSES, "phone, other format": phone_queries(facts)}
    results: dict[str, Any] = {}
    for name, texts in classes.items():
        samples: dict[str, list[float]] = {"api": [], "raw": [], "bare": [], "naive": []}
        queries = []
        for text in texts:
            path = f"/api/v1/contacts/?search={quote(text)}&page_size=20"
            response, statements = capture(lambda path=path: client.get(path))
            ok(response)
            reads = contact_reads(statements)
            key = f"search-{len(bench_urls.STATEMENTS)}"
            bench_urls.STATEMENTS[key] = all_reads(statements)
            found = len(response.json()["results"])
            naive_found = len(naive_search(text))
            samples["api"] += timed(lambda path=path: ok(client.get(path)), repeat)
            samples["raw"] += timed(lambda reads=reads: replay(reads), repeat)
            samples["bare"] += timed(lambda key=key: ok(client.get(f"/bench/replay/{key}/")), repeat)
            samples["naive"] += timed(lambda text=text: naive_search(text), repeat)
            queries.append(
                {
                    "text": text,
                    "found": found,
                    "naive_found": naive_found,
                    "statements": len(statements),
                    "replayed": len(reads),
                    "sql": reads,
                }
            )
        results[name] = {"queries": queries, **{column: percentiles(s) for column, s in samples.items() if s}}
        progress(f"W1 {name}: api p50 {results[name]['api']['p50']:.1f} ms")
    return results


def cursor_at(position: int) -> str:
    """The API's `?cursor=` for the page after the `position`-th contact (1-based) of the contact
    list, encoded as `clientbase.keyset.Keyset` encodes its positions."""
    ordering = keyset_ordering(Contact.objects.all())
    assert ordering is not None
    names = [item.lstrip("-") for item in ordering]
    values = list(Contact.objects.order_by(*ordering).values_list(*names)[position - 1])
    payload = json.dumps({"v": values, "d": "n"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")


def pages(client: Client, rows: int, repeat: int, progress: Progress) -> dict[str, Any]:
    """W3: page 1 of the contact list against a far page (page 1,000, or the last but one when
    there are fewer), by keyset (`?cursor=`) and by number (`?page=`, OFFSET)."""
    far = max(2, min(FAR_PAGE, Contact.objects.count() // PAGE_SIZE - 1))
    base = f"/api/v1/contacts/?page_size={PAGE_SIZE}"
    cases = {
        "page 1": base,
        f"page {far}, keyset": f"{base}&cursor={cursor_at((far - 1) * PAGE_SIZE)}",
        f"page {far}, offset": f"{base}&page={far}",
    }
    results: dict[str, Any] = {"far_page": far, "cases": {}}
    first_ids = []
    for name, path in cases.items():
        response, statements = capture(lambda path=path: client.get(path))
        first_ids.append(ok(response).json()["results"][0]["id"])
        reads = contact_reads(statements)
        results["cases"][name] = {
            "api": percentiles(timed(lambda path=path: ok(client.get(path)), repeat)),
            "raw": percentiles(timed(lambda reads=reads: replay(reads), repeat)),
            "replayed": len(reads),
            "sql": reads,
        }
    assert first_ids[1] == first_ids[2], f"keyset and offset pages start apart: {first_ids}"
    progress(f"W3 page 1 and page {far}")
    return results


def requests_per_second(client: Client, facts: Facts, requests: int, progress: Progress) -> dict[str, Any]:
    """W5: API requests per second for list, detail and create, against a bare view answering the
    same (the captured SQL replayed; for create, one INSERT of the same row)."""
    # A contact of a big customer, linked to a location when one is.
    contact = Contact.objects.filter(customer_id=facts.biggest_customers[0]).order_by(
        F("location_links").desc(nulls_last=True), "id"
    )[0]
    customer = Customer.objects.get(pk=facts.biggest_customers[-1])
    results: dict[str, Any] = {}
    for name, path in (
        ("list", f"/api/v1/contacts/?page_size={PAGE_SIZE}"),
        ("detail", f"/api/v1/contacts/{contact.pk}/"),
    ):
        _, statements = capture(lambda path=path: ok(client.get(path)))
        key = f"w5-{name}"
        bench_urls.STATEMENTS[key] = all_reads(statements)
        results[name] = {
            "api": rate(lambda path=path: ok(client.get(path)), requests),
            "bare": rate(lambda key=key: ok(client.get(f"/bench/replay/{key}/")), requests),
            "replayed": len(bench_urls.STATEMENTS[key]),
        }
    count = iter(range(10**9))

    def create_api() -> None:
        body = {
            "customer": customer.pk,
            "first_name": "Amélie",
            "last_name": "Lefèvre",
            "title": "Site Lead",
            "email": f"w5.api.{next(count)}@bench.example",
            "phone": "(312) 555-0142",
        }
        ok(client.post("/api/v1/contacts/", json.dumps(body), content_type="application/json"), 201)

    def create_bare() -> None:
        body = {
            "customer_id": customer.pk,
            "first_name": "Amélie",
            "last_name": "Lefèvre",
            "title": "Site Lead",
            "email": f"w5.bare.{next(count)}@bench.example",
            "phone": "+13125550142",
            "customer_name": customer.name,
        }
        ok(client.post("/bench/insert/", json.dumps(body), content_type="application/json"), 201)

    _, statements = capture(create_api)
    results["create"] = {
        "api": rate(create_api, requests),
        "bare": rate(create_bare, requests),
        "statements": len(statements),
    }
    progress("W5 " + ", ".join(f"{k} {v['api']['per_second']:.0f}/s" for k, v in results.items()))
    return results


def rate(run: Callable[[], object], requests: int) -> dict[str, float]:
    """Requests per second of `requests` runs of `run` one after another (after one warm-up)."""
    run()
    start = time.perf_counter()
    for _ in range(requests):
        run()
    elapsed = time.perf_counter() - start
    return {
        "per_second": round(requests / elapsed, 1),
        "ms": round(elapsed / requests * 1000, 3),
        "n": requests,
    }


def routing(client: Client, repeat: int, progress: Progress) -> dict[str, Any]:
    """W6: who gets a work order event at a location (`resolve_recipients`, and the preview API
    that explains it) for a customer with 1, 100 and 10,000 recipients: time and queries. Each
    customer also has a tenth as many opted-in contacts of another location (rule 2 leaves
    them out) and as many who did not opt in."""
    results: dict[str, Any] = {}
    for wanted in ROUTING_RECIPIENTS:
        customer = Customer.objects.create(name=f"Routing {wanted}")
        here = Location.objects.create(customer=customer, name="Routed site", code="R1")
        elsewhere = Location.objects.create(customer=customer, name="Other site", code="R2")
        contacts = []
        for n in range(wanted + wanted // 10 + wanted):
            contact = Contact(
                customer=customer,
                first_name="Routed",
                last_name=f"Person {n:05d}",
                email=f"routed.{n}@routing{wanted}.example",
                is_primary=n == 0,
                notify_work_orders=n < wanted + wanted // 10,
            )
            contact.derive_fields(customer_name=customer.name)
            contacts.append(contact)
        with transaction.atomic():
            created = Contact.objects.bulk_create(contacts, batch_size=2000)
            ContactLocation.objects.bulk_create(
                [
                    ContactLocation(contact=c, location=here if n < wanted else elsewhere)
                    for n, c in enumerate(created)
                    if n < wanted + wanted // 10
                ],
                batch_size=2000,
            )
        analyze("contacts_contact", "contacts_contactlocation")  # as autovacuum would after a load

        def resolve(customer: Customer = customer, here: Location = here) -> Any:
            return resolve_recipients(event=WORK_ORDER_CREATED, customer_id=customer.pk, location_id=here.pk)

        with CaptureQueriesContext(connection) as captured:
            answer = resolve()
        assert len(answer.recipients) == wanted, (wanted, len(answer.recipients))
        path = (
            f"/api/v1/notifications/preview/?event={WORK_ORDER_CREATED}"
            f"&customer={customer.pk}&location={here.pk}"
        )
        response, statements = capture(lambda path=path: client.get(path))
        assert len(ok(response).json()["recipients"]) == wanted
        results[str(wanted)] = {
            "resolver": percentiles(timed(resolve, repeat)),
            "resolver_queries": len(captured.captured_queries),
            "api": percentiles(timed(lambda path=path: ok(client.get(path)), repeat)),
            "api_queries": len(statements),
        }
        progress(f"W6 {wanted} recipients: {results[str(wanted)]['resolver']['p50']:.1f} ms")
    return results


def quality(client: Client, user: Any, facts: Facts, repeat: int, progress: Progress) -> dict[str, Any]:
    """W7: the data-quality dashboard: the worker's refresh of every rule's count, the reads through
    the API (the stored counts in `quality/summary/`, the first page of findings, one big
    customer's findings, each against a bare view replaying the same SQL) and the staff page
    `/quality/` itself (stored counts, first page of findings, completeness of its customers).
    `client` signs in with `user`'s token; the page is read signed in as `user`."""
    from django.test.utils import override_settings

    from clientbase.quality import snapshot

    results: dict[str, Any] = {}
    refresh = timed(snapshot.refresh, max(1, repeat // 5))
    results["worker's refresh (counts of every rule)"] = {"api": percentiles(refresh), "statements": None}
    progress(f"W7 refresh: p50 {results[next(iter(results))]['api']['p50']:.1f} ms")
    customer = facts.biggest_customers[0]
    for name, path in (
        ("summary (counts of every rule)", "/api/v1/quality/summary/"),
        ("findings, first page", f"/api/v1/quality/?page_size={PAGE_SIZE}"),
        ("findings of the biggest customer", f"/api/v1/quality/?customer={customer}&page_size={PAGE_SIZE}"),
    ):
        _, statements = capture(lambda path=path: ok(client.get(path)))
        key = f"w7-{len(results)}"
        bench_urls.STATEMENTS[key] = all_reads(statements)
        results[name] = {
            "api": percentiles(timed(lambda path=path: ok(client.get(path)), repeat)),
            "bare": percentiles(timed(lambda key=key: ok(client.get(f"/bench/replay/{key}/")), repeat)),
            "statements": len(statements),
        }
        progress(f"W7 {name}: api p50 {results[name]['api']['p50']:.1f} ms")
    browser = Client()
    browser.force_login(user)
    # The page's static links without collected files: their names, not the manifest's.
    plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES={**settings.STORAGES, **plain}):
        _, statements = capture(lambda: ok(browser.get("/quality/")))
        results["dashboard page /quality/"] = {
            "api": percentiles(timed(lambda: ok(browser.get("/quality/")), repeat)),
            "statements": len(statements),
        }
    progress(f"W7 dashboard page: p50 {results['dashboard page /quality/']['api']['p50']:.1f} ms")
    return results


def database_url() -> str:
    """The URL of the database this process uses (the benchmark's own), for a child process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    url = urlsplit(os.environ["DATABASE_URL"])
    return url._replace(path=f"/{settings['NAME']}").geturl()


def import_file(path: Path, rows: int, seed: int) -> dict[str, int]:
    """Write a CSV of `rows` contacts: 60% new ones (of existing customers), 40% updates of
    existing contacts matched by their customer and e-mail (a new title and phone)."""
    rng = random.Random(seed)
    people = People(rng)
    updates = int(rows * 0.4)
    eligible = Contact.objects.filter(customer__isnull=False).exclude(email="")
    total = eligible.count()
    step = max(1, total // max(1, updates))
    chosen = []
    for n, row in enumerate(
        eligible.order_by("id").values_list("email", "customer__number").iterator(chunk_size=10_000)
    ):
        if n % step == 0 and len(chosen) < updates:
            chosen.append(row)
    numbers = list(Customer.objects.exclude(number=None).values_list("number", flat=True))
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["customer", "first_name", "last_name", "email", "phone", "title", "department"])
        lines = [("update", row) for row in chosen] + [("new", None)] * (rows - len(chosen))
        rng.shuffle(lines)
        for n, (kind, row) in enumerate(lines):
            typed, _stored = people.phone()
            if kind == "update":
                assert row is not None
                email, number = row
                writer.writerow([number, "", "", email, typed, "Imported Title", ""])
            else:
                first, last, _, last_ascii = people.name()
                writer.writerow(
                    [
                        rng.choice(numbers),
                        first,
                        last,
                        f"import.{n}.{last_ascii}@import.example",
                        typed,
                        rng.choice(["Facilities Manager", "Chef de site", ""]),
                        "Facilities",
                    ]
                )
    return {"rows": rows, "new": rows - len(chosen), "updates": len(chosen)}


def load_plain(path: Path) -> float:
    """Seconds to load the CSV at `path` into a plain table of text columns: COPY on PostgreSQL,
    `executemany` in one transaction on SQLite. The table is dropped again."""
    columns = ["customer", "first_name", "last_name", "email", "phone", "title", "department"]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_plain")
        cursor.execute(f"CREATE TABLE bench_import_plain ({', '.join(f'{c} text' for c in columns)})")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = "COPY bench_import_plain FROM STDIN (FORMAT csv, HEADER true)"
            with cursor.cursor.copy(sql) as copy, path.open("rb") as file:
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
        else:
            with path.open(newline="", encoding="utf-8") as file:
                reader = csv.reader(file)
                next(reader)
                cursor.executemany(
                    f"INSERT INTO bench_import_plain VALUES ({', '.join(['%s'] * len(columns))})", reader
                )
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_import_plain")
        loaded = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_import_plain")
    assert loaded > 0
    return elapsed


def import_csv(rows: int, var_dir: Path, username: str, progress: Progress) -> dict[str, Any]:
    """W4: `clientbase import contacts FILE` in a subprocess (rows/s, peak RSS) against loading the
    same file into a plain table."""
    path = var_dir / "bench-import.csv"
    made = import_file(path, rows, seed=rows)
    progress(f"W4 {rows:,}-row CSV written ({made['updates']:,} updates); importing")
    plain_seconds = load_plain(path)
    connection.close()  # nothing of this process holds the database while the import runs
    command = [
        str(Path(sys.executable).parent / "clientbase"),
        "import",
        "contacts",
        str(path),
        "--no-progress",
        "--user",
        username,
    ]
    env = {**os.environ, "DATABASE_URL": database_url()}
    out, err = var_dir / "import.out", var_dir / "import.err"
    start = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    text = out.read_text(encoding="utf-8")
    try:
        report, _ = json.JSONDecoder().raw_decode(text[text.index("{") :])
    except ValueError:
        raise SystemExit(f"the import failed ({child.returncode}): {err.read_text()[-2000:]}") from None
    errors = report.get("errors") or []
    result = {
        **made,
        "exit_status": child.returncode,
        "created": report.get("created"),
        "updated": report.get("updated"),
        "unchanged": report.get("unchanged"),
        "refused_rows": len({error.get("row") for error in errors}),
        "first_errors": errors[:3],
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "plain_seconds": round(plain_seconds, 4),
        "plain_rows_per_second": round(rows / plain_seconds, 1),
        "plain_method": "COPY" if connection.vendor == "postgresql" else "executemany",
    }
    progress(f"W4 {rows:,} rows in {seconds:.1f} s ({result['rows_per_second']} rows/s)")
    return result
