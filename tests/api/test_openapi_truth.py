"""The OpenAPI description tells the truth (`clientbase.api.schema`).

- In process: every operation declares the error answers it can give, from the one table the
  exception handler answers with (`clientbase.api.errors.ERROR_ANSWERS`); ids, enums, text rules,
  `If-Match` and unknown fields are described as the server reads them; creates link to the
  operations on what they made; the docs page shows the answers and examples.
- Served: schemathesis runs against a server started here on the demo data (its own folder; in the
  PostgreSQL run its own database), with `--checks all`, a fixed seed and a few examples per
  operation (`CLIENTBASE_FUZZ_EXAMPLES`, default 4; `make fuzz` runs more), reading
  `schemathesis.toml`; any failure it reports fails the test, with its report.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from rest_framework import exceptions
from rest_framework.test import APIClient, APIRequestFactory

from clientbase.api import errors
from clientbase.api.schema import IF_MATCH_PATTERN, text_pattern
from clientbase.audit.events import TYPES
from clientbase.contacts.models import ROLES, Contact
from clientbase.notifications.events import LABELS
from tests.factories import ContactFactory, CustomerFactory
from tests.notifications.conftest import free_port
from tests.served import OwnDatabase, create_database, drop_database, postgres_url, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TIMEOUT = 120
HTTP_METHODS = ("get", "put", "patch", "delete", "post")


@pytest.fixture(scope="module")
def schema() -> dict:
    return APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def operations(schema: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def resolved(schema: dict, response: dict) -> dict:
    if "$ref" in response:
        return schema["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


# The error answers ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_operation_declares_the_error_answers_it_can_give(schema):
    for path, method, operation in operations(schema):
        statuses = set(operation["responses"])
        parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        where = f"{method.upper()} {path}"
        assert "503" in statuses, where
        if operation.get("security") != [{}] and path != "/api/v1/auth/token/":
            assert {"401", "403"} <= statuses, where
        if "{" in path:
            assert "404" in statuses, where
        if parameters or "requestBody" in operation:
            assert "400" in statuses, where
        if "requestBody" in operation:
            assert "415" in statuses, where
        if method != "get" and path != "/api/v1/auth/token/":
            assert "409" in statuses, where
        if ("header", "If-Match") in parameters:
            assert "412" in statuses, where


@pytest.mark.django_db
def test_the_error_answers_are_the_exception_handlers_table(schema):
    declared = schema["components"]["responses"]
    used = {
        resolved(schema, response)["description"]
        for _path, _method, operation in operations(schema)
        for response in operation["responses"].values()
    }
    for answer in errors.ERROR_ANSWERS.values():
        if answer.name not in declared:
            continue
        component = declared[answer.name]
        assert component["description"] == answer.description
        body = component["content"]["application/json"]["schema"]
        assert ("anyOf" in body) == answer.fields
        assert ("Retry-After" in component.get("headers", {})) == answer.retry_after
    assert errors.BAD_REQUEST.description in used
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert detail["required"] == ["detail"]


@pytest.mark.django_db
def test_throttled_operations_declare_429_with_retry_after(schema):
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    test_email = schema["paths"]["/api/v1/contacts/{id}/send-test-email/"]["post"]["responses"]
    for responses in (token, test_email):
        answer = resolved(schema, responses["429"])
        assert answer["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorDetail"}


def test_a_throttle_answers_retry_after_of_at_least_a_second():
    request = APIRequestFactory().get("/api/v1/customers/")
    for wait in (None, 0, 0.2, 41.5):
        response = errors.exception_handler(exceptions.Throttled(wait=wait), {"request": request})
        assert response is not None and response.status_code == 429
        assert int(response["Retry-After"]) == max(1, math.ceil(wait or 1))


@pytest.mark.django_db
def test_a_path_no_route_takes_under_api_answers_json_404(dispatcher):
    client = APIClient()
    client.force_authenticate(dispatcher)
    for path in ("/api/v1/merges/-1/", "/api/v1/imports/abc/", "/api/v1/no-such-thing/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
        assert response.json() == {"detail": "Not found."}
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


# Constraints ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ids_are_whole_numbers_from_1_to_2_63_and_the_server_reads_them_so(schema, api, dispatcher):
    path = schema["paths"]["/api/v1/customers/{id}/"]["get"]
    (identifier,) = [p for p in path["parameters"] if p["in"] == "path"]
    assert identifier["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1, "format": "int64"}
    filters = {p["name"]: p for p in schema["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert filters["customer"]["schema"] == identifier["schema"]
    client = api(dispatcher)
    for value in ("1.0", "1e0", "+1", "1_0", "-1", "0"):
        response = client.get("/api/v1/contacts/", {"customer": value})
        assert response.status_code == 400, value
        assert "customer" in response.json()
    customer = CustomerFactory()
    assert client.get("/api/v1/contacts/", {"customer": str(customer.pk)}).status_code == 200
    assert client.get("/api/v1/contacts/", {"customer": ""}).status_code == 200


@pytest.mark.django_db
def test_boolean_filters_take_true_or_false_and_nothing_else(schema, api, dispatcher):
    filters = {p["name"]: p for p in schema["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert filters["is_primary"]["schema"] == {"type": "boolean"}
    client = api(dispatcher)
    for value in ("null", "1", "True", "yes"):
        response = client.get("/api/v1/contacts/", {"is_primary": value})
        assert response.status_code == 400, value
        assert "is_primary" in response.json()
    for value in ("true", "false", ""):
        assert client.get("/api/v1/contacts/", {"is_primary": value}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_contact_without_customer_cannot_be_made_primary(api, dispatcher, method):
    """Found by schemathesis: PATCH `{"is_primary": true}` of a contact of no customer was a 500."""
    contact = ContactFactory(customer=None, title="Kept")
    client = api(dispatcher)
    if method == "post":
        response = client.post("/api/v1/contacts/", {"last_name": "Loner", "is_primary": True}, format="json")
    else:
        response = client.patch(
            f"/api/v1/contacts/{contact.pk}/", {"is_primary": True, "title": "Changed"}, format="json"
        )
    assert response.status_code == 400
    assert response.json() == {"is_primary": ["Only a contact of a customer can be its primary contact."]}
    contact.refresh_from_db()
    assert (contact.is_primary, contact.title) == (False, "Kept")
    assert not Contact.objects.filter(last_name="Loner").exists()


@pytest.mark.django_db
def test_page_numbers_are_plain_digits(api, dispatcher):
    client = api(dispatcher)
    for value in ("+1", " 1", "1_0", "1.0"):
        response = client.get("/api/v1/customers/", {"page": value})
        assert response.status_code == 400, value
        assert "page" in response.json()


@pytest.mark.django_db
def test_enums_are_the_vocabularies_the_code_uses(schema):
    messages = {p["name"]: p for p in schema["paths"]["/api/v1/messages/"]["get"]["parameters"]}
    assert messages["event"]["schema"]["enum"] == list(LABELS)
    assert "portal.invitation" in messages["event"]["schema"]["enum"]
    audit = {p["name"]: p for p in schema["paths"]["/api/v1/audit-events/"]["get"]["parameters"]}
    assert audit["type"]["schema"]["enum"] == list(TYPES)
    contacts = {p["name"]: p for p in schema["paths"]["/api/v1/contacts/"]["get"]["parameters"]}
    assert sorted(contacts["role"]["schema"]["enum"]) == sorted(ROLES)


@pytest.mark.django_db
def test_request_bodies_are_json_refusing_unknown_fields_with_the_text_rules(schema):
    create = schema["paths"]["/api/v1/customers/"]["post"]["requestBody"]["content"]
    assert list(create) == ["application/json"]
    body = schema["components"]["schemas"]["CustomerRequest"]
    assert body["additionalProperties"] is False
    assert body["properties"]["name"]["pattern"] == text_pattern(multiline=False, blank=False)
    assert body["properties"]["notes"]["pattern"] == text_pattern(multiline=True, blank=True)
    single = re.compile(text_pattern(multiline=False, blank=False))
    multi = re.compile(text_pattern(multiline=True, blank=True))
    assert single.fullmatch("José Müller") and not single.fullmatch("   ")
    for refused in ("a\nb", "a\tb", "a\u200bb", "a\u202eb", "a\x00b", "a\u2028b"):
        assert not single.fullmatch(refused), repr(refused)
    assert multi.fullmatch("line one\nline two\ttab\r\n")
    assert not multi.fullmatch("bell \x07")


@pytest.mark.django_db
def test_exactly_the_operations_stating_rules_may_refuse_valid_looking_requests(schema):
    """schemathesis.toml lets an operation answer 400 to a request the schema calls valid only
    when the operation's description states the rules (in words) that such a request breaks."""
    config = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    allowed = {
        name
        for entry in config.get("operations", [])
        if "400" in entry.get("checks", {}).get("positive_data_acceptance", {}).get("expected-statuses", [])
        for name in entry["include-name"]
    }
    stating = {
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if "Rules the schema cannot state" in operation.get("description", "")
    }
    assert allowed == stating
    assert "400" not in config["checks"]["positive_data_acceptance"]["expected-statuses"]


