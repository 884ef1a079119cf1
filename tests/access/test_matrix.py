"""The permission matrix (actors, actions, surfaces), generated from the declared table of
`tests/access/matrix.py` (API.md's staff roles and portal capabilities).

- The table covers what the policies speak of: a model, an action or a portal capability that
  `access.policies()` gains without an entry in the table fails here.
- Every (actor, model, action) cell at the service level: `access.can`, `access.restrict` and
  `access.fetch` against one object of each model (no HTTP, fast).
- One HTTP request per actor, action and surface: the REST API (list, retrieve, create, update,
  delete of every model with an endpoint, the contact fields that need more than the right to
  change a contact, search, export, an import's dry run, the actions), the staff pages and the
  portal pages. A refusal answers the documented status, leaves the database as it was and shows
  no text of its target; an allowed cell succeeds.
- The API's cells come from its routes (`matrix.api_routes()`): every route and method, the ones
  added later included, is asked of an anonymous caller (401), a staff user without permissions
  (403) and a portal user of another customer (404 for an object it would see at its own), and
  a route without a declared expectation fails the collection of this module. Every list keeps to
  a query budget.

The objects are made once for the whole module, in a transaction rolled back at its end; every test
runs in a savepoint of its own, so what an allowed write changes is gone for the next cell.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from clientbase import access
from clientbase.api.authentication import create_token
from clientbase.audit import events as audit_events
from clientbase.audit.models import AuditEvent
from clientbase.contacts.models import Contact, ContactLocation
from clientbase.errors import Forbidden, NotFound
from clientbase.notifications.models import Activity, Message
from clientbase.quality.merge import merge_contacts
from clientbase.transfer.models import ImportRun
from clientbase.workorders.models import Invoice, Quote
from tests.access import matrix
from tests.access.matrix import ACTORS, OPS, ROUTES, TARGETS, Actor, Op, Route
from tests.contracts.factories import ContractFactory
from tests.factories import (
    AssetFactory,
    AssetPartFactory,
    ContactFactory,
    CustomerFactory,
    LocationFactory,
    UserFactory,
)
from tests.notifications.factories import ActivityFactory, MessageFactory
from tests.test_stale_forms import edit_form
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

STAFF_BACKEND = "clientbase.backends.StaffBackend"
PORTAL_BACKEND = "clientbase.portal.backends.PortalBackend"


# The scene --------------------------------------------------------------------------------------


@dataclass
class Scene:
    """The objects of the matrix (customer A's, with targets named as in `matrix.TARGETS`), the
    actors' users, their API tokens and signed-in sessions, and the edit forms as their pages
    show them."""

    objects: dict[str, Model] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    forms: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def user(self, actor: Actor) -> Any:
        return self.users.get(actor.name) or AnonymousUser()

    def own_contact(self, actor: Actor) -> Contact:
        return Contact.objects.get(user=self.users[actor.name])

    def client(self, actor: Actor, surface: str) -> Client:
        if actor.kind == "anonymous":
            return Client()
        if surface == "api":
            return Client(HTTP_AUTHORIZATION=f"Token {self.tokens[actor.name]}")
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[actor.name]
        return client

    def path(self, op: Op, target: Model | None) -> str:
        """The path of `op` with "{pk}" the target's id and "{name}" the ids of the scene's objects."""
        return re.sub(
            r"\{(\w+)\}",
            lambda name: str(target.pk if name[1] == "pk" and target else self.objects[name[1]].pk),
            op.path,
        )

    def resolve(self, value: Any, actor: Actor, target: Model | None) -> Any:
        """A body with its "{name}" values replaced by the ids of the scene's objects."""
        if isinstance(value, dict):
            return {key: self.resolve(item, actor, target) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, actor, target) for item in value]
        if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
            name = value[1:-1]
            if name == "me":
                return self.own_contact(actor).pk
            if name == "version" and target is not None:
                return type(target).objects.get(pk=target.pk).version
            return self.objects[name].pk
        if isinstance(value, str) and "{" in value:  # ids within a text: "{contact},{pk}"
            return re.sub(
                r"\{(\w+)\}",
                lambda name: str(target.pk if name[1] == "pk" and target else self.objects[name[1]].pk),
                value,
            )
        return value


