"""The permission matrix, declared: who may do what to which model, and the surfaces that ask.

Written from API.md ("Staff roles", "Customer portal", "Web pages", the REST API's error rules),
never from the policies under test: `test_matrix.py` compares every cell with `clientbase.access`
(the service level) and with one HTTP request per action and surface. A model or an action that the
policies gain without an entry here fails there.

- `ACTIONS`: every action each model's policy speaks of.
- `STAFF`: what each staff group (and two staff users defined by their permissions) may do.
- `PORTAL_EVERYONE`, `CAPABILITIES`, `ADMIN_ONLY`, `ROLES`: what portal users may do, within their own
  customer only, while their access is current; `HIDDEN_FROM_PORTAL`: rows they never see.
- `row_limited`: the documented limits on single rows.
- `TARGETS`: the objects the cells act on, with the text that must not leak when refused.
- `OPS`: the surfaces (API, staff pages, portal pages, export, import, search, actions). The API's
  cells are generated from its routes (`api_routes()`, read from the URL configuration and the
  router): every route and method needs a declared expectation (`API_RESOURCES`, `API_EXTRA_OPS`,
  `API_ROUTES`), else building the cells raises `UndeclaredRoute`.
- `expect(actor, op)`: the answer API.md documents for one cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLResolver, get_resolver

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
CHANGE_NOTES = "change_notes"
CONFIRM_DETAILS = "confirm_details"
MANAGE_PORTAL = "manage_portal"
SET_APPROVAL_AUTHORITY = "set_approval_authority"
CHANGE_APPROVER_LOGIN = "change_approver_login"
SET_EXTERNAL_ID = "set_external_id"
MOVE = "move"
REPORT = "report"
READ_BODY = "read_body"

READ = frozenset({VIEW})
CRUD = frozenset({VIEW, ADD, CHANGE, DELETE})

CUSTOMER = "customers.customer"
LOCATION = "customers.location"
ASSET = "customers.asset"
PART = "customers.assetpart"
CONTACT = "contacts.contact"
CONTACT_LOCATION = "contacts.contactlocation"
CONTRACT = "contracts.contract"
WORK_ORDER = "workorders.workorder"
QUOTE = "workorders.quote"
INVOICE = "workorders.invoice"
MESSAGE = "notifications.message"
ACTIVITY = "notifications.activity"
AUDIT_EVENT = "audit.auditevent"

# Every model a policy speaks of, with every action of its policy.
ACTIONS: dict[str, frozenset[str]] = {
    CUSTOMER: CRUD,
    LOCATION: CRUD,
    ASSET: CRUD,
    PART: CRUD,
    CONTACT: CRUD
    | {
        CHANGE_NOTES,
        CONFIRM_DETAILS,
        MANAGE_PORTAL,
        SET_APPROVAL_AUTHORITY,
        CHANGE_APPROVER_LOGIN,
        SET_EXTERNAL_ID,
        MOVE,
    },
    CONTACT_LOCATION: CRUD,
    CONTRACT: CRUD,
    WORK_ORDER: CRUD | {REPORT},
    QUOTE: CRUD,
    INVOICE: CRUD | {REPORT},
    MESSAGE: CRUD | {READ_BODY},
    ACTIVITY: CRUD,
    # The audit log: read by administrators only, written by no one through a surface.
    AUDIT_EVENT: READ,
}

# Staff ------------------------------------------------------------------------------------------

# Maintaining contacts: every field but approval authority ("contacts.set_approval_authority", held
# by Administrator and Accounts receivable only), which includes an approver's e-mail address and
# portal login ("changed only by the contact itself and by staff holding the set approval authority
# permission"); moving one to another customer needs the right to maintain customer-level contacts
# as well (the moved contact lands without locations).
MAINTAIN_CONTACTS = CRUD | {CHANGE_NOTES, CONFIRM_DETAILS, MANAGE_PORTAL, SET_EXTERNAL_ID, MOVE}
APPROVAL_AUTHORITY = frozenset({SET_APPROVAL_AUTHORITY, CHANGE_APPROVER_LOGIN})
CUSTOMERS_READ_ONLY = {CUSTOMER: READ, LOCATION: READ, ASSET: READ, PART: READ}


@dataclass(frozen=True)
class Actor:
    """One kind of caller. Staff act by their group's (or their own) permissions; a portal user
    by its capabilities and roles, within its own customer ("A", the customer the targets belong
    to, or "B", another one), while its access is current."""

    name: str
    kind: str  # "anonymous" | "staff" | "portal"
    group: str = ""
    permissions: tuple[str, ...] = ()  # for staff users outside the groups
    grants: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Holds contacts.maintain_customer_contacts: may change and delete customer-level contacts.
    customer_level: bool = False
    capabilities: tuple[str, ...] = ()
    approver: bool = False
    customer: str = "A"
    current: bool = True

    def __str__(self) -> str:
        return self.name


STAFF_ACTORS = (
    # "Administrator (everything)".
    Actor("Administrator", "staff", group="Administrator", grants=dict(ACTIONS), customer_level=True),
    # "Dispatcher (customers, locations, assets, contacts, work orders)", and the service contracts whose
    # visits it plans (contracts' migration 0003); every staff user reads the
    # outbox's envelopes (README "Configuration": "Staff see a message's addressee, subject, status
    # and delivery") and the activity log; dispatchers and accounts receivable record calls and notes.
    Actor(
        "Dispatcher",
        "staff",
        group="Dispatcher",
        grants={
            CUSTOMER: CRUD,
            LOCATION: CRUD,
            ASSET: CRUD,
            PART: CRUD,
            CONTACT: MAINTAIN_CONTACTS,
            CONTACT_LOCATION: CRUD,
            CONTRACT: CRUD,
            WORK_ORDER: CRUD | {REPORT},
            MESSAGE: READ,
            ACTIVITY: READ | {ADD},
        },
        customer_level=True,
    ),
    # "Accounts receivable (contacts, quotes, invoices; customers read-only)", approval authority
    # included, and the service contracts it bills; it reads the work orders its quotes and invoices
    # are for.
    Actor(
        "AccountsReceivable",
        "staff",
        group="Accounts receivable",
        grants={
            **CUSTOMERS_READ_ONLY,
            CONTACT: MAINTAIN_CONTACTS | APPROVAL_AUTHORITY,
            CONTACT_LOCATION: CRUD,
            CONTRACT: CRUD,
            WORK_ORDER: READ | {REPORT},
            QUOTE: CRUD,
            INVOICE: CRUD | {REPORT},
            MESSAGE: READ,
            ACTIVITY: READ | {ADD},
        },
        customer_level=True,
    ),
    # "Technician (read-only, plus the notes of contacts)".
    Actor(
        "Technician",
        "staff",
        group="Technician",
        grants={
            **dict.fromkeys(set(ACTIONS) - {AUDIT_EVENT}, READ),
            CONTACT: READ | {CHANGE_NOTES, CONFIRM_DETAILS},
            WORK_ORDER: READ | {REPORT},
            INVOICE: READ | {REPORT},
        },
    ),
    # A staff user without any permission.
    Actor("NoPermission", "staff"),
    # A staff user who maintains contacts without `contacts.maintain_customer_contacts`: "without
    # it, only location-level ones" (and so no moves, which leave the contact customer-level).
    Actor(
        "SitesOnlyClerk",
        "staff",
        permissions=(
            "customers.view_customer",
            "customers.view_location",
            "customers.view_asset",
            "customers.view_assetpart",
            "contacts.view_contact",
            "contacts.view_contactlocation",
            "contacts.add_contact",
            "contacts.change_contact",
            "contacts.delete_contact",
        ),
        grants={
            **CUSTOMERS_READ_ONLY,
            CONTACT: CRUD | {CHANGE_NOTES, CONFIRM_DETAILS, MANAGE_PORTAL, SET_EXTERNAL_ID},
            CONTACT_LOCATION: READ,
        },
    ),
)
STAFF_GROUPS = frozenset(actor.group for actor in STAFF_ACTORS if actor.group)

# Portal -----------------------------------------------------------------------------------------

# "What a portal user sees is always limited to its own customer": its customer, for everyone; an
# approver changes its own sign-in e-mail (a row limit below: its own contact only).
PORTAL_EVERYONE: dict[str, frozenset[str]] = {CUSTOMER: READ, CONTACT: frozenset({CHANGE_APPROVER_LOGIN})}
# "Capabilities: admin (everything below), billing (invoices), reports, create_work_order,
# edit_contacts (view, add, edit, delete the customer's contacts)"; "the customer's sites with
# create_work_order, reports or edit_contacts, its equipment with create_work_order, invoices with
# billing only"; reports: "work orders, and per-site figures of invoices, not the invoices".
CAPABILITIES: dict[str, dict[str, frozenset[str]]] = {
    # Billing reads the customer's service contracts too (what its invoices are for).
    "billing": {INVOICE: READ, CONTRACT: READ},
    "reports": {LOCATION: READ, WORK_ORDER: READ | {REPORT}, INVOICE: frozenset({REPORT})},
    "create_work_order": {LOCATION: READ, ASSET: READ, PART: READ, WORK_ORDER: READ | {ADD}},
    "edit_contacts": {LOCATION: READ, CONTACT: CRUD | {CHANGE_NOTES, CONFIRM_DETAILS}},
}
ADMIN = "admin"
# Portal access is granted "by a customer's portal admins for their colleagues".
ADMIN_ONLY: dict[str, frozenset[str]] = {CONTACT: frozenset({MANAGE_PORTAL})}
# "quotes to approve (role approver, within its limit)".
ROLES: dict[str, dict[str, frozenset[str]]] = {"approver": {QUOTE: READ}}
# Drafts of quotes and invoices are not the customer's yet: portal users never see them.
HIDDEN_FROM_PORTAL = frozenset({QUOTE, INVOICE})

PORTAL_ACTORS = (
    Actor("portal-admin", "portal", capabilities=(ADMIN,)),
    Actor("portal-billing", "portal", capabilities=("billing",)),
    Actor("portal-reports", "portal", capabilities=("reports",)),
    Actor("portal-create_work_order", "portal", capabilities=("create_work_order",)),
    Actor("portal-edit_contacts", "portal", capabilities=("edit_contacts",)),
    Actor("portal-approver", "portal", approver=True),
    # Everything, but its support ended yesterday.
    Actor("portal-ended", "portal", capabilities=(ADMIN,), approver=True, current=False),
    # Everything, at another customer: the targets answer 404 or are absent.
    Actor("portal-other", "portal", capabilities=(ADMIN,), approver=True, customer="B"),
)
ANONYMOUS = Actor("anonymous", "anonymous")
ACTORS = (ANONYMOUS, *STAFF_ACTORS, *PORTAL_ACTORS)


def may(actor: Actor, model: str, action: str) -> bool:
    """May `actor` do `action` to objects of `model` at all (before scope and row limits)?"""
    if actor.kind == "staff":
        return action in actor.grants.get(model, frozenset())
    if actor.kind != "portal" or not actor.current:
        return False
    allowed = set(PORTAL_EVERYONE.get(model, frozenset()))
    held = set(CAPABILITIES) if ADMIN in actor.capabilities else set(actor.capabilities)
    for capability in held & set(CAPABILITIES):
        allowed |= CAPABILITIES[capability].get(model, frozenset())
    if ADMIN in actor.capabilities:
        allowed |= ADMIN_ONLY.get(model, frozenset())
    if actor.approver:
        allowed |= ROLES["approver"].get(model, frozenset())
    return action in allowed


# Targets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An object the cells act on: its model, its customer ("A"; "C" for a customer of its own),
    whether it is a draft portal users never see, whether it is a customer-level contact, and the
    texts that show it (the first must be in an answer that shows it; none may be in a refusal)."""

    model: str
    markers: tuple[str, ...] = ()
    customer: str = "A"
    draft: bool = False
    customer_level: bool = False


