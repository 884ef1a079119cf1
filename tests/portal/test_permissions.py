"""The permission matrix: every capability (and the approver role, and none) against every portal
page and action. Allowed: 200 for a page, 302 for an action done; not allowed: 403 with the reason;
another customer's object probed by id: 404 for whoever may open that kind of page (403 for who may
not: nothing is looked up then)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import ContactFactory
from tests.portal.conftest import signed_in
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

HOLDERS = ("none", "admin", "billing", "reports", "create_work_order", "edit_contacts", "approver")
EVERYONE = frozenset(HOLDERS)
CONTACTS = frozenset({"admin", "edit_contacts"})
WORK_VIEW = frozenset({"admin", "reports", "create_work_order"})
WORK_ADD = frozenset({"admin", "create_work_order"})
BILLING = frozenset({"admin", "billing"})
REPORTS = frozenset({"admin", "reports"})
ADMIN = frozenset({"admin"})
APPROVER = frozenset({"approver"})

# (name, method, path, form data, who may)
ACTIONS = [
    ("home", "get", "/portal/", None, EVERYONE),
    ("profile", "get", "/portal/profile/", None, EVERYONE),
    ("password page", "get", "/portal/profile/password/", None, EVERYONE),
    ("sign-in e-mail page", "get", "/portal/profile/email/", None, ADMIN),
    ("contacts page", "get", "/portal/contacts/", None, CONTACTS),
    ("contacts search", "get", "/portal/contacts/?search=Bob&status=active", None, CONTACTS),
    ("view contact", "get", "/portal/contacts/{colleague}/", None, CONTACTS),
    ("contact card download", "get", "/portal/contacts/{colleague}/vcard/", None, CONTACTS),
    ("add contact page", "get", "/portal/contacts/new/", None, CONTACTS),
    ("add contact", "post", "/portal/contacts/new/", {"last_name": "Newman", "status": "active"}, CONTACTS),
    ("edit contact page", "get", "/portal/contacts/{colleague}/edit/", None, CONTACTS),
    (
        "edit contact",
        "post",
        "/portal/contacts/{colleague}/edit/",
        {"last_name": "Renamed", "status": "active"},
        CONTACTS,
    ),
    ("delete confirmation", "get", "/portal/contacts/{colleague}/delete/", None, CONTACTS),
    ("delete contact", "post", "/portal/contacts/{colleague}/delete/", {}, CONTACTS),
    ("send invitation", "post", "/portal/contacts/{portal_colleague}/invitation/", {}, ADMIN),
    ("work orders page", "get", "/portal/work-orders/", None, WORK_VIEW),
    ("view work order", "get", "/portal/work-orders/{work_order}/", None, WORK_VIEW),
    ("request service page", "get", "/portal/work-orders/new/", None, WORK_ADD),
    (
        "request service",
        "post",
        "/portal/work-orders/new/",
        {"summary": "Leaking pipe", "location": "{north}"},
        WORK_ADD,
    ),
    ("quotes page", "get", "/portal/quotes/", None, APPROVER),
    ("approve quote", "post", "/portal/quotes/{quote}/approve/", {}, APPROVER),
    ("billing page", "get", "/portal/billing/", None, BILLING),
    ("view invoice", "get", "/portal/billing/{invoice}/", None, BILLING),
    ("reports page", "get", "/portal/reports/", None, REPORTS),
]

# Pages about one object, and the other customer's object of that kind to probe.
PROBES = [
    ("view contact", "get", "/portal/contacts/{id}/", "contact", CONTACTS),
    ("contact card download", "get", "/portal/contacts/{id}/vcard/", "contact", CONTACTS),
    ("edit contact page", "get", "/portal/contacts/{id}/edit/", "contact", CONTACTS),
    ("edit contact", "post", "/portal/contacts/{id}/edit/", "contact", CONTACTS),
    ("delete confirmation", "get", "/portal/contacts/{id}/delete/", "contact", CONTACTS),
    ("delete contact", "post", "/portal/contacts/{id}/delete/", "contact", CONTACTS),
    ("send invitation", "post", "/portal/contacts/{id}/invitation/", "contact", ADMIN),
    ("view work order", "get", "/portal/work-orders/{id}/", "work_order", WORK_VIEW),
    ("approve quote", "post", "/portal/quotes/{id}/approve/", "quote", APPROVER),
    ("view invoice", "get", "/portal/billing/{id}/", "invoice", BILLING),
]


def holder(customer, make_portal_contact, kind: str):
    permissions = [] if kind in ("none", "approver") else [kind]
    return make_portal_contact(
        customer, permissions, role_approver=kind == "approver", first_name="Holder", last_name=kind.title()
    )


def documents(customer, location) -> dict[str, object]:
    work_order = WorkOrderFactory(customer=customer, location=location)
    quote = QuoteFactory(
        customer=customer, work_order=work_order, status=Quote.Status.SENT, sent_at=timezone.now()
    )
    invoice = InvoiceFactory(
        customer=customer, status=Invoice.Status.ISSUED, issued_at=timezone.now(), amount=Decimal("99.00")
    )
    return {"work_order": work_order, "quote": quote, "invoice": invoice}


@pytest.fixture
def scene(northwind, contoso, make_portal_contact):
    customer, north, _ = northwind
    colleague = ContactFactory(customer=customer, first_name="Bob", last_name="Builder", locations=[north])
    portal_colleague = make_portal_contact(customer, ["billing"], first_name="Pia", last_name="Portal")
    own = documents(customer, north)
    foreign = documents(contoso, contoso.locations.first())
    foreign["contact"] = contoso.contacts.first()
    return {
        "customer": customer,
        "ids": {
            "colleague": colleague.pk,
            "portal_colleague": portal_colleague.pk,
            "north": north.pk,
            **{name: obj.pk for name, obj in own.items()},
        },
        "foreign": foreign,
    }


def fill(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


def expected_status(kind: str, method: str, allowed: frozenset[str]) -> int:
    if kind not in allowed:
        return 403
    return 200 if method == "get" else 302


GETS = [action for action in ACTIONS if action[1] == "get"]
POSTS = [action for action in ACTIONS if action[1] == "post"]


@pytest.mark.parametrize("kind", HOLDERS)
def test_capability_matrix_of_the_pages(scene, make_portal_contact, kind):
    """Every page (GET changes nothing, so one scene serves them all)."""
    client = signed_in(holder(scene["customer"], make_portal_contact, kind))
    wrong = []
    for name, _, path, _, allowed in GETS:
        response = client.get(fill(path, scene["ids"]))
        expected = expected_status(kind, "get", allowed)
        if response.status_code != expected:
            wrong.append((name, response.status_code, expected))
        elif expected == 403 and "Not allowed" not in response.content.decode():
            wrong.append((name, "no refusal page"))
    assert wrong == [], kind


@pytest.mark.parametrize("kind", HOLDERS)
@pytest.mark.parametrize(("name", "method", "path", "data", "allowed"), POSTS, ids=[a[0] for a in POSTS])
def test_capability_matrix_of_the_actions(
    scene, make_portal_contact, kind, name, method, path, data, allowed
):
    """Every action, each on a fresh scene: done (302, no error shown after) or refused (403)."""
    client = signed_in(holder(scene["customer"], make_portal_contact, kind))
    response = client.post(
        fill(path, scene["ids"]), {key: fill(value, scene["ids"]) for key, value in data.items()}
    )
    assert response.status_code == expected_status(kind, method, allowed), (
        kind,
        name,
        response.content.decode()[:3000],
    )
    if response.status_code == 302:
        follow = client.get(response["Location"])
        assert "notice--error" not in follow.content.decode(), (kind, name)
    else:
        assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize("kind", HOLDERS)
def test_another_customers_objects_probed_by_id(scene, make_portal_contact, kind):
    client = signed_in(holder(scene["customer"], make_portal_contact, kind))
    wrong = []
    for name, method, path, target, allowed in PROBES:
        obj = scene["foreign"][target]
        url = path.format(id=obj.pk)
        response = (
            client.get(url)
            if method == "get"
            else client.post(url, {"last_name": "Hijacked", "status": "active"})
        )
        if response.status_code != (404 if kind in allowed else 403):
            wrong.append((name, response.status_code))
    assert wrong == [], kind
    foreign = scene["foreign"]
    for obj in foreign.values():
        obj.refresh_from_db()  # still there
    assert foreign["contact"].last_name == "Outsider"
    assert foreign["quote"].status == Quote.Status.SENT


@pytest.mark.parametrize("kind", HOLDERS)
def test_a_missing_id_is_a_404_too(scene, make_portal_contact, kind):
    client = signed_in(holder(scene["customer"], make_portal_contact, kind))
    for path, allowed in (
        ("/portal/contacts/999999/", CONTACTS),
        ("/portal/work-orders/999999/", WORK_VIEW),
        ("/portal/billing/999999/", BILLING),
    ):
        assert client.get(path).status_code == (404 if kind in allowed else 403)


def test_drafts_are_not_the_customers_to_see(scene, make_portal_contact):
    client = signed_in(holder(scene["customer"], make_portal_contact, "billing"))
    draft = InvoiceFactory(customer=scene["customer"], status=Invoice.Status.DRAFT)
    assert client.get(f"/portal/billing/{draft.pk}/").status_code == 404
    approver = signed_in(holder(scene["customer"], make_portal_contact, "approver"))
    draft_quote = QuoteFactory(customer=scene["customer"], status=Quote.Status.DRAFT)
    assert approver.post(f"/portal/quotes/{draft_quote.pk}/approve/").status_code == 404
    assert WorkOrder.objects.exists()


def test_the_menu_shows_only_what_the_user_may_open(scene, make_portal_contact):
    expected = {
        "none": {"Home", "My profile"},
        "admin": {"Home", "Contacts", "Work orders", "Billing", "Contracts", "Reports", "My profile"},
        "billing": {"Home", "Billing", "Contracts", "My profile"},
        "reports": {"Home", "Work orders", "Reports", "My profile"},
        "create_work_order": {"Home", "Work orders", "My profile"},
        "edit_contacts": {"Home", "Contacts", "My profile"},
        "approver": {"Home", "Quotes", "My profile"},
    }
    import re

    for kind, labels in expected.items():
        page = (
            signed_in(holder(scene["customer"], make_portal_contact, kind)).get("/portal/").content.decode()
        )
        menu = page.split('class="mainnav__list"')[1].split("</ul>")[0]
        assert set(re.findall(r">([^<>]+)</a>", menu)) == labels, kind