def build_scene() -> Scene:
    scene = Scene()
    objects = scene.objects
    today = timezone.localdate()
    a = objects["customer"] = CustomerFactory(name="Quokka Holdings", email="desk@quokka.example")
    b = objects["other_customer"] = CustomerFactory(name="Contoso Wombat Offices")
    objects["spare_customer"] = CustomerFactory(name="Numbat Spare Supplies")
    site = objects["location"] = LocationFactory(customer=a, name="Quokka Wharf Depot")
    objects["spare_location"] = LocationFactory(customer=a, name="Quokka Spare Yard")
    LocationFactory(customer=b, name="Contoso Harbour Office")
    asset = objects["asset"] = AssetFactory(
        location=site, name="Quokka Chiller QX", serial_number="SN-QX-4417"
    )
    objects["spare_asset"] = AssetFactory(location=site, name="Quokka Spare Pump")
    objects["part"] = AssetPartFactory(asset=asset, name="Quokka Compressor QP")
    objects["spare_part"] = AssetPartFactory(asset=asset, name="Quokka Spare Valve")
    contact = objects["contact"] = ContactFactory(
        customer=a,
        first_name="Zebulon",
        last_name="Quartermain",
        email="zebulon.quartermain@quokka.example",
        role_site=True,
        external_id="QX-EXT-7",
        locations=[site],
    )
    objects["customer_level_contact"] = ContactFactory(
        customer=a, first_name="Ysolde", last_name="Marchbank", email="ysolde.marchbank@quokka.example"
    )
    objects["spare_contact"] = ContactFactory(
        customer=a,
        first_name="Xavier",
        last_name="Spareman",
        email="xavier.spareman@quokka.example",
        locations=[site],
    )
    objects["contact_location"] = ContactLocation.objects.get(contact=contact, location=site)
    objects["contract"] = ContractFactory(
        customer=a,
        name="Quokka Chiller Care",
        locations=[site],
        assets=[asset],
        end_date=today + datetime.timedelta(days=30),
    )
    objects["spare_contract"] = ContractFactory(customer=a, name="Quokka Spare Cover")
    objects["work_order"] = WorkOrderFactory(customer=a, location=site, summary="Periwinkle chiller rattles")
    sent = timezone.now()
    objects["quote"] = QuoteFactory(
        customer=a, status=Quote.Status.SENT, sent_at=sent, amount=Decimal("731.37")
    )
    objects["draft_quote"] = QuoteFactory(customer=a, amount=Decimal("652.19"))
    objects["invoice"] = InvoiceFactory(
        customer=a, status=Invoice.Status.ISSUED, issued_at=sent, amount=Decimal("843.71")
    )
    objects["draft_invoice"] = InvoiceFactory(customer=a, amount=Decimal("597.43"))
    objects["message"] = MessageFactory(contact=contact, subject="Tamarind visit confirmed")
    objects["activity"] = ActivityFactory(contact=contact, summary="Called about the Tamarack gate")
    objects["audit_event"] = audit_events.record(audit_events.LOGIN_FAILED, username="quokka-guesser")
    add_other_customers_rows(b)

    for actor in matrix.STAFF_ACTORS:
        user = UserFactory(
            username=f"matrix-{actor.name.lower()}", groups=[actor.group] if actor.group else []
        )
        if actor.permissions:
            user.user_permissions.add(*[_permission(name) for name in actor.permissions])
        scene.users[actor.name] = user
    for actor in matrix.PORTAL_ACTORS:
        slug = actor.name.removeprefix("portal-").replace("_", "-")
        customer = a if actor.customer == "A" else b
        email = f"{slug}@{'quokka' if actor.customer == 'A' else 'contoso'}.example"
        portal_contact = ContactFactory(
            customer=customer,
            first_name="Portal",
            last_name=slug.title(),
            email=email,
            portal_enabled=True,
            portal_permissions=list(actor.capabilities),
            role_approver=actor.approver,
            support_end=None if actor.current else today - datetime.timedelta(days=1),
        )
        user = UserFactory(username=email, email=email, is_staff=False)
        portal_contact.user = user
        portal_contact.save(update_fields=["user"])
        scene.users[actor.name] = user
        if actor.name == "portal-approver":
            objects["approver"] = portal_contact
    objects["import_run"] = ImportRun.objects.create(
        kind=ImportRun.Kind.CONTACTS,
        filename="quokka-contacts.csv",
        user=scene.users["Administrator"],
        status=ImportRun.Status.APPLIED,
        created=1,
    )
    kept = ContactFactory(customer=a, first_name="Wilhelmina", last_name="Mergekeep", locations=[site])
    merged = ContactFactory(customer=a, first_name="Wilhelmina", last_name="Mergeold", locations=[site])
    objects["merge"] = merge_contacts(
        acting_user=scene.users["Administrator"], into=kept.pk, others=[merged.pk]
    )

    for actor in ACTORS:
        if actor.kind == "anonymous":
            continue
        user = scene.users[actor.name]
        scene.tokens[actor.name] = create_token(user)
        client = Client()
        client.force_login(user, backend=STAFF_BACKEND if actor.kind == "staff" else PORTAL_BACKEND)
        scene.sessions[actor.name] = client.cookies[settings.SESSION_COOKIE_NAME].value

    # The edit forms as they are loaded (with their versions), to post back with one change.
    administrator = scene.client(actor_named("Administrator"), "page")
    for name, path in (
        ("customer", "/customers/{pk}/edit/"),
        ("location", "/locations/{pk}/edit/"),
        ("asset", "/assets/{pk}/edit/"),
        ("part", "/asset-parts/{pk}/edit/"),
        ("contact", "/contacts/{pk}/edit/"),
        ("contract", "/contracts/{pk}/edit/"),
    ):
        page = administrator.get(path.format(pk=objects[name].pk))
        assert page.status_code == 200, path
        scene.forms[name] = edit_form(page.content.decode())
    portal_admin = scene.client(actor_named("portal-admin"), "portal")
    page = portal_admin.get(f"/portal/contacts/{contact.pk}/edit/")
    assert page.status_code == 200
    scene.forms["portal_contact"] = edit_form(page.content.decode())
    return scene