TARGETS: dict[str, Target] = {
    "customer": Target(CUSTOMER, ("Quokka Holdings", "desk@quokka.example")),
    "spare_customer": Target(CUSTOMER, ("Numbat Spare Supplies",), customer="C"),
    "location": Target(LOCATION, ("Quokka Wharf Depot",)),
    "spare_location": Target(LOCATION, ("Quokka Spare Yard",)),
    "asset": Target(ASSET, ("Quokka Chiller QX", "SN-QX-4417")),
    "spare_asset": Target(ASSET, ("Quokka Spare Pump",)),
    "part": Target(PART, ("Quokka Compressor QP",)),
    "spare_part": Target(PART, ("Quokka Spare Valve",)),
    "contact": Target(CONTACT, ("Quartermain", "zebulon.quartermain@quokka.example")),
    "customer_level_contact": Target(
        CONTACT, ("Marchbank", "ysolde.marchbank@quokka.example"), customer_level=True
    ),
    "spare_contact": Target(CONTACT, ("Spareman", "xavier.spareman@quokka.example")),
    "contact_location": Target(CONTACT_LOCATION),
    "contract": Target(CONTRACT, ("Quokka Chiller Care",)),
    "spare_contract": Target(CONTRACT, ("Quokka Spare Cover",)),
    "work_order": Target(WORK_ORDER, ("Periwinkle chiller rattles",)),
    "quote": Target(QUOTE, ("731.37",)),
    "draft_quote": Target(QUOTE, ("652.19",), draft=True),
    "invoice": Target(INVOICE, ("843.71",)),
    "draft_invoice": Target(INVOICE, ("597.43",), draft=True),
    "message": Target(MESSAGE, ("Tamarind visit confirmed",)),
    "activity": Target(ACTIVITY, ("Tamarack gate",)),
    "audit_event": Target(AUDIT_EVENT, ("quokka-guesser",)),
    # Wilhelmina Mergeold merged into Wilhelmina Mergekeep (both at the Wharf Depot) by an administrator.
    "merge": Target(CONTACT, ("Mergeold",)),
    # An import an administrator ran: every other caller finds it out of its scope.
    "import_run": Target("transfer.importrun", ("quokka-contacts.csv",)),
}
# The target of each model for the service-level cells (a current, location-level one).
SERVICE_TARGETS = {
    CUSTOMER: "customer",
    LOCATION: "location",
    ASSET: "asset",
    PART: "part",
    CONTACT: "contact",
    CONTACT_LOCATION: "contact_location",
    CONTRACT: "contract",
    WORK_ORDER: "work_order",
    QUOTE: "quote",
    INVOICE: "invoice",
    MESSAGE: "message",
    ACTIVITY: "activity",
    AUDIT_EVENT: "audit_event",
}


