"""Markup typed into any text comes out escaped wherever it is shown: staff pages (full and htmx
partials), the outbox message page with its mail bodies, the Django admin, the portal. The
hostile value is what a portal user typed as a work-order summary, and what staff or customers
type into names, titles, notes and activity."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

import clientbase
from clientbase.customers import services as customer_services
from clientbase.errors import ValidationFailed
from clientbase.notifications.models import Message
from clientbase.notifications.services import record_activity
from clientbase.workorders.models import WorkOrder
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db
HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
PORTAL_BACKEND = "clientbase.portal.backends.PortalBackend"


@pytest.fixture
def hostile(admin_user):
    """Every user-writable text of a customer's records holding markup, and a work order a portal
    user opened with it through the portal, whose mail waits in the outbox."""
    customer = CustomerFactory(name=f"Acme {HOSTILE}", notes=HOSTILE)
    site = LocationFactory(customer=customer, name=f"Site {HOSTILE}", access_notes=HOSTILE)
    asset = AssetFactory(location=site, name=f"Boiler {HOSTILE}", manufacturer=HOSTILE)
    site_contact = ContactFactory(
        customer=customer,
        first_name="Sam",
        last_name=f"Site {HOSTILE}",
        title=HOSTILE,
        department=HOSTILE,
        notes=HOSTILE,
        email="sam@acme.example",
        role_site=True,
        notify_work_orders=True,
    )
    requester = ContactFactory(
        customer=customer,
        first_name="Rita",
        last_name=f"Request {HOSTILE}",
        email="rita@acme.example",
        portal_enabled=True,
        portal_permissions=["admin"],
    )
    user = UserFactory(username="rita@acme.example", email="rita@acme.example", is_staff=False)
    requester.user = user
    requester.save(update_fields=["user"])
    portal = Client()
    portal.force_login(user, backend=PORTAL_BACKEND)
    response = portal.post(
        "/portal/work-orders/new/",
        {"location": site.pk, "asset": asset.pk, "summary": HOSTILE, "description": HOSTILE},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    work_order = WorkOrder.objects.get()
    record_activity(
        acting_user=admin_user,
        data={"contact": site_contact, "kind": "note", "summary": HOSTILE, "body": HOSTILE},
    )
    message = Message.objects.get(event="work_order.created", contact=site_contact)
    staff = Client()
    staff.force_login(admin_user)
    return {
        "customer": customer,
        "site": site,
        "asset": asset,
        "contact": site_contact,
        "work_order": work_order,
        "message": message,
        "staff": staff,
        "portal": portal,
    }


def assert_escaped(text: str, where: str) -> None:
    assert HOSTILE not in text, f"raw markup on {where}"
    assert "<img src=x" not in text, f"raw markup on {where}"
    assert ESCAPED in text, f"the escaped text is missing on {where}"


STAFF_PAGES = {
    "customer": lambda h: f"/customers/{h['customer'].pk}/",
    "customer list": lambda h: "/customers/",
    "location": lambda h: f"/locations/{h['site'].pk}/",
    "asset": lambda h: f"/assets/{h['asset'].pk}/",
    "contact": lambda h: f"/contacts/{h['contact'].pk}/",
    "contact list": lambda h: "/contacts/",
    "work order": lambda h: f"/work-orders/{h['work_order'].pk}/",
    "work order list": lambda h: "/work-orders/",
    "outbox": lambda h: "/outbox/",
    "message": lambda h: f"/outbox/{h['message'].pk}/",
    "message html part": lambda h: f"/outbox/{h['message'].pk}/html/",
    "search": lambda h: "/?q=Acme",
    "admin work orders": lambda h: "/admin/workorders/workorder/",
    "admin message": lambda h: f"/admin/notifications/message/{h['message'].pk}/change/",
    "admin activities": lambda h: "/admin/notifications/activity/",
}


@pytest.mark.parametrize("name", list(STAFF_PAGES))
def test_markup_is_escaped_on_staff_pages(hostile, name):
    url = STAFF_PAGES[name](hostile)
    response = hostile["staff"].get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert_escaped(response.content.decode(), name)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("search", "/?q=Acme"),
        ("contact list", "/contacts/?search=Sam"),
        ("outbox", "/outbox/?status=pending"),
    ],
)
def test_markup_is_escaped_in_htmx_partials(hostile, name, url):
    response = hostile["staff"].get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert_escaped(text, name)


def test_the_mail_bodies_on_the_message_page_are_escaped(hostile):
    """The plain-text part holds the summary as typed (it is not HTML); on the page it is text in a
    <pre>, and the HTML part is a document of its own in a sandboxed frame, never inlined."""
    page = hostile["staff"].get(f"/outbox/{hostile['message'].pk}/").content.decode()
    pre = page.split('<pre class="notes">', 1)[1].split("</pre>", 1)[0]
    assert_escaped(pre, "the plain-text part")
    assert "srcdoc" not in page
    frame = hostile["staff"].get(f"/outbox/{hostile['message'].pk}/html/")
    assert frame["Content-Type"].startswith("text/html")
    assert "sandbox" in frame["Content-Security-Policy"]
    assert "script-src" not in frame["Content-Security-Policy"]  # default-src 'none' covers it
    assert_escaped(frame.content.decode(), "the HTML part")


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("work orders", lambda h: "/portal/work-orders/"),
        ("work order", lambda h: f"/portal/work-orders/{h['work_order'].pk}/"),
        ("contacts", lambda h: "/portal/contacts/"),
        ("contact", lambda h: f"/portal/contacts/{h['contact'].pk}/"),
        ("home", lambda h: "/portal/"),
    ],
)
def test_markup_is_escaped_on_portal_pages(hostile, name, path):
    response = hostile["portal"].get(path(hostile))
    assert response.status_code == 200, (name, response.status_code)
    assert_escaped(response.content.decode(), name)


def test_a_script_url_is_never_a_website(admin_user):
    customer = CustomerFactory(name="Acme")
    with pytest.raises(ValidationFailed) as refused:
        customer_services.update_customer(
            customer=customer, acting_user=admin_user, data={"website": "javascript:alert(1)"}
        )
    assert "website" in refused.value.errors
    customer.refresh_from_db()
    assert customer.website == ""


def test_nothing_is_marked_safe_by_hand():
    """Autoescaping is never switched off for HTML: no `|safe`, `safeseq` or `autoescape off` in a
    page or mail HTML template (the plain-text mail templates turn it off: they are not HTML and
    are shown on pages only as escaped text), no `mark_safe`/`SafeString` in code (`format_html`
    escapes what it is given)."""
    root = Path(clientbase.__file__).parent
    offences = []
    for path in sorted(root.rglob("templates/**/*.html")):
        text = path.read_text()
        for marker in ("|safe", "safeseq", "autoescape off", "srcdoc"):
            if marker in text:
                offences.append(f"{path.relative_to(root)}: {marker}")
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        for marker in ("mark_safe", "SafeString", "SafeText"):
            if marker in text:
                offences.append(f"{path.relative_to(root)}: {marker}")
    assert offences == []