def add_other_customers_rows(customer: Any) -> None:
    """Rows of another customer, with their relations, so that every list of the API holds several
    (its query budget counts per page, not per row); none shows a text of the targets."""
    site = customer.locations.get()
    asset = AssetFactory(location=site, name="Contoso Lift")
    AssetPartFactory(asset=asset, name="Contoso Lift Cable")
    contact = ContactFactory(customer=customer, last_name="Contosian", locations=[site])
    importer = UserFactory(username="matrix-contoso-importer")
    sent = timezone.now()
    for n in range(2):
        work_order = WorkOrderFactory(
            customer=customer, location=site, asset=asset, requested_by=contact, summary=f"Contoso lift {n}"
        )
        QuoteFactory(customer=customer, work_order=work_order, status=Quote.Status.SENT, sent_at=sent)
        InvoiceFactory(customer=customer, work_order=work_order, status=Invoice.Status.ISSUED, issued_at=sent)
        ContractFactory(customer=customer, name=f"Contoso lift cover {n}", locations=[site], assets=[asset])
        MessageFactory(contact=contact, subject=f"Contoso lift visit {n}")
        ActivityFactory(contact=contact, summary=f"Called about Contoso lift {n}")
        audit_events.record(audit_events.LOGIN_FAILED, username=f"contoso-guesser-{n}")
        ImportRun.objects.create(
            kind=ImportRun.Kind.CONTACTS, filename=f"contoso-{n}.csv", user=importer, created=1
        )


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def actor_named(name: str) -> Actor:
    return next(actor for actor in ACTORS if actor.name == name)


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker) -> Iterator[Scene]:
    """The scene, made once in a transaction that the end of the module rolls back. Its users'
    passwords are hashed the fast way; the log lines of the many refusals (4xx) are left out (a
    server error is still logged)."""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                yield build_scene()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            request_log.setLevel(level)


@pytest.fixture(autouse=True)
def _fast_passwords():
    """No password is set in a cell: the scene's are hashed the fast way already."""


def snapshot(models: list[type[Model]]) -> dict[str, Any]:
    """Every row of the first table, every field; how many rows the others hold and their highest
    id (the outbox, the activity log, the contacts' links to sites: a refused request adds to
    none), in one query."""
    first, *others = models
    rows: dict[str, Any] = {first._meta.label: list(first.objects.order_by("pk").values_list())}
    if others:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(_count_and_last(model) for model in others))
            rows["others"] = tuple(cursor.fetchone())
    return rows