def sees(actor: Actor, target: Target, *, is_self: bool = False) -> bool:
    """Is `target` within `actor`'s scope: staff see every customer; a portal user only its own
    customer's rows, drafts aside."""
    if actor.kind == "staff":
        return True
    if actor.kind != "portal" or not actor.current:
        return False
    if is_self:
        return True
    return target.customer == actor.customer and not (target.draft and target.model in HIDDEN_FROM_PORTAL)


def row_limited(actor: Actor, model: str, action: str, target: Target, *, is_self: bool = False) -> bool:
    """The documented limits on single rows: staff without `maintain_customer_contacts` change and
    delete only location-level contacts; "a portal user can never delete itself", and portal admins
    manage the portal access of their colleagues, "never for themselves"; an approver's sign-in
    e-mail is changed in the portal by the approver itself only."""
    if model != CONTACT:
        return False
    if actor.kind == "staff" and not actor.customer_level and action in (CHANGE, DELETE):
        return target.customer_level
    if actor.kind == "portal" and action in (DELETE, MANAGE_PORTAL):
        return is_self
    if actor.kind == "portal" and action == CHANGE_APPROVER_LOGIN:
        return not is_self
    return False


# Surfaces ---------------------------------------------------------------------------------------

# Whom a route answers at all: as the policy of its target's model says (`POLICY`); any signed-in
# caller, about its own login or its own rows, another caller's row being out of its scope
# (`SIGNED_IN`); anyone, signed in or not (`PUBLIC`: the sign-in itself).
POLICY, SIGNED_IN, PUBLIC = "policy", "signed-in", "public"


@dataclass(frozen=True)
class Success:
    """What a carried-out write leaves in the database: `creates` one more row of the target's
    model; `removes` the target; `sets` these values on the target (values "{name}" name objects
    of the scene)."""

    creates: bool = False
    removes: bool = False
    sets: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Op:
    """One action on one surface: `kind` says how its answer reads (`list`: shows the target or
    not; `object`: acts on the target; `create`; `absent`: a method the endpoint does not offer;
    `search`: the staff search page; `import`: an import's dry run). `needs` are the actions on the
    target's model (or on `model`, when the route checks another one first) it takes
    (`portal_needs` for portal users, when they differ); `body` is sent as JSON (API) or form data
    (pages), its "{name}" values naming objects of the scene ("{me}": the portal user's own
    contact), as are the "{name}" parts of `path`; `form` names a form read once from its page,
    with `body` applied. `caller` says who a route answers at all (`POLICY`, `SIGNED_IN`); `actors`
    names the actors the cell is asked of (None: all of them)."""

    resource: str
    name: str
    surface: str  # "api" | "page" | "portal"
    method: str
    path: str
    target: str
    kind: str = "object"
    needs: frozenset[str] = READ
    portal_needs: frozenset[str] | None = None
    # What portal users need of other models besides (making a contact primary routes mail of work
    # orders and invoices: contacts.policies, "the primary contact stands in").
    portal_also_needs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    form: str = ""
    success: Success = Success()
    model: str = ""
    caller: str = POLICY
    actors: frozenset[str] | None = None

    @property
    def id(self) -> str:
        return f"{self.resource}-{self.name}-{self.surface}"


PRIMARY_ROUTES_MAIL = {WORK_ORDER: READ, INVOICE: READ}

# The API's models with a list and a detail route: the targets of their cells and the bodies of
# their writes. Which methods each route offers is read from the router (`api_ops`).
API_RESOURCES: dict[str, dict[str, Any]] = {
    "customers": {
        "target": "customer",
        "write_target": "customer",
        "delete_target": "spare_customer",
        "create": {"name": "Matrix New Customer"},
        "change": {"tax_id": "MATRIX-TAX-1"},
    },
    "locations": {
        "target": "location",
        "delete_target": "spare_location",
        "create": {"customer": "{customer}", "name": "Matrix New Site"},
        "change": {"access_notes": "Changed by the matrix"},
    },
    "assets": {
        "target": "asset",
        "delete_target": "spare_asset",
        "create": {"location": "{location}", "name": "Matrix New Asset"},
        "change": {"asset_tag": "MATRIX-1"},
    },
    "asset-parts": {
        "target": "part",
        "delete_target": "spare_part",
        "create": {"asset": "{asset}", "name": "Matrix New Part"},
        "change": {"part_number": "MATRIX-P1"},
    },
    "contacts": {
        "target": "contact",
        "delete_target": "spare_contact",
        "create": {"customer": "{customer}", "last_name": "Matrixnew", "locations": ["{location}"]},
        "change": {"title": "Changed by the matrix"},
    },
    "contracts": {
        "target": "contract",
        "delete_target": "spare_contract",
        "create": {"customer": "{customer}", "name": "Matrix New Contract", "start_date": "2026-01-01"},
        "change": {"visits_per_year": 7},
    },
    "work-orders": {
        "target": "work_order",
        "delete_target": "work_order",
        "create": {"customer": "{customer}", "summary": "Matrix new request"},
        "change": {"description": "Changed by the matrix"},
    },
    # Only drafts of quotes and invoices change or go (portal users never see drafts).
    "quotes": {
        "target": "quote",
        "write_target": "draft_quote",
        "delete_target": "draft_quote",
        "create": {"customer": "{customer}", "amount": "100.00"},
        "change": {"amount": "123.45"},
    },
    "invoices": {
        "target": "invoice",
        "write_target": "draft_invoice",
        "delete_target": "draft_invoice",
        "create": {"customer": "{customer}", "amount": "100.00"},
        "change": {"amount": "123.45"},
    },
    # The outbox and the audit log are read-only over the API; activities are listed and recorded.
    "messages": {"target": "message"},
    "activities": {
        "target": "activity",
        "create": {"customer": "{customer}", "kind": "note", "summary": "Matrix note"},
    },
    "audit-events": {"target": "audit_event"},
}