@pytest.mark.django_db
def test_if_match_is_described_with_its_syntax(schema):
    operation = schema["paths"]["/api/v1/contacts/{id}/"]["patch"]
    (if_match,) = [p for p in operation["parameters"] if p["name"] == "If-Match"]
    assert if_match["schema"]["pattern"] == IF_MATCH_PATTERN
    pattern = re.compile(IF_MATCH_PATTERN)
    for good in ("*", '"3"', 'W/"3"', '"3", "4"', '"7",W/"1"'):
        assert pattern.fullmatch(good), good
    for bad in ("3", '"3', "W/3", ""):
        assert not pattern.fullmatch(bad), bad


@pytest.mark.django_db
def test_creates_link_to_the_operations_on_what_they_made(schema):
    links = schema["paths"]["/api/v1/customers/"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    detail = schema["paths"]["/api/v1/customers/{id}/"]
    assert {detail[method]["operationId"] for method in ("get", "put", "patch", "delete")} <= targets
    assert all(link["parameters"] == {"id": "$response.body#/id"} for link in links.values())
    contact_links = schema["paths"]["/api/v1/contacts/"]["post"]["responses"]["201"]["links"]
    assert "PostMakePrimary" in contact_links


@pytest.mark.django_db
def test_the_docs_show_the_error_answers_with_examples(schema):
    for name, answer in schema["components"]["responses"].items():
        if name != "URITooLong":  # the web server's page, before the API
            assert answer["content"]["application/json"]["example"], name
    assert "text/html" in schema["components"]["responses"]["URITooLong"]["content"]
    assert APIClient().get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_the_docs_group_operations_by_resource_and_say_how_to_start(schema):
    tags = {
        tag
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    assert {"contacts", "work-orders", "contracts", "reports", "auth"} <= tags and "v1" not in tags
    assert "POST /api/v1/auth/token/" in schema["info"]["description"]
    assert "If-Match" in schema["info"]["description"]
    # An id in a path shows 1, not its maximum (which JavaScript would round beyond it).
    (parameter,) = schema["paths"]["/api/v1/work-orders/{id}/"]["get"]["parameters"]
    assert parameter["example"] == 1
    # The shared error answers are schematic, naming no one resource's rule.
    examples = {name: answer["content"]["application/json"]["example"] for name, answer in
                schema["components"]["responses"].items() if name != "URITooLong"}  # fmt: skip
    assert examples["NotFound"] == {"detail": "Not found."}
    assert "field" in examples["BadRequest"]


RESOURCES = {
    "customers": "Customer",
    "locations": "Location",
    "assets": "Asset",
    "asset-parts": "AssetPart",
    "contacts": "Contact",
    "contracts": "Contract",
    "work-orders": "WorkOrder",
    "quotes": "Quote",
    "invoices": "Invoice",
    "messages": "Message",
    "activities": "Activity",
    "audit-events": "AuditEvent",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("resource", "component"), RESOURCES.items())
def test_the_docs_show_an_example_of_each_resource_with_its_fields(schema, resource, component):
    answer = schema["paths"][f"/api/v1/{resource}/{{id}}/"]["get"]["responses"]["200"]
    (example,) = answer["content"]["application/json"]["examples"].values()
    properties = schema["components"]["schemas"][component]["properties"]
    assert set(example["value"]) == set(properties)
    for name, value in example["value"].items():
        enum = properties[name].get("enum") or schema["components"]["schemas"].get(
            properties[name].get("$ref", "/").rsplit("/", 1)[1], {}
        ).get("enum")
        if enum and value is not None:
            assert value in enum, (component, name, value)


# The served schema, fuzzed --------------------------------------------------------------------


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """(base URL, admin's token, the server's log) of `clientbase serve` on the demo data, in a
    folder of its own; in the PostgreSQL run of the suite, in a database of its own (dropped
    afterwards)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CLIENTBASE_TESTING", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(CLIENTBASE_VAR_DIR=str(tmp_path / "var"), WEB_CONCURRENCY="2")
    suite_url = postgres_url()
    database: OwnDatabase | None = None
    if suite_url is not None:
        database = create_database(suite_url, "clientbase_openapi")
        env["DATABASE_URL"] = database.url
    else:
        env.pop("DATABASE_URL", None)
    server: subprocess.Popen[str] | None = None

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(BIN / "clientbase"), *args], env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    try:
        run("migrate", "--noinput")
        run("demo", "--if-empty")
        token = run("token", "admin").strip().splitlines()[-1]
        port = free_port()
        # The server's log goes to a file: a pipe nobody reads while the run goes on would fill up
        # and stop the server.
        log_path = tmp_path / "server.log"
        log = log_path.open("w")
        server = subprocess.Popen(
            [str(BIN / "clientbase"), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/readyz", server, timeout=TIMEOUT, output=log_path.read_text)
        yield base, token, log_path
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
        if database is not None:
            drop_database(database)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_schemathesis_finds_the_served_api_as_described(served_demo):
    """Every phase (examples, coverage, fuzzing, stateful: create → read → update → delete by the
    links), `--checks all`, a fixed seed: no failure."""
    base, token, log = served_demo
    examples = os.environ.get("CLIENTBASE_FUZZ_EXAMPLES", "4")
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
        f"{base}/api/schema/",
        "--url",
        base,
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        "all",
        "--max-examples",
        examples,
        "--seed",
        "1",
        "--workers",
        "2",
        "--no-color",
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60 * 60,
    )
    report = done.stdout[-60000:] + done.stderr[-5000:]
    errors = "\n".join(
        line for line in log.read_text().splitlines() if "ERROR" in line or "Traceback" in line
    )
    assert done.returncode == 0, f"{report}\n\nThe server's errors:\n{errors[-5000:]}"
    assert re.search(r"Tested: \d+", report), report
    links = re.search(r"API Links:\s+(\d+) covered", report)
    assert links is not None and int(links[1]) > 0, report  # the stateful phase followed links