def _count_and_last(model: type[Model]) -> str:
    table, pk = (
        connection.ops.quote_name(model._meta.db_table),
        connection.ops.quote_name(model._meta.pk.column),
    )
    return f"(SELECT COUNT(*) FROM {table}), (SELECT MAX({pk}) FROM {table})"  # noqa: S608 (table names)


# The table covers the policies -------------------------------------------------------------------


def policy_cells() -> list[tuple[str, str]]:
    """(model, action) for every action of every registered policy."""
    return [(policy.model, action) for policy in access.policies() for action in policy.actions]


def test_the_table_names_every_model_and_action_of_the_policies():
    declared = {(model, action) for model, actions in matrix.ACTIONS.items() for action in actions}
    assert set(policy_cells()) == declared


def test_the_table_names_every_portal_capability_and_role_and_staff_group():
    from clientbase import groups

    assert access.portal_capability_names() == set(matrix.CAPABILITIES)
    grant_keys = {key for policy in access.policies() for key in policy.portal_grants()}
    assert grant_keys <= {
        "everyone",
        f"capability:{matrix.ADMIN}",
        *(f"capability:{name}" for name in matrix.CAPABILITIES),
        *(f"role:{name}" for name in matrix.ROLES),
    }
    assert set(groups.GROUPS) == matrix.STAFF_GROUPS
    for policy in access.policies():
        assert policy.anonymous == frozenset(), policy.model


def test_every_surface_of_the_table_is_a_url_of_the_site():
    from django.urls import Resolver404, resolve

    for op in OPS:
        path = op.path.split("?")[0].replace("{pk}", "1")
        try:
            match = resolve(path)
        except Resolver404:  # pragma: no cover - the assertion says which
            raise AssertionError(f"{op.id}: {path} is no URL") from None
        assert match.url_name not in (None, ""), op.id


# Every cell at the service level -----------------------------------------------------------------

# Besides the one target of each model: a customer-level contact (row limits of staff), the portal
# user's own contact (row limits of portal users) and drafts (hidden from portal users).
EXTRA_SERVICE_TARGETS = {
    matrix.CONTACT: ("customer_level_contact", "self"),
    matrix.QUOTE: ("draft_quote",),
    matrix.INVOICE: ("draft_invoice",),
}


def service_cells() -> list[Any]:
    """One test per actor and model, asking every action of the model against each target.
    Generated from the policies (so a model or an action without a table entry is a cell that
    fails) and the table (so an entry without a policy is one too)."""
    pairs = set(policy_cells()) | {(m, a) for m, actions in matrix.ACTIONS.items() for a in actions}
    models = sorted({model for model, _ in pairs})
    return [
        pytest.param(
            actor, model, sorted(action for m, action in pairs if m == model), id=f"{actor}-{model}-service"
        )
        for actor in ACTORS
        for model in models
    ]


def service_answers(scene: Scene, actor: Actor, model: str, action: str, target_name: str) -> list[str]:
    """What `access` answers for one cell that the table does not expect (empty: all agree)."""
    model_class = apps.get_model(model)
    user = scene.user(actor)
    is_self = target_name == "self"
    obj = scene.own_contact(actor) if is_self else scene.objects[target_name]
    target = matrix.Target(model) if is_self else TARGETS[target_name]
    wrong = []

    allowed = matrix.may(actor, model, action)
    if access.can(user, action, model_class) is not allowed:
        wrong.append(f"can: {not allowed}, the table says {allowed}")

    visible = matrix.sees(actor, target, is_self=is_self)
    limited = matrix.row_limited(actor, model, action, target, is_self=is_self)
    in_rows = allowed and visible and not limited
    if access.restrict(user, model_class.objects.filter(pk=obj.pk), action).exists() is not in_rows:
        wrong.append(f"restrict: {not in_rows}, the table says {in_rows}")

    may_view = matrix.may(actor, model, matrix.VIEW)
    if not may_view and not allowed:
        expected = "Forbidden"
    elif not may_view or not visible:
        expected = "NotFound"
    elif not in_rows:
        expected = "Forbidden"
    else:
        expected = "the object"
    try:
        answer = (
            "the object"
            if access.fetch(user, model_class.objects.all(), obj.pk, action) == obj
            else "another"
        )
    except (Forbidden, NotFound) as error:
        answer = type(error).__name__
    if answer != expected:
        wrong.append(f"fetch: {answer}, the table says {expected}")
    return [f"{target_name}/{action}: {text}" for text in wrong]