def _crud_ops(resource: str, spec: Mapping[str, Any], listed: Route, detail: Route) -> list[Op]:
    """The cells of one model's list and detail routes: list, retrieve, create, update and delete
    (`absent`, a 405, where the route offers no such method), and the refusals of a PUT. A method
    offered without a declared body, or one the table knows nothing of, raises UndeclaredRoute."""
    target = spec["target"]
    write = spec.get("write_target", target)
    delete = spec.get("delete_target", target)
    model_ops = {
        "list": Op(resource, "list", "api", "get", listed.path, target, kind="list"),
        "GET": Op(resource, "GET", "api", "get", detail.path, target),
        "POST": Op(
            resource,
            "POST",
            "api",
            "post",
            listed.path,
            target,
            kind="create",
            needs=frozenset({ADD}),
            body=spec.get("create"),
            success=Success(creates=True),
        ),
        "PATCH": Op(
            resource,
            "PATCH",
            "api",
            "patch",
            detail.path,
            write,
            needs=frozenset({CHANGE}),
            body=spec.get("change"),
            success=Success(sets=spec.get("change", {})),
        ),
        "DELETE": Op(
            resource,
            "DELETE",
            "api",
            "delete",
            detail.path,
            delete,
            needs=frozenset({DELETE}),
            success=Success(removes=True),
        ),
    }
    offered = {
        "list": "GET" in listed.methods,
        "POST": "POST" in listed.methods,
        **{method: method in detail.methods for method in ("GET", "PATCH", "DELETE")},
    }
    ops: list[Op] = []
    for name, op in model_ops.items():
        if not offered[name]:
            op = Op(resource, name, "api", op.method, op.path, op.target, kind="absent", body={})
        elif op.method in ("post", "patch") and op.body is None:
            raise UndeclaredRoute(f"{name} {op.path}: API_RESOURCES[{resource!r}] declares no body for it")
        ops.append(op)
    unknown = [f"{m} {listed.path}" for m in listed.methods if m not in ("GET", "POST")]
    unknown += [f"{m} {detail.path}" for m in detail.methods if m not in ("GET", "PUT", "PATCH", "DELETE")]
    if unknown:
        raise UndeclaredRoute(f"No expectation declared for: {', '.join(unknown)}")
    if "PUT" in detail.methods:
        rule = RouteRule(write, needs=frozenset({CHANGE}))
        ops.append(_route_op(detail, "PUT", rule, name="PUT"))
    return ops


CONTACT_API = "/api/v1/contacts/{pk}/"
# The contact's fields that need more than the right to change it, and the notes alone.
CONTACT_FIELD_OPS = [
    Op(
        "contacts",
        "PATCH-notes",
        "api",
        "patch",
        CONTACT_API,
        "contact",
        needs=frozenset({CHANGE_NOTES}),
        body={"notes": "Noted by the matrix"},
        success=Success(sets={"notes": "Noted by the matrix"}),
    ),
    Op(
        "contacts",
        "PATCH-approval",
        "api",
        "patch",
        CONTACT_API,
        "contact",
        needs=frozenset({CHANGE, SET_APPROVAL_AUTHORITY}),
        body={"roles": ["site", "approver"], "approval_limit": "500.00"},
        success=Success(sets={"role_approver": True, "approval_limit": "500.00"}),
    ),
    Op(
        "contacts",
        "PATCH-external_id",
        "api",
        "patch",
        CONTACT_API,
        "contact",
        needs=frozenset({CHANGE, SET_EXTERNAL_ID}),
        body={"external_id": "MATRIX-EXT-1"},
        success=Success(sets={"external_id": "MATRIX-EXT-1"}),
    ),
    Op(
        "contacts",
        "PATCH-portal",
        "api",
        "patch",
        CONTACT_API,
        "contact",
        needs=frozenset({CHANGE, MANAGE_PORTAL}),
        body={"portal": {"enabled": True, "permissions": ["billing"]}},
        success=Success(sets={"portal_enabled": True}),
    ),
    Op(
        "contacts",
        "PATCH-customer_level",
        "api",
        "patch",
        CONTACT_API,
        "customer_level_contact",
        needs=frozenset({CHANGE}),
        body={"title": "Changed by the matrix"},
        success=Success(sets={"title": "Changed by the matrix"}),
    ),
]

# Search, export, import and the actions on single objects, through the API.
API_EXTRA_OPS = [
    Op("contacts", "search", "api", "get", "/api/v1/contacts/?search=Zebulon", "contact", kind="list"),
    Op("contacts", "export", "api", "get", "/api/v1/exports/contacts/?format=csv", "contact", kind="list"),
    Op("contracts", "export", "api", "get", "/api/v1/exports/contracts/?format=csv", "contract", kind="list"),
    Op(
        "contacts",
        "import-dry-run",
        "api",
        "post",
        "/api/v1/imports/",
        "contact",
        kind="import",
        needs=frozenset({CHANGE}),
    ),
    Op(
        "contacts",
        "make-primary",
        "api",
        "post",
        CONTACT_API + "make-primary/",
        "contact",
        needs=frozenset({CHANGE}),
        portal_also_needs=PRIMARY_ROUTES_MAIL,
        success=Success(sets={"is_primary": True}),
    ),
    Op(
        "contacts",
        "duplicate",
        "api",
        "post",
        CONTACT_API + "duplicate/",
        "contact",
        needs=frozenset({VIEW, ADD}),
        success=Success(creates=True),
    ),
    Op(
        "contacts",
        "move",
        "api",
        "post",
        CONTACT_API + "move/",
        "contact",
        needs=frozenset({MOVE}),
        body={"customer": "{spare_customer}"},
        success=Success(sets={"customer_id": "{spare_customer}"}),
    ),
    # Staff record an approver's approval with the right to change quotes; a portal approver
    # approves in its own name.
    Op(
        "quotes",
        "approve",
        "api",
        "post",
        "/api/v1/quotes/{pk}/approve/",
        "quote",
        needs=frozenset({CHANGE}),
        portal_needs=READ,
        body={"contact": "{approver}"},
        success=Success(sets={"status": "approved"}),
    ),
    Op(
        "invoices",
        "issue",
        "api",
        "post",
        "/api/v1/invoices/{pk}/issue/",
        "draft_invoice",
        needs=frozenset({CHANGE}),
        success=Success(sets={"status": "issued"}),
    ),
]


# The API's routes ---------------------------------------------------------------------------------

API_ROOT = "/api/v1/"


class UndeclaredRoute(Exception):
    """A route (and method) of the API that the table declares no expectation for, or a
    declaration of a route the API does not have."""


@dataclass(frozen=True)
class Route:
    """One route of the API as the URL configuration holds it: its URL name, its path ("{pk}" for
    the object's id, "{name}" for another argument), the HTTP methods its view answers, whether it
    is about one object (`detail`) and whether it answers a page of objects (`listing`: the
    router's and the other `-list` routes)."""

    name: str
    path: str
    methods: tuple[str, ...]
    detail: bool
    listing: bool


def _path_template(pattern: str) -> str:
    """A URL pattern (a regular expression of the router, or a `path()` route) as a path with
    "{name}" for each argument."""
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return text.removeprefix("^").removesuffix("$").replace("\\", "")


def _url_patterns(patterns: Sequence[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        path = prefix + _path_template(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _url_patterns(pattern.url_patterns, path)
        else:
            yield path, pattern


def _methods(callback: Any) -> tuple[str, ...]:
    """The HTTP methods a view answers: a viewset's routed actions that its `http_method_names`
    allow, or the handlers an APIView defines (HEAD, OPTIONS and TRACE aside)."""
    view = getattr(callback, "cls", None) or callback.view_class
    actions = getattr(callback, "actions", None) or {}
    if actions:
        names = [method for method in actions if method in view.http_method_names]
    else:
        names = [
            method
            for method in view.http_method_names
            if hasattr(view, method) and method not in ("head", "options", "trace")
        ]
    return tuple(method.upper() for method in names)


def api_routes() -> list[Route]:
    """Every route under /api/v1/, from the URL configuration (the router's and the others), less
    the API root and the router's format-suffixed copies."""
    routes = []
    for path, pattern in _url_patterns(get_resolver().url_patterns, "/"):
        if not path.startswith(API_ROOT) or pattern.name == "api-root" or "{format}" in path:
            continue
        name = pattern.name or path
        routes.append(Route(name, path, _methods(pattern.callback), "{pk}" in path, name.endswith("-list")))
    return routes


@dataclass(frozen=True)
class RouteRule:
    """What a route of the API besides a model's list and detail acts on, for the cells of the
    callers it refuses: its `target` (a name of `TARGETS`; none for a route about no object), the
    `model` whose permission it checks first when not the target's, the actions it `needs`, whom
    it answers (`caller`), the values of its other URL arguments, and a query to send."""

    target: str = ""
    model: str = ""
    needs: frozenset[str] = READ
    caller: str = POLICY
    arguments: Mapping[str, str] = field(default_factory=dict)
    query: str = ""
    kind: str = ""


# The other routes of the API, by URL name (their other methods are cells of `API_EXTRA_OPS`).
API_ROUTES: dict[str, RouteRule] = {
    "api-token": RouteRule(caller=PUBLIC),
    "api-logout": RouteRule(caller=SIGNED_IN),
    "api-logout-all": RouteRule(caller=SIGNED_IN),
    # Who would be notified of a customer's event: a read of its contacts, about one customer.
    "notification-preview": RouteRule(
        "customer", model=CONTACT, kind="object", query="?event=work_order.created&customer={customer}"
    ),
    # Every signed-in caller lists and reverts its own imports (all of them with the import
    # permissions), and downloads the templates.
    "import-list": RouteRule("import_run", caller=SIGNED_IN),
    "import-detail": RouteRule("import_run", caller=SIGNED_IN),
    "import-revert": RouteRule("import_run", caller=SIGNED_IN),
    "import-template": RouteRule(caller=SIGNED_IN, arguments={"kind": "contacts"}),
    "contact-erase": RouteRule("contact", needs=frozenset({DELETE})),
    "contact-confirm-details": RouteRule("contact", needs=frozenset({CONFIRM_DETAILS})),
    # The likely duplicates of a contact being typed: a read of the customer's contacts.
    "contact-duplicates": RouteRule(
        "customer", model=CONTACT, kind="object", query="?customer={customer}&last_name=Zebulon"
    ),
    # Merging contacts: a change of the kept one and a delete of the others; a merge record is
    # read and undone through its kept contact.
    "contact-merge": RouteRule("contact", model=CONTACT, needs=frozenset({CHANGE, DELETE})),
    "merge-detail": RouteRule("contact", model=CONTACT, arguments={"pk": "999999"}),
    "merge-undo": RouteRule("contact", model=CONTACT, needs=frozenset({CHANGE}), arguments={"pk": "999999"}),
    # Data-quality findings: a read of customers (and what else each rule is about), scoped.
    "quality": RouteRule("customer", model=CUSTOMER, kind="object", query="?customer={customer}"),
    "quality-summary": RouteRule("customer", model=CUSTOMER, kind="object", query="?customer={customer}"),
    # Service reports: figures of work orders (REPORT), for staff; a customer out of scope is a 404
    # before a portal user's refusal (403, asked in tests/reports/test_refusals.py).
    "report-service": RouteRule(
        "customer",
        model=WORK_ORDER,
        kind="object",
        needs=frozenset({REPORT}),
        query="?group_by=customer&customer={customer}",
    ),
    "report-idle-assets": RouteRule(
        "customer", model=WORK_ORDER, kind="object", needs=frozenset({REPORT}), query="?customer={customer}"
    ),
    "contact-history": RouteRule("contact"),
    "contact-personal-data": RouteRule("contact"),
    "contact-card-vcard": RouteRule("contact"),
    "contact-test-email-send-test-email": RouteRule("contact", needs=frozenset({CHANGE})),
    # E-mail written to a contact: the contact is looked up first (out of scope: 404), then the right
    # to record activities is asked (staff only); the answers of every staff group and portal user
    # are in tests/notifications/test_send_email_api.py.
    "contact-test-email-send-email": RouteRule("contact"),
    "contact-portal-portal-invitation": RouteRule("contact", needs=frozenset({MANAGE_PORTAL})),
    "contact-portal-revoke-portal": RouteRule("contact", needs=frozenset({MANAGE_PORTAL})),
    "quote-send": RouteRule("draft_quote", needs=frozenset({CHANGE})),
}

# The callers every route refuses: no login (401), a staff user without permissions (403) and a
# portal user of another customer (404 for an object it would see at its own customer, else 403).
REFUSED = frozenset({"anonymous", "NoPermission", "portal-other"})


def _route_op(route: Route, method: str, rule: RouteRule, name: str = "") -> Op | None:
    """The refusal cells of one route and method: asked of `REFUSED` (a list of another's rows is
    asked of them all too, and shows none of it), of the anonymous caller alone for a route about
    the caller itself, of none for a public one."""
    if rule.caller == PUBLIC:
        return None
    kind = rule.kind or ("object" if route.detail else "list" if method == "GET" else "create")
    if rule.caller == SIGNED_IN:
        actors = REFUSED if route.detail or route.listing else frozenset({ANONYMOUS.name})
    else:
        actors = REFUSED if kind in ("object", "list") else REFUSED - {"portal-other"}
    path = route.path
    for argument, value in rule.arguments.items():
        path = path.replace(f"{{{argument}}}", value)
    return Op(
        route.path.removeprefix(API_ROOT).split("/")[0],
        name or f"{route.name}-{method}",
        "api",
        method.lower(),
        path + rule.query,
        rule.target,
        kind=kind,
        needs=rule.needs,
        body={},
        model=rule.model,
        caller=rule.caller,
        actors=actors,
    )


def api_ops(routes: Sequence[Route]) -> list[Op]:
    """The API's cells, generated from its routes: a model's list and detail routes by
    `API_RESOURCES`, the declared actions (`CONTACT_FIELD_OPS`, `API_EXTRA_OPS`), and the refusal
    cells of every other route and method by `API_ROUTES`. Raises UndeclaredRoute for a route or
    method without a declared expectation, and for a declaration without its route."""
    by_path = {route.path: route for route in routes}
    ops: list[Op] = []
    for resource, spec in API_RESOURCES.items():
        listed, detail = by_path.get(f"{API_ROOT}{resource}/"), by_path.get(f"{API_ROOT}{resource}/{{pk}}/")
        if listed is None or detail is None:
            raise UndeclaredRoute(
                f"API_RESOURCES declares {resource!r}: the API has no list and detail of it"
            )
        ops += _crud_ops(resource, spec, listed, detail)
    declared = [*CONTACT_FIELD_OPS, *API_EXTRA_OPS]
    offered = {(route.path, method) for route in routes for method in route.methods}
    gone = [op.id for op in declared if (op.path.split("?")[0], op.method.upper()) not in offered]
    gone += [name for name in API_ROUTES if name not in {route.name for route in routes}]
    if gone:
        raise UndeclaredRoute(f"Declared, but no route of the API: {', '.join(gone)}")
    ops += declared
    covered = {(op.path.split("?")[0], op.method.upper()) for op in ops}
    missing = []
    for route in routes:
        for method in route.methods:
            if (route.path, method) in covered:
                continue
            rule = API_ROUTES.get(route.name)
            if rule is None:
                missing.append(f"{method} {route.path} ({route.name})")
            elif (op := _route_op(route, method, rule)) is not None:
                ops.append(op)
    if missing:
        raise UndeclaredRoute(
            "No expectation declared (API_RESOURCES, API_EXTRA_OPS or API_ROUTES) for: " + ", ".join(missing)
        )
    return ops


def _page(resource: str, name: str, path: str, target: str, **kwargs: Any) -> Op:
    method = "post" if name not in ("list", "detail", "search", "export") else "get"
    kind = {"list": "list", "export": "list", "search": "search"}.get(name, "object")
    return Op(resource, name, "page", method, path, target, kind=kind, **kwargs)


# The staff pages: lists, details, edits and deletes where they exist, search, export, actions.
PAGE_OPS = [
    _page("customers", "list", "/customers/", "customer"),
    _page("customers", "detail", "/customers/{pk}/", "customer"),
    _page(
        "customers",
        "edit",
        "/customers/{pk}/edit/",
        "customer",
        needs=frozenset({CHANGE}),
        form="customer",
        body={"notes": "Changed by the matrix"},
        success=Success(sets={"notes": "Changed by the matrix"}),
    ),
    _page("locations", "list", "/locations/", "location"),
    _page("locations", "detail", "/locations/{pk}/", "location"),
    _page(
        "locations",
        "edit",
        "/locations/{pk}/edit/",
        "location",
        needs=frozenset({CHANGE}),
        form="location",
        body={"access_notes": "Changed by the matrix"},
        success=Success(sets={"access_notes": "Changed by the matrix"}),
    ),
    _page("assets", "detail", "/assets/{pk}/", "asset"),
    _page(
        "assets",
        "edit",
        "/assets/{pk}/edit/",
        "asset",
        needs=frozenset({CHANGE}),
        form="asset",
        body={"asset_tag": "MATRIX-1"},
        success=Success(sets={"asset_tag": "MATRIX-1"}),
    ),
    _page(
        "asset-parts",
        "edit",
        "/asset-parts/{pk}/edit/",
        "part",
        needs=frozenset({CHANGE}),
        form="part",
        body={"part_number": "MATRIX-P1"},
        success=Success(sets={"part_number": "MATRIX-P1"}),
    ),
    _page("contacts", "list", "/contacts/", "contact"),
    _page("contacts", "detail", "/contacts/{pk}/", "contact"),
    # The edit page changes the notes: all of it for those who may change the contact, the notes
    # alone for those who may change only notes.
    _page(
        "contacts",
        "edit",
        "/contacts/{pk}/edit/",
        "contact",
        needs=frozenset({CHANGE_NOTES}),
        form="contact",
        body={"notes": "Noted by the matrix"},
        success=Success(sets={"notes": "Noted by the matrix"}),
    ),
    _page(
        "contacts",
        "delete",
        "/contacts/{pk}/delete/",
        "spare_contact",
        needs=frozenset({DELETE}),
        body={},
        success=Success(removes=True),
    ),
    _page("contacts", "search", "/?q=Zebulon", "contact"),
    _page("contacts", "export", "/exports/contacts/?format=csv", "contact"),
    _page(
        "contacts",
        "make-primary",
        "/contacts/{pk}/make-primary/",
        "contact",
        needs=frozenset({CHANGE}),
        portal_also_needs=PRIMARY_ROUTES_MAIL,
        body={},
        success=Success(sets={"is_primary": True}),
    ),
    _page(
        "contacts",
        "confirm-details",
        "/contacts/{pk}/confirm-details/",
        "contact",
        needs=frozenset({CONFIRM_DETAILS}),
        body={},
    ),
    # Duplicate: the new-contact form filled in with a copy (a GET saves nothing); submitting it
    # creates the copy (location-level, as the original).
    Op(
        "contacts",
        "duplicate-form",
        "page",
        "get",
        "/contacts/{pk}/duplicate/",
        "contact",
        needs=frozenset({VIEW, ADD}),
    ),
    _page(
        "contacts",
        "duplicate",
        "/contacts/{pk}/duplicate/",
        "contact",
        needs=frozenset({VIEW, ADD}),
        body={
            "customer": "{customer}",
            "last_name": "Quartermain",
            "locations": ["{location}"],
            "preferred_channel": "email",
            "status": "active",
        },
        success=Success(creates=True),
    ),
    _page(
        "contacts",
        "move",
        "/contacts/{pk}/move/",
        "contact",
        needs=frozenset({MOVE}),
        body={"customer": "{spare_customer}", "version": "{version}"},
        success=Success(sets={"customer_id": "{spare_customer}"}),
    ),
    # Data quality: the dashboard lists the customers with findings (Quokka has no primary contact).
    _page("quality", "list", "/quality/", "customer"),
    # Service reports: work orders per customer (Quokka's among them) on the page and in its download,
    # for staff who may view work orders.
    _page("reports", "list", "/reports/", "customer", model=WORK_ORDER),
    _page(
        "reports",
        "export",
        "/reports/service/download/?group_by=customer&format=csv",
        "customer",
        model=WORK_ORDER,
    ),
    # Merging: the choice of values is shown to whoever sees the contacts; confirming takes a change
    # of the kept contact and a delete of the others; undoing a change of the kept one and an add.
    Op(
        "contacts", "merge-choose", "page", "get", "/contacts/merge/?contacts={pk},{spare_contact}", "contact"
    ),
    _page(
        "contacts",
        "merge-confirm",
        "/contacts/merge/",
        "spare_contact",
        needs=frozenset({CHANGE, DELETE}),
        body={"contacts": "{contact},{pk}", "keep": "{contact}", "action": "confirm"},
        success=Success(removes=True),
    ),
    _page("merges", "detail", "/merges/{pk}/", "merge"),
    _page(
        "merges",
        "undo",
        "/merges/{pk}/undo/",
        "merge",
        needs=frozenset({CHANGE, ADD}),
        body={},
        success=Success(sets={"undone_at__isnull": False}),
    ),
    _page("contracts", "list", "/contracts/", "contract"),
    # The contracts to renew: the target ends within 30 days.
    Op("contracts", "ending", "page", "get", "/contracts/?ending=60", "contract", kind="list"),
    _page("contracts", "detail", "/contracts/{pk}/", "contract"),
    _page(
        "contracts",
        "create",
        "/contracts/new/",
        "contract",
        needs=frozenset({ADD}),
        body={"customer": "{customer}", "name": "Matrix New Contract", "start_date": "2026-01-01"},
        success=Success(creates=True),
    ),
    _page(
        "contracts",
        "edit",
        "/contracts/{pk}/edit/",
        "contract",
        needs=frozenset({CHANGE}),
        form="contract",
        body={"visits_per_year": "7"},
        success=Success(sets={"visits_per_year": 7}),
    ),
    _page(
        "contracts",
        "delete",
        "/contracts/{pk}/delete/",
        "spare_contract",
        needs=frozenset({DELETE}),
        body={},
        success=Success(removes=True),
    ),
    _page("contracts", "export", "/exports/contracts/?format=csv", "contract"),
    _page("work-orders", "list", "/work-orders/", "work_order"),
    _page("work-orders", "detail", "/work-orders/{pk}/", "work_order"),
    # The edit form and a step of the lifecycle (the open target is started) change the work order.
    _page(
        "work-orders",
        "edit",
        "/work-orders/{pk}/edit/",
        "work_order",
        needs=frozenset({CHANGE}),
        body={
            "version": "{version}",
            "location": "{location}",
            "summary": "Periwinkle chiller rattles",
            "description": "Changed by the matrix",
        },
        success=Success(sets={"description": "Changed by the matrix"}),
    ),
    _page(
        "work-orders",
        "status",
        "/work-orders/{pk}/status/?to=in_progress",
        "work_order",
        needs=frozenset({CHANGE}),
        body={"to": "in_progress", "version": "{version}"},
        success=Success(sets={"status": "in_progress"}),
    ),
    _page("quotes", "list", "/quotes/", "quote"),
    _page("quotes", "detail", "/quotes/{pk}/", "quote"),
    _page(
        "quotes",
        "approve",
        "/quotes/{pk}/approve/",
        "quote",
        needs=frozenset({CHANGE}),
        body={"contact": "{approver}"},
        success=Success(sets={"status": "approved"}),
    ),
    _page("invoices", "list", "/invoices/", "invoice"),
    _page("invoices", "detail", "/invoices/{pk}/", "invoice"),
    _page(
        "invoices",
        "issue",
        "/invoices/{pk}/issue/",
        "draft_invoice",
        needs=frozenset({CHANGE}),
        body={},
        success=Success(sets={"status": "issued"}),
    ),
    _page("messages", "list", "/outbox/", "message"),
    _page("messages", "detail", "/outbox/{pk}/", "message"),
    # E-mail written to a contact from its page, or to one chosen on its customer's page: recorded
    # in the contact's activity history, so the compose pages and the sending take the right to
    # record activities (staff only; technicians read activities but record none). Sent, the
    # contact (and its customer) has the message in the outbox and the activity.
    Op(
        "contacts",
        "send-email-form",
        "page",
        "get",
        "/contacts/{pk}/send-email/",
        "contact",
        model=ACTIVITY,
        needs=frozenset({ADD}),
    ),
    _page(
        "contacts",
        "send-email",
        "/contacts/{pk}/send-email/",
        "contact",
        model=ACTIVITY,
        needs=frozenset({ADD}),
        body={"subject": "Matrix hello", "body": "Written by the matrix."},
        success=Success(sets={"activities__summary": "Matrix hello", "messages__subject": "Matrix hello"}),
    ),
    Op(
        "customers",
        "send-email-form",
        "page",
        "get",
        "/customers/{pk}/send-email/",
        "customer",
        model=ACTIVITY,
        needs=frozenset({ADD}),
    ),
    _page(
        "customers",
        "send-email",
        "/customers/{pk}/send-email/",
        "customer",
        model=ACTIVITY,
        needs=frozenset({ADD}),
        body={"contact": "{contact}", "subject": "Matrix hello", "body": "Written by the matrix."},
        success=Success(sets={"activities__summary": "Matrix hello", "messages__subject": "Matrix hello"}),
    ),
]


def _portal(resource: str, name: str, path: str, target: str, **kwargs: Any) -> Op:
    method = "get" if name in ("list", "detail") else "post"
    kind = {"list": "list", "create": "create"}.get(name, "object")
    return Op(resource, name, "portal", method, path, target, kind=kind, **kwargs)


# The portal's pages and actions.
PORTAL_OPS = [
    _portal("customers", "list", "/portal/", "customer"),
    _portal("contacts", "list", "/portal/contacts/", "contact"),
    _portal("contacts", "detail", "/portal/contacts/{pk}/", "contact"),
    _portal(
        "contacts",
        "create",
        "/portal/contacts/new/",
        "contact",
        needs=frozenset({ADD}),
        body={"first_name": "Nadia", "last_name": "Matrixnew", "status": "active"},
        success=Success(creates=True),
    ),
    _portal(
        "contacts",
        "edit",
        "/portal/contacts/{pk}/edit/",
        "contact",
        needs=frozenset({CHANGE}),
        form="portal_contact",
        body={"title": "Changed by the matrix"},
        success=Success(sets={"title": "Changed by the matrix"}),
    ),
    _portal(
        "contacts",
        "delete",
        "/portal/contacts/{pk}/delete/",
        "spare_contact",
        needs=frozenset({DELETE}),
        body={},
        success=Success(removes=True),
    ),
    _portal("work-orders", "list", "/portal/work-orders/", "work_order"),
    _portal("work-orders", "detail", "/portal/work-orders/{pk}/", "work_order"),
    _portal(
        "work-orders",
        "create",
        "/portal/work-orders/new/",
        "work_order",
        needs=frozenset({ADD}),
        body={"summary": "Matrix new request", "location": "", "asset": "", "description": ""},
        success=Success(creates=True),
    ),
    _portal("quotes", "list", "/portal/quotes/", "quote"),
    _portal(
        "quotes",
        "approve",
        "/portal/quotes/{pk}/approve/",
        "quote",
        body={},
        success=Success(sets={"status": "approved"}),
    ),
    _portal("contracts", "list", "/portal/contracts/", "contract"),
    _portal("contracts", "detail", "/portal/contracts/{pk}/", "contract"),
    _portal("invoices", "list", "/portal/billing/", "invoice"),
    _portal("invoices", "detail", "/portal/billing/{pk}/", "invoice"),
    # Per-site figures: the sites show, by name.
    Op("work-orders", "reports", "portal", "get", "/portal/reports/", "location", kind="list"),
]

ROUTES = api_routes()
OPS: list[Op] = [*api_ops(ROUTES), *PAGE_OPS, *PORTAL_OPS]

# The actions on its model a list of the reports page takes (REPORT on work orders).
REPORT_OP_NEEDS = {("work-orders", "reports", "portal"): (WORK_ORDER, frozenset({REPORT}))}


# Expected answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """The answer of one cell: its status; whether it shows the target or carries the action out
    (`allowed`); for a redirect to a sign-in page, where to."""

    status: int
    allowed: bool = False
    login: str = ""


SUCCESS_STATUS = {"get": 200, "post": 200, "patch": 200, "delete": 204}


def _needs(actor: Actor, op: Op) -> tuple[str, frozenset[str]]:
    model = op.model or TARGETS[op.target].model
    if (op.resource, op.name, op.surface) in REPORT_OP_NEEDS:
        return REPORT_OP_NEEDS[(op.resource, op.name, op.surface)]
    if actor.kind == "portal" and op.portal_needs is not None:
        return model, op.portal_needs
    return model, op.needs


def _may_all(actor: Actor, model: str, actions: frozenset[str], op: Op | None = None) -> bool:
    also = op.portal_also_needs.items() if op is not None and actor.kind == "portal" else ()
    return all(may(actor, model, action) for action in actions) and all(
        may(actor, other, action) for other, actions_there in also for action in actions_there
    )


def expect(actor: Actor, op: Op) -> Expect:
    """The answer API.md documents: 401 for an API call without a working login (a portal user's
    login stops working when its access does), a redirect to the sign-in page for a page; 403 for
    whoever may not see that kind of object at all and for a forbidden action on a visible object;
    404 for an object out of scope (another customer's, or a draft, for a portal user); 405 for a
    method an endpoint does not offer; 400 for a reference to an object out of scope in a body.
    A route about the caller's own login or rows (`SIGNED_IN`) is asked only of callers other than
    its target's owner: 404 for the target, a list without it."""
    signed_in = actor.kind == "staff" or (actor.kind == "portal" and actor.current)
    if op.surface == "api" and op.caller == SIGNED_IN:
        if not signed_in:
            return Expect(401)
        return Expect(200) if op.kind == "list" else Expect(404)
    target = TARGETS[op.target]
    model, needs = _needs(actor, op)
    visible = sees(actor, target)
    if op.surface == "api":
        if not signed_in:
            return Expect(401)
        if op.kind == "import":
            if not (may(actor, model, ADD) or may(actor, model, CHANGE)):
                return Expect(403)
            return Expect(200, allowed=visible and may(actor, model, CHANGE))
        if not may(actor, model, VIEW):
            return Expect(403)
        if op.kind == "absent":
            return Expect(405)
        if op.kind == "list":
            return Expect(200, allowed=visible)
        if op.kind == "create":
            if not _may_all(actor, model, needs, op):
                return Expect(403)
            if actor.kind == "portal" and actor.customer != target.customer:
                return Expect(400)
            return Expect(201, allowed=True)
        if not visible:
            return Expect(404)
        if not _may_all(actor, model, needs, op) or any(
            row_limited(actor, model, action, target) for action in needs
        ):
            return Expect(403)
        status = SUCCESS_STATUS[op.method]
        if op.success.creates:
            status = 201
        return Expect(status, allowed=True)
    if op.surface == "page":
        if not signed_in:
            return Expect(302, login="/accounts/login/")
        if actor.kind != "staff":
            return Expect(403)
        if op.kind == "search":
            return Expect(200, allowed=may(actor, model, VIEW))
        if not may(actor, model, VIEW):
            return Expect(403)
        if op.kind == "list":
            return Expect(200, allowed=True)
        if not _may_all(actor, model, needs, op) or any(
            row_limited(actor, model, action, target) for action in needs
        ):
            return Expect(403)
        return Expect(200 if op.method == "get" else 302, allowed=True)
    # The portal: a user who may not open that kind of page is refused before anything is looked up.
    if not signed_in:
        return Expect(302, login="/portal/login/")
    if actor.kind != "portal":
        return Expect(403)
    if not _may_all(actor, model, needs, op):
        return Expect(403)
    if op.kind == "list":
        return Expect(200, allowed=visible)
    if op.kind == "create":
        return Expect(302, allowed=True)  # in the user's own customer
    if not visible:
        return Expect(404)
    if any(row_limited(actor, model, action, target) for action in needs):
        return Expect(403)
    return Expect(200 if op.method == "get" else 302, allowed=True)