@pytest.mark.parametrize(("actor", "model", "actions"), service_cells())
def test_service_cells(scene, actor, model, actions):
    """For every action of `model` and each of its targets, `access.can`, `access.restrict` and
    `access.fetch` answer what the table says."""
    assert model in matrix.ACTIONS, f"no table entry for {model}"
    assert model in matrix.SERVICE_TARGETS, f"the table names no target of {model}"
    undeclared = sorted(set(actions) - matrix.ACTIONS[model])
    assert not undeclared, f"no table entry for {model}: {undeclared}"
    targets = [matrix.SERVICE_TARGETS[model]]
    targets += [
        name for name in EXTRA_SERVICE_TARGETS.get(model, ()) if name != "self" or actor.kind == "portal"
    ]
    wrong = [
        line
        for action in actions
        for target_name in targets
        for line in service_answers(scene, actor, model, action, target_name)
    ]
    assert not wrong, "\n".join(wrong)


# One HTTP request per action and surface ----------------------------------------------------------


def http_cells() -> list[Any]:
    return [
        pytest.param(actor, op, id=f"{actor}-{op.id}")
        for op in OPS
        for actor in ACTORS
        if op.actors is None or actor.name in op.actors
    ]


def tables_of(op: Op) -> list[type[Model]]:
    """What a refused request must leave as it was: the target's table (every field), and no new
    row in the outbox, the activity log or the contacts' links to sites (those alone for a route
    about no object)."""
    if not op.target:
        return [Message, Activity]
    model = apps.get_model(TARGETS[op.target].model)
    tables = [model, Message, Activity]
    if model is Contact:
        tables.append(ContactLocation)
    return list(dict.fromkeys(tables))


# Matches the target on its external ID within its customer (named by number); no text of the
# target is in the file, so none may be in the report.
IMPORT_CSV = "customer,external_id,title\n{customer},QX-EXT-7,Imported by the matrix\n"


def send(scene: Scene, actor: Actor, op: Op, obj: Model | None) -> Any:
    client = scene.client(actor, op.surface)
    path = scene.path(op, obj)
    if op.method == "get":
        return client.get(path)
    if op.kind == "import":
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(
            "contacts.csv", IMPORT_CSV.format(customer=scene.objects["customer"].number).encode(), "text/csv"
        )
        return client.post(
            path, {"file": upload, "kind": "contacts", "dry_run": "true", "match": "external_id"}
        )
    body = scene.resolve(dict(op.body or {}), actor, obj)
    if op.surface == "api":
        return getattr(client, op.method)(path, json.dumps(body), content_type="application/json")
    data: dict[str, Any] = {key: list(values) for key, values in scene.forms.get(op.form, {}).items()}
    data.update({key: value if isinstance(value, list) else [value] for key, value in body.items()})
    return client.post(path, data)


def text_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _stored(scene: Scene, actor: Actor, op: Op, obj: Model) -> bool:
    values = scene.resolve(dict(op.success.sets), actor, obj)
    return type(obj).objects.filter(pk=obj.pk, **values).exists()


@pytest.mark.parametrize(("actor", "op"), http_cells())
def test_http_cell(scene, actor, op):
    expected = matrix.expect(actor, op)
    target = TARGETS.get(op.target, matrix.Target(""))
    obj = scene.objects.get(op.target)
    tables = tables_of(op)
    # A read that shows its target is checked by what it shows; everything else by the database.
    before = {} if expected.allowed and op.method == "get" else snapshot(tables)

    response = send(scene, actor, op, obj)
    body = text_of(response)

    assert response.status_code == expected.status, body[:500]
    if expected.login:
        assert response["Location"].startswith(expected.login)
    if expected.allowed:
        if op.kind == "import":
            assert json.loads(body)["updated"] == 1, body
        elif op.method == "get":
            assert target.markers[0] in body
        elif op.success.creates:
            model = type(obj)
            assert model.objects.count() == len(before[model._meta.label]) + 1
        elif op.success.removes:
            assert not type(obj).objects.filter(pk=obj.pk).exists()
        else:
            assert _stored(scene, actor, op, obj), body[:500]
        return
    after = snapshot(tables)
    if tables[0] is AuditEvent:  # the log records the refusal itself, after the rows it held
        after["audit.AuditEvent"] = after["audit.AuditEvent"][: len(before["audit.AuditEvent"])]
    assert after == before, "a refused request changed the database"
    for marker in target.markers:
        assert marker not in body, f"the refusal shows {marker!r}"
    if op.kind == "import" and response.status_code == 200:
        assert json.loads(body)["updated"] == 0


# The API's routes: each one declared, each list within its query budget ---------------------------


def test_a_route_without_a_declared_expectation_fails_the_generator():
    widgets = Route("widget-detail", "/api/v1/widgets/{pk}/", ("GET",), detail=True, listing=False)
    with pytest.raises(matrix.UndeclaredRoute, match=r"GET /api/v1/widgets/\{pk\}/ \(widget-detail\)"):
        matrix.api_ops([*ROUTES, widgets])
    # A method a model's own route gains needs its body, or is unknown to the table.
    for name, method, message in (
        ("message-list", "POST", r"POST /api/v1/messages/: .*no body"),
        ("customer-list", "DELETE", r"DELETE /api/v1/customers/"),
    ):
        with pytest.raises(matrix.UndeclaredRoute, match=message):
            matrix.api_ops(grown(name, method))
    # Another declared route's new method is refused as its others are, without a new entry.
    ops = matrix.api_ops(grown("contact-history", "POST"))
    added = [op for op in ops if op.path == "/api/v1/contacts/{pk}/history/" and op.method == "post"]
    assert [op.actors for op in added] == [matrix.REFUSED]
    # A declaration whose route is gone.
    with pytest.raises(matrix.UndeclaredRoute, match="contact-history"):
        matrix.api_ops([route for route in ROUTES if route.name != "contact-history"])
    with pytest.raises(matrix.UndeclaredRoute, match="quotes-approve-api"):
        matrix.api_ops([route for route in ROUTES if route.name != "quote-approve"])


def test_every_route_and_method_of_the_api_has_its_cells():
    """The router's and the other routes of /api/v1/, each method with a cell of every refused
    caller (the sign-in aside, which answers everyone; a route about the caller itself refuses
    only the anonymous one)."""
    names = {route.name for route in ROUTES}
    assert {
        "customer-list",
        "contact-detail",
        "contact-card-vcard",
        "import-list",
        "auditevent-list",
    } <= names
    asked: dict[tuple[str, str], set[str]] = {}
    for op in OPS:
        if op.surface == "api":
            key = (re.sub(r"\?.*", "", op.path), op.method.upper())
            asked.setdefault(key, set()).update(op.actors or {actor.name for actor in ACTORS})
    for route in ROUTES:
        rule = matrix.API_ROUTES.get(route.name, matrix.RouteRule())
        path = route.path
        for argument, value in rule.arguments.items():
            path = path.replace(f"{{{argument}}}", value)
        for method in route.methods:
            if rule.caller == matrix.PUBLIC:
                assert (path, method) not in asked
                continue
            expected = {"anonymous"}
            if rule.caller == matrix.POLICY or route.detail or route.listing:
                expected = {"anonymous", "NoPermission"}
            if route.detail or (method == "GET" and (rule.caller == matrix.POLICY or route.listing)):
                expected.add("portal-other")
            assert expected <= asked.get((path, method), set()), f"{method} {path}"


def grown(name: str, method: str) -> list[Route]:
    """The API's routes with one of them answering one method more."""
    return [
        dataclasses.replace(route, methods=(*route.methods, method)) if route.name == name else route
        for route in ROUTES
    ]


LISTS = [route for route in ROUTES if route.listing]


@pytest.mark.parametrize("route", LISTS, ids=[route.name for route in LISTS])
def test_every_list_keeps_to_a_query_budget(scene, route, django_assert_max_num_queries):
    """A page of 200 in at most 8 queries, whatever its rows (three or more in the scene, with
    their relations), for an administrator who sees them all."""
    client = APIClient()
    client.force_authenticate(scene.users["Administrator"])
    client.get(route.path)  # the permissions of the user, read once and kept
    with django_assert_max_num_queries(8):
        response = client.get(route.path, {"page_size": 200})
    assert response.status_code == 200, response.content[:500]
    assert len(response.json()["results"]) >= 3
